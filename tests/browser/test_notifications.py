"""Journey: a member follows a thread, someone further along replies with an
episode-12 spoiler and mentions them, and the member finds out from the header,
the notification centre and an email without reading the spoiler, then stops
those emails from the email's link without logging in."""

import re
import shutil
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from fansite.emails.backends import links_in
from fansite.emails.models import EmailMode
from fansite.emails.preferences import email_mode
from tests.browser.conftest import ROOT
from tests.browser.page_tools import sign_in_with_cookie
from tests.threads.factories import ThreadFactory, board
from tests.users.factories import UserFactory

READABLE_FILES = "fansite.emails.backends.ReadableFileBackend"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def mail_folder(settings):
    """Mail goes to files in var/mail/ as in development (a folder of this test's own)."""
    folder = ROOT / "var" / "mail" / f"journey-{uuid.uuid4().hex[:8]}"
    settings.MAILERS = {
        "default": {"BACKEND": READABLE_FILES, "OPTIONS": {"file_path": folder}},
    }
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_member_hears_of_a_reply_without_the_spoiler(
    live_server,
    page,
    browser,
    problems,
    check_accessibility,
    screenshot,
    relaxed_posting_limits,
    mail_folder,
    settings,
):
    settings.SITE_URL = live_server.url  # the links in emails lead to this server
    reader = UserFactory(username="onjo", display_name="On-jo", watched_up_to=3)
    writer = UserFactory(username="jiho", display_name="Ji-ho", watched_up_to=12)
    thread = ThreadFactory(board=board("general"), title="Favourite scenes", spoils_episode=0)
    sign_in_with_cookie(page, live_server, reader)

    # On-jo follows the thread.
    page.goto(live_server.url + thread.get_absolute_url())
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Following · Unfollow")).to_be_visible()

    # Ji-ho, who has finished the series, replies with an episode-12 spoiler, naming her.
    their = browser.new_context()
    other = their.new_page()
    sign_in_with_cookie(other, live_server, writer)
    other.goto(live_server.url + thread.get_absolute_url())
    other.get_by_label("Your comment").fill("@onjo the EP12-SECRET ending, though!")
    other.get_by_label("Spoils up to").select_option("12")
    other.get_by_role("button", name="Post comment").click()
    other.wait_for_url(re.compile(r"#comment-\d+$"))
    their.close()

    # The header says so on her next page; the centre says who and where, not what.
    page.goto(live_server.url + "/")
    screenshot("notifications-header-count")
    link = page.get_by_role("link", name=re.compile(r"^Notifications\s*1 unread"))
    link.click()
    page.wait_for_url("**/notifications/")
    safe_line = (
        "Ji-ho mentioned you in a thread on the General discussion board — spoiler for episode 12"
    )
    line = page.locator(".notification").first
    assert safe_line in line.inner_text()
    assert "EP12-SECRET" not in page.content()
    assert "Favourite scenes" not in page.content()
    check_accessibility()
    screenshot("notifications-centre")

    # The email in var/mail/ says the same, and nothing more.
    # (The thread's author has one too: a reply to their thread.)
    (message,) = [m for m in map(Path.read_text, mail_folder.iterdir()) if "To: onjo@" in m]
    assert f"Subject: [Hyosan Survivors] {safe_line}" in message
    assert "To: onjo@example.com" in message
    assert "EP12-SECRET" not in message
    assert "Favourite scenes" not in message
    unsubscribe = next(url for url in links_in(message) if "/email/unsubscribe/" in url)
    assert unsubscribe.startswith(live_server.url)

    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_role("link", name=re.compile(r"unread"))).to_have_count(0)

    # She unsubscribes from the email's link in a browser that is not logged in.
    stranger_context = browser.new_context()
    stranger = stranger_context.new_page()
    stranger.goto(unsubscribe)
    stranger.get_by_role("button", name=re.compile("Unsubscribe")).click()
    expect(stranger.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    stranger_context.close()
    assert email_mode(reader, "mention") == EmailMode.OFF
