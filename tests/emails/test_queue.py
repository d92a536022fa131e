"""Emails are queued with the write that causes them, sent after it commits, retried
when the mail server fails, and sent once."""

import datetime
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fansite.emails.models import Email
from fansite.emails.services import queue_email, requeue_stalled
from fansite.emails.tasks import deliver_email
from fansite.moderation.services import warn_member
from tests.moderation.helpers import make_moderator
from tests.users.factories import PASSWORD, UserFactory

from .smtp import SMTPServer

pytestmark = pytest.mark.django_db


def sign_up(client, username="alice", email="alice@example.com"):
    return client.post(
        reverse("account_signup"),
        {"username": username, "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


def test_an_email_is_sent_only_after_the_write_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queue_email(to="jiwoo@example.com", subject="Hello", body="Hi Ji-woo.")
        assert mail.outbox == []
    assert len(callbacks) == 1

    [message] = mail.outbox
    assert message.to == ["jiwoo@example.com"]
    assert message.body == "Hi Ji-woo."
    email = Email.objects.get()
    assert email.status == Email.Status.SENT
    assert email.sent_at is not None
    # Sent text is not kept (it may hold a reset link); the record of it is.
    assert email.body == ""
    assert email.subject == "Hello"


def test_a_write_that_rolls_back_sends_nothing(django_capture_on_commit_callbacks):
    def failing_write():
        with transaction.atomic():
            queue_email(to="jiwoo@example.com", subject="Hello", body="Hi.")
            raise RuntimeError("the write failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_write()

    assert mail.outbox == []
    assert not Email.objects.exists()


def test_sign_up_succeeds_when_the_mail_server_is_down(
    client, smtp_down, django_capture_on_commit_callbacks
):
    # Production settings without EMAIL_URL used to answer 500 here, after the
    # account row was created.
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)

    assert response.status_code == HTTPStatus.FOUND
    assert get_user_model().objects.filter(username="alice").exists()
    email = Email.objects.get()
    assert email.to == "alice@example.com"
    assert email.status == Email.Status.QUEUED
    assert email.attempts == 1
    assert "Connection refused" in email.last_error or "ConnectionRefused" in email.last_error
    assert email.next_attempt_at > timezone.now()


@pytest.mark.parametrize("address", ["alice@example.com", "nobody@example.com"])
def test_a_password_reset_answers_the_same_when_the_mail_server_is_down(
    client, smtp_down, address, django_capture_on_commit_callbacks
):
    UserFactory(username="alice", email="alice@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": address})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("account_reset_password_done")


def test_a_failed_email_is_sent_once_when_the_server_is_back(
    settings, smtp_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(to="jiwoo@example.com", subject="Welcome", body="Hi.")
    email = Email.objects.get()
    assert email.status == Email.Status.QUEUED

    server = SMTPServer().start()
    try:
        settings.MAILERS = {"default": server.mailer()}
        # Not before its time: the first retry waits EMAIL_RETRY_DELAYS[0] seconds.
        assert deliver_email.call(email.pk) == "not due"
        later = email.next_attempt_at + datetime.timedelta(minutes=10)
        with time_machine.travel(later, tick=False):
            requeue_stalled()  # the immediate backend cannot defer: the sweep sends it
            requeue_stalled()
            deliver_email.call(email.pk)
    finally:
        server.stop()

    assert len(server.recorder.messages) == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
    assert email.attempts == 1


def test_retries_back_off_then_give_up(settings, smtp_down, django_capture_on_commit_callbacks):
    settings.EMAIL_RETRY_DELAYS = [60, 600]
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(to="jiwoo@example.com", subject="Welcome", body="Hi.")
    email = Email.objects.get()
    first_retry = email.next_attempt_at

    with time_machine.travel(first_retry + datetime.timedelta(seconds=1), tick=False):
        deliver_email.call(email.pk)
    email.refresh_from_db()
    assert email.attempts == 2
    assert email.next_attempt_at - first_retry >= datetime.timedelta(seconds=600)

    with time_machine.travel(email.next_attempt_at + datetime.timedelta(seconds=1), tick=False):
        assert deliver_email.call(email.pk) == "given up"
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED
    assert email.attempts == 3


def test_a_permanent_refusal_is_given_up_at_once(smtp_server, django_capture_on_commit_callbacks):
    smtp_server.recorder.refuse = "550 5.1.1 No such user here"

    with django_capture_on_commit_callbacks(execute=True):
        queue_email(to="ghost@example.com", subject="Welcome", body="Hi.")

    email = Email.objects.get()
    assert email.status == Email.Status.FAILED
    assert "550" in email.last_error


def test_an_email_a_dead_worker_was_sending_is_sent_again_once(settings, smtp_server):
    email = Email.objects.create(
        to="jiwoo@example.com",
        subject="Welcome",
        body="Hi.",
        status=Email.Status.SENDING,
        claimed_at=timezone.now() - datetime.timedelta(seconds=settings.EMAIL_SEND_LEASE + 1),
    )
    fresh = Email.objects.create(
        to="onjo@example.com",
        subject="Welcome",
        body="Hi.",
        status=Email.Status.SENDING,
        claimed_at=timezone.now(),
    )

    assert requeue_stalled() == 1

    assert [message.rcpt_tos for message in smtp_server.recorder.messages] == [
        ["jiwoo@example.com"]
    ]
    email.refresh_from_db()
    fresh.refresh_from_db()
    assert email.status == Email.Status.SENT
    # A claim still within its lease belongs to a worker that may still be sending it.
    assert fresh.status == Email.Status.SENDING


def test_delivering_twice_sends_once(smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue_email(to="jiwoo@example.com", subject="Welcome", body="Hi.")

    assert deliver_email.call(email.pk) == "not due"
    assert len(smtp_server.recorder.messages) == 1


def test_a_moderation_warning_is_queued_not_sent_in_the_request(
    smtp_down, django_capture_on_commit_callbacks
):
    member = UserFactory(email="rude@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        warn_member(member=member, moderator=make_moderator(), reason="Mind your words.")

    email = Email.objects.get()
    assert email.to == "rude@example.com"
    assert email.status == Email.Status.QUEUED


def test_requeue_now_tries_every_queued_email_at_once(
    settings, smtp_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(to="jiwoo@example.com", subject="Welcome", body="Hi.")
        queue_email(to="onjo@example.com", subject="Welcome", body="Hi.")
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.QUEUED}

    server = SMTPServer().start()
    try:
        settings.MAILERS = {"default": server.mailer()}
        call_command("requeue_email", "--now", verbosity=0)
    finally:
        server.stop()

    assert sorted(m.rcpt_tos[0] for m in server.recorder.messages) == [
        "jiwoo@example.com",
        "onjo@example.com",
    ]
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}
