"""The benchmark: seed, serve like production, load with wrk, report.

    python -m tests.benchmarks            # full run, about 4 to 5 minutes per database
    python -m tests.benchmarks --quick    # CI: every workload, short durations
    python -m tests.benchmarks --profile  # cProfile of W1 in-process, no load

See docs/performance.md for what each workload is and how to read the figures.
For each database (SQLite always; PostgreSQL too when DATABASE_URL points at it):

1. a fresh database (SQLite file, or a scratch PostgreSQL database) is migrated
   and seeded with seed_demo to a fixed shape;
2. gunicorn serves it with gunicorn.conf.py, DEBUG off, collected static files,
   Redis as the cache when it is reachable (own database number, own key prefix);
3. wrk loads each workload (warm-up first, then the measured run) from its own
   process; every response must be 2xx (W7, W8: the 302 after a stored post);
4. SQL queries per request are counted in-process afterwards (probe.py);
5. W8 (W-notify): posting with 500 followers against none, then the task worker
   delivering posts to them (notify_workload);
6. W11 (premiere night, the issue's "W8"): visitors reading the hot thread,
   its board and the home page while members post and react in it
   (premiere_workload);
7. after the read workloads, in-process render times with the page cache off
   (M, miss_path), Redis's memory for a few hundred cached pages (R,
   cache_memory) and, on PostgreSQL, the plans of the pages' SQL (P,
   page_plans); every gunicorn worker's resident memory is sampled throughout;
8. gunicorn is stopped, the database dropped, the cache keys removed.

With ``--million [N]`` (PostgreSQL only), a second scratch database holds the
same shape plus N bulk comments, and W1-W5 and W11 run again against it
(bench_million): the figures side by side with the standard shape's.

The exit status is non-zero when something went wrong (wrk missing, a non-2xx
response, a socket error, a W7 or W8 post lost or stored twice, a W8 delivery
incomplete, a step failing),
never because a performance target was missed: those are reported PASS/FAIL.
"""

from __future__ import annotations

import argparse
import copy
import functools
import math
import os
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from . import cachememory, environment, load, members, report, server
from .environment import REPO

W5_PROGRESS = 3
NOTIFY_FOLLOWERS = 500  # W8: followers of the followed thread
NOTIFY_EMAILED = 50  # of whom want an email at once for every new comment
REACT_COMMENTS = 400  # W9: top-level comments of the big thread reacted to
PREMIERE_READERS = 32  # W11: wrk connections reading, anonymous
PREMIERE_POSTERS = 8  # W11: members each posting a comment a second, and reacting
PREMIERE_REACTED = 60  # W11: the newest top-level comments of the hot thread reacted to
SEED_MEMBERS = 20
SEED_THREADS = 100
SEED_COMMENTS_PER_THREAD = 10
SEED = 7
MILLION_SEED = 9  # --million's bulk comments: 99 per thread besides the opening post
MILLION_COMMENTS_PER_THREAD = 99
MILLION_WORKLOADS = ("W1", "W2", "W3", "W4", "W5", "W11")


@dataclass(frozen=True)
class Mode:
    seconds: float  # per read workload, all rounds together
    rounds: int
    warmup: float
    write_seconds: float
    sizes: tuple[int, ...]  # big threads; the largest is W1/W2's
    profile_requests: int
    notify_posts: int  # W8: posts the worker delivers while it is timed
    cold_members: int  # W5-cold: members per round, each opening W1 once
    miss_requests: int  # M: timed in-process requests per page (warm; cold: a third)
    fill_pages: int  # R: distinct pages filled to weigh Redis's memory


FULL = Mode(
    seconds=12,
    rounds=3,
    warmup=2,
    write_seconds=20,
    sizes=(100, 1_000, 10_000),
    profile_requests=100,
    notify_posts=20,
    cold_members=500,
    miss_requests=30,
    fill_pages=300,
)
QUICK = Mode(
    seconds=2,
    rounds=1,
    warmup=1,
    write_seconds=3,
    sizes=(100, 1_000),
    profile_requests=20,
    notify_posts=5,
    cold_members=100,
    miss_requests=5,
    fill_pages=30,
)

TITLES = {
    "W0": "ceiling (bare view)",
    "W1": "big thread, first page (anonymous)",
    "W2": "big thread, last page (anonymous)",
    "W3": "episode board thread list",
    "W4": "home page",
    "W5": f"W1 as a member (progress {W5_PROGRESS})",
    "W5-cold": f"W1 for members opening it for the first time (progress {W5_PROGRESS})",
    "W6": "source article",
    "W7": "members posting comments",
    "W8": f"W-notify: posting into a thread {NOTIFY_FOLLOWERS} members follow vs none",
    "W9": "W-react: members reacting on the big thread while others read its first page",
    "W10": "W-search: typical searches, one at a time, as a member",
    "W11": "premiere night (the issue's W8): the hot thread read while members post "
    "and react in it",
}
# W10: the comments the database holds for it (more threads are seeded to reach it),
# and the searches, as fans type them: English common and rare words, phrases,
# Korean, romanised names (glossary), an exclusion, mixed scripts, nothing found.
SEARCH_COMMENTS = {"full": 100_000, "quick": 15_000}
SEARCH_COMMENTS_PER_THREAD = 100
SEARCH_QUERIES = (
    "scene",
    "episode",
    "chills",
    "credits",
    "soundtrack",
    '"second watch"',
    '"camera work"',
    "hallway -camera",
    "온조",
    "명찰",
    "옥상",
    "좀비 분장",
    "박지후",
    "Nam Onjo",
    "Cheong-san",
    "Su-hyeok class",
    "On-jo nametag",
    "Cheong-san 옥상",
    "webtoon readers",
    "zzzqqq",
)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks",
        description="Benchmark fansite under gunicorn with wrk (docs/performance.md).",
    )
    parser.add_argument("--quick", action="store_true", help="short run for CI")
    parser.add_argument(
        "--db",
        choices=("auto", "sqlite", "postgres"),
        default="auto",
        help="auto: SQLite, and PostgreSQL when DATABASE_URL points at it",
    )
    parser.add_argument("--cache", choices=("auto", "redis", "none"), default="auto")
    parser.add_argument(
        "--seconds", type=float, help="measured seconds per read workload (all rounds)"
    )
    parser.add_argument("--rounds", type=int, help="interleaved rounds of the read workloads")
    parser.add_argument("--warmup", type=float, help="warm-up seconds before each workload")
    parser.add_argument(
        "--write-seconds", type=float, help="measured seconds of W7, and of each side of W8"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", help="gunicorn worker class (default: the config's)")
    parser.add_argument("--worker-threads", type=int, help="gunicorn --threads (gthread)")
    parser.add_argument(
        "--max-requests", type=int, help="gunicorn max_requests (default: the config's; 0: never)"
    )
    parser.add_argument(
        "--only",
        help="comma-separated workloads to run (e.g. W1,W2,W7; scale series: S; miss path: "
        "M; Redis memory: R; PostgreSQL plans: P); default all",
    )
    parser.add_argument(
        "--million",
        nargs="?",
        type=int,
        const=1_000_000,
        metavar="N",
        help="PostgreSQL only: then W1-W5 and W11 again on the same shape plus N bulk "
        "comments (default 1,000,000; a multiple of 100)",
    )
    parser.add_argument("--profile", action="store_true", help="profile W1 in-process, no load")
    parser.add_argument("--profile-requests", type=int)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--out", type=Path, help=f"folder for last-run.md/.json (default {report.OUT_DIR})"
    )
    args = parser.parse_args(argv)
    mode = QUICK if args.quick else FULL
    args.seconds = args.seconds or mode.seconds
    args.rounds = max(1, args.rounds or mode.rounds)
    args.warmup = mode.warmup if args.warmup is None else args.warmup
    args.write_seconds = args.write_seconds or mode.write_seconds
    args.sizes = mode.sizes
    args.profile_requests = args.profile_requests or mode.profile_requests
    args.notify_posts = mode.notify_posts
    args.cold_members = mode.cold_members
    args.miss_requests = mode.miss_requests
    args.fill_pages = mode.fill_pages
    if args.million is not None and args.million < 100:
        parser.error("--million needs at least 100 comments")
    args.only = {w.strip().upper() for w in args.only.split(",")} if args.only else None
    return args


def say(text=""):
    print(text, flush=True)


def wanted(args, key):
    return args.only is None or key.upper() in args.only


class Run:
    """One invocation: its temporary folder, environment and accumulated errors."""

    def __init__(self, args):
        self.args = args
        self.errors: list[str] = []
        self.folder = Path(tempfile.mkdtemp(prefix="fansite-bench-"))
        self.prefix = f"{environment.SCRATCH_PREFIX}{secrets.token_hex(4)}"
        self.cache_url = environment.redis_url(args.cache)
        self.env = self.base_env()

    def base_env(self):
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GUNICORN_", "S3_")) and key not in {"WEB_CONCURRENCY", "PORT"}
        }
        env.update(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            SECURE_HSTS_SECONDS="0",
            RATE_LIMITS_ENABLED="0",
            BENCHMARK_CEILING="1",
            STATIC_ROOT=str(self.folder / "static"),
            MEDIA_ROOT=str(self.folder / "media"),
            SERVE_MEDIA="0",
            EMAIL_URL="consolemail://",
            CACHE_URL="",
            REDIS_URL=self.cache_url or "",
            GUNICORN_ACCESS_LOG="-",
        )
        if self.args.max_requests is not None:
            env["GUNICORN_MAX_REQUESTS"] = str(self.args.max_requests)
        return env

    def with_args(self, args):
        """The same run (folder, prefix, errors) with other options: --million's
        workloads and durations."""
        other = copy.copy(self)
        other.args = args
        return other

    def error(self, text):
        self.errors.append(text)
        say(f"  ERROR: {text}")

    def cleanup(self):
        if self.args.keep:
            say(f"Kept {self.folder}")
        else:
            shutil.rmtree(self.folder, ignore_errors=True)


