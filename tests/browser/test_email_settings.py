"""Settings → Email notifications and the unsubscribe link, in a browser without
JavaScript: a member chooses their emails; someone holding an email unsubscribes
without logging in. Both pages pass axe."""

import pytest

from fansite.emails.models import EmailMode
from fansite.emails.preferences import email_mode
from fansite.emails.unsubscribe import make_token
from tests.browser.conftest import SCREENSHOTS
from tests.browser.page_tools import (
    allow_axe_without_javascript,
    assert_accessible,
    sign_in_with_cookie,
)
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "java_script_enabled": False}


@pytest.fixture
def check_page(page, check_accessibility):
    def check():
        allow_axe_without_javascript(page)
        check_accessibility()

    return check


def test_choosing_email_settings_and_unsubscribing_from_a_link(
    live_server, page, problems, check_page, browser, axe_source, screenshot
):
    page.set_default_timeout(10_000)
    member = UserFactory(username="onjo")
    sign_in_with_cookie(page, live_server, member)

    page.goto(live_server.url + "/settings/profile/")
    page.get_by_role("link", name="Email notifications").click()
    page.wait_for_url("**/settings/email/")
    check_page()
    screenshot("email-settings")
    quotes = page.get_by_role("group", name="Quotes of your comments")
    quotes.get_by_label("Daily digest").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save email settings").click()
    assert page.get_by_text("Your email settings have been saved.").is_visible()
    assert quotes.get_by_label("Daily digest").is_checked()
    assert email_mode(member, "quote") == EmailMode.DIGEST

    # Whoever holds the email: a browser that never logged in.
    stranger = browser.new_context(java_script_enabled=False).new_page()
    stranger.goto(f"{live_server.url}/email/unsubscribe/{make_token(member, 'reply')}/")
    allow_axe_without_javascript(stranger)
    assert_accessible(stranger, axe_source)
    stranger.screenshot(path=SCREENSHOTS / "email-unsubscribe.png", full_page=True)
    assert stranger.get_by_text(
        "Stop sending emails about “Replies to your comments and threads” to the account onjo?"
    ).is_visible()
    with stranger.expect_navigation():
        stranger.get_by_role("button", name="Unsubscribe").click()
    assert stranger.get_by_role("heading", name="You are unsubscribed").is_visible()
    allow_axe_without_javascript(stranger)  # again: a new document
    assert_accessible(stranger, axe_source)
    assert email_mode(member, "reply") == EmailMode.OFF
    stranger.context.close()
