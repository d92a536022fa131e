"""The production path: posting stores one task with the commit, and the worker
(``manage.py db_worker``) writes the notifications later, once."""

import signal
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from fansite.comments.services import start_thread
from fansite.notifications import tasks
from fansite.notifications.models import Follow, Notification
from fansite.threads.models import Board
from tests.users.factories import UserFactory

pytestmark = [
    # Transactional tests start from empty tables: no seeded boards or episodes.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("relaxed_posting_limits"),
]

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def a_board():
    return Board.objects.get_or_create(slug="talk", defaults={"title": "Talk"})[0]


def run_worker():
    """``manage.py db_worker --batch``: run every task that is due, then stop."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def _post(client, thread, body):
    url = reverse("comments:comment_create", kwargs={"kind": "thread", "pk": thread.pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"body": body})
    assert response.status_code == 302, response.content[:500]
    return len(queries.captured_queries)


def test_posting_costs_the_same_with_500_followers_and_the_worker_delivers(client, settings):
    settings.TASKS = DATABASE_BACKEND
    author = UserFactory(watched_up_to=0)
    quiet = start_thread(board=a_board(), author=author, title="Quiet", body="Hi.")
    busy = start_thread(board=a_board(), author=author, title="Busy", body="Hi.")
    Follow.objects.bulk_create(
        Follow(member=fan, thread=busy) for fan in UserFactory.create_batch(500)
    )
    run_worker()  # the opening posts' tasks
    Notification.objects.all().delete()
    poster = UserFactory()
    client.force_login(poster)

    _post(client, quiet, "Warming up: the first post loads the episode catalogue.")
    without_followers = _post(client, quiet, "To nobody in particular.")
    with_followers = _post(client, busy, "To all of you.")

    # The request enqueued the task and wrote no notification.
    assert with_followers == without_followers
    assert not Notification.objects.exists()
    assert DBTaskResult.objects.filter(status="READY").count() == 3

    started = time.perf_counter()
    run_worker()
    worker_seconds = time.perf_counter() - started

    assert Notification.objects.filter(thread=busy).count() == 501  # followers + the author
    assert worker_seconds < 2


def test_a_task_run_twice_writes_each_line_once(settings):
    settings.TASKS = DATABASE_BACKEND
    author, fan = UserFactory(), UserFactory()
    thread = start_thread(board=a_board(), author=author, title="T", body="Hi.")
    Follow.objects.create(member=fan, thread=thread)
    comment = thread.comments.create(author=UserFactory(), body="Twice?")
    tasks.fan_out.enqueue(comment.pk)
    tasks.fan_out.enqueue(comment.pk)

    run_worker()

    lines = Notification.objects.filter(comment=comment).values_list("recipient", "count")
    assert sorted(lines) == sorted([(fan.pk, 1), (author.pk, 1)])