def databases(args, folder):
    url = os.environ.get("DATABASE_URL", "")
    chosen = []
    if args.db in ("auto", "sqlite"):
        chosen.append(environment.sqlite_database(folder))
    if args.db == "postgres" and not environment.is_postgres_url(url):
        raise SystemExit("--db postgres needs DATABASE_URL=postgres://user@host:port/name")
    if args.db in ("auto", "postgres") and environment.is_postgres_url(url):
        chosen.append(environment.postgres_database(url))
    return chosen


def seed_args(sizes):
    args = [
        "seed_demo",
        "--seed",
        str(SEED),
        "--members",
        str(SEED_MEMBERS),
        "--boards",
        "episode",
        "--threads",
        str(SEED_THREADS),
        "--comments-per-thread",
        str(SEED_COMMENTS_PER_THREAD),
    ]
    for size in sizes:
        args += ["--big-thread", str(size)]
    return args


def prepare(run, db, env):
    """Create, migrate and seed ``db``; describe what was seeded."""
    db.create()
    started = time.perf_counter()
    server.manage(env, "migrate", "--noinput", "-v", "0")
    server.manage(env, *seed_args(run.args.sizes))
    if wanted(run.args, "W10"):
        seeded = server.probe(env, "describe")["comments"]
        target = SEARCH_COMMENTS["quick" if run.args.quick else "full"]
        threads = max(0, (target - seeded) // (SEARCH_COMMENTS_PER_THREAD + 1))
        if threads:
            server.manage(
                env,
                "seed_demo",
                *("--seed", str(SEED + 1), "--members", str(SEED_MEMBERS)),
                *("--boards", "general", "--threads", str(threads)),
                *("--comments-per-thread", str(SEARCH_COMMENTS_PER_THREAD)),
            )
    info = server.probe(env, "describe")
    say(f"  migrated and seeded in {time.perf_counter() - started:.1f}s ({info['database']})")
    return info


def shape_text(info):
    sizes = ", ".join(f"{t['comments']:,}" for t in info["big_threads"])
    return (
        f"{len(info['members'])} members; {info['regular_threads']} threads on the episode "
        f"boards with {SEED_COMMENTS_PER_THREAD} comments each (besides the opening post); "
        f"big threads on General discussion with {sizes} comments; "
        + (
            f"for W10, {info['search_threads']:,} more there with "
            f"{SEARCH_COMMENTS_PER_THREAD} comments each; "
            if info.get("search_threads")
            else ""
        )
        + f"Markdown bodies of about 400 characters, some with spoilers, some in Korean; "
        f"{info['comments_per_page']} top-level comments per page."
    )


@dataclass
class Workload:
    key: str
    title: str
    path: str
    cookie: str | None = None  # Cookie header (W5)
    sessionid: str | None = None  # the same session, for the in-process query count
    cold_rounds: list | None = None  # W5-cold: each round's members' Cookie headers


def plan_reads(args, info, base_url, reader, cold=None) -> tuple[list[Workload], dict]:
    """The read workloads in order, and the scale series: {size: {"W1": key, "W2": key}}.
    ``cold``: W5-cold's members (cold_members), when it runs."""
    big = info["big_threads"]
    largest = big[-1]

    def last_page(thread):
        html = members.fetch(base_url + thread["url"])
        return f"{thread['url']}?page={members.last_page_number(html)}"

    plan = [
        Workload("W0", TITLES["W0"], "/bench/ceiling/"),
        Workload("W1", TITLES["W1"], largest["url"]),
        Workload("W2", TITLES["W2"], last_page(largest)),
        Workload("W3", TITLES["W3"], info["board"]),
        Workload("W4", TITLES["W4"], info["home"]),
        Workload(
            "W5", TITLES["W5"], largest["url"], reader.cookie_header, sessionid=reader.sessionid
        ),
    ]
    if cold:
        # Fetched once by a member of its own: the page must say they are logged in.
        plan.append(
            Workload(
                "W5-cold",
                TITLES["W5-cold"],
                largest["url"],
                cold["check"]["cookie"],
                cold_rounds=[[m["cookie"] for m in group] for group in cold["rounds"]],
            )
        )
    plan.append(Workload("W6", TITLES["W6"], info["article"]))
    plan = [w for w in plan if wanted(args, w.key)]
    scale = {}
    if wanted(args, "S"):
        for thread in big:
            size = thread["comments"]
            scale[str(size)] = {}
            for key, path in (("W1", thread["url"]), ("W2", last_page(thread))):
                if thread is largest and any(w.key == key for w in plan):
                    scale[str(size)][key] = key
                    continue
                label = f"{key}@{size:,}"
                title = f"{'first' if key == 'W1' else 'last'} page, {size:,} comments"
                plan.append(Workload(label, title, path))
                scale[str(size)][key] = label
    return plan, scale


def median(values):
    return statistics.median(values) if values else 0.0


def percentile(values, share):
    """The nearest-rank percentile (``share`` 0.99 for p99) of ``values``; 0 if none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def read_workloads(run, info, gunicorn, reader, cold=None):
    """Every read workload: fetched once (status, size), warmed up, then measured in
    ``--rounds`` interleaved rounds (W0, W1, … W0, W1, …) so that a change in the
    machine's background load shifts every workload alike; each figure is the
    median over the rounds. W5-cold (``cold``: cold_members) has no warm-up, and
    each round has members of its own (cold_round). Returns {key: row},
    {size: {"W1": row, "W2": row}} and the pages for the query count."""
    args = run.args
    base_url = gunicorn.base_url
    plan, scale_keys = plan_reads(args, info, base_url, reader, cold)
    options = {"connections": args.connections, "threads": args.threads}
    rows = {}
    for w in plan:
        html = members.fetch(base_url + w.path, w.cookie)
        rows[w.key] = {"title": w.title, "path": w.path, "bytes": len(html), "rounds": []}
        if w.cold_rounds:
            if b'class="user-nav__me"' not in html:
                raise members.SiteError(f"{w.key}: its members' sessions do not log them in")
            # No warm-up: it would use members up. The fetch above cached the page.
            continue
        if args.warmup:
            warm = load.read_load(
                base_url + w.path, seconds=args.warmup, cookie=w.cookie, **options
            )
            rows[w.key]["warmup_errors"] = warm.errors
    seconds = args.seconds / args.rounds
    for number in range(1, args.rounds + 1):
        for w in plan:
            cpu = gunicorn.worker_cpu_seconds()
            if w.cold_rounds:
                figures = cold_round(run, base_url, w, number, options)
            else:
                figures = load.read_load(
                    base_url + w.path, seconds=seconds, cookie=w.cookie, **options
                )
            cpu_ms = (gunicorn.worker_cpu_seconds() - cpu) * 1000 / max(figures.requests, 1)
            rows[w.key]["rounds"].append({**figures.as_dict(), "cpu_ms": round(cpu_ms, 2)})
            say(
                f"  {w.key:<9} round {number}/{args.rounds} {figures.rate:8.1f} req/s  "
                f"p50 {figures.p50_ms:7.1f} ms  p99 {figures.p99_ms:7.1f} ms  "
                f"CPU {cpu_ms:6.2f} ms/req  {rows[w.key]['bytes']:>7,} bytes  {w.title}"
            )
    for key, row in rows.items():
        rounds = row["rounds"]
        rates = [r["rate"] for r in rounds]
        row.update(
            requests=sum(r["requests"] for r in rounds),
            seconds=round(sum(r["seconds"] for r in rounds), 2),
            rate=round(median(rates), 1),
            spread=round((max(rates) - min(rates)) / median(rates), 3) if median(rates) else 0,
            p50_ms=round(median([r["p50_ms"] for r in rounds]), 2),
            p99_ms=round(median([r["p99_ms"] for r in rounds]), 2),
            cpu_ms=round(median([r["cpu_ms"] for r in rounds]), 2),
            errors=sum(r["errors"] for r in rounds) + row.get("warmup_errors", 0),
        )
        if row["errors"]:
            run.error(f"{key}: {row['errors']} non-2xx responses or socket errors on {row['path']}")
    scale = {
        size: {key: rows[label] for key, label in labels.items()}
        for size, labels in scale_keys.items()
    }
    # W5-cold's members are counted apart (count_cold_queries).
    pages = [
        {"key": w.key, "url": w.path, "cookie": w.sessionid} for w in plan if not w.cold_rounds
    ]
    return rows, scale, pages


def cold_members(run, env):
    """W5-cold's members, made and logged in by the probe: one to check the page
    with, three for the query count, then ``--rounds`` groups of ``cold_members``."""
    per_round = run.args.cold_members
    made = server.probe(
        env,
        "cold_members",
        {"count": 4 + per_round * run.args.rounds, "progress": W5_PROGRESS},
    )["members"]
    rounds = [made[4 + n * per_round : 4 + (n + 1) * per_round] for n in range(run.args.rounds)]
    return {"check": made[0], "queries": made[1:4], "rounds": rounds}


def cold_round(run, base_url, w, number, options) -> load.Load:
    """One round of W5-cold: each of the round's members opens the page once.
    A member without an answer, or sent twice, is an error."""
    cookies = w.cold_rounds[number - 1]
    plan = run.folder / f"cold-plan-{secrets.token_hex(4)}.tsv"
    load.write_cold_plan(plan, cookies=cookies)
    figures = load.cold_load(base_url + w.path, plan, connections=options["connections"])
    unanswered = max(0, len(cookies) - figures.requests)
    reused = figures.extra.get("reused", 0)
    if unanswered or reused:
        run.error(f"{w.key}: {unanswered} members had no answer, {reused} were sent twice")
        figures.unexpected += unanswered + reused
    return figures


def count_queries(run, env, info, rows, pages):
    """Queries per request, in-process, with a cache of its own (a fresh key prefix):
    once site-wide cached data is warm (see probe.queries), the first request of each
    page is a cache miss (the full render), the second what a request costs once the
    page's caches are warm, as under the load."""
    prefix = f"{env['CACHE_KEY_PREFIX']}_q"
    try:
        counts = server.probe(
            {**env, "CACHE_KEY_PREFIX": prefix},
            "queries",
            {"pages": pages, "prime": info["board_list"]},
        )
    finally:
        if run.cache_url:
            environment.delete_cache_keys(run.cache_url, prefix)
    for key, found in counts.items():
        rows[key]["queries"] = found["queries"]
        rows[key]["queries_cold"] = found["queries_cold"]
        rows[key]["sql_cold"] = found["sql_cold"]
        rows[key]["sql"] = found["sql"]
        if found["status"] != 200:
            run.error(f"{key}: in-process request answered {found['status']}")
    say(
        "  SQL queries per request (cache miss / warm): "
        + ", ".join(f"{k} {v['queries_cold']}/{v['queries']}" for k, v in counts.items())
    )


def count_cold_queries(run, env, info, rows, cold):
    """W5-cold's queries per request (probe.cold_queries), with a cache of its own
    as in count_queries: a member's first visit with the page cached by someone
    else (what the load meets: "warm") and with it not cached ("miss")."""
    prefix = f"{env['CACHE_KEY_PREFIX']}_q"
    row = rows["W5-cold"]
    try:
        found = server.probe(
            {**env, "CACHE_KEY_PREFIX": prefix},
            "cold_queries",
            {
                "url": row["path"],
                "prime": info["board_list"],
                "sessions": [member["sessionid"] for member in cold["queries"]],
            },
        )
    finally:
        if run.cache_url:
            environment.delete_cache_keys(run.cache_url, prefix)
    for key in ("queries", "queries_cold", "sql", "sql_cold"):
        row[key] = found[key]
    if found["status"] != 200:
        run.error(f"W5-cold: in-process request answered {found['status']}")
    say(
        f"  SQL queries of a member's first visit (cache miss / warm): W5-cold "
        f"{found['queries_cold']}/{found['queries']}"
    )


MISS_PAGES = ("thread", "board", "home")
MISS_READERS = ("visitor", "member")


def miss_path(run, env, info, reader) -> list[dict]:
    """M: render times in-process with the page cache off (misspath.py): W1's, W3's
    and W4's pages, for a visitor and for the W5 member, warm and cold, with a
    cache key prefix of their own (as count_queries)."""
    urls = {"thread": info["big_threads"][-1]["url"], "board": info["board"], "home": info["home"]}
    cookies = {"visitor": None, "member": reader.sessionid}
    pages = {
        f"{page}/{who}": [urls[page], cookies[who]] for page in MISS_PAGES for who in MISS_READERS
    }
    prefix = f"{env['CACHE_KEY_PREFIX']}_m"
    try:
        found = server.probe(
            {**env, "CACHE_KEY_PREFIX": prefix},
            "miss_path",
            {"pages": pages, "requests": run.args.miss_requests},
        )
    finally:
        if run.cache_url:
            environment.delete_cache_keys(run.cache_url, prefix)
    rows = miss_rows(found)
    say(
        "  M        page cache off, warm/cold median ms: "
        + ", ".join(f"{r['page']} {r['reader']} {r['warm_ms']}/{r['cold_ms']}" for r in rows)
    )
    return rows


def miss_rows(found: dict) -> list[dict]:
    """probe.miss_path's {"page/reader": figures} as rows in MISS_PAGES order."""
    rows = []
    for name, figures in found.items():
        page, who = name.split("/", 1)
        rows.append({"page": page, "reader": who, **figures})
    return sorted(
        rows, key=lambda r: (MISS_PAGES.index(r["page"]), MISS_READERS.index(r["reader"]))
    )


def cache_memory(run, env, info, gunicorn) -> dict:
    """R: Redis memory for ``--fill-pages`` distinct cached pages, filled through
    HTTP (cachememory.py), under the server's own key prefix."""
    if not run.cache_url:
        return {"skipped": "no Redis: each worker caches in its own memory"}
    base_url = gunicorn.base_url
    last_pages = {
        thread["url"]: members.last_page_number(members.fetch(base_url + thread["url"]))
        for thread in info["big_threads"]
    }
    urls = cachememory.fill_urls(info, last_pages, run.args.fill_pages)
    figures = cachememory.measure(run.cache_url, env["CACHE_KEY_PREFIX"], base_url, urls)
    say(
        f"  R        {figures['requests']} pages fetched ({figures['stored']} stored), "
        f"{figures['page_keys']} new page keys, {_or_dash(figures['bytes_per_page'])} bytes "
        f"each ({_or_dash(figures['page_mb_per_1000'])} MB per 1,000); used_memory grew "
        f"{figures['used_memory_growth'] / 2**20:.1f} MB "
        f"({_or_dash(figures['growth_mb_per_1000'])} MB per 1,000 pages)"
    )
    return figures


def _or_dash(value):
    return "—" if value is None else f"{value:,}"


def page_plans(run, env, info, base_url, reader) -> dict:
    """P: PostgreSQL's plans for the SQL of the big thread's first and last pages,
    the board, the home page and the W5 member's "first unread" (with a read
    marker in the middle of the thread), page cache off (probe.page_plans); the
    plans go beside last-run.md too."""
    thread = info["big_threads"][-1]
    last = members.last_page_number(members.fetch(base_url + thread["url"]))
    pages = [
        {"name": "thread, page 1", "url": thread["url"]},
        {"name": f"thread, page {last}", "url": f"{thread['url']}?page={last}"},
        {"name": "board", "url": info["board"]},
        {"name": "home", "url": info["home"]},
        {"name": "first unread (member)", "url": thread["unread"], "cookie": reader.sessionid},
    ]
    prefix = f"{env['CACHE_KEY_PREFIX']}_p"
    try:
        found = server.probe(
            {**env, "CACHE_KEY_PREFIX": prefix},
            "page_plans",
            {"pages": pages, "marker": {"username": reader.username, "thread": thread["pk"]}},
        )
    finally:
        if run.cache_url:
            environment.delete_cache_keys(run.cache_url, prefix)
    for name, page in found.items():
        if page["status"] not in (200, 302):
            run.error(f"P: {name} ({page['url']}) answered {page['status']} in-process")
    out = run.args.out or REPO / report.OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    (out / "page-plans.txt").write_text(plans_text(found, info["comments"]))
    say(
        f"  P        plans on {info['comments']:,} comments: "
        + ", ".join(
            f"{name} {page['queries']} queries, {page['seq_scans']} seq scans"
            for name, page in found.items()
        )
    )
    return {"comments": info["comments"], "pages": found}


def plans_text(found: dict, comments: int) -> str:
    parts = [f"Plans of each page's SQL, {comments:,} comments, page cache off.\n"]
    for name, page in found.items():
        parts.append(f"=== {name} ({page['url']}): {page['queries']} queries ===\n")
        parts += [f"{plan['sql']}\n\n{plan['plan']}\n" for plan in page["plans"]]
    return "\n".join(parts)


def post_for(run, base_url, tag, folder, member_rows, targets, seconds) -> load.Load:
    """One wrk run of post.lua: ``member_rows`` posting into ``targets`` for
    ``seconds``, every response logged in ``folder``."""
    folder.mkdir(parents=True)
    plan = run.folder / f"post-plan-{tag}.tsv"
    load.write_plan(plan, tag=tag, log_folder=folder, members=member_rows, targets=targets)
    return load.write_load(
        base_url,
        plan,
        seconds=seconds,
        connections=run.args.connections,
        threads=run.args.threads,
    )


def check_posts(run, env, tags, logs, connections):
    """Every post acknowledged in ``logs`` stored once: (acknowledged ids, figures)."""
    acknowledged, other = [], 0
    for phase_folder in sorted(logs.iterdir()):
        ids, bad = load.acknowledged_posts(phase_folder)
        acknowledged += ids
        other += bad
    check = server.probe(env, "writes", {"tags": tags, "acknowledged": acknowledged})
    stored = sum(check[tag]["stored"] for tag in tags)
    duplicated = sum(check[tag]["duplicated"] for tag in tags)
    in_flight = stored - len(set(acknowledged)) + check["lost"]
    # Posts stored but never acknowledged can only be the ones in flight when wrk
    # stopped: at most one per connection per run.
    unexplained = max(0, in_flight - connections * len(tags))
    return acknowledged, {
        "stored": stored,
        "in_flight": in_flight,
        "lost": check["lost"] + check["acknowledged_twice"],
        "duplicated": duplicated + unexplained,
        "other": other,
    }


def write_workload(run, env, info, gunicorn, writers):
    """W7: warm-up posts, then the measured run; then check every post was stored once."""
    args = run.args
    base_url = gunicorn.base_url
    logs = run.folder / f"post-logs-{info['vendor']}"
    shutil.rmtree(logs, ignore_errors=True)
    member_rows = [(w.cookie_header, w.csrf_token) for w in writers]
    tags = []
    figures = None
    errors = 0
    for phase, seconds in (("warm", args.warmup), ("run", args.write_seconds)):
        if not seconds:
            continue
        tag = f"{run.prefix}{info['vendor'][:2]}{phase}"
        cpu = gunicorn.worker_cpu_seconds()
        figures = post_for(
            run, base_url, tag, logs / phase, member_rows, info["post_targets"], seconds
        )
        cpu = gunicorn.worker_cpu_seconds() - cpu
        tags.append(tag)
        errors += figures.errors
    acknowledged, check = check_posts(run, env, tags, logs, args.connections)
    run_acknowledged = figures.extra.get("acknowledged", 0)
    row = {
        "title": f"{args.connections} {TITLES['W7']}",
        **figures.as_dict(),
        "rate": round(run_acknowledged / figures.seconds, 1) if figures.seconds else 0,
        "cpu_ms": round(cpu * 1000 / max(figures.requests, 1), 2),
        "acknowledged": len(acknowledged),
        "stored": check["stored"],
        "in_flight": check["in_flight"],
        "lost": check["lost"],
        "duplicated": check["duplicated"],
        "errors": errors + max(0, check["other"] - errors),
    }
    say(
        f"  W7       {row['rate']:8.1f} comments/s  p50 {row['p50_ms']:7.1f} ms  "
        f"p99 {row['p99_ms']:7.1f} ms  {len(acknowledged):,} acknowledged, "
        f"{row['stored']:,} stored, {row['errors']} errors, {row['lost']} lost, "
        f"{row['duplicated']} duplicated"
    )
    report_post_errors(run, "W7", row)
    return row


def report_post_errors(run, key, row):
    """Posts refused, lost or stored twice fail the run."""
    if row["errors"]:
        run.error(f"{key}: {row['errors']} posts refused or failed")
    if row["lost"] or row["duplicated"]:
        run.error(f"{key}: {row['lost']} posts lost, {row['duplicated']} stored more than once")


def notify_workload(run, env, info, gunicorn, writers):
    """W8, W-notify: does posting slow down when the thread has followers, and how
    long does the worker take to deliver a post to them?

    1. Two new threads on an episode board, one followed by NOTIFY_FOLLOWERS
       members, one by nobody (probe notify_setup).
    2. The W7 members post into one, then the other, in ``--rounds`` alternating
       runs (the order swapped every round); each side's figure is the median of
       its runs. No task worker runs meanwhile: the posts' tasks wait in the queue,
       so the figures are the requests' own cost, not the worker's competing for
       the same CPUs. Every acknowledged post must be stored exactly once.
    3. The queue's backlog is dropped; ``notify_posts`` more posts go into the
       followed thread, one at a time; ``manage.py db_worker --batch`` (the
       production worker, run until the queue is empty) delivers them: lines for
       every follower, emails to those who want them, sent through the console
       backend. Worker time per post is the sum of every task's start-to-finish
       time divided by the posts (probe notify_check), and delivery is checked."""
    args = run.args
    base_url = gunicorn.base_url
    names = info["members"]
    setup = server.probe(
        env,
        "notify_setup",
        {
            "followers": NOTIFY_FOLLOWERS,
            "emailed": NOTIFY_EMAILED,
            "writers": [w.username for w in writers],
            "author": names[-2],
        },
    )
    logs = run.folder / f"notify-logs-{info['vendor']}"
    shutil.rmtree(logs, ignore_errors=True)
    member_rows = [(w.cookie_header, w.csrf_token) for w in writers]
    seconds = max(1.0, args.write_seconds / args.rounds)
    runs = {"with": [], "without": []}
    tags, errors = [], 0
    for number in range(args.rounds + (1 if args.warmup else 0)):
        warm = args.warmup and number == 0
        sides = ("with", "without") if number % 2 == 0 else ("without", "with")
        for side in sides:
            label = f"{'warm' if warm else number}-{side}"
            tag = f"{run.prefix}{info['vendor'][:2]}n{label}"
            cpu = gunicorn.worker_cpu_seconds()
            figures = post_for(
                run,
                base_url,
                tag,
                logs / label,
                member_rows,
                [setup[side]["path"]],
                args.warmup if warm else seconds,
            )
            cpu = gunicorn.worker_cpu_seconds() - cpu
            tags.append(tag)
            errors += figures.errors
            if warm:
                continue
            acknowledged = figures.extra.get("acknowledged", 0)
            runs[side].append(
                {
                    **figures.as_dict(),
                    "rate": round(acknowledged / figures.seconds, 1) if figures.seconds else 0,
                    "cpu_ms": round(cpu * 1000 / max(figures.requests, 1), 2),
                }
            )
    acknowledged, check = check_posts(run, env, tags, logs, args.connections)
    sides = {
        side: {
            "followers": setup[side]["followers"],
            "rate": round(median([r["rate"] for r in rows]), 1),
            "p50_ms": round(median([r["p50_ms"] for r in rows]), 2),
            "p99_ms": round(median([r["p99_ms"] for r in rows]), 2),
            "cpu_ms": round(median([r["cpu_ms"] for r in rows]), 2),
            "rounds": rows,
        }
        for side, rows in runs.items()
    }
    with_, without = sides["with"], sides["without"]
    row = {
        "title": TITLES["W8"],
        **sides,
        "ratio": round(with_["rate"] / without["rate"], 3) if without["rate"] else None,
        "acknowledged": len(acknowledged),
        **{k: check[k] for k in ("stored", "in_flight", "lost", "duplicated")},
        "errors": errors + max(0, check["other"] - errors),
        "worker": deliver(run, env, base_url, setup, writers[0]),
    }
    worker = row["worker"]
    say(
        f"  W8       {with_['rate']:8.1f} comments/s with {with_['followers']} followers, "
        f"{without['rate']:.1f} with {without['followers']} (ratio {row['ratio']}); "
        f"p50 {with_['p50_ms']:.1f} / {without['p50_ms']:.1f} ms; "
        f"{row['errors']} errors, {row['lost']} lost, {row['duplicated']} duplicated"
    )
    say(
        f"  W8 worker {worker['seconds_per_post']:.3f} s per post to {with_['followers']} "
        f"followers ({worker['posts']} posts, {worker['tasks_run']} tasks, slowest fan-out "
        f"{worker['fan_out_max_s']:.3f} s; process {worker['wall_s']:.1f} s wall, "
        f"{worker['cpu_s']:.1f} s CPU with start-up); {worker['lines']} lines, "
        f"{worker['emails_sent']} emails sent"
    )
    report_post_errors(run, "W8", row)
    for problem in worker["problems"]:
        run.error(f"W8 worker: {problem}")
    return row


def deliver(run, env, base_url, setup, poster):
    """Step 3 of W8: ``notify_posts`` posts into the followed thread, delivered by
    the worker from an empty queue; its time and what it delivered."""
    posts_wanted = run.args.notify_posts
    cleared = server.probe(env, "notify_clear")
    posts = [
        members.post_comment(
            base_url,
            setup["with"]["path"],
            poster,
            f"Delivery check {run.prefix}-{number}: the worker tells every follower.",
        )
        for number in range(posts_wanted)
    ]
    worker = server.drain_tasks(env, run.folder / "notify-worker.log")
    check = server.probe(
        env,
        "notify_check",
        {"thread": setup["with"]["pk"], "posts": posts, "last_email": cleared["last_email"]},
    )
    tasks = check["tasks"]
    task_seconds = sum(t["seconds"] for t in tasks.values())
    followers = setup["with"]["followers"]
    problems = []
    if worker["returncode"]:
        problems.append(f"db_worker exited with {worker['returncode']}")
    if check["unfinished"] or check["failed"]:
        problems.append(f"{check['unfinished']} tasks not run, failed: {check['failed']}")
    if check["lines"] != followers or check["line_counts"] != [posts_wanted]:
        problems.append(
            f"{check['lines']} lines for {followers} followers, counting "
            f"{check['line_counts']} posts (expected one line each, counting {posts_wanted})"
        )
    if check["comment_emails"] < NOTIFY_EMAILED * posts_wanted or check["emails_other"]:
        problems.append(
            f"{check['comment_emails']} emails written for {NOTIFY_EMAILED} followers x "
            f"{posts_wanted} posts, {check['emails_other']} not sent"
        )
    return {
        "posts": posts_wanted,
        "tasks": tasks,
        "tasks_run": sum(t["count"] for t in tasks.values()),
        "seconds_per_post": round(task_seconds / posts_wanted, 4),
        "fan_out_max_s": round(tasks.get("fan_out", {}).get("max_s", 0.0), 4),
        "wall_s": round(worker["wall_s"], 2),
        "cpu_s": round(worker["cpu_s"], 2),
        "lines": check["lines"],
        "comment_emails": check["comment_emails"],
        "emails_sent": check["emails_sent"],
        "deleted_backlog": cleared["deleted"],
        "problems": problems,
    }


def react_workload(run, env, info, gunicorn, writers):
    """W9, W-react: does reacting slow reading down, and is every reaction counted?

    The big thread's first page is read by ``--connections`` anonymous clients
    alone, then again while as many members react to its first REACT_COMMENTS
    top-level comments (each request a reaction not given before). The read
    figure with reactions is compared with the one without. Afterwards every
    acknowledged reaction (302) must be stored, none twice, each comment's stored
    total must equal its rows and the thread's their sum, and the counts on the
    first page, once REACTION_COUNTS_SECONDS have passed, must equal the
    database's."""
    args = run.args
    base_url = gunicorn.base_url
    thread = info["big_threads"][-1]
    page_url = base_url + thread["url"]
    plan = server.probe(
        env,
        "react_plan",
        {
            "thread": thread["pk"],
            "writers": [w.username for w in writers],
            "comments": REACT_COMMENTS,
        },
    )
    reactions = plan["reactions"]
    plan_file = run.folder / "react-plan.tsv"
    load.write_react_plan(
        plan_file,
        threads=args.threads,
        members=[(w.cookie_header, w.csrf_token) for w in writers],
        reactions=reactions,
    )
    options = {"connections": args.connections, "threads": args.threads}
    seconds = args.write_seconds
    if args.warmup:
        load.read_load(page_url, seconds=args.warmup, **options)
    alone = load.read_load(page_url, seconds=seconds, **options)
    cpu = gunicorn.worker_cpu_seconds()
    with ThreadPoolExecutor(max_workers=2) as pool:
        reading = pool.submit(load.read_load, page_url, seconds=seconds, **options)
        reacting = load.react_load(base_url, plan_file, seconds=seconds, **options)
        together = reading.result()
    cpu = gunicorn.worker_cpu_seconds() - cpu
    acknowledged = reacting.extra.get("acknowledged", 0)
    # Counts on cached pages may lag by REACTION_COUNTS_SECONDS (10 by default).
    time.sleep(11)
    html = members.fetch(page_url).decode()
    check = server.probe(env, "react_check", {"thread": thread["pk"]})
    # Totals: a comment gated for the reader shows its total alone.
    shown = members.reaction_totals(html)
    mismatched = sorted(
        pk
        for pk in set(shown) | set(check["page_counts"])
        if shown.get(pk, 0) != check["page_counts"].get(pk, 0)
    )
    stored = check["stored"] - plan["before"]
    sent = reacting.extra.get("sent", 0)
    row = {
        "title": f"{args.connections} members reacting, {args.connections} visitors reading",
        "read_alone": round(alone.rate, 1),
        "read_together": round(together.rate, 1),
        "read_ratio": round(together.rate / alone.rate, 3) if alone.rate else None,
        "read_p99_ms": together.p99_ms,
        "rate": round(acknowledged / reacting.seconds, 1) if reacting.seconds else 0,
        "p50_ms": reacting.p50_ms,
        "p99_ms": reacting.p99_ms,
        "cpu_ms": round(cpu * 1000 / max(reacting.requests + together.requests, 1), 2),
        "acknowledged": acknowledged,
        "stored": stored,
        "wrapped": sent > len(reactions),
        # A reaction acknowledged but not stored; stored ones beyond those
        # acknowledged are at most the requests in flight when wrk stopped.
        "lost": max(0, acknowledged - stored),
        "duplicated": check["duplicated"] + max(0, stored - acknowledged - args.connections),
        "drifted_comments": check["drifted_comments"],
        "thread_total_ok": check["thread_total"] == check["rows_in_thread"]
        and check["comment_totals"] == check["rows_in_thread"],
        "page_mismatches": len(mismatched),
        "errors": reacting.errors + together.errors + alone.errors,
    }
    say(
        f"  W9       reading {row['read_alone']:.1f} req/s alone, {row['read_together']:.1f} "
        f"while reacting (ratio {row['read_ratio']}); {row['rate']:.1f} reactions/s, p50 "
        f"{row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms; {acknowledged:,} acknowledged, "
        f"{stored:,} stored, {row['lost']} lost, {row['duplicated']} duplicated, "
        f"{row['drifted_comments']} totals off, {row['page_mismatches']} page counts off, "
        f"{row['errors']} errors"
    )
    if row["wrapped"]:
        run.error(f"W9: the plan of {len(reactions):,} reactions ran out ({sent:,} sent)")
    if row["errors"]:
        run.error(f"W9: {row['errors']} refused reactions, non-2xx reads or socket errors")
    if row["lost"] or row["duplicated"] or row["drifted_comments"] or not row["thread_total_ok"]:
        run.error(
            f"W9: {row['lost']} reactions lost, {row['duplicated']} doubled, "
            f"{row['drifted_comments']} comment totals off, thread total ok: "
            f"{row['thread_total_ok']}"
        )
    if row["page_mismatches"]:
        run.error(f"W9: {row['page_mismatches']} comments show counts the database does not have")
    return row


def search_workload(run, env, info, gunicorn, reader):
    """W10, W-search: each of SEARCH_QUERIES through gunicorn as the W5 member
    (progress W5_PROGRESS), one request at a time: a warm-up, then the timed
    ones (members.timed_fetch: a new connection each, as gunicorn's sync
    workers close them). Per search: the median and what it found; over all: p50 and p95. On
    PostgreSQL, the plans of three searches go to search-plans.txt."""
    repeats = 3 if run.args.quick else 15
    timings, searches = [], []
    for text in SEARCH_QUERIES:
        url = f"{gunicorn.base_url}/search/?{urlencode({'q': text})}"
        html = members.fetch(url, cookie=reader.cookie_header).decode()
        own = [members.timed_fetch(url, cookie=reader.cookie_header) for _ in range(repeats)]
        timings += own
        searches.append(
            {"q": text, "found": members.search_count(html), "p50_ms": round(median(own), 1)}
        )
    timings.sort()
    plans = server.probe(env, "search_plans", {"progress": W5_PROGRESS})
    if plans.get("text"):
        # Beside last-run.md: the temporary folder goes at the end of the run.
        out = run.args.out or REPO / report.OUT_DIR
        out.mkdir(parents=True, exist_ok=True)
        (out / "search-plans.txt").write_text(plans["text"])
    row = {
        "title": TITLES["W10"],
        "comments": info["comments"],
        "searches": searches,
        "requests": len(timings),
        "p50_ms": round(median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "max_ms": round(timings[-1], 1),
        "seq_scans": plans.get("seq_scans"),
        # A search answered with anything but 200 stops the run (members.fetch).
        "errors": 0,
    }
    say(
        f"  W10      {len(SEARCH_QUERIES)} searches on {info['comments']:,} comments: p50 "
        f"{row['p50_ms']} ms, p95 {row['p95_ms']} ms, max {row['max_ms']} ms"
    )
    return row


PREMIERE_FILLER = (
    " The premiere is live and this scene is everything I hoped for. The soundtrack is "
    "doing a lot of work here, and the quiet moments between the big scenes are my "
    "favourite part. Also, >!that reveal made me rewind twice!<.\n\n"
    "- the lighting in the night scenes\n- the hallway camera work\n"
    "- the music cue before the credits"
)
PREMIERE_PAGES = ("hot thread, first page", "hot thread, last page", "its board", "home page")


def premiere_body(tag, member, number):
    """Comment ``number`` of poster ``member``: tagged like W7's (probe.writes finds
    them by "Benchmark comment <tag>-"), so no two are alike."""
    return f"Benchmark comment {tag}-{member}-{number}.{PREMIERE_FILLER}"


def premiere_workload(run, env, info, gunicorn, writers):
    """W11, premiere night (the issue calls it "W8"; W8 here is W-notify): an
    episode airs and everyone is on its thread at once.

    PREMIERE_READERS anonymous visitors (wrk, premiere.lua) read the hot thread's
    first and last pages, its board and the home page in turn, while
    PREMIERE_POSTERS members each post a comment into the thread every second and,
    half a second after each, react to one of its newest comments
    (members.paced_writes), for ``--write-seconds``. The hot thread is the largest
    big thread (W1's); its last page moves as comments come in, and the readers
    follow it (premiere.lua). Posts make some of these pages stale (which ones is the page
    cache's business), so readers meet misses: the hit rate is counted from the
    X-Page-Cache header of every read. Afterwards every acknowledged post (its 302's
    comment id) must be stored once (probe.writes), like W7's."""
    args = run.args
    base_url = gunicorn.base_url
    thread = info["big_threads"][-1]
    last = members.last_page_number(members.fetch(base_url + thread["url"]))
    pages = [thread["url"], (thread["url"], last), thread["board"], info["home"]]
    plan_file = run.folder / f"premiere-pages-{info['vendor']}.tsv"
    load.write_pages_plan(plan_file, pages=pages)
    reading = {"connections": PREMIERE_READERS, "threads": args.threads}
    posters = writers[:PREMIERE_POSTERS]
    reactions = server.probe(
        env,
        "react_plan",
        {
            "thread": thread["pk"],
            "writers": [p.username for p in posters],
            "comments": PREMIERE_REACTED,
            "newest": True,
        },
    )["reactions"]
    if args.warmup:
        load.pages_load(base_url, plan_file, seconds=args.warmup, **reading)
    tag = f"{run.prefix}{info['vendor'][:2]}premiere"
    seconds = max(1, round(args.write_seconds))
    cpu = gunicorn.worker_cpu_seconds()
    start = time.monotonic() + 0.1
    with ThreadPoolExecutor(max_workers=len(posters) + 1) as pool:
        read_future = pool.submit(load.pages_load, base_url, plan_file, seconds=seconds, **reading)
        posting = [
            pool.submit(
                members.paced_writes,
                base_url,
                poster,
                # Spread over the second, so the posts arrive one by one.
                start=start + number / len(posters),
                seconds=seconds,
                post_path=thread["post"],
                body=functools.partial(premiere_body, tag, number),
                reactions=[(path, value) for path, line, value in reactions if line == number + 1],
            )
            for number, poster in enumerate(posters)
        ]
        writes = [write for future in posting for write in future.result()]
        reads = read_future.result()
    cpu = gunicorn.worker_cpu_seconds() - cpu
    acknowledged = members.posted_ids(writes)
    check = server.probe(env, "writes", {"tags": [tag], "acknowledged": acknowledged})
    row = premiere_row(reads, writes, check[tag], check, pages)
    row["cpu_ms"] = round(cpu * 1000 / max(reads.requests + len(writes), 1), 2)
    row["posters"] = len(posters)
    row["readers"] = PREMIERE_READERS
    row["seconds"] = seconds
    say(
        f"  W11      reading {row['read_rate']:.1f} req/s, p50 {row['read_p50_ms']:.1f} ms, "
        f"p99 {row['read_p99_ms']:.1f} ms, page cache hits {row['hit_rate']:.0%}; "
        f"{row['posts']['acknowledged']} comments and {row['reactions']['acknowledged']} "
        f"reactions by {len(posters)} members, write p99 {row['write_p99_ms']:.1f} ms; "
        f"{row['stored']} stored, {row['lost']} lost, {row['duplicated']} doubled, "
        f"{row['errors']} errors"
    )
    if row["errors"]:
        run.error(f"W11: {row['errors']} refused writes, non-2xx reads or socket errors")
    if row["lost"] or row["duplicated"]:
        run.error(f"W11: {row['lost']} comments lost, {row['duplicated']} stored more than once")
    return row


def premiere_row(reads: load.Load, writes, stored: dict, check: dict, pages) -> dict:
    """W11's figures from the readers' wrk run, the members' ``writes`` and the
    database's answer (probe.writes: ``stored`` for the run's tag, ``check`` for
    the acknowledged ids); ``pages`` as given to load.write_pages_plan. A post
    without an answer may still have been stored; any other post stored but not
    acknowledged counts as doubled."""
    counted = reads.extra.get("pages") or []
    per_page = []
    for number, page in enumerate(pages):
        found = counted[number] if number < len(counted) else {}
        path = page
        if isinstance(page, tuple):
            thread_path, first = page
            reached = reads.extra.get("last_page") or first
            path = f"{thread_path}?page={first}" + (f"…{reached}" if reached > first else "")
        per_page.append(
            {
                "name": PREMIERE_PAGES[number] if number < len(PREMIERE_PAGES) else path,
                "path": path,
                **{k: found.get(k, 0) for k in ("requests", "hit", "miss", "other")},
            }
        )
    unmatched = counted[len(pages)]["requests"] if len(counted) > len(pages) else 0
    hits = sum(p["hit"] for p in per_page)
    misses = sum(p["miss"] for p in per_page)
    by_kind = {}
    for kind in ("post", "react"):
        mine = [w for w in writes if w.kind == kind]
        by_kind[kind] = {
            "sent": len(mine),
            "acknowledged": sum(1 for w in mine if w.status == 302),
            "p50_ms": round(median([w.ms for w in mine]), 2),
            "p99_ms": round(percentile([w.ms for w in mine], 0.99), 2),
        }
    acknowledged = members.posted_ids(writes)
    unanswered = sum(1 for w in writes if w.kind == "post" and w.status == 0)
    refused = sum(1 for w in writes if w.status != 302) + (
        by_kind["post"]["acknowledged"] - len(acknowledged)
    )
    unacknowledged = stored["stored"] - (len(set(acknowledged)) - check["lost"])
    return {
        "title": TITLES["W11"],
        "read_requests": reads.requests,
        "read_rate": round(reads.rate, 1),
        "read_p50_ms": reads.p50_ms,
        "read_p99_ms": reads.p99_ms,
        "pages": per_page,
        "unmatched": unmatched,
        "hit_rate": round(hits / (hits + misses), 3) if hits + misses else 0.0,
        "posts": by_kind["post"],
        "reactions": by_kind["react"],
        "write_p50_ms": round(median([w.ms for w in writes]), 2),
        "write_p99_ms": round(percentile([w.ms for w in writes], 0.99), 2),
        "late_max_ms": max((w.late_ms for w in writes), default=0),
        "stored": stored["stored"],
        "lost": check["lost"] + check["acknowledged_twice"],
        "duplicated": stored["duplicated"] + max(0, unacknowledged - unanswered),
        "errors": reads.errors + refused,
    }


def log_in_members(run, info, base_url):
    """The W5 reader (the last demo member, progress set through the site's form)
    and one writer per connection for W7."""
    names = info["members"]
    reader_name = names[-1]
    count = run.args.connections
    if wanted(run.args, "W11"):
        count = max(count, PREMIERE_POSTERS)
    writer_names = [names[i % (len(names) - 1)] for i in range(count)]
    writer_names = list(dict.fromkeys(writer_names))

    def log_in(name):
        return members.log_in(base_url, info["login"], name, info["password"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        reader_future = pool.submit(log_in, reader_name)
        posting = any(wanted(run.args, key) for key in ("W7", "W8", "W9", "W11"))
        writers = list(pool.map(log_in, writer_names)) if posting else []
        reader = reader_future.result()
    members.set_progress(base_url, info["progress"], reader, W5_PROGRESS)
    return reader, writers


def bench_database(run, db):
    """Everything for one database: its section of the report."""
    args = run.args
    env = {**run.env, "DATABASE_URL": db.url, "CACHE_KEY_PREFIX": f"{run.prefix}_{db.vendor}"}
    cache = "LocMemCache (per worker)"
    if run.cache_url:
        cache = f"Redis {run.cache_url}, key prefix {env['CACHE_KEY_PREFIX']}"
    say(f"\n== {db.label} (cache: {cache})")
    result = {
        "label": db.label,
        "vendor": db.vendor,
        "cache": cache,
        "workloads": {},
        "nproc": os.cpu_count(),
        "load_before": environment.load_average(),
    }
    try:
        info = prepare(run, db, env)
        result.update(database=info["database"], shape=shape_text(info), django=info["django"])
        gunicorn = server.Gunicorn(
            env,
            run.folder,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.worker_threads,
        )
        gunicorn.start()
        try:
            say(f"  gunicorn on {gunicorn.base_url}, workers {gunicorn.workers()}")
            reader, writers = log_in_members(run, info, gunicorn.base_url)
            cold = cold_members(run, env) if wanted(args, "W5-cold") else None
            rows, scale, pages = read_workloads(run, info, gunicorn, reader, cold)
            result["workloads"] = rows
            result["scale"] = scale
            count_queries(run, env, info, rows, pages)
            if cold:
                count_cold_queries(run, env, info, rows, cold)
            if wanted(args, "M"):
                result["miss_path"] = miss_path(run, env, info, reader)
            if wanted(args, "R"):
                result["cache_memory"] = cache_memory(run, env, info, gunicorn)
            if db.vendor == "postgresql" and wanted(args, "P") and not args.million:
                result["plans"] = page_plans(run, env, info, gunicorn.base_url, reader)
            if wanted(args, "W7"):
                rows["W7"] = write_workload(run, env, info, gunicorn, writers)
            if wanted(args, "W8"):
                rows["W8"] = notify_workload(run, env, info, gunicorn, writers)
            if wanted(args, "W9"):
                rows["W9"] = react_workload(run, env, info, gunicorn, writers)
            if wanted(args, "W10"):
                rows["W10"] = search_workload(run, env, info, gunicorn, reader)
            if wanted(args, "W11"):
                rows["W11"] = premiere_workload(run, env, info, gunicorn, writers)
            result["memory"] = gunicorn.memory()
        except Exception:
            say(gunicorn.log_tail())
            raise
        finally:
            gunicorn.stop()
    except (server.StepFailed, members.SiteError, load.LoadError) as exc:
        run.error(f"{db.label}: {exc}")
    except Exception as exc:  # anything else (database server down, …): report, go on
        run.error(f"{db.label}: {exc.__class__.__name__}: {exc}")
    finally:
        result.setdefault("database", db.label)
        result.setdefault("shape", "not seeded")
        try:
            db.drop()
        except Exception as exc:
            run.error(f"dropping {db.scratch_name}: {exc}")
        if run.cache_url:
            environment.delete_cache_keys(run.cache_url, env["CACHE_KEY_PREFIX"])
    return result


def million_args(args):
    """--million's options: the same durations, the MILLION_WORKLOADS the run wants,
    and always the plans (P): on a million comments is where they matter."""
    chosen = {key for key in MILLION_WORKLOADS if wanted(args, key)} | {"P"}
    return argparse.Namespace(**{**vars(args), "only": chosen})


def million_seed_args(comments):
    """seed_demo's bulk: ``comments`` in threads of MILLION_COMMENTS_PER_THREAD + 1
    (the opening post) on General discussion."""
    return [
        "seed_demo",
        *("--seed", str(MILLION_SEED), "--members", str(SEED_MEMBERS)),
        *("--boards", "general", "--threads", str(comments // (MILLION_COMMENTS_PER_THREAD + 1))),
        *("--comments-per-thread", str(MILLION_COMMENTS_PER_THREAD)),
    ]


def bench_million(run, db) -> dict:
    """--million on PostgreSQL: a second scratch database (``db``, not created yet)
    with the standard shape plus the bulk comments; W1-W5 and W11 against it, with
    the same durations; the plans (P) there rather than on the standard shape."""
    args = million_args(run.args)
    big = run.with_args(args)
    size = run.args.million
    env = {**run.env, "DATABASE_URL": db.url, "CACHE_KEY_PREFIX": f"{run.prefix}_million"}
    say(f"\n== PostgreSQL with {size:,} more comments (--million)")
    result = {"size": size, "workloads": {}, "load_before": environment.load_average()}
    try:
        db.create()
        started = time.perf_counter()
        server.manage(env, "migrate", "--noinput", "-v", "0")
        server.manage(env, *seed_args(args.sizes))
        server.manage(env, *million_seed_args(size), timeout=3600)
        info = server.probe(env, "describe")
        result.update(comments=info["comments"], seed_s=round(time.perf_counter() - started))
        say(f"  migrated and seeded {info['comments']:,} comments in {result['seed_s']} s")
        gunicorn = server.Gunicorn(
            env,
            run.folder,
            workers=args.workers,
            worker_class=args.worker_class,
            threads=args.worker_threads,
        )
        gunicorn.start()
        try:
            reader, writers = log_in_members(big, info, gunicorn.base_url)
            rows, _scale, _pages = read_workloads(big, info, gunicorn, reader)
            result["workloads"] = rows
            if wanted(args, "W11"):
                rows["W11"] = premiere_workload(big, env, info, gunicorn, writers)
            if wanted(args, "P"):
                result["plans"] = page_plans(big, env, info, gunicorn.base_url, reader)
            result["memory"] = gunicorn.memory()
        except Exception:
            say(gunicorn.log_tail())
            raise
        finally:
            gunicorn.stop()
    except (server.StepFailed, members.SiteError, load.LoadError) as exc:
        run.error(f"--million: {exc}")
    except Exception as exc:
        run.error(f"--million: {exc.__class__.__name__}: {exc}")
    finally:
        try:
            db.drop()
        except Exception as exc:
            run.error(f"dropping {db.scratch_name}: {exc}")
        if run.cache_url:
            environment.delete_cache_keys(run.cache_url, env["CACHE_KEY_PREFIX"])
    return result


def profile(run):
    """cProfile of W1 (anonymous) in-process on a freshly seeded database, with the
    server's cache set-up: first with an empty cache for every request (a key prefix
    never used before: the full render), then with warm caches (what a request costs
    under load once pages are cached)."""
    db = databases(run.args, run.folder)[0 if run.args.db != "postgres" else -1]
    env = {
        **run.env,
        "DATABASE_URL": db.url,
        "CACHE_KEY_PREFIX": f"{run.prefix}_{db.vendor}_profile",
    }
    try:
        server.manage(env, "collectstatic", "--noinput", "-v", "0")
        info = prepare(run, db, env)
        largest = info["big_threads"][-1]
        answer = server.probe(
            env,
            "profile",
            {"url": largest["url"], "requests": run.args.profile_requests, "top": 30},
        )
    finally:
        db.drop()
        if run.cache_url:
            environment.delete_cache_keys(run.cache_url, env["CACHE_KEY_PREFIX"])
    cache = f"Redis {run.cache_url}" if run.cache_url else "LocMemCache"
    parts = [
        f"W1 profile: {db.label}, big thread of {largest['comments']:,} comments "
        f"({largest['url']}), {answer['requests']} requests each way, in-process (Django "
        f"test Client, DEBUG off, {cache}), {datetime.now(UTC):%Y-%m-%d %H:%M UTC}."
    ]
    for mode, title in (("miss", "an empty cache for every request"), ("warm", "warm cache")):
        result = answer[mode]
        parts.append(
            f"\n=== {title}: {result['ms_per_request']:.1f} ms per request under cProfile, "
            f"status {result['status']} ===\n\n{result['text']}"
        )
    text = "\n".join(parts)
    folder = run.args.out or REPO / report.OUT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profile-w1.txt").write_text(text)
    say(text)
    say(f"Written to {folder / 'profile-w1.txt'}")
    return 0 if all(answer[mode]["status"] == 200 for mode in ("miss", "warm")) else 1


def _stop(signum, frame):
    # Unwind through every finally: gunicorn stopped, scratch database dropped.
    raise SystemExit(128 + signum)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if argv is None:
        signal.signal(signal.SIGTERM, _stop)
    if not args.profile and not load.wrk_path():
        print(load.WRK_INSTALL_HINT, file=sys.stderr)
        return 2
    run = Run(args)
    try:
        if args.profile:
            return profile(run)
        started = datetime.now(UTC)
        t0 = time.perf_counter()
        say(f"Benchmark ({'quick' if args.quick else 'full'}), temporary folder {run.folder}")
        say(f"Cache: {'Redis ' + run.cache_url if run.cache_url else 'LocMemCache (no Redis)'}")
        server.manage(run.env, "collectstatic", "--noinput", "-v", "0")
        results = []
        for db in databases(args, run.folder):
            db_started = time.perf_counter()
            results.append(bench_database(run, db))
            results[-1]["elapsed_s"] = round(time.perf_counter() - db_started)
            say(f"  {db.label} done in {results[-1]['elapsed_s']} s")
            if args.million and db.vendor != "postgresql":
                results[-1]["million"] = {"skipped": f"not run on {db.label} (PostgreSQL only)"}
                say(f"  --million: skipped on {db.label} (PostgreSQL only)")
            elif args.million:
                db_started = time.perf_counter()
                url = os.environ["DATABASE_URL"]
                results[-1]["million"] = bench_million(run, environment.postgres_database(url))
                results[-1]["million"]["elapsed_s"] = round(time.perf_counter() - db_started)
                say(f"  --million done in {results[-1]['million']['elapsed_s']} s")
        workers = f"{args.workers} {args.worker_class or 'sync'} workers"
        if args.worker_threads:
            workers += f" x {args.worker_threads} threads"
        if args.max_requests is not None:
            workers += f", max_requests {args.max_requests}"
        summary = {
            "started": started.strftime("%Y-%m-%d %H:%M UTC"),
            "quick": args.quick,
            "machine": environment.machine(),
            "server": (
                f"{workers}, DEBUG off, WhiteNoise with collected static files, "
                "RATE_LIMITS_ENABLED=0, access log to a file"
            ),
            "load": (
                f"wrk -t{args.threads} -c{args.connections} on the same machine, "
                f"{args.warmup:g} s warm-up, then {args.seconds:g} s per read workload in "
                f"{args.rounds} interleaved round(s) (median reported), "
                f"W7 {args.write_seconds:g} s, W8 {args.write_seconds:g} s per side, "
                f"W9 {args.write_seconds:g} s alone and {args.write_seconds:g} s with reactions, "
                f"W5-cold {args.cold_members} members per round (wrk -t1 -c{args.connections}), "
                f"W11 {PREMIERE_READERS} "
                f"readers and {PREMIERE_POSTERS} members writing for {args.write_seconds:g} s; "
                f"M {args.miss_requests} timed in-process requests per page (cold: "
                f"{max(5, args.miss_requests // 3)}); R {args.fill_pages} pages filled"
                + (
                    f"; --million: {args.million:,} more comments on PostgreSQL"
                    if args.million
                    else ""
                )
            ),
            "django": next((r["django"] for r in results if "django" in r), "?"),
            "results": results,
            "errors": run.errors,
        }
        text = report.render(summary)
        path = report.write(summary, text, args.out or REPO / report.OUT_DIR)
        say("\n" + text)
        say(f"Written to {path} (and last-run.json). Total time {time.perf_counter() - t0:.0f} s.")
        if run.errors:
            say(f"\n{len(run.errors)} error(s):")
            for error in run.errors:
                say(f"- {error}")
            return 1
        return 0
    finally:
        run.cleanup()
