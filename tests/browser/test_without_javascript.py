"""Journey 6: with JavaScript switched off a visitor can still read the article,
open spoilers, log in and post a comment; a member previews before posting."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fansite.articles.models import Article
from fansite.comments.models import Comment
from tests.browser.page_tools import allow_axe_without_javascript, sign_in_with_cookie
from tests.threads.factories import ThreadFactory, reply
from tests.users.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DEATH = "It is the scene after Soo Hyuk dies"  # inside the article's block spoiler
BLOCK_SECRET = "Nam Ra becomes a hambie"
INLINE_SECRET = "Cheong San does not make it"
MY_COMMENT = "Read it all without a single script running."


@pytest.fixture
def browser_context_args(browser_context_args):
    # pytest-playwright builds `page` (and so `problems` and `check_accessibility`)
    # from these arguments.
    return {**browser_context_args, "java_script_enabled": False}


@pytest.fixture
def check_page(page, check_accessibility):
    def check():
        allow_axe_without_javascript(page)
        check_accessibility()

    return check


def test_reading_revealing_logging_in_and_posting_work_without_javascript(
    live_server, page, problems, check_page
):
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/")
    check_page()

    # Reading the article, past its spoiler warning.
    article = Article.objects.get()
    page.get_by_role("link", name=article.title).click()
    page.wait_for_url(f"**{article.get_absolute_url()}")
    check_page()
    assert DEATH not in page.content()
    page.get_by_role("button", name="Show the article anyway").click()
    page.wait_for_url("**?reveal=*")
    check_page()
    death = page.get_by_text(DEATH)
    assert not death.is_visible()
    page.get_by_text("Spoiler: A character\u2019s death").click()
    assert death.is_visible()

    # Spoilers in a comment: a block spoiler (<details>) and an inline one (a
    # checkbox inside a label, shown by CSS alone).
    member = UserFactory(display_name="Ji Min")
    thread = ThreadFactory(title="Favourite scenes")
    reply(
        thread,
        body=(
            f"The rooftop.\n\n:::spoiler About Nam Ra\n{BLOCK_SECRET}.\n:::\n\n"
            f"And the end: >!{INLINE_SECRET}!< sadly."
        ),
    )
    page.goto(live_server.url + thread.get_absolute_url())
    check_page()
    block = page.get_by_text(BLOCK_SECRET)
    inline = page.get_by_text(INLINE_SECRET)
    assert not block.is_visible()
    assert not inline.is_visible()
    page.locator("summary", has_text="About Nam Ra").click()
    assert block.is_visible()
    page.locator("label.spoiler .spoiler__cover").click()
    assert inline.is_visible()
    check_page()

    # Logging in through the form, back to the thread.
    page.get_by_role("link", name="Log in to join the discussion").click()
    page.wait_for_url("**/accounts/login/**")
    check_page()
    page.locator("[name=login]").fill(member.username)
    page.locator("[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{thread.get_absolute_url()}")
    check_page()

    # Posting a comment: the redirect lands on it.
    page.get_by_label("Your comment").fill(MY_COMMENT)
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    check_page()
    mine = page.locator("article.comment", has_text=MY_COMMENT)
    assert mine.is_visible()
    assert mine.get_by_text("Ji Min").is_visible()
    page.reload()
    assert page.locator("article.comment", has_text=MY_COMMENT).is_visible()


def test_preview_button_works_without_javascript(live_server, page, problems, check_page):
    page.set_default_timeout(10_000)
    member = UserFactory(watched_up_to=3, date_joined=timezone.now() - timedelta(days=3))
    thread = ThreadFactory(title="Preview me")
    sign_in_with_cookie(page, live_server, member)
    page.goto(live_server.url + thread.get_absolute_url())
    # No toolbar and no live preview: nothing the script would build.
    assert page.get_by_role("group", name="Formatting").count() == 0
    check_page()

    text = f"A *bold* guess: >!{INLINE_SECRET}!<"
    page.get_by_label("Your comment").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    check_page()

    preview = page.locator("#preview")
    assert preview.locator("em", has_text="bold").is_visible()
    assert not preview.get_by_text(INLINE_SECRET).is_visible()
    assert page.get_by_label("Your comment").input_value() == text
    assert not Comment.objects.filter(body=text).exists()

    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert page.locator("article.comment", has_text="guess").is_visible()
    assert Comment.objects.filter(body=text).count() == 1
