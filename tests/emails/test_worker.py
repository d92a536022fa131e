"""The production path: django-tasks-db stores the task with the commit and its
worker (manage.py db_worker) sends the email, and the retries, later."""

import datetime
import signal

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from fansite.emails.models import Email
from fansite.emails.services import queue_email

from .smtp import SMTPServer

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """``manage.py db_worker --batch``: run every task that is due, then stop."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def test_the_worker_sends_what_a_committed_write_queued(settings, smtp_server):
    settings.TASKS = DATABASE_BACKEND
    with transaction.atomic():
        queue_email(to="jiwoo@example.com", subject="Welcome", body="Hi.")
        assert not DBTaskResult.objects.exists()  # not before the commit

    assert DBTaskResult.objects.count() == 1
    assert smtp_server.recorder.messages == []  # the request sent nothing

    run_worker()

    assert len(smtp_server.recorder.messages) == 1
    assert Email.objects.get().status == Email.Status.SENT


def test_the_worker_retries_after_the_delay_once_the_server_is_back(settings, smtp_down):
    settings.TASKS = DATABASE_BACKEND
    with transaction.atomic():
        email = queue_email(to="jiwoo@example.com", subject="Welcome", body="Hi.")

    run_worker()  # the server is down: the attempt fails, a retry is scheduled
    email.refresh_from_db()
    assert email.status == Email.Status.QUEUED
    assert email.attempts == 1
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after == email.next_attempt_at

    server = SMTPServer().start()
    try:
        settings.MAILERS = {"default": server.mailer()}
        run_worker()  # not due yet: nothing is sent
        assert server.recorder.messages == []
        with time_machine.travel(email.next_attempt_at + datetime.timedelta(seconds=1)):
            run_worker()
    finally:
        server.stop()

    assert len(server.recorder.messages) == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT
