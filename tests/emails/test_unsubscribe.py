"""Notification email: text and HTML, the one-click unsubscribe link and headers, and
the page the link opens, which works without logging in."""

from http import HTTPStatus

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from fansite.emails.models import Email, EmailMode, NotificationKind
from fansite.emails.preferences import all_email_modes, email_mode, set_email_mode
from fansite.emails.services import queue_notification_email
from fansite.emails.unsubscribe import (
    SALT,
    BadUnsubscribeToken,
    make_token,
    read_token,
    unsubscribe_headers,
    unsubscribe_url,
)
from fansite.users.models import PERMANENT_BAN_UNTIL
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://fans.example.org"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def path_of(url):
    assert url.startswith(SITE)
    return url.removeprefix(SITE)


def notify(member, kind="reply", **kwargs):
    return queue_notification_email(
        member=member,
        kind=kind,
        subject="Ji-ho replied to you",
        text="Ji-ho replied in “Hyosan High, episode 1”.",
        html="<p>Ji-ho replied in “Hyosan High, episode 1”.</p>",
        **kwargs,
    )


def test_a_token_names_its_member_and_kind():
    member = UserFactory()

    assert read_token(make_token(member, "mention")) == (member.pk, "mention")
    assert read_token(make_token(member, "all")) == (member.pk, "all")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token[: len(token) // 2],
        lambda token: signing.Signer(salt="another.salt").sign_object([1, "reply"]),
        lambda token: signing.Signer(salt=SALT).sign_object([1, "everything"]),
        lambda token: signing.Signer(salt=SALT).sign_object({"member": 1}),
        lambda token: signing.Signer(salt=SALT).sign_object([1, ["reply"]]),
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_or_foreign_token_is_refused(tamper):
    token = make_token(UserFactory(), "reply")

    with pytest.raises(BadUnsubscribeToken):
        read_token(tamper(token))


def test_the_confirmation_page_needs_no_login_and_changes_nothing(client):
    member = UserFactory(username="namra")

    response = client.get(path_of(unsubscribe_url(member, "reply")))

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "namra" in page
    assert "Replies to your comments and threads" in page
    assert '<button type="submit" class="button">Unsubscribe</button>' in page
    assert "no-cache" in response["Cache-Control"]
    assert email_mode(member, "reply") == EmailMode.IMMEDIATE


def test_one_click_from_a_mail_program_unsubscribes_without_login_or_csrf_token():
    member = UserFactory()
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(
        path_of(unsubscribe_url(member, "mention")), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == HTTPStatus.OK
    assert "You are unsubscribed" in response.content.decode()
    assert email_mode(member, "mention") == EmailMode.OFF
    assert email_mode(member, "reply") == EmailMode.IMMEDIATE  # only that kind


def test_the_confirmation_button_unsubscribes(client):
    member = UserFactory()
    url = path_of(unsubscribe_url(member, "reply"))
    page = client.get(url).content.decode()
    assert f'action="{url}"' in page

    client.post(url, {"List-Unsubscribe": "One-Click"})

    assert email_mode(member, "reply") == EmailMode.OFF


def test_unsubscribing_from_everything_turns_every_kind_off(client):
    member = UserFactory()
    set_email_mode(member=member, kind="new_thread", mode="digest")

    client.post(path_of(unsubscribe_url(member, "all")))

    assert set(all_email_modes(member).values()) == {EmailMode.OFF}


def test_unsubscribing_from_the_digest_turns_off_only_the_digest_kinds(client):
    member = UserFactory()
    set_email_mode(member=member, kind="new_thread", mode="digest")
    set_email_mode(member=member, kind="new_comment", mode="digest")

    client.post(path_of(unsubscribe_url(member, "digest")))

    modes = all_email_modes(member)
    assert modes[NotificationKind.NEW_THREAD] == EmailMode.OFF
    assert modes[NotificationKind.NEW_COMMENT] == EmailMode.OFF
    assert modes[NotificationKind.REPLY] == EmailMode.IMMEDIATE


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_gets_a_clear_page_and_changes_nothing(client, method):
    member = UserFactory()
    token = make_token(member, "reply")
    other = signing.Signer(salt="fansite.spoilers.reveal").sign_object([member.pk, "reply"])

    for bad in (token[:-3] + "xyz", other):
        response = getattr(client, method)(reverse("emails:unsubscribe", args=[bad]))
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert "This unsubscribe link does not work" in response.content.decode()
    assert email_mode(member, "reply") == EmailMode.IMMEDIATE


def test_the_link_of_a_deleted_account_says_so(client):
    member = UserFactory()
    url = path_of(unsubscribe_url(member, "reply"))
    member.delete()

    response = client.post(url)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "no longer exists" in response.content.decode()


def test_the_headers_point_at_the_one_click_link():
    member = UserFactory()

    headers = unsubscribe_headers(member, "reply", SITE)

    assert headers["List-Unsubscribe"] == f"<{unsubscribe_url(member, 'reply', SITE)}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_notification_email_has_text_html_and_the_unsubscribe_headers(
    django_capture_on_commit_callbacks,
):
    member = UserFactory(email="onjo@example.com")
    link = unsubscribe_url(member, "reply")

    with django_capture_on_commit_callbacks(execute=True):
        queued = notify(member)

    assert queued.headers["List-Unsubscribe"] == f"<{link}>"
    assert queued.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [message] = mail.outbox
    assert message.to == ["onjo@example.com"]
    assert message.subject == "[Hyosan Survivors] Ji-ho replied to you"
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert "Ji-ho replied in “Hyosan High, episode 1”." in message.body
    assert link in message.body
    assert f"{SITE}{reverse('users:email_settings')}" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<p>Ji-ho replied in “Hyosan High, episode 1”.</p>" in html
    assert f'<a href="{link}">' in html


def test_the_mail_file_shows_the_unsubscribe_headers(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "fansite.emails.backends.ReadableFileBackend",
            "OPTIONS": {"file_path": tmp_path},
        }
    }
    member = UserFactory()
    link = unsubscribe_url(member, "mention")

    with django_capture_on_commit_callbacks(execute=True):
        notify(member, kind="mention")

    [written] = tmp_path.iterdir()
    lines = written.read_text(encoding="utf-8").splitlines()
    assert f"List-Unsubscribe: <{link}>" in lines
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    assert link in lines  # the footer's link, on a line of its own
    assert "[alternative part (text/html) not shown]" in lines


def test_smtp_carries_both_parts_and_the_headers(smtp_server, django_capture_on_commit_callbacks):
    member = UserFactory()
    link = unsubscribe_url(member, "reply")

    with django_capture_on_commit_callbacks(execute=True):
        notify(member)

    [envelope] = smtp_server.recorder.messages
    raw = envelope.content.decode()
    assert "Content-Type: multipart/alternative" in raw
    assert "Content-Type: text/plain" in raw
    assert "Content-Type: text/html" in raw
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    # On one line, not as RFC 2047 encoded words a mail program would not decode.
    assert f"\r\nList-Unsubscribe: <{link}>\r\n" in raw


@pytest.mark.parametrize(
    "make_member",
    [
        lambda: UserFactory(verified=False),
        lambda: UserFactory(is_active=False),
        lambda: UserFactory(banned_until=PERMANENT_BAN_UNTIL),
    ],
    ids=["unverified", "deactivated", "banned"],
)
def test_no_notification_email_is_queued_for_who_may_not_receive_it(make_member):
    assert notify(make_member()) is None
    assert not Email.objects.exists()


def test_no_notification_email_is_queued_for_a_kind_that_is_off():
    member = UserFactory()
    set_email_mode(member=member, kind="reply", mode="digest")

    assert notify(member) is None  # the digest will tell them
    assert notify(member, kind="quote") is None  # off by default
    assert notify(member, kind="mention") is not None
    assert Email.objects.count() == 1
