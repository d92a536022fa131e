"""Many members posting into one thread at the same moment, on SQLite and PostgreSQL.

gunicorn runs three workers; sixteen clients, each its own logged-in member with
its own session, post fifty comments each through the real comment form (every
fifth one a reply to the same top comment). Rate limits, the new-account period
and the duplicate check are off: this is about the database, not the limits.

Afterwards every comment must be stored exactly once, no request may have failed,
and the denormalised counters (the thread's reply count and last activity, the
board's thread and post counts and last activity) must agree with the rows.
The figures are printed (``pytest -s``); nothing here asserts on time.
"""

import re
import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import NamedTuple

import pytest

from .conftest import PASSWORD, create_members, start_thread
from .outages import log_in
from .web import comment_path

pytestmark = pytest.mark.server

CLIENTS = 16
COMMENTS_PER_CLIENT = 50
WORKERS = 3
REPLY_EVERY = 5  # every fifth comment answers the top comment
PERMALINK_RE = re.compile(r"/comments/(\d+)/")
OUT_OF_ORDER = (
    "the last activity time is not the newest comment's: concurrent posts set it out of "
    "order (fansite.comments.services._record_activity assigns created_at; it must only "
    "ever move forward)"
)


class Outcome(NamedTuple):
    body: str
    status: int
    location: str
    sent: float  # time.perf_counter() when the request went out
    answered: float  # ... and when the answer was in


def logged_in(server, username):
    # Sixteen log-ins at once hash sixteen passwords on three workers: on a busy
    # machine that can take longer than a page should. A PatientBrowser waits up
    # to two minutes per request and logging in is retried, as a person would;
    # the posts are never retried (each must be stored exactly once).
    return log_in(server.url, username, PASSWORD)


def post_comments(server, thread, browser, client, parent, start_together):
    """One client's run: its fifty comments, one after the other, as fast as the
    server answers. Returns an Outcome per comment."""
    page = server.url + thread["path"]
    action = server.url + comment_path(thread["pk"])
    token = browser.form_token(page)
    start_together.wait(timeout=300)  # the slowest client's page may take a while
    outcomes = []
    for number in range(COMMENTS_PER_CLIENT):
        body = f"Client {client:02d}, comment {number:02d}: still holding the science room."
        data = {"body": body}
        if number % REPLY_EVERY == REPLY_EVERY - 1:
            data["parent"] = parent
        sent = time.perf_counter()
        response = browser.post(action, data, token=token, referer=page)
        outcomes.append(
            Outcome(
                body=body,
                status=response.status_code,
                location=response.headers.get("Location", ""),
                sent=sent,
                answered=time.perf_counter(),
            )
        )
    return outcomes


def percentile(values, percent):
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


@pytest.mark.parametrize("scratch_database", ["sqlite", "postgresql"], indirect=True)
def test_concurrent_comments_are_all_stored_and_counted(scratch_database, start_gunicorn):
    database = scratch_database
    env = {
        "DATABASE_URL": database.url,
        "RATE_LIMITS_ENABLED": 0,
        "NEW_ACCOUNT_PERIOD_HOURS": 0,
        "DUPLICATE_POST_WINDOW_MINUTES": 0,
    }
    posters = [f"poster{client:02d}" for client in range(CLIENTS)]
    create_members(env, [*posters, "gwinam"])
    thread = start_thread(
        env,
        author="gwinam",
        title=f"Roll call {uuid.uuid4().hex[:8]}",
        body="Everyone still in the building, answer here.",
    )
    server = start_gunicorn(env, workers=WORKERS)

    opener = logged_in(server, "gwinam")
    top = opener.submit(
        server.url + thread["path"],
        {"body": "Reply to this one if you are on the third floor."},
        action=server.url + comment_path(thread["pk"]),
    )
    assert top.status_code == HTTPStatus.FOUND
    parent = int(PERMALINK_RE.fullmatch(top.headers["Location"]).group(1))
    with ThreadPoolExecutor(CLIENTS) as pool:
        browsers = list(pool.map(lambda name: logged_in(server, name), posters))
    comments_before = database.value(
        "SELECT COUNT(*) FROM comments_comment WHERE thread_id = %s", thread["pk"]
    )

    start_together = threading.Barrier(CLIENTS)
    with ThreadPoolExecutor(CLIENTS) as pool:
        runs = [
            pool.submit(post_comments, server, thread, browser, client, parent, start_together)
            for client, browser in enumerate(browsers)
        ]
        outcomes = [outcome for run in runs for outcome in run.result()]

    expected = CLIENTS * COMMENTS_PER_CLIENT
    wall = max(o.answered for o in outcomes) - min(o.sent for o in outcomes)
    latencies = [o.answered - o.sent for o in outcomes]
    print(
        f"\n{database.engine}: {expected} comments from {CLIENTS} clients, {WORKERS} workers: "
        f"{wall:.1f} s, {expected / wall:.0f} comments/s, POST latency "
        f"p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms"
    )

    # Every POST answered with the redirect to its new comment.
    statuses = Counter(o.status for o in outcomes)
    assert statuses == {HTTPStatus.FOUND: expected}, f"answers by status: {dict(statuses)}"
    assert all(PERMALINK_RE.fullmatch(o.location) for o in outcomes)

    # Each comment stored exactly once, the replies under the top comment.
    rows = database.query(
        "SELECT body, parent_id FROM comments_comment WHERE thread_id = %s", thread["pk"]
    )
    assert len(rows) == comments_before + expected
    bodies = Counter(body for body, _parent in rows)
    assert all(bodies[o.body] == 1 for o in outcomes)
    replies = sum(1 for _body, parent_id in rows if parent_id == parent)
    assert replies == CLIENTS * (COMMENTS_PER_CLIENT // REPLY_EVERY)

    # The denormalised counters agree with the rows. Every comment but the
    # thread's opening post counts as a reply.
    reply_count, last_activity = database.query(
        "SELECT reply_count, last_activity_at FROM threads_thread WHERE id = %s", thread["pk"]
    )[0]
    newest = database.value(
        "SELECT MAX(created_at) FROM comments_comment WHERE thread_id = %s", thread["pk"]
    )
    assert reply_count == len(rows) - 1
    assert last_activity == newest, OUT_OF_ORDER
    board = database.query(
        "SELECT thread_count, post_count, last_activity_at FROM threads_board WHERE id = %s",
        thread["board"],
    )[0]
    board_truth = database.query(
        "SELECT COUNT(DISTINCT t.id), COUNT(c.id), MAX(c.created_at) FROM threads_thread t "
        "LEFT JOIN comments_comment c ON c.thread_id = t.id WHERE t.board_id = %s",
        thread["board"],
    )[0]
    assert board[:2] == board_truth[:2]
    assert board[2] == board_truth[2], OUT_OF_ORDER
