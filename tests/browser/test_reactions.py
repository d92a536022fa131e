"""Journey: a member reacts to comments with JavaScript (in place, no reload) and
without it (a form, back to the comment), reads a long thread by Top, and rates
an episode and sees the chart; phone and dark screenshots of each."""

import pytest

from fansite.episodes.models import Episode
from fansite.ratings.services import rate_episode
from fansite.reactions.models import ReactionKind
from fansite.reactions.services import set_reaction
from fansite.spoilers.levels import NO_SPOILERS
from tests.browser.page_tools import (
    allow_axe_without_javascript,
    assert_accessible,
    sign_in_with_cookie,
)
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def thread(db):
    thread = ThreadFactory(
        board=board("general"),
        title="Best moments of class 2-5",
        body="Which scene stayed with you?",
        spoils_episode=NO_SPOILERS,
    )
    for n in range(8):
        reply(thread, body=f"Moment number {n}: the rooftop at night.", spoils_episode=NO_SPOILERS)
    return thread


def comment_card(page, text):
    return page.locator("article.comment", has_text=text)


def test_a_member_reacts_in_place_then_reads_by_top(
    live_server, page, problems, check_accessibility, screenshot, thread, settings
):
    settings.REACTION_COUNTS_SECONDS = 0
    member = UserFactory(watched_up_to=12)
    sign_in_with_cookie(page, live_server, member)
    page.goto(live_server.url + thread.get_absolute_url())
    page.evaluate("window.stayedOnPage = true")

    card = comment_card(page, "Moment number 5")
    card.get_by_role("link", name="React", exact=True).click()
    card.get_by_role("button", name="sad", exact=True).click()
    pressed = card.get_by_role("button", name="sad. 1 person reacted sad")
    pressed.wait_for()
    assert pressed.get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.stayedOnPage") is True  # no reload
    assert pressed.evaluate("element => element === document.activeElement")
    check_accessibility()

    # Taken back with a second press, still in place.
    pressed.click()
    card.get_by_role("link", name="Who reacted").wait_for(state="detached")
    assert card.get_by_role("button", name="sad. 1 person reacted sad").count() == 0
    assert page.evaluate("window.stayedOnPage") is True

    # Others liked comment 2 most: Top puts it right after the opening post.
    second = thread.comments.get(body__startswith="Moment number 2")
    like = ReactionKind.objects.get(slug="like")
    for _ in range(3):
        set_reaction(member=UserFactory(), comment=second, kind=like, on=True)
    page.get_by_role("navigation", name="Reading this thread").get_by_role(
        "link", name="Top"
    ).click()
    page.wait_for_url("**sort=top**")
    bodies = page.locator("article.comment .comment__text").all_inner_texts()
    assert bodies[0] == "Which scene stayed with you?"
    assert bodies[1].startswith("Moment number 2")
    check_accessibility()

    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    comment_card(page, "Moment number 2").scroll_into_view_if_needed()
    screenshot("reactions-top-phone-dark")


def test_without_javascript_a_reaction_is_a_form_that_returns_to_the_comment(
    live_server, browser, axe_source, thread
):
    member = UserFactory(watched_up_to=12)
    context = browser.new_context(viewport=PHONE, color_scheme="dark", java_script_enabled=False)
    page = context.new_page()
    sign_in_with_cookie(page, live_server, member)
    page.goto(live_server.url + thread.get_absolute_url())
    target = thread.comments.get(body__startswith="Moment number 3")

    card = page.locator(f"#comment-{target.pk}")
    with page.expect_navigation():
        card.get_by_role("link", name="React", exact=True).click()
    allow_axe_without_javascript(page)
    assert_accessible(page, axe_source)
    with page.expect_navigation():
        page.get_by_role("button", name="zombie. 0 people reacted zombie").click()

    assert page.url.endswith(f"{thread.get_absolute_url()}#comment-{target.pk}")
    button = page.locator(f"#comment-{target.pk}").get_by_role(
        "button", name="zombie. 1 person reacted zombie"
    )
    assert button.get_attribute("aria-pressed") == "true"
    allow_axe_without_javascript(page)
    assert_accessible(page, axe_source)
    context.close()


def test_a_member_rates_an_episode_and_sees_the_chart(
    live_server, page, problems, check_accessibility, screenshot
):
    member = UserFactory(watched_up_to=4)
    episode = Episode.objects.get(position=3)
    for score in (9, 6, 9):
        rate_episode(member=UserFactory(watched_up_to=12), episode=episode, score=score)
    sign_in_with_cookie(page, live_server, member)
    page.goto(live_server.url + "/episodes/3/")
    page.get_by_role("link", name="Rate this episode").click()
    page.get_by_label("8", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save my rating").click()

    assert page.get_by_text("Thanks: your rating is saved.").is_visible()
    ratings = page.locator("#ratings")
    assert "8.0 out of 10 from 4 ratings" in ratings.inner_text()
    check_accessibility()

    page.set_viewport_size(PHONE)
    page.emulate_media(color_scheme="dark")
    ratings.scroll_into_view_if_needed()
    screenshot("ratings-episode-phone-dark")
    page.goto(live_server.url + "/episodes/")
    check_accessibility()
    screenshot("ratings-guide-phone-dark")
