"""Redis stops while members and visitors read, and comes back.

gunicorn (three workers, rate limits on) reaches Redis through a TCP proxy the
test controls (tests/server/outages.py); PostgreSQL is used directly. Readers
keep opening the thread, the home page and the board the whole time. Redis is
cut with every page cached: first it stops answering (connections are accepted,
nothing comes back), then it refuses connections. While it is away a member
posts: the comment reaches the database, but the page cache's generations in
Redis cannot be replaced. Redis then comes back with everything it held, the
pages from before the outage included.

What must hold (docs/operations.md, "Redis"):

- no request fails: pages come from the database (``X-Page-Cache: unavailable``),
  members stay logged in (their sessions are read from the database); a Redis
  that does not answer costs each process one socket timeout, not one per call;
- ``/healthz`` says 200 "degraded", not 503 (a 503 from every server at once
  would empty the load balancer);
- the members' own rate limits are not counted: posting goes on, each uncounted
  attempt is logged; logging in is refused (429) rather than let through
  without allauth's throttles;
- once Redis answers, every process uses it again by itself, and no page from
  before the outage is served: the comment posted meanwhile is on every page;
- limits count again, logging in works again.
"""

import time
import uuid
from http import HTTPStatus

import pytest

from .conftest import (
    PASSWORD,
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
    TcpProxy,
    figures,
    log_in,
    reader,
    send,
)
from .test_two_servers import comment_limit_per_minute, wait_for_a_fresh_minute
from .web import comment_path

pytestmark = pytest.mark.server

READERS = ("reader0", "reader1", "reader2")
# Redis first stops answering (connections accepted, nothing comes back: each
# process waits out its socket timeout once), then refuses connections.
SILENT_SECONDS = 3
OUTAGE_SECONDS = 9


def test_redis_stopping_degrades_to_the_database_and_recovers_fresh(static_root, tmp_path):
    with redis_namespace() as redis_env, postgres_database() as database:
        migrate(database)
        env = {"DATABASE_URL": database.url}
        create_members(env, [*READERS, "namra", "onjo", "suhyeok", "ilsu"])
        thread = start_thread(
            env,
            author="namra",
            title=f"Who is still on the roof? {uuid.uuid4().hex[:6]}",
            body="Counting the survivors after the rooftop night.",
        )
        redis_host, redis_port = "127.0.0.1", 6379
        with TcpProxy((redis_host, redis_port)) as proxy:
            env |= {
                "REDIS_URL": f"redis://127.0.0.1:{proxy.port}/0",
                "CACHE_KEY_PREFIX": redis_env["CACHE_KEY_PREFIX"],
                "RATE_LIMITS_ENABLED": 1,
                "NEW_ACCOUNT_PERIOD_HOURS": 0,
            }
            with GunicornPool(static_root, tmp_path) as pool:
                server = pool.start(env, workers=3)
                run(server, thread, proxy)


