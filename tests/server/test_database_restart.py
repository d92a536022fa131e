"""PostgreSQL restarts while members read and post: a 503 page during, nothing lost.

gunicorn (three workers) reaches PostgreSQL through a TCP proxy the test controls
(tests/server/outages.py); Redis is used directly. While members read pages and
post comments, the proxy plays a restart: every connection is cut and new ones
are refused for a few seconds (PostgreSQL stopping, then not listening), then
new connections are accepted but never answered for a few more (a database that
is starting, or a host that does not answer), then everything is forwarded
again.

What must hold:

- no request fails with anything but a 503 page (with ``Retry-After``), and none
  waits anywhere near gunicorn's worker timeout: the connect timeout in settings
  bounds it;
- nothing sent after the restart fails;
- ``/healthz`` answers 503 during and 200 after;
- every comment the members meant to post is stored exactly once, even those
  they had to send again, and the thread's and board's counters agree with the
  rows.

The figures (answers and timings per phase, time until healthy) are printed
with ``pytest -s``; docs/operations.md quotes them.
"""

import time
import uuid

import pytest
import requests

from .conftest import (
    PASSWORD,
    POSTGRES,
    GunicornPool,
    create_members,
    migrate,
    postgres_database,
    redis_namespace,
    start_thread,
)
from .outages import (
    Load,
    PatientBrowser,
    Poster,
    TcpProxy,
    assert_counters_match,
    assert_each_post_stored_once,
    figures,
    log_in,
    reader,
    send,
)

pytestmark = pytest.mark.server

POSTERS = 4
MEMBER_READERS = 2
WORKERS = 3
REFUSED_SECONDS = 4
SILENT_SECONDS = 5
# settings.py: PostgreSQL connections give up after this long.
CONNECT_TIMEOUT = 3


def test_a_database_restart_is_a_short_503_and_loses_nothing(static_root, tmp_path):
    with (
        redis_namespace() as redis_env,
        postgres_database() as database,
        TcpProxy((POSTGRES["host"], POSTGRES["port"])) as proxy,
    ):
        migrate(database)
        direct = {"DATABASE_URL": database.url}
        posters = [f"poster{n}" for n in range(POSTERS)]
        readers = [f"reader{n}" for n in range(MEMBER_READERS)]
        create_members(direct, [*posters, *readers, "namra"])
        thread = start_thread(
            direct,
            author="namra",
            title=f"Roll call {uuid.uuid4().hex[:6]}",
            body="Everyone still in the building, answer here.",
        )
        env = {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{proxy.port}/{database.name}",
            **redis_env,
            "RATE_LIMITS_ENABLED": 0,
            "NEW_ACCOUNT_PERIOD_HOURS": 0,
        }
        with GunicornPool(static_root, tmp_path) as pool:
            server = pool.start(env, workers=WORKERS)
            run(server, thread, posters, readers, proxy, database)


