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
``notify_setup``  W8's two threads on an episode board, one followed by many
              members (some of whom want an email for every new comment), one by
              nobody; the posting members stop following what they post in.
``notify_clear``  drop the task queue's backlog (the tasks W7 and W8's load queued
              with no worker running), so the worker measure starts empty.
``notify_check``  after the worker: each task's time in the worker, and what the
              posts delivered (lines, emails).
``react_plan``    W9's reactions to give: every (member, comment, kind) of the
              ``writers`` and the first top-level comments of a thread, none of
              them the member's own, the comment varying fastest.
``react_check``   after W9: the reactions stored, duplicates, comments whose
              stored total differs from their rows, the thread's total, and the
              counts of the thread's first page as the database has them.
``cold_members``  W5-cold's members: new, with a reading progress, logged in
              (sessions made here, not through the login form), never having
              opened a thread; their Cookie headers.
``cold_queries``  W5-cold's queries: a member's first visit to a page, with the
              page cached by another member and not cached.
``miss_path``     render times of pages with the page cache off (misspath.py).
``page_plans``    PostgreSQL's plans for the SQL the thread, board, home and
              "first unread" pages really run, and whether any scans comments
              sequentially.
"""

import cProfile
import io
import json
import os
import pstats
import sys
import time

from . import misspath


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
    from fansite.comments.models import Comment
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
        "comments": Comment.objects.count(),
        "home": reverse("articles:article_list"),
        "board_list": reverse("threads:board_list"),
        "login": reverse("account_login"),
        "progress": reverse("spoilers:progress_update"),
        "board": board.get_absolute_url() if board else None,
        "board_threads": board.thread_count if board else 0,
        "article": article.get_absolute_url() if article else None,
        "big_threads": [
            {
                "pk": t.pk,
                "comments": t.reply_count,
                "url": t.get_absolute_url(),
                "board": t.board.get_absolute_url(),
                "post": reverse("comments:comment_create", kwargs={"kind": "thread", "pk": t.pk}),
                "unread": reverse("threads:thread_unread", kwargs={"pk": t.pk}),
            }
            for t in big.select_related("board").order_by("reply_count")
        ],
        "regular_threads": regular.filter(board__kind=Board.Kind.EPISODE).count(),
        # The Redis fill's pages (cachememory.py).
        "thread_urls": [
            t.get_absolute_url() for t in regular.filter(board__kind=Board.Kind.EPISODE)
        ],
        # W10's, on General discussion (run.prepare).
        "search_threads": regular.filter(board__kind=Board.Kind.GENERAL).count(),
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
    # The reaction kinds too (read once per process): the prime page shows none.
    from fansite.reactions.state import enabled_kinds

    enabled_kinds()
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


FOLLOWER_PREFIX = "bench-follower-"


def notify_setup(request):
    """Two fresh threads on the first episode board by ``author``: one followed by
    ``followers`` new members (verified addresses; the first ``emailed`` of them
    want an email at once for every new comment), one followed by nobody. The
    ``writers`` stop following threads they post in, so the second stays at none."""
    from datetime import timedelta

    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.urls import reverse
    from django.utils import timezone

    from fansite.comments.services import start_thread
    from fansite.emails.models import EmailMode, EmailPreference, NotificationKind
    from fansite.notifications.models import Follow
    from fansite.notifications.services import set_follow_threads_posted_in
    from fansite.threads.models import Board
    from fansite.users.models import User

    board = Board.objects.filter(kind=Board.Kind.EPISODE).order_by("episode").first()
    author = User.objects.get(username=request["author"])
    # Demo members joined when the seed ran: "new members" may start only two threads
    # a day, and the seed's history can already hold two of theirs from the last day.
    author.date_joined = timezone.now() - timedelta(days=365)
    author.save(update_fields=["date_joined"])
    threads = {}
    for key, title in (("with", "W-notify: followed"), ("without", "W-notify: not followed")):
        threads[key] = start_thread(
            board=board,
            author=author,
            title=title,
            body=f"{title}. Benchmark thread: every comment here notifies its followers.",
        )
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(
                username=f"{FOLLOWER_PREFIX}{number:04}",
                email=f"{FOLLOWER_PREFIX}{number:04}@example.com",
                password=password,
                watched_up_to=number % 13,
            )
            for number in range(request["followers"])
        ]
    )
    followers = list(User.objects.filter(username__startswith=FOLLOWER_PREFIX).order_by("pk"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=f, email=f.email, verified=True, primary=True) for f in followers]
    )
    Follow.objects.filter(thread__in=threads.values()).delete()
    Follow.objects.bulk_create([Follow(member=f, thread=threads["with"]) for f in followers])
    EmailPreference.objects.bulk_create(
        [
            EmailPreference(member=f, kind=NotificationKind.NEW_COMMENT, mode=EmailMode.IMMEDIATE)
            for f in followers[: request["emailed"]]
        ]
    )
    for writer in User.objects.filter(username__in=request["writers"]):
        set_follow_threads_posted_in(member=writer, value=False)
    return {
        key: {
            "pk": thread.pk,
            "path": reverse("comments:comment_create", kwargs={"kind": "thread", "pk": thread.pk}),
            "followers": thread.follows.active().count(),
        }
        for key, thread in threads.items()
    }


def notify_clear(request):
    from django.db.models import Max
    from django_tasks_db.models import DBTaskResult

    from fansite.emails.models import Email

    deleted, _ = DBTaskResult.objects.filter(status="READY").delete()
    last_email = Email.objects.aggregate(last=Max("pk"))["last"] or 0
    return {"deleted": deleted, "last_email": last_email}


def notify_check(request):
    """What the worker did for ``posts`` (comment pks) in ``thread``: every task's
    time from start to finish, by task; the lines the followers got; the emails
    queued after ``last_email`` (notify_clear's answer)."""
    from collections import defaultdict

    from django_tasks_db.models import DBTaskResult

    from fansite.emails.models import Email
    from fansite.notifications.models import CommentEmail, Notification

    tasks = defaultdict(lambda: {"count": 0, "seconds": 0.0, "max_s": 0.0})
    unfinished = 0
    failed = []
    for row in DBTaskResult.objects.all():
        if row.status in ("READY", "RUNNING"):
            unfinished += 1
            continue
        if row.status != "SUCCESSFUL":
            failed.append(f"{row.task_path}: {row.exception_class_path}")
            continue
        name = row.task_path.rsplit(".", 1)[-1]
        took = (row.finished_at - row.started_at).total_seconds()
        tasks[name]["count"] += 1
        tasks[name]["seconds"] += took
        tasks[name]["max_s"] = max(tasks[name]["max_s"], took)
    posts = request["posts"]
    lines = Notification.objects.filter(
        thread_id=request["thread"], recipient__username__startswith=FOLLOWER_PREFIX
    )
    counts = sorted(set(lines.values_list("count", flat=True)))
    emails = Email.objects.filter(pk__gt=request["last_email"])
    return {
        "tasks": dict(tasks),
        "unfinished": unfinished,
        "failed": failed,
        "lines": lines.count(),
        "line_counts": counts,
        "comment_emails": CommentEmail.objects.filter(comment_id__in=posts).count(),
        "emails_sent": emails.filter(status=Email.Status.SENT).count(),
        "emails_other": emails.exclude(status=Email.Status.SENT).count(),
    }


def react_plan(request):
    from django.urls import reverse

    from fansite.comments.models import Comment
    from fansite.reactions.models import Reaction, ReactionKind
    from fansite.users.models import User

    writers = {u.username: u.pk for u in User.objects.filter(username__in=request["writers"])}
    # W9 reacts to the oldest comments; W11 (premiere) to the newest, the ones
    # its readers see on the last page.
    order = "-pk" if request.get("newest") else "pk"
    comments = list(
        Comment.objects.filter(thread_id=request["thread"], parent__isnull=True)
        .order_by(order)
        .values_list("pk", "author_id")[: request["comments"]]
    )
    kinds = list(ReactionKind.objects.enabled().values_list("slug", flat=True))
    plan = []
    for kind in kinds:
        for line, username in enumerate(request["writers"], start=1):
            member_pk = writers[username]
            for comment_pk, author_pk in comments:
                if author_pk != member_pk:
                    path = reverse("reactions:react", args=[comment_pk])
                    plan.append([path, line, f"{kind}:on"])
    return {"reactions": plan, "before": Reaction.objects.count()}


def react_check(request):
    from django.db.models import Count, Sum

    from fansite.comments.models import Comment
    from fansite.comments.selectors import comment_page
    from fansite.reactions.models import Reaction, ReactionKind
    from fansite.threads.models import Thread

    thread = Thread.objects.get(pk=request["thread"])
    rows = Reaction.objects.filter(comment__thread=thread)
    duplicated = (
        rows.values("comment", "member", "kind").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    counted = dict(rows.values_list("comment").annotate(n=Count("pk")).order_by())
    drift = [
        pk
        for pk, total in Comment.objects.filter(thread=thread).values_list("pk", "reaction_total")
        if total != counted.get(pk, 0)
    ]
    stored_total = Comment.objects.filter(thread=thread).aggregate(n=Sum("reaction_total"))["n"]
    page = comment_page(target=thread)
    shown = [c.pk for top in page.page_obj.object_list for c in (top, *top.reply_list)]
    enabled = set(ReactionKind.objects.enabled().values_list("pk", flat=True))
    on_page = {
        str(pk): total
        for pk, by_kind in Reaction.objects.counts_for(shown).items()
        if (total := sum(n for kind, n in by_kind.items() if kind in enabled))
    }
    return {
        "stored": Reaction.objects.count(),
        "duplicated": duplicated,
        "drifted_comments": len(drift),
        "thread_total": thread.reaction_total,
        "rows_in_thread": rows.count(),
        "comment_totals": stored_total or 0,
        "page_counts": on_page,
    }


COLD_PREFIX = "bench-cold-"


def cold_members(request):
    """W5-cold's members: ``count`` new members who have watched up to
    ``progress`` and have never opened a thread, each logged in: a session
    holding what ``django.contrib.auth.login`` stores, saved through the site's
    session engine (so a cached one is cached, as after a real login), and a
    CSRF cookie. Logging them in through the form would hash a password each.
    Their Cookie headers, in order."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from fansite.users.models import User

    password = make_password(None)
    now = timezone.now()
    start = User.objects.filter(username__startswith=COLD_PREFIX).count()
    names = [f"{COLD_PREFIX}{start + number:05}" for number in range(request["count"])]
    User.objects.bulk_create(
        [
            User(
                username=name,
                email=f"{name}@example.com",
                password=password,
                watched_up_to=request["progress"],
                progress_chosen_at=now,
            )
            for name in names
        ]
    )
    engine = import_module(settings.SESSION_ENGINE)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    answer = []
    with transaction.atomic():
        for user in User.objects.filter(username__in=names).order_by("username"):
            session = engine.SessionStore()
            session[SESSION_KEY] = user._meta.pk.value_to_string(user)
            session[BACKEND_SESSION_KEY] = backend
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
            answer.append(
                {
                    "username": user.username,
                    "sessionid": session.session_key,
                    "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                    f"{settings.CSRF_COOKIE_NAME}={csrf}",
                }
            )
    return {"members": answer}


def cold_queries(request):
    """Queries of a member's first visit to ``url``, counted as W5-cold's load
    meets it: ``warm``, the page already cached by another member's visit; and
    ``miss``, the page not cached. ``sessions``: three members who have never
    opened it (the first only opens it for the second). Each mode has a cache
    key prefix of its own; each member first fetches ``prime`` (an unmeasured
    page), as in ``queries``, so their session is cached."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    opener, warm_member, miss_member = request["sessions"]
    base_prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    found = {}
    # The miss first: this process's own copies of pages and cards start empty.
    for mode, first, member in (("miss", None, miss_member), ("warm", opener, warm_member)):
        _use_key_prefix(f"{base_prefix}_cold_{mode}")
        _client().get(request["prime"])
        for cookie in filter(None, (first, member)):
            _client(cookie).get(request["prime"])
        if first:
            _client(first).get(request["url"])
        with CaptureQueriesContext(connection) as captured:
            response = _client(member).get(request["url"])
        found[mode] = {
            "status": response.status_code,
            "sql": [query["sql"][:400] for query in captured.captured_queries],
        }
    return {
        "status": max(found["warm"]["status"], found["miss"]["status"]),
        "queries": len(found["warm"]["sql"]),
        "queries_cold": len(found["miss"]["sql"]),
        "sql": found["warm"]["sql"],
        "sql_cold": found["miss"]["sql"],
    }


def search_plans(request):
    """PostgreSQL's plans for the queries of five searches (a common word, a Korean
    name, a phrase, words whose older matches come from the full-text index, an
    exclusion), and how many of them scan comments or the index's documents
    sequentially (a plan a search never runs, "never executed", counts too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fansite.search.selectors import search

    if connection.vendor != "postgresql":
        return {"text": "", "seq_scans": None}
    parts, seq_scans = [], 0
    for text in ("scene", "온조", '"second watch"', "Cheong-san 옥상", "hallway -camera"):
        with CaptureQueriesContext(connection) as captured:
            list(search(text, progress=request["progress"]).page_obj.object_list)
        for query in captured.captured_queries:
            sql = query["sql"]
            with connection.cursor() as cursor:
                # A read is sent with the planner settings it is planned with
                # (fansite.search.selectors._rows): explained with them too.
                head, found, rest = sql.partition("enable_seqscan = off; ")
                if found:
                    body = rest.rsplit("; RESET enable_seqscan", 1)[0]
                    cursor.execute(
                        f"{head}{found}EXPLAIN (ANALYZE, COSTS OFF) {body}; RESET enable_seqscan"
                    )
                    cursor.nextset()
                    shown = body
                else:
                    cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
                    shown = sql
                plan = "\n".join(row[0] for row in cursor.fetchall())
            seq_scans += plan.count("Seq Scan on comments_comment")
            seq_scans += plan.count("Seq Scan on search_document")
            parts.append(f"-- {text}\n{shown[:300]}…\n\n{plan}\n")
    return {"text": "\n".join(parts), "seq_scans": seq_scans}


def miss_path(request):
    """misspath.measure for ``pages`` ({name: [url, session cookie or None]})."""
    pages = {name: tuple(page) for name, page in request["pages"].items()}
    return misspath.measure(
        pages, requests=request["requests"], client_for=_client, use_prefix=_use_key_prefix
    )


SEQ_SCAN_OF_COMMENTS = "Seq Scan on comments_comment"


def page_plans(request):
    """The plans of every SELECT each of ``pages`` ([{name, url, cookie}]) runs, with
    the page cache off and a cache of its own (a fresh key prefix from the harness),
    so each page does all its reading. ``marker``: {username, thread} gives that
    member a read marker in the middle of the thread first (for "first unread").
    EXPLAIN ANALYZE: each query costs what it costs the page, milliseconds."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        return {"skipped": f"plans are PostgreSQL's; this is {connection.vendor}"}
    marker = request.get("marker")
    if marker:
        _mark_middle(marker["username"], marker["thread"])
    settings.PAGE_CACHE_SECONDS = 0
    answer = {}
    for page in request["pages"]:
        with CaptureQueriesContext(connection) as captured:
            response = _client(page.get("cookie")).get(page["url"])
        plans = [_explain(connection, q["sql"]) for q in captured.captured_queries]
        plans = [plan for plan in plans if plan]
        answer[page["name"]] = {
            "url": page["url"],
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "explained": len(plans),
            "seq_scans": sum(p["plan"].count(SEQ_SCAN_OF_COMMENTS) for p in plans),
            "execution_ms": round(sum(p["execution_ms"] for p in plans), 2),
            "plans": plans,
        }
    return answer


def _mark_middle(username, thread_pk):
    """``username`` has read ``thread_pk`` up to its middle comment."""
    from fansite.comments.models import Comment
    from fansite.threads.models import ThreadRead
    from fansite.users.models import User

    ids = Comment.objects.filter(thread_id=thread_pk).order_by("pk").values_list("pk", flat=True)
    middle = ids[ids.count() // 2]
    ThreadRead.objects.update_or_create(
        member=User.objects.get(username=username),
        thread_id=thread_pk,
        defaults={"last_seen_comment_id": middle},
    )


def _explain(connection, sql):
    """{"sql", "plan", "execution_ms"} for a read; None for anything else (a write,
    a savepoint), which is not run again."""
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return None
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    execution = 0.0
    for line in plan.splitlines():
        if line.startswith("Execution Time:"):
            execution = float(line.split()[2])
    return {"sql": sql[:1000], "plan": plan, "execution_ms": execution}


ACTIONS = {
    "search_plans": search_plans,
    "miss_path": miss_path,
    "page_plans": page_plans,
    "describe": describe,
    "queries": queries,
    "writes": writes,
    "profile": profile,
    "notify_setup": notify_setup,
    "notify_clear": notify_clear,
    "notify_check": notify_check,
    "react_plan": react_plan,
    "react_check": react_check,
    "cold_members": cold_members,
    "cold_queries": cold_queries,
}


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