def run(server, thread, proxy):
    thread_page = server.url + thread["path"]
    pages = [thread_page, server.url + "/", server.url + "/boards/general/"]
    action = server.url + comment_path(thread["pk"])
    poster = log_in(server.url, "onjo", PASSWORD)
    token = poster.form_token(thread_page)
    member = log_in(server.url, "suhyeok", PASSWORD)
    visitor = PatientBrowser()
    load = Load()
    for name in READERS:
        load.add(name, reader(log_in(server.url, name, PASSWORD), pages, name))
    load.add("visitor", reader(PatientBrowser(), pages, "visitor"))

    with load:
        # Every page cached, for the member and the visitor we follow.
        # (The first page after logging in shows "signed in" and is not cached.)
        for browser in (member, visitor):
            caching = [browser.get(thread_page).headers.get("X-Page-Cache") for _ in range(3)]
            assert caching[-1] == "hit", caching
        time.sleep(2)

        cut_at = time.monotonic()
        proxy.silent()
        time.sleep(SILENT_SECONDS)
        refused_at = time.monotonic()
        proxy.down()
        body = f"Posted while Redis was away ({uuid.uuid4().hex[:8]})."
        posted = poster.post(action, {"body": body}, token=token, referer=thread_page)
        assert posted.status_code == HTTPStatus.FOUND

        # Pages from the database, with the new comment; the member still logged in.
        for browser in (member, visitor):
            page = browser.get(thread_page)
            assert page.status_code == HTTPStatus.OK
            assert page.headers["X-Page-Cache"] == "unavailable"
            assert body in page.text
        assert 'href="/members/suhyeok/"' in member.get(thread_page).text

        health = visitor.get(server.url + "/healthz")
        assert health.status_code == HTTPStatus.OK
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["cache"]["status"] == "error"

        # The member's limit cannot be counted: posting goes on past it.
        over_limit = comment_limit_per_minute() + 2
        uncounted = [
            poster.post(
                action, {"body": f"{body} Uncounted {n}."}, token=token, referer=thread_page
            ).status_code
            for n in range(over_limit)
        ]
        assert uncounted == [HTTPStatus.FOUND] * over_limit

        # Logging in is refused, quickly, rather than let through unthrottled.
        late = PatientBrowser()
        outcome, login = send(
            "late",
            "login",
            lambda: late.post(
                server.url + "/accounts/login/",
                {"login": "ilsu", "password": PASSWORD},
                token=late.form_token(server.url + "/accounts/login/"),
                referer=server.url + "/accounts/login/",
            ),
        )
        assert login.status_code == HTTPStatus.TOO_MANY_REQUESTS
        assert outcome.seconds < 3

        time.sleep(max(0, OUTAGE_SECONDS - (time.monotonic() - cut_at)))
        back_at = time.monotonic()
        proxy.up()
        # Each worker notices by itself (its watcher thread tries every second).
        while visitor.get(server.url + "/healthz").json()["status"] != "ok":
            assert time.monotonic() - back_at < 30, "healthz never said ok again"
            time.sleep(0.1)
        healthy_after = time.monotonic() - back_at
        time.sleep(2)  # every worker back, and a few pages cached again
        outcomes = load.stop()

    # No page from before the outage: the comment posted during it is on each,
    # for the member and the visitor, and the cache is in use again.
    for browser in (member, visitor):
        seen = [browser.get(thread_page) for _ in range(6)]
        # Each worker deletes the "site" generation when it notices Redis is back, so
        # one that notices late (its watcher under CI's load) drops what the others
        # cached just before: the cache is in use again once a hit comes.
        deadline = time.monotonic() + 15
        while seen[-1].headers["X-Page-Cache"] != "hit" and time.monotonic() < deadline:
            time.sleep(0.3)
            seen.append(browser.get(thread_page))
        assert all(page.status_code == HTTPStatus.OK for page in seen)
        assert all(body in page.text for page in seen)
        assert seen[-1].headers["X-Page-Cache"] == "hit"
    during = [o for o in outcomes if o.sent >= cut_at and o.answered < back_at]
    silent = [o for o in during if o.sent < refused_at]
    before = [o for o in outcomes if o.answered < cut_at]
    after = [o for o in outcomes if o.sent >= back_at]
    print(
        f"\nRedis away for {OUTAGE_SECONDS} s under load (3 workers), silent for the first "
        f"{SILENT_SECONDS} s:\n"
        f"  pages before: {figures(before)}\n"
        f"  pages during: {figures(during)}\n"
        f"    while silent: {figures(silent)}\n"
        f"  pages after:  {figures(after)}\n"
        f"  login during the outage: 429 in {outcome.seconds * 1000:.0f} ms\n"
        f"  healthz ok again {healthy_after:.2f} s after Redis came back"
    )
    assert {o.status for o in outcomes} == {HTTPStatus.OK}, figures(outcomes)
    # A silent Redis costs a process one socket timeout (2 s), not one per cache
    # call (a page makes several): far below gunicorn's 30 s.
    assert max(o.seconds for o in during) < 10, figures(during)

    # Limits count again, logging in works again.
    wait_for_a_fresh_minute(needed_seconds=5)
    limit = comment_limit_per_minute()
    statuses = [
        member.post(
            action,
            {"body": f"Counted again, number {n}."},
            token=member.form_token(thread_page),
            referer=thread_page,
        ).status_code
        for n in range(limit + 1)
    ]
    assert statuses == [HTTPStatus.FOUND] * limit + [HTTPStatus.TOO_MANY_REQUESTS]
    log_in(server.url, "ilsu", PASSWORD)

    log = server.log_tail(400)
    assert "is not answering" in log
    assert "answers again after" in log
    assert "Rate limit cache unavailable" in log
    assert "Internal Server Error" not in log