def run(server, thread, posters, readers, proxy, database):
    thread_page = server.url + thread["path"]
    pages = [thread_page, server.url + "/", server.url + "/boards/general/"]
    load = Load()
    post_clients = []
    for name in posters:
        poster = Poster(log_in(server.url, name, PASSWORD), server, thread, name)
        post_clients.append(poster)
        load.add(name, poster.step)
    for name in readers:
        load.add(name, reader(log_in(server.url, name, PASSWORD), pages, name))
    # A visitor too: their cached pages need no database at all.
    load.add("visitor", reader(PatientBrowser(), pages, "visitor"))
    health = PatientBrowser()

    def poll_health(record):
        outcome, _response = send("healthz", "health", lambda: health.get(server.url + "/healthz"))
        record(outcome)
        time.sleep(0.2)

    load.add("healthz", poll_health)

    with load:
        time.sleep(3)
        cut_at = time.monotonic()
        proxy.down()
        time.sleep(REFUSED_SECONDS)
        proxy.silent()
        time.sleep(SILENT_SECONDS)
        back_at = time.monotonic()
        proxy.up()
        time.sleep(5)
        outcomes = load.stop()

    before = [o for o in outcomes if o.answered < cut_at]
    during = [o for o in outcomes if o.sent < back_at and o.answered >= cut_at]
    after = [o for o in outcomes if o.sent >= back_at]
    healthy_again = min(
        (o.answered for o in after if o.kind == "health" and o.status == 200), default=None
    )
    recovery = f"{healthy_again - back_at:.2f} s" if healthy_again else "never"
    print(
        f"\nPostgreSQL restart ({REFUSED_SECONDS} s refused, {SILENT_SECONDS} s silent):\n"
        f"  before: {figures(before)}\n"
        f"  during: {figures(during)}\n"
        f"    pages: {figures([o for o in during if o.kind == 'read'])}\n"
        f"    posts: {figures([o for o in during if o.kind == 'post'])}\n"
        f"    healthz: {figures([o for o in during if o.kind == 'health'])}\n"
        f"  after:  {figures(after)}\n"
        f"  healthz 200 again: {recovery} after the restart"
    )

    # Never a 500, a dropped connection or a timeout: a page, a redirect, the
    # duplicate refusal of a retried post, or the 503 page.
    assert {o.status for o in outcomes} <= {200, 302, 403, 503}, figures(outcomes)
    assert before
    assert all(o.status in (200, 302) for o in before), figures(before)
    # During: 503s, each quick: a refused connection fails at once, a silent
    # server after the connect timeout (plus, under this load, the wait for a
    # free worker), far below gunicorn's 30 s worker timeout.
    assert any(o.status == 503 for o in during if o.kind == "post")
    assert any(o.status == 503 for o in during if o.kind == "health")
    assert max(o.seconds for o in during) < 20, figures(during)
    # After: nothing fails, healthz included.
    assert after
    assert all(o.status in (200, 302, 403) for o in after), figures(after)
    assert healthy_again is not None

    # No comment lost, none stored twice, counters right.
    posts = assert_each_post_stored_once(database, thread, post_clients)
    assert_counters_match(database, thread)
    retried = [post for post in posts if len(post.attempts) > 1]
    print(
        f"  {len(posts)} comments, {len(retried)} sent more than once, "
        f"{sum(post.stored_by == 'duplicate' for post in posts)} found already stored on retry"
    )
    assert retried, "no post met the outage: the test proved nothing"


def test_the_503_page_comes_within_the_connect_timeout(static_root, tmp_path):
    """One member, no other load: while nothing listens the 503 page comes at once;
    while PostgreSQL accepts connections but does not answer, after the connect
    timeout (settings.py), not gunicorn's 30 s; afterwards the page is back."""
    with (
        redis_namespace() as redis_env,
        postgres_database() as database,
        TcpProxy((POSTGRES["host"], POSTGRES["port"])) as proxy,
    ):
        migrate(database)
        create_members({"DATABASE_URL": database.url}, ["namra"])
        thread = start_thread(
            {"DATABASE_URL": database.url}, author="namra", title="Roof", body="Still here."
        )
        env = {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{proxy.port}/{database.name}",
            **redis_env,
        }
        with GunicornPool(static_root, tmp_path) as pool:
            server = pool.start(env, workers=1)
            member = log_in(server.url, "namra", PASSWORD)
            page_url = server.url + thread["path"]
            token = member.form_token(page_url)

            proxy.down()
            refused = {
                "page": member.get(page_url),
                "post": member.post(
                    server.url + f"/comments/new/thread/{thread['pk']}/",
                    {"body": "Sent while the database restarts."},
                    token=token,
                    referer=page_url,
                ),
                "healthz": requests.get(server.url + "/healthz", timeout=30),
            }
            proxy.silent()
            silent = {
                "page": member.get(page_url),
                "healthz": requests.get(server.url + "/healthz", timeout=30),
            }
            proxy.up()
            back = member.get(page_url)
            log = server.log_tail(200)

    print(
        "\nOne request at a time: "
        + ", ".join(
            f"{phase} {name} {r.status_code} in {r.elapsed.total_seconds() * 1000:.0f} ms"
            for phase, answers in (("refused", refused), ("silent", silent))
            for name, r in answers.items()
        )
        + f", after {back.status_code} in {back.elapsed.total_seconds() * 1000:.0f} ms"
    )
    for response in [*refused.values(), *silent.values()]:
        assert response.status_code == 503
        assert "Traceback" not in response.text
    for response in refused.values():
        assert response.elapsed.total_seconds() < 1
    for response in silent.values():
        assert CONNECT_TIMEOUT - 0.5 < response.elapsed.total_seconds() < CONNECT_TIMEOUT + 3
    for response in (refused["page"], refused["post"], silent["page"]):
        assert response.headers["Retry-After"].isdigit()
        assert "<title>" in response.text  # the site's 503 page
    assert refused["healthz"].json()["checks"]["database"]["status"] == "error"
    assert back.status_code == 200
    assert "Database unavailable" in log
    assert "Internal Server Error" not in log
