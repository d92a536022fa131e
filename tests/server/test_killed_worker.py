"""gunicorn workers killed (SIGKILL) while members post: no half-written comment.

Six members post comments one after another into one thread through gunicorn's
three workers, as fast as they are answered, so every worker is almost always
in the middle of a request. The test kills a worker with SIGKILL every
``KILL_EVERY`` seconds: no clean-up runs in it, its open transaction simply
stops. gunicorn starts a replacement; the member whose request died sees a
dropped connection and sends the comment again, as a person would.

Afterwards every comment is stored exactly once (a comment that had been
committed when its worker died is recognised on the retry by the duplicate
check), the thread's reply count and the board's counts agree with a recount,
and a visitor's thread page shows the newest comment.
"""

import os
import random
import signal
import time
import uuid

import pytest

from .conftest import PASSWORD, create_members, start_thread
from .outages import (
    Load,
    PatientBrowser,
    Poster,
    assert_counters_match,
    assert_each_post_stored_once,
    figures,
    log_in,
    wait_for_workers,
    worker_pids,
)

pytestmark = pytest.mark.server

POSTERS = 6
WORKERS = 3
KILLS = 6
KILL_EVERY = 1.0


@pytest.mark.parametrize("scratch_database", ["postgresql", "sqlite"], indirect=True)
def test_killing_workers_mid_request_leaves_whole_comments(scratch_database, start_gunicorn):
    database = scratch_database
    env = {
        "DATABASE_URL": database.url,
        "RATE_LIMITS_ENABLED": 0,
        "NEW_ACCOUNT_PERIOD_HOURS": 0,
    }
    names = [f"poster{n}" for n in range(POSTERS)]
    create_members(env, [*names, "gwinam"])
    thread = start_thread(
        env,
        author="gwinam",
        title=f"Roll call {uuid.uuid4().hex[:6]}",
        body="Everyone still in the building, answer here.",
    )
    server = start_gunicorn(env, workers=WORKERS)
    master = server.process.pid
    posters = [Poster(log_in(server.url, name, PASSWORD), server, thread, name) for name in names]

    load = Load()
    for poster in posters:
        load.add(poster.name, poster.step)
    killed = []
    with load:
        time.sleep(1)
        for _ in range(KILLS):
            victim = random.choice(wait_for_workers(master, WORKERS))
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
            time.sleep(KILL_EVERY)
        wait_for_workers(master, WORKERS)
        time.sleep(1)
        outcomes = load.stop()

    cut = [o for o in outcomes if isinstance(o.status, str)]
    posts = assert_each_post_stored_once(database, thread, posters)
    assert_counters_match(database, thread)
    print(
        f"\n{database.engine}: {len(killed)} workers killed among {WORKERS}: {figures(outcomes)}\n"
        f"  {len(posts)} comments; {len(cut)} requests cut by a kill; "
        f"{sum(post.stored_by == 'duplicate' for post in posts)} had been stored before "
        f"their worker died"
    )
    # Only the requests of killed workers fail (a dropped connection, no answer),
    # at most one per kill; every answer is the redirect to the new comment or,
    # for a comment sent again, the duplicate refusal.
    assert all(o.status in (302, 403) for o in outcomes if o not in cut), figures(outcomes)
    assert cut, "no kill landed mid-request: the test proved nothing"
    assert len(cut) <= len(killed)
    assert set(killed).isdisjoint(worker_pids(master))

    # The newest comment is on the page a visitor gets (no page cached before
    # a commit whose worker died survives it).
    newest, body = database.query(
        "SELECT id, body FROM comments_comment WHERE thread_id = %s ORDER BY id DESC LIMIT 1",
        thread["pk"],
    )[0]
    page = PatientBrowser().get(f"{server.url}/comments/{newest}/", allow_redirects=True)
    assert page.status_code == 200
    assert body in page.text
