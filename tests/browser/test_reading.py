"""Journey 1: a visitor reads the source article and reveals its spoiler."""

import pytest

from fansite.articles.models import Article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEATH = "It is the scene after Soo Hyuk dies"
SUMMARY = "Spoiler: A character\u2019s death"  # the block spoiler's label


def test_visitor_reads_the_article_and_reveals_the_spoiler(
    live_server, page, problems, check_accessibility
):
    article = Article.objects.get()
    page.goto(live_server.url + "/")
    check_accessibility()

    page.get_by_role("link", name=article.title).click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    check_accessibility()
    assert page.get_by_text("Content warning").is_visible()
    assert page.get_by_text("Spoiler alert").first.is_visible()
    # The article spoils episode 12 and this visitor has watched nothing yet.
    assert DEATH not in page.content()

    page.get_by_role("button", name="Show the article anyway").click()
    page.wait_for_url("**?reveal=*")
    check_accessibility()
    death = page.get_by_text(DEATH)
    assert not death.is_visible()  # still behind its own spoiler block

    page.get_by_text(SUMMARY).click()  # mouse
    assert death.is_visible()
    page.get_by_text(SUMMARY).click()
    assert not death.is_visible()


def test_the_spoiler_opens_with_the_keyboard_alone(live_server, page, problems):
    article = Article.objects.get()
    page.goto(f"{live_server.url}{article.get_absolute_url()}")
    page.get_by_role("button", name="Show the article anyway").click()
    page.wait_for_url("**?reveal=*")
    death = page.get_by_text(DEATH)
    assert not death.is_visible()

    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        if SUMMARY.removeprefix("Spoiler: ") in focused:
            break
    else:
        pytest.fail("the spoiler's summary is not reachable with Tab")
    page.keyboard.press("Enter")

    assert death.is_visible()
