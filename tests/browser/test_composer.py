"""Issue 14, Writing: the composer's toolbar, live preview and drafts, in a real browser.

The Preview button without JavaScript is in test_without_javascript.py.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fansite.comments.models import Comment
from tests.browser.page_tools import log_in
from tests.threads.factories import ThreadFactory, board
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SECRET = "Nam-ra keeps her humanity"


@pytest.fixture(autouse=True)
def _fail_fast(page):
    page.set_default_timeout(10_000)


def stored_drafts(page):
    return page.evaluate(
        "() => Object.keys(localStorage).filter((key) => key.startsWith('fansite:draft:'))"
    )


def test_member_writes_with_the_toolbar_and_live_preview_keeps_a_draft_and_posts(
    live_server, page, problems, check_accessibility, screenshot
):
    joined = timezone.now() - timedelta(days=3)
    thread = ThreadFactory(board=board("episode-3"), title="Season 2 hopes")
    member = UserFactory(username="onjo", watched_up_to=3, date_joined=joined)
    log_in(page, live_server.url, member, next_path=thread.get_absolute_url())
    thread_url = live_server.url + thread.get_absolute_url()

    body = page.get_by_label("Your comment")
    toolbar = page.get_by_role("group", name="Formatting")
    expect(toolbar).to_be_visible()
    for name in ("Bold", "Italic", "Link", "Quote", "Spoiler", "Spoiler block"):
        expect(toolbar.get_by_role("button", name=name, exact=True)).to_be_visible()

    # The toolbar sits just before the text, in the Tab order.
    body.fill("My hope: ")
    body.press("End")
    body.press("Shift+Tab")
    expect(toolbar.get_by_role("button", name="Spoiler block")).to_be_focused()
    body.focus()
    body.press("End")

    # The spoiler button, from the keyboard: it wraps a placeholder, selected to type over.
    spoiler = toolbar.get_by_role("button", name="Spoiler", exact=True)
    spoiler.focus()
    spoiler.press("Enter")
    expect(body).to_be_focused()
    page.keyboard.type(SECRET)
    expect(body).to_have_value(f"My hope: >!{SECRET}!<")
    body.press("End")
    toolbar.get_by_role("button", name="Bold").click()
    page.keyboard.type("soon")
    expect(body).to_have_value(f"My hope: >!{SECRET}!<**soon**")

    # The live preview renders it, the spoiler closed.
    preview = page.locator(".compose-preview--live")
    expect(preview).to_be_visible()
    expect(preview.locator("strong", has_text="soon")).to_be_visible()
    expect(preview.locator("label.spoiler .spoiler__cover")).to_be_visible()
    expect(preview.get_by_text(SECRET)).to_be_hidden()
    preview.locator("label.spoiler .spoiler__cover").click()
    expect(preview.get_by_text(SECRET)).to_be_visible()
    check_accessibility()
    page.locator("#comment-form").scroll_into_view_if_needed()
    screenshot("composer")

    # Away and back: the draft is restored, and saved nowhere but in this browser.
    page.goto(live_server.url + "/")
    page.goto(thread_url)
    expect(body).to_have_value(f"My hope: >!{SECRET}!<**soon**")
    expect(page.get_by_text("Your unsent draft is back.")).to_be_visible()
    expect(page.locator(".compose-preview--live strong", has_text="soon")).to_be_visible()
    assert not Comment.objects.filter(body__contains=SECRET).exists()
    assert len(stored_drafts(page)) == 1
    check_accessibility()

    # Posting lands on the new comment, and the draft is gone.
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    posted = Comment.objects.get(body__contains=SECRET)
    expect(page).to_have_url(re.compile(rf"#comment-{posted.pk}$"))
    expect(page.locator(f"#comment-{posted.pk}")).to_contain_text("soon")
    expect(body).to_have_value("")
    assert stored_drafts(page) == []
    page.goto(thread_url)
    expect(body).to_have_value("")
    expect(page.get_by_text("Your unsent draft is back.")).to_have_count(0)


def test_a_refused_post_keeps_the_draft(live_server, page, settings):
    # (No `problems`: the refusal is a 429, which Chromium logs as a console error.)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": ["1/m/user"]}
    joined = timezone.now() - timedelta(days=3)
    thread = ThreadFactory(board=board("episode-3"))
    member = UserFactory(watched_up_to=3, date_joined=joined)
    log_in(page, live_server.url, member, next_path=thread.get_absolute_url())
    body = page.get_by_label("Your comment")

    body.fill("First, posted.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    body.fill("Second, refused for speed.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()

    expect(page.get_by_text("You're posting quickly.")).to_be_visible()
    page.goto(live_server.url + thread.get_absolute_url())
    expect(body).to_have_value("Second, refused for speed.")
