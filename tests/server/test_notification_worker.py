"""Notifications in production: two django-tasks-db workers (processes of their own,
as on two app servers) write the lines and emails of posts into a thread that many
members follow, and one of them is killed with SIGKILL while it is writing a post's
emails. Restarted as the systemd unit restarts it (its ExecStartPre requeues lost
tasks), the workers finish the job: every follower gets one line per thread and
one email per post, never two, through a real SMTP server (aiosmtpd in this test
process).
"""

import email
import email.policy
import re
import threading
import time
from collections import Counter

import pytest

from tests.emails.smtp import SMTPServer

from .conftest import Worker, django_script, migrate, postgres_database, wait_for

pytestmark = pytest.mark.server

FOLLOWERS = 200
POSTS = 3
# Every follower wants an email at once for each new comment; the thread's author
# gets one for each reply to their thread (the default).
RECIPIENTS = FOLLOWERS + 1
# Short waits before the sweeps decide a task was lost (production: minutes).
REQUEUE_AFTER = 2

SETUP = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from fansite.comments.services import start_thread
from fansite.emails.preferences import set_email_mode
from fansite.notifications.services import follow
from fansite.threads.models import Board

hashed = make_password("not used")


def member(name):
    fan = get_user_model().objects.create(
        username=name, email=f"{name}@example.org", password=hashed, watched_up_to=12
    )
    EmailAddress.objects.create(user=fan, email=fan.email, verified=True, primary=True)
    return fan


jiho, suhyeok = member("jiho"), member("suhyeok")
thread = start_thread(
    board=Board.objects.get(slug="general"),
    author=jiho,
    title="Who made it to the roof?",
    body="Everyone who watched the finale: who did you expect to make it?",
)
for number in range(args["followers"]):
    fan = member(f"fan{number:03}")
    follow(member=fan, target=thread)
    set_email_mode(member=fan, kind="new_comment", mode="immediate")
result = {"thread": thread.pk}
"""

# Each post is committed and its fan-out task queued, as a web request does.
POST = """
from django.contrib.auth import get_user_model
from fansite.comments.services import post_comment
from fansite.threads.models import Thread

thread = Thread.objects.get(pk=args["thread"])
suhyeok = get_user_model().objects.get(username="suhyeok")
posts = [
    post_comment(target=thread, author=suhyeok, body=f"Post number {number} about the roof.")
    for number in range(args["posts"])
]
result = [post.pk for post in posts]
"""

LINES = """
from django.db.models import Count
from fansite.notifications.models import Notification

lines = Notification.objects.filter(thread_id=args["thread"])
result = {
    "per_member": list(
        lines.values("recipient__username").annotate(n=Count("pk")).values_list("n", flat=True)
    ),
    "counts": list(lines.values_list("count", flat=True)),
}
"""

# Posts whose emails are being written: how many are written so far.
WRITING = """
SELECT fan.comment_id, count(mark.id)
FROM notifications_fanout fan
LEFT JOIN notifications_commentemail mark ON mark.comment_id = fan.comment_id
WHERE fan.emailed_at IS NULL
GROUP BY fan.comment_id
"""

RUNNING = """
SELECT args_kwargs, worker_ids FROM django_tasks_database_dbtaskresult
WHERE status = 'RUNNING' AND task_path LIKE %s
"""


def writing_halfway(database, timeout=60):
    """The pk of a post whose emails a worker is writing, caught half-way through
    (some written, not all); None if none was seen in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for comment_pk, written in database.query(WRITING):
            if 10 < written < RECIPIENTS - 30:
                return comment_pk
        time.sleep(0.01)
    return None


def worker_writing(database, comment_pk):
    """The id of the worker running the email task of ``comment_pk``."""
    for args_kwargs, worker_ids in database.query(RUNNING, "%email_about_comment"):
        if args_kwargs["args"] == [comment_pk]:
            return worker_ids[-1]
    return None


