"""Issue 14, Writing: the composer's toolbar, live preview and drafts, in a real browser.

The Preview button without JavaScript is in test_without_javascript.py.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from fansite.comments.models import Comment
from tests.browser.page_tools import log_in, sign_in_with_cookie
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


def test_member_quotes_and_replies_without_leaving_the_thread(
    live_server, page, problems, check_accessibility, screenshot
):
    joined = timezone.now() - timedelta(days=3)
    thread = ThreadFactory(board=board("episode-3"), title="The science lab")
    other = UserFactory(username="suhyeok", watched_up_to=12, date_joined=joined)
    quoted = Comment.objects.create(
        thread=thread, author=other, body=f"The lab did it. >!{SECRET}!<", spoils_episode_id=3
    )
    second = Comment.objects.create(
        thread=thread, author=other, body="Second thoughts.", spoils_episode_id=3
    )
    member = UserFactory(username="onjo", watched_up_to=3, date_joined=joined)
    log_in(page, live_server.url, member, next_path=thread.get_absolute_url())
    thread_url = page.url
    body = page.get_by_label("Your comment")
    box = page.locator("#comment-form")
    card = page.locator(f"#comment-{quoted.pk}")

    # Quote: the box opens under the comment, on this page, the quote in it and the cursor after.
    card.get_by_role("link", name="Quote").click()
    expect(page.locator(f"li:has(> #comment-{quoted.pk}) > #comment-form")).to_have_count(1)
    expect(body).to_be_focused()
    expect(body).to_have_value(re.compile(rf"^> \[@suhyeok wrote\]\(/comments/{quoted.pk}/\):"))
    expect(body).to_have_value(re.compile(rf">!⟦spoiler 1 of comment {quoted.pk}⟧!<"))
    assert SECRET not in body.input_value()
    assert page.url == thread_url
    expect(box.locator('input[name="parent"]')).to_have_value(str(quoted.pk))
    expect(box.get_by_role("heading", name="Your reply")).to_be_visible()
    expect(box.get_by_text("Replying to @suhyeok")).to_be_visible()
    check_accessibility()
    screenshot("composer-quote")

    # Cancel reply: back to the bottom as a new comment; the quote stays that reply's draft.
    box.get_by_role("button", name="Cancel reply").click()
    expect(page.locator("#comments > #comment-form")).to_have_count(1)
    expect(box.locator('input[name="parent"]')).to_have_value("")
    expect(body).to_have_value("")
    expect(box.get_by_role("button", name="Post comment")).to_be_visible()

    # Reply to another comment: empty box under it; then back to the quote, draft intact.
    page.locator(f"#comment-{second.pk}").get_by_role("link", name="Reply").click()
    expect(page.locator(f"li:has(> #comment-{second.pk}) > #comment-form")).to_have_count(1)
    expect(body).to_have_value("")
    expect(box.locator('input[name="parent"]')).to_have_value(str(second.pk))
    card.get_by_role("link", name="Quote").click()
    expect(box.locator('input[name="parent"]')).to_have_value(str(quoted.pk))
    # The draft of that reply is back, holding the quote once.
    expect(body).to_have_value(re.compile(rf">!⟦spoiler 1 of comment {quoted.pk}⟧!<"))
    assert body.input_value().count("@suhyeok wrote") == 1
    expect(page.get_by_text("Your unsent draft is back.")).to_be_visible()
    page.keyboard.type("I agree with this.")

    # Posting lands on the new reply, on the thread.
    with page.expect_navigation():
        box.get_by_role("button", name="Post reply").click()
    reply = Comment.objects.get(body__contains="I agree with this.")
    assert reply.parent_id == quoted.pk
    assert f"⟦spoiler 1 of comment {quoted.pk}⟧" in reply.body
    expect(page).to_have_url(
        re.compile(rf"{re.escape(thread.get_absolute_url())}#comment-{reply.pk}$")
    )
    expect(page.locator(f"#comment-{reply.pk}")).to_contain_text("I agree with this.")
    assert stored_drafts(page) == []


def test_without_javascript_quote_opens_the_form_under_the_comment(live_server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    joined = timezone.now() - timedelta(days=3)
    thread = ThreadFactory(board=board("episode-3"), title="No scripts here")
    other = UserFactory(username="suhyeok", watched_up_to=12, date_joined=joined)
    quoted = Comment.objects.create(
        thread=thread, author=other, body="Quote me plainly.", spoils_episode_id=3
    )
    later = Comment.objects.create(
        thread=thread, author=other, body="A later comment.", spoils_episode_id=3
    )
    member = UserFactory(watched_up_to=3, date_joined=joined)
    sign_in_with_cookie(page, live_server, member)
    page.goto(live_server.url + thread.get_absolute_url())

    with page.expect_navigation():
        page.locator(f"#comment-{quoted.pk}").get_by_role("link", name="Quote").click()

    assert page.url.endswith("#comment-form")
    form = page.locator(f"li:has(> #comment-{quoted.pk}) > #comment-form")
    expect(form).to_have_count(1)
    expect(form.get_by_label("Your comment")).to_have_value(re.compile(r"> Quote me plainly\.\s*$"))
    # Under the comment answered, before the next one.
    assert page.evaluate(
        """([form, later]) => Boolean(document.getElementById(form)
            .compareDocumentPosition(document.getElementById(later))
            & Node.DOCUMENT_POSITION_FOLLOWING)""",
        ["comment-form", f"comment-{later.pk}"],
    )
    form.get_by_label("Your comment").press("End")
    form.get_by_label("Your comment").type("\n\nAgreed.")
    with page.expect_navigation():
        form.get_by_role("button", name="Post reply").click()
    reply = Comment.objects.get(body__contains="Agreed.")
    assert reply.parent_id == quoted.pk
    assert page.url.endswith(f"#comment-{reply.pk}")
    context.close()
