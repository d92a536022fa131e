"""Journey 5: a member reports a comment, a moderator hides it and bans its author
for a week from the admin's report queue, the author is refused with the reason,
and the moderation log shows what was done."""

import datetime
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.browser.page_tools import assert_accessible, log_in, watch
from tests.threads.factories import ThreadFactory, reply
from tests.users.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RUDE = "Everyone who liked Gwi Nam is an idiot."
BAN_REASON = "Insulting other members after a warning."
DRAFT = "I take it back, sorry everyone."


def make_moderator():
    moderator = UserFactory(is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    return moderator


def test_a_reported_comment_is_hidden_and_its_author_banned(
    live_server, browser, page, problems, check_accessibility, axe_source
):
    reporter = UserFactory()
    author = UserFactory()
    moderator = make_moderator()
    thread = ThreadFactory(title="Who was the worst villain?")
    comment = reply(thread, body=RUDE, author=author)
    thread_url = live_server.url + thread.get_absolute_url()

    # The author is writing an apology in their own browser while all this happens.
    author_context = browser.new_context()
    author_page = watch(author_context.new_page(), problems)
    log_in(author_page, live_server.url, author, next_path=thread.get_absolute_url())
    author_page.goto(thread_url)
    assert_accessible(author_page, axe_source)
    author_page.get_by_label("Your comment").fill(DRAFT)

    # Member A reports the comment from the thread page.
    log_in(page, live_server.url, reporter)
    check_accessibility()
    page.goto(thread_url)
    check_accessibility()
    card = page.locator(f"#{comment.anchor}")
    card.get_by_role("link", name="Report this comment").click()
    page.wait_for_url("**/report/comment/**")
    check_accessibility()
    page.get_by_label("Harassment").check()
    page.get_by_label("Details").fill("Calling people idiots.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send report").click()
    assert page.get_by_text("Thanks — moderators will take a look.").is_visible()
    check_accessibility()

    # The moderator (staff in the Moderators group, not a superuser) takes over.
    page.context.clear_cookies()
    # The admin's login sends staff to the site's (rate-limited) login form.
    page.goto(live_server.url + "/admin/login/")
    page.wait_for_url("**/accounts/login/**")
    check_accessibility()
    form = page.locator("main form")
    form.get_by_label("Username or email").fill(moderator.username)
    form.get_by_label("Password", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    check_accessibility()
    page.get_by_role("link", name="Open the report queue").click()
    page.wait_for_url("**/admin/moderation/report/queue/")
    check_accessibility()
    item = page.locator(f"#comment-{comment.pk}")
    assert item.get_by_text(RUDE).is_visible()
    assert item.get_by_text("Harassment").is_visible()
    assert item.get_by_text(reporter.username).is_visible()

    week_ahead = timezone.localdate() + datetime.timedelta(days=7)
    ban = item.locator("form.report-action--danger")
    ban.get_by_label("Ban reason (shown to the author)").fill(BAN_REASON)
    ban.get_by_label("Until (empty: permanently)").fill(week_ahead.isoformat())
    assert ban.get_by_label("also hide").is_checked()
    with page.expect_navigation():
        ban.get_by_role("button", name="Ban author").click()
    check_accessibility()
    success = page.locator(".messagelist .success")
    assert success.get_by_text(f"Suspended the author of Comment {comment.pk}").is_visible()
    assert page.get_by_text("No open reports. All clear.").is_visible()

    # Members now see a placeholder instead of the comment.
    author_check = browser.new_context()
    visitor = watch(author_check.new_page(), problems)
    visitor.goto(thread_url)
    assert visitor.locator(f"#{comment.anchor}").get_by_text("Hidden by moderators").is_visible()
    assert RUDE not in visitor.content()
    assert_accessible(visitor, axe_source)
    author_check.close()

    # The author posts the apology typed before the ban: refused, with the reason
    # and the text kept. (The refusal is a 403 page; Chromium logs that status.)
    before = len(problems)
    with author_page.expect_navigation() as refused:
        author_page.get_by_role("button", name="Post comment").click()
    assert refused.value.status == HTTPStatus.FORBIDDEN
    # Chromium logs "the server responded with a status of 403": expected here.
    problems[before:] = [line for line in problems[before:] if "status of 403" not in line]
    assert author_page.get_by_text(BAN_REASON).is_visible()
    assert author_page.get_by_text("You are banned from posting until").is_visible()
    assert author_page.get_by_label("Your comment").input_value() == DRAFT
    assert_accessible(author_page, axe_source)

    # And on their next visit the thread says so instead of offering the form.
    author_page.goto(thread_url)
    refusal = author_page.locator(".comment-compose__refusal")
    assert BAN_REASON in refusal.inner_text()
    assert_accessible(author_page, axe_source)
    author_context.close()

    # The moderation log in the admin shows both steps.
    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Moderation log").click()
    page.wait_for_url("**/admin/moderation/moderationlog/")
    check_accessibility()
    rows = page.locator("#result_list tbody tr")
    hid = rows.filter(has_text="Hid content").filter(has_text=f"Comment {comment.pk}")
    suspended = rows.filter(has_text="Suspended member").filter(has_text=author.username)
    assert hid.count() == 1
    assert suspended.count() == 1
    assert BAN_REASON in suspended.inner_text()
    assert moderator.username in hid.inner_text()
