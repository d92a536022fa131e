"""Email in production: gunicorn queues it, django-tasks-db's worker (a process of
its own) sends it to a real SMTP server, and neither a mail server that is down
nor a worker killed halfway through a batch loses or doubles a message.

The SMTP server is aiosmtpd in this test process, on a port of its own.
"""

import asyncio
import email
import email.policy
import re
import threading
import time

import pytest

from tests.emails.smtp import SMTPServer, free_port

from .conftest import (
    SETTLE_SECONDS,
    Worker,
    create_members,
    django_script,
    manage,
    migrate,
    postgres_database,
    wait_for,
)
from .web import Browser

pytestmark = pytest.mark.server

# Four verification emails, two password resets and one "no account here".
EMAILS = 7


EMAIL_COUNTS = """
from django.db.models import Count
from fansite.emails.models import Email
result = dict(Email.objects.values_list("status").annotate(n=Count("pk")))
result["attempted"] = Email.objects.filter(attempts__gte=1).count()
"""

QUEUE_SCRIPT = """
from django.db import transaction
from fansite.emails.services import queue_email
with transaction.atomic():
    for number in range(args["count"]):
        queue_email(to=f"fan{number:02}@example.org", subject=f"Hello {number}", body="Hi.")
result = args["count"]
"""


def email_counts(env):
    return django_script(env, EMAIL_COUNTS)


@pytest.fixture
def site(static_root, tmp_path):
    """A scratch PostgreSQL database, its env, and a function starting gunicorn."""
    with postgres_database() as database:
        migrate(database)
        yield database


def test_sign_up_and_reset_succeed_while_mail_is_down_and_are_sent_once_it_is_back(
    site, start_gunicorn, tmp_path
):
    smtp_port = free_port()  # nothing listens there yet: connection refused
    env = {
        "DATABASE_URL": site.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        # Quick retries, and plenty of them: the server stays down for a while.
        "EMAIL_RETRY_DELAYS": ",".join(["2"] * 60),
        "EMAIL_TIMEOUT": "5",
    }
    create_members(env, ["haksan", "suhyeok"])
    server = start_gunicorn(env)
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        newcomers = [f"newfan{number}" for number in range(4)]
        for username in newcomers:
            response = Browser().submit(
                server.url + "/accounts/signup/",
                {
                    "username": username,
                    "email": f"{username}@example.org",
                    "password1": "correct horse battery staple",
                    "password2": "correct horse battery staple",
                },
            )
            # The member sees success, as if the mail had gone.
            assert response.status_code == 302, response.text[:500]
            assert response.headers["Location"] == "/accounts/confirm-email/"
        for address in ["haksan@example.org", "suhyeok@example.org", "nobody@example.org"]:
            response = Browser().submit(
                server.url + "/accounts/password/reset/", {"email": address}
            )
            assert response.status_code == 302
            assert response.headers["Location"] == "/accounts/password/reset/done/"

        # Seven emails (allauth tells an unknown address that it has no account),
        # each tried and failed.
        wait_for(
            lambda: email_counts(env).get("attempted") == EMAILS,
            "every email tried once",
            explain=lambda: f"{email_counts(env)}\n{worker.log_tail()}",
        )
        assert email_counts(env).get("sent") is None

        smtp = SMTPServer(port=smtp_port).start()
        try:
            wait_for(lambda: email_counts(env).get("sent") == EMAILS, "every email sent")
            time.sleep(3)  # a duplicate would arrive within a retry delay
            messages = list(smtp.recorder.messages)
        finally:
            smtp.stop()
    finally:
        worker.stop()

    recipients = sorted(address for message in messages for address in message.rcpt_tos)
    assert recipients == sorted(
        [f"{name}@example.org" for name in newcomers]
        + ["haksan@example.org", "nobody@example.org", "suhyeok@example.org"]
    )
    assert len(set(smtp.recorder.message_ids())) == EMAILS

    # The verification link a newcomer received works.
    [verification] = [
        message for message in messages if message.rcpt_tos == ["newfan0@example.org"]
    ]
    text = email.message_from_bytes(verification.content, policy=email.policy.default)
    body = text.get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/]+(/accounts/confirm-email/\S+/)", body)
    assert link, body
    browser = Browser()
    token = browser.form_token(server.url + link.group(1))
    confirmed = browser.post(
        server.url + link.group(1), {}, token=token, referer=server.url + link.group(1)
    )
    assert confirmed.status_code == 302


class HoldingRecorder:
    """An SMTP handler that holds the ``hold_at``-th message's DATA until told to
    go on, and, like a server whose client hung up before it could say 250,
    does not keep a message whose sender has gone."""

    def __init__(self, hold_at):
        self.messages = []
        self.hold_at = hold_at
        self.seen = 0
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.seen += 1
        if self.seen == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            if server.transport is None or server.transport.is_closing():
                return "421 Sender went away"
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def test_a_worker_killed_mid_batch_sends_every_email_exactly_once_after_restarting(site, tmp_path):
    smtp = SMTPServer()
    smtp.recorder = HoldingRecorder(hold_at=6)
    smtp.start()
    env = {
        "DATABASE_URL": site.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "EMAIL_SEND_LEASE": "2",
        "EMAIL_TIMEOUT": "10",
    }
    count = 20
    django_script(env, QUEUE_SCRIPT, count=count)
    worker = Worker(env, tmp_path / "worker-1.log").start()
    try:
        assert smtp.recorder.holding.wait(SETTLE_SECONDS), "the worker never reached email 6"
        worker.kill()  # in the middle of sending the sixth email
        smtp.recorder.release.set()
        assert email_counts(env).get("sending") == 1

        worker = Worker(env, tmp_path / "worker-2.log").start()
        wait_for(
            # (the interrupted one too, if its lease ran out before this worker started)
            lambda: email_counts(env).get("sent", 0) >= count - 1,
            "the rest of the batch",
            explain=lambda: f"{email_counts(env)}\n{worker.log_tail()}",
        )
        # The one being sent when the worker died comes back after its lease, when
        # the requeue timer runs (fansite-requeue.timer).
        time.sleep(2.5)
        manage(env, "requeue_email", "--verbosity", "0")
        wait_for(lambda: email_counts(env).get("sent") == count, "the interrupted email")
        time.sleep(1)
    finally:
        worker.stop()
        smtp.stop()

    recipients = sorted(
        address for message in smtp.recorder.messages for address in message.rcpt_tos
    )
    assert recipients == [f"fan{number:02}@example.org" for number in range(count)]
