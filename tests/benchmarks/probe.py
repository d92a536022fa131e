"""The benchmark's in-process side: runs inside Django, in a child process.

    python -m tests.benchmarks.probe <action> < request.json > answer.json

The harness (run.py) starts it with exactly the environment it gives gunicorn
(same database, cache, DEBUG off), so what it reads and counts is what the
server sees. Actions:

``describe``  the seeded shape: URLs of every workload, big threads by size,
              posting targets, versions.
``queries``   SQL queries per request: each URL fetched twice with Django's test
              Client inside CaptureQueriesContext, after a request to an unmeasured
              page (``prime``) has filled site-wide cached data: the first count is
              the page's cache miss, the second the warm request.
``writes``    W7's check: the posts stored for a run tag, duplicates, and
              acknowledged posts (ids from the 302 Location headers) not stored.
``profile``   cProfile over repeated requests of one URL, with caches emptied
              before each request and with warm caches; the top of each.
"""

import cProfile
import io
import json
import os
import pstats
import sys
import time


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fansite.settings")
    import django

    django.setup()


def _client(cookie=None):
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    if cookie:
        from django.conf import settings

        client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    return client


def describe(request):
    import sqlite3

    import django
    from django.conf import settings
    from django.db import connection
    from django.urls import reverse

    from fansite.articles.models import Article
    from fansite.ops.management.commands.seed_demo import (
        BIG_THREAD_TITLE,
        DEMO_PASSWORD,
        DEMO_PREFIX,
    )
    from fansite.threads.models import Board, Thread
    from fansite.users.models import User

    demo_threads = Thread.objects.filter(author__username__startswith=DEMO_PREFIX)
    big = demo_threads.filter(title=BIG_THREAD_TITLE, board__kind=Board.Kind.GENERAL)
    regular = demo_threads.exclude(pk__in=big.values("pk")).order_by("pk")
    board = Board.objects.filter(kind=Board.Kind.EPISODE).order_by("episode").first()
    article = Article.objects.published().order_by("published_at", "pk").first()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db_version = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            db_version = f"SQLite {sqlite3.sqlite_version}"
    return {
        "django": django.get_version(),
        "database": db_version,
        "vendor": connection.vendor,
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "comments_per_page": settings.COMMENTS_PER_PAGE,
        "home": reverse("articles:article_list"),
        "board_list": reverse("threads:board_list"),
        "login": reverse("account_login"),
        "progress": reverse("spoilers:progress_update"),
        "board": board.get_absolute_url() if board else None,
        "board_threads": board.thread_count if board else 0,
        "article": article.get_absolute_url() if article else None,
        "big_threads": [
            {"pk": t.pk, "comments": t.reply_count, "url": t.get_absolute_url()}
            for t in big.order_by("reply_count")
        ],
        "regular_threads": regular.count(),
        "members": list(
            User.objects.filter(username__startswith=DEMO_PREFIX)
            .order_by("username")
            .values_list("username", flat=True)
        ),
        "password": DEMO_PASSWORD,
        "post_targets": [
            reverse("comments:comment_create", kwargs={"kind": "thread", "pk": pk})
            for pk in regular.values_list("pk", flat=True)
        ],
    }


def queries(request):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Site-wide cached data (the episode list, a member's session) is warm on any
    # running site: fill it through a page that is not measured, once per reader.
    for cookie in {item.get("cookie") for item in request["pages"]}:
        _client(cookie).get(request["prime"])
    results = {}
    for item in request["pages"]:
        client = _client(item.get("cookie"))
        captures = []
        for _attempt in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(item["url"])
            captures.append([query["sql"][:400] for query in captured.captured_queries])
        results[item["key"]] = {
            "status": response.status_code,
            "queries": len(captures[1]),
            "queries_cold": len(captures[0]),
            "bytes": len(response.content),
            "sql_cold": captures[0],
            "sql": captures[1],
        }
    return results


def writes(request):
    from django.db.models import Count

    from fansite.comments.models import Comment

    answer = {}
    for tag in request["tags"]:
        marker = f"Benchmark comment {tag}-"
        stored = Comment.objects.filter(body__startswith=marker)
        answer[tag] = {
            "stored": stored.count(),
            "duplicated": stored.values("body").annotate(n=Count("pk")).filter(n__gt=1).count(),
        }
    acknowledged = request["acknowledged"]
    markers = tuple(f"Benchmark comment {tag}-" for tag in request["tags"])
    found = {
        pk
        for pk, body in Comment.objects.filter(pk__in=acknowledged).values_list("pk", "body")
        if body.startswith(markers)
    }
    answer["lost"] = len(set(acknowledged) - found)
    answer["acknowledged_twice"] = len(acknowledged) - len(set(acknowledged))
    return answer


def _use_key_prefix(prefix):
    """Point every cache at keys under ``prefix``: a prefix never used before is an
    empty cache, without deleting anything anyone else stored."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.key_prefix = prefix


def _short_paths(text):
    """File names relative to the repository or to site-packages, to keep lines short."""
    import sysconfig
    from pathlib import Path

    repo = str(Path(__file__).resolve().parents[2]) + "/"
    site = sysconfig.get_paths()["purelib"] + "/"
    return text.replace(site, "").replace(repo, "")


def profile(request):
    """cProfile over ``requests`` GETs of ``url``, once with every cache emptied before
    each request (the full render), once with warm caches (steady state)."""
    from django.conf import settings

    client = _client(request.get("cookie"))
    answer = {"requests": request["requests"]}
    base_prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    for mode in ("miss", "warm"):
        _use_key_prefix(base_prefix)
        for _warm in range(3):
            response = client.get(request["url"])
        profiler = cProfile.Profile()
        elapsed = 0.0
        for number in range(request["requests"]):
            if mode == "miss":
                _use_key_prefix(f"{base_prefix}_miss{number}")
            started = time.perf_counter()
            profiler.enable()
            response = client.get(request["url"])
            profiler.disable()
            elapsed += time.perf_counter() - started
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        top = request["top"]
        out.write(f"--- project code (fansite/), by cumulative time (top {top}) ---\n")
        stats.sort_stats("cumulative").print_stats(r"/fansite/", top)
        out.write(f"--- everything, by own time (top {top}) ---\n")
        stats.sort_stats("tottime").print_stats(top)
        answer[mode] = {
            "status": response.status_code,
            "ms_per_request": elapsed * 1000 / request["requests"],
            "text": _short_paths(out.getvalue()),
        }
    return answer


ACTIONS = {"describe": describe, "queries": queries, "writes": writes, "profile": profile}


def main(argv):
    if len(argv) != 2 or argv[1] not in ACTIONS:
        print(f"usage: python -m tests.benchmarks.probe {{{','.join(ACTIONS)}}}", file=sys.stderr)
        return 2
    request = json.loads(sys.stdin.read() or "{}")
    _setup()
    answer = ACTIONS[argv[1]](request)
    # The last line of stdout is the answer, whatever else was printed.
    sys.stdout.write("\n" + json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