def post_of(message):
    """The post an email is about: its link to the comment."""
    text = email.message_from_bytes(message.content, policy=email.policy.default)
    body = text.get_body(("plain",)).get_content()
    match = re.search(r"/comments/(\d+)/", body)
    assert match, body
    return int(match.group(1))


def test_a_worker_killed_while_writing_a_posts_emails_never_sends_one_twice(tmp_path):
    smtp = SMTPServer().start()
    with postgres_database() as database:
        migrate(database)
        env = {
            "DATABASE_URL": database.url,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "RATE_LIMITS_ENABLED": "0",
            "NOTIFICATION_REQUEUE_AFTER": str(REQUEUE_AFTER),
            "EMAIL_REQUEUE_AFTER": str(REQUEUE_AFTER),
            "EMAIL_SEND_LEASE": str(REQUEUE_AFTER),
        }
        made = django_script(env, SETUP, followers=FOLLOWERS)
        workers = {
            name: Worker(env, tmp_path / f"{name}.log", worker_id=name).start()
            for name in ("first", "second")
        }
        posted = {}
        poster = threading.Thread(
            target=lambda: posted.update(
                posts=django_script(env, POST, thread=made["thread"], posts=POSTS)
            )
        )
        try:
            poster.start()
            # Catch a worker half-way through writing a post's emails, and kill it.
            comment_pk = writing_halfway(database)
            assert comment_pk, "no worker was seen writing a post's emails:\n" + "\n".join(
                w.log_tail() for w in workers.values()
            )
            victim = worker_writing(database, comment_pk)
            assert victim in workers, f"no worker is running post {comment_pk}'s emails"
            workers[victim].kill()
            [(written_when_killed,)] = database.query(
                "SELECT count(*) FROM notifications_commentemail WHERE comment_id = %s",
                comment_pk,
            )
            assert 0 < written_when_killed < RECIPIENTS, "the kill came too late"
            # The killed worker's task is left RUNNING for ever: only the sweep
            # brings it back.
            assert worker_writing(database, comment_pk) == victim

            poster.join(timeout=120)
            time.sleep(REQUEUE_AFTER + 1)
            workers[victim] = Worker(env, tmp_path / f"{victim}-again.log").start()
            wait_for(
                lambda: (
                    database.value("SELECT count(*) FROM emails_email WHERE status = 'sent'")
                    >= POSTS * RECIPIENTS
                ),
                "every email sent",
                explain=lambda: (
                    f"{database.query(WRITING)}\n"
                    + "\n".join(w.log_tail() for w in workers.values())
                ),
            )
            # A sweep that queues everything again, and time for a double to arrive.
            time.sleep(REQUEUE_AFTER + 1)
            for worker in workers.values():
                worker.stop()
            workers["last"] = Worker(env, tmp_path / "last.log").start()
            time.sleep(3)
        finally:
            for worker in workers.values():
                worker.stop()
            smtp.stop()

        lines = django_script(env, LINES, thread=made["thread"])
        statuses = dict(database.query("SELECT status, count(*) FROM emails_email GROUP BY status"))

    messages = list(smtp.recorder.messages)
    sent = Counter((address, post_of(m)) for m in messages for address in m.rcpt_tos)
    expected = {
        (f"{name}@example.org", post)
        for name in ["jiho", *(f"fan{n:03}" for n in range(FOLLOWERS))]
        for post in posted["posts"]
    }
    assert set(sent) == expected
    assert max(sent.values()) == 1, [pair for pair, n in sent.items() if n > 1][:5]
    assert len(set(smtp.recorder.message_ids())) == len(messages) == POSTS * RECIPIENTS
    assert statuses == {"sent": POSTS * RECIPIENTS}
    # One line per member for the thread, counting every post once.
    assert sorted(lines["per_member"]) == [1] * RECIPIENTS
    assert set(lines["counts"]) == {POSTS}
