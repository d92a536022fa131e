"""A visitor finds an episode from the header, presses "I've watched episode N" and
sees the board's thread titles that were gated; an old button never lowers them."""

import pytest

from tests.threads.factories import ThreadFactory, board

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TITLE = "What the stairwell scene set up"


def test_visitor_marks_an_episode_as_watched_from_its_page(
    live_server, page, problems, check_accessibility
):
    ThreadFactory(board=board("episode-5"), title=TITLE)
    page.goto(live_server.url + "/")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Episodes").click()
    page.wait_for_url("**/episodes/")
    check_accessibility()
    page.get_by_role("link", name="Episode 5", exact=True).click()
    page.wait_for_url("**/episodes/5/")
    check_accessibility()
    assert TITLE not in page.content()
    assert page.get_by_text("threads on this board spoil episode 5").is_visible()

    page.get_by_role("button", name="I've watched episode 5").click()
    page.wait_for_url("**/episodes/5/")
    check_accessibility()
    assert page.get_by_text("Episode 5 marked as watched").is_visible()
    assert page.get_by_role("link", name=TITLE).is_visible()
    assert page.get_by_label("I've watched up to").input_value() == "5"

    # Episode 4's page knows they are past it and offers nothing that would lower it.
    page.get_by_role("link", name="Previous: Episode 4").click()
    page.wait_for_url("**/episodes/4/")
    assert page.get_by_text("You've watched episode 4: your progress is at episode 5.").is_visible()
    assert page.get_by_role("button", name="I've watched episode 4").count() == 0
