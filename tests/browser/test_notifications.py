"""Journey: a member follows a thread, someone further along replies with an
episode-12 spoiler and mentions them, and the member finds out from the header
and the notification centre without reading the spoiler."""

import re

import pytest

from fansite.comments.services import post_comment
from tests.browser.page_tools import sign_in_with_cookie
from tests.threads.factories import ThreadFactory, board
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_member_hears_of_a_reply_without_the_spoiler(
    live_server, page, problems, check_accessibility, screenshot, relaxed_posting_limits
):
    reader = UserFactory(username="onjo", display_name="On-jo", watched_up_to=3)
    writer = UserFactory(username="jiho", display_name="Ji-ho", watched_up_to=12)
    thread = ThreadFactory(board=board("general"), title="Favourite scenes", spoils_episode=0)
    sign_in_with_cookie(page, live_server, reader)

    page.goto(live_server.url + thread.get_absolute_url())
    page.get_by_role("button", name="Follow", exact=True).click()
    assert page.get_by_role("button", name="Following · Unfollow").is_visible()

    post_comment(
        target=thread,
        author=writer,
        body="@onjo the EP12-SECRET ending, though!",
        spoils_episode=12,
    )

    page.goto(live_server.url + "/")
    screenshot("notifications-header-count")
    link = page.get_by_role("link", name=re.compile(r"^Notifications\s*1 unread"))
    link.click()
    page.wait_for_url("**/notifications/")
    line = page.locator(".notification").first
    assert (
        "Ji-ho mentioned you in a thread on the General discussion board — "
        "spoiler for episode 12" in line.inner_text()
    )
    assert "EP12-SECRET" not in page.content()
    assert "Favourite scenes" not in page.content()
    check_accessibility()
    screenshot("notifications-centre")

    page.get_by_role("button", name="Mark all read").click()
    assert page.get_by_role("link", name=re.compile(r"unread")).count() == 0
