"""The benchmark harness's own logic: parsing wrk, matching posts, targets, report.

No server and no wrk here (see test_quick_run.py for the real thing)."""

import json
import time

import pytest
import requests

from tests.benchmarks import environment, load, members, report, run, targets


def wrk_output(**overrides):
    data = {
        "requests": 1200,
        "duration_us": 4_000_000,
        "bytes": 10_000,
        "not_2xx": 0,
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0},
        "latency_us": {"p50": 12_500, "p90": 20_000, "p99": 45_000, "max": 60_000, "mean": 13.0},
    }
    data.update(overrides)
    return "Running 4s test @ http://127.0.0.1/\n...\nBENCH_JSON " + json.dumps(data) + "\n"


def test_wrk_figures_come_from_the_scripts_summary_line():
    figures = load.parse_wrk_output(wrk_output())

    assert figures.rate == 300
    assert (figures.p50_ms, figures.p99_ms) == (12.5, 45.0)
    assert figures.errors == 0


def test_unexpected_statuses_and_socket_errors_count_as_errors():
    errors = {"connect": 1, "read": 0, "write": 0, "status": 0, "timeout": 2}

    figures = load.parse_wrk_output(wrk_output(not_2xx=4, errors=errors))

    assert figures.errors == 7


def test_wrk_output_without_the_summary_is_an_error():
    with pytest.raises(load.LoadError, match="no BENCH_JSON"):
        load.parse_wrk_output("Running 4s test\nconnection refused\n")


def test_acknowledged_posts_are_read_from_the_302_locations(tmp_path):
    (tmp_path / "post-1.log").write_text(
        "302 /comments/10/\n302 /comments/11/?reveal=c11.0123456789abcdef\n"
    )
    (tmp_path / "post-2.log").write_text("302 /comments/12/\n429 -\n200 -\n")

    ids, other = load.acknowledged_posts(tmp_path)

    assert sorted(ids) == [10, 11, 12]
    assert other == 2


def test_the_post_plan_lists_tag_members_and_targets(tmp_path):
    plan = tmp_path / "plan.tsv"

    load.write_plan(
        plan,
        tag="t1",
        log_folder=tmp_path,
        members=[("sessionid=a; csrftoken=b", "b")],
        targets=["/comments/new/thread/1/"],
    )

    assert plan.read_text().splitlines() == [
        "tag\tt1",
        f"log\t{tmp_path}",
        "member\tsessionid=a; csrftoken=b\tb",
        "target\t/comments/new/thread/1/",
    ]


def test_the_last_page_is_the_highest_page_link():
    html = b'<a href="?page=2">2</a> <a href="/threads/1/?page=131#c">131</a> <a href="?page=3">'

    assert members.last_page_number(html) == 131
    assert members.last_page_number(b"<p>no pagination</p>") == 1


@pytest.fixture
def tiny_server():
    """A local HTTP server answering GETs 200 on /ok and 404 elsewhere, and POSTs
    302; it keeps what it was sent (path, cookie, form)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Cookie")))
            self.send_response(200 if self.path.startswith("/ok") else 404)
            self.end_headers()
            self.wfile.write(b"body")

        def do_POST(self):
            form = self.rfile.read(int(self.headers["Content-Length"])).decode()
            seen.append((self.path, self.headers.get("Cookie"), form))
            self.send_response(302)
            self.send_header("Location", "/comments/1/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()


def test_a_timed_fetch_sends_the_cookie_and_fails_on_anything_but_200(tiny_server):
    base, seen = tiny_server
    took = members.timed_fetch(f"{base}/ok?q=%EC%98%A8", cookie="sessionid=x")
    assert took > 0
    assert seen == [("/ok?q=%EC%98%A8", "sessionid=x")]
    with pytest.raises(members.SiteError):
        members.timed_fetch(f"{base}/missing")


def test_a_postgres_scratch_database_keeps_server_and_credentials_but_not_the_name():
    db = environment.postgres_database("postgres://bench:secret@db.example:5433/test")

    assert db.scratch_name.startswith("fansite_bench_")
    assert db.url == f"postgres://bench:secret@db.example:5433/{db.scratch_name}"
    assert db.admin_url == "postgres://bench:secret@db.example:5433/postgres"


def test_postgres_urls_are_recognised():
    assert environment.is_postgres_url("postgresql://u@h/db")
    assert not environment.is_postgres_url("sqlite:///var/db.sqlite3")
    assert not environment.is_postgres_url("")


def row(rate, p50=10.0, queries=5, cold=6):
    return {
        "title": "t",
        "rate": rate,
        "p50_ms": p50,
        "p99_ms": p50 * 3,
        "queries": queries,
        "queries_cold": cold,
        "bytes": 100,
        "spread": 0.02,
    }


def notify_row(rate_with=190.0, rate_without=200.0, seconds_per_post=0.5, problems=()):
    def side(followers, rate):
        return {
            "followers": followers,
            "rate": rate,
            "p50_ms": 80.0,
            "p99_ms": 200.0,
            "cpu_ms": 9.0,
            "rounds": [],
        }

    return {
        "title": "W-notify",
        "with": side(500, rate_with),
        "without": side(0, rate_without),
        "ratio": round(rate_with / rate_without, 3),
        "acknowledged": 4000,
        "stored": 4016,
        "in_flight": 16,
        "lost": 0,
        "duplicated": 0,
        "errors": 0,
        "worker": {
            "posts": 20,
            "tasks": {"fan_out": {"count": 20, "seconds": 2.4, "max_s": 0.15}},
            "tasks_run": 20,
            "seconds_per_post": seconds_per_post,
            "fan_out_max_s": 0.15,
            "wall_s": 4.0,
            "cpu_s": 3.5,
            "lines": 500,
            "comment_emails": 1020,
            "emails_sent": 1020,
            "problems": list(problems),
        },
    }


def result(**changes):
    workloads = {
        "W0": row(1000, queries=0, cold=0),
        "W1": row(600),
        "W2": row(550, p50=11.0),
        "W3": row(450),
        "W4": row(700),
        "W5": row(520),  # issue 18: 50% of W0
        "W6": row(800),
        "W7": {
            "title": "writes",
            "rate": 250.0,
            "p50_ms": 40.0,
            "p99_ms": 90.0,
            "errors": 0,
            "lost": 0,
            "duplicated": 0,
            "acknowledged": 5000,
            "stored": 5016,
            "in_flight": 16,
            "seconds": 20.0,
        },
        "W8": notify_row(),
    }
    data = {
        "label": "PostgreSQL",
        "vendor": "postgresql",
        "database": "PostgreSQL 15",
        "cache": "Redis",
        "shape": "shape",
        "workloads": workloads,
        "scale": {
            "100": {"W1": row(620, p50=9.5), "W2": row(600, p50=9.5)},
            "10000": {"W1": workloads["W1"], "W2": workloads["W2"]},
        },
        "memory": {"workers": {"1": 80.0, "2": 82.0}, "workers_seen": 2, "max_mb": 82.0},
    }
    data.update(changes)
    return data


def verdicts(data):
    return {(c.workload, c.target): c.passed for c in targets.check_all(data)}


def test_every_target_passes_on_good_figures():
    assert all(verdicts(result()).values())


def test_a_slow_page_a_query_heavy_page_and_a_fat_worker_fail_their_targets():
    data = result()
    data["workloads"]["W1"] = row(400, queries=12)
    data["memory"]["max_mb"] = 180.0

    found = verdicts(data)

    assert found[("W1", "≥ 50% of W0 req/s")] is False
    assert found[("W1", "≤ 10 queries")] is False
    assert found[("workers", "peak RSS ≤ 150 MB each")] is False
    assert found[("W3", "≥ 40% of W0 req/s")] is True


def test_queries_must_not_grow_with_the_thread():
    data = result()
    data["scale"]["10000"]["W2"] = row(550, p50=11.0, cold=9)

    found = verdicts(data)

    assert found[("W2", "same queries at every size (cache miss/warm)")] is False
    assert found[("W1", "same queries at every size (cache miss/warm)")] is True


def test_writes_have_a_floor_per_database_and_no_losses():
    sqlite = result(vendor="sqlite")
    sqlite["workloads"]["W7"]["rate"] = 150.0
    sqlite["workloads"]["W7"]["lost"] = 1

    found = verdicts(sqlite)

    assert found[("W7", "≥ 100 comments/s")] is True
    assert found[("W7", "0 lost or duplicated posts")] is False


def test_posting_with_followers_must_keep_up_and_the_worker_deliver_in_time():
    slow = result()
    slow["workloads"]["W8"] = notify_row(rate_with=170.0, seconds_per_post=2.5)
    lost = result()
    lost["workloads"]["W8"] = notify_row(problems=["499 lines for 500 followers"])
    lost["workloads"]["W8"]["duplicated"] = 1

    found, missing = verdicts(slow), verdicts(lost)

    ratio = "comments/s with 500 followers ≥ 90% of with none"
    worker = "worker ≤ 2 s per post to 500 followers"
    assert found[("W8", ratio)] is False
    assert found[("W8", worker)] is False
    assert verdicts(result())[("W8", ratio)] is True
    assert missing[("W8", "every follower notified once per post")] is False
    assert missing[("W8", "0 errors, lost or duplicated posts")] is False
    assert missing[("W8", worker)] is True


def test_the_report_has_a_row_per_workload_and_the_verdicts():
    summary = {
        "started": "2026-11-26 02:00 UTC",
        "quick": False,
        "machine": {
            "nproc": 2,
            "cpu": "CPU",
            "ram_gb": 8,
            "kernel": "6",
            "python": "3.13",
            "gunicorn": "27",
            "wrk": "wrk 4.1",
        },
        "server": "2 sync workers",
        "load": "wrk",
        "results": [result()],
    }

    text = report.render(summary)

    for key in ("W0", "W1", "W2", "W3", "W4", "W5", "W6", "W7"):
        assert f"| {key} " in text
    assert "≥ 50% of W0 req/s: PASS" in text
    assert "0 lost or duplicated posts: PASS" in text
    assert "| followed | 500 | 190 " in text
    assert "| not followed | 0 | 200 " in text
    assert "worker ≤ 2 s per post to 500 followers: PASS" in text


def test_without_wrk_the_benchmark_says_so_and_fails(monkeypatch, capsys):
    monkeypatch.setattr(load, "wrk_path", lambda: None)

    assert run.main(["--quick"]) == 2
    assert "apt-get install -y wrk" in capsys.readouterr().err


def test_only_names_workloads_whatever_their_case():
    args = run.parse_args(["--only", "w0,W5-cold,w11"])

    assert run.wanted(args, "W5-cold")
    assert run.wanted(args, "W11")
    assert not run.wanted(args, "W5")


def test_the_cold_plan_lists_one_cookie_per_member(tmp_path):
    plan = tmp_path / "cold.tsv"

    load.write_cold_plan(plan, cookies=["sessionid=a; csrftoken=x", "sessionid=b; csrftoken=y"])

    assert plan.read_text().splitlines() == [
        "cookie\tsessionid=a; csrftoken=x",
        "cookie\tsessionid=b; csrftoken=y",
    ]


def test_a_cold_run_takes_its_duration_and_members_from_the_script():
    figures = load.parse_wrk_output(
        wrk_output(duration_us=2_000_000, requests=500, members=500, reused=0)
    )

    assert figures.rate == 250
    assert figures.extra["members"] == 500
    assert figures.extra["reused"] == 0


def test_the_pages_plan_lists_the_pages_in_turn(tmp_path):
    plan = tmp_path / "pages.tsv"

    load.write_pages_plan(plan, pages=["/threads/1/", ("/threads/1/", 7), "/"])

    assert plan.read_text().splitlines() == [
        "page\t/threads/1/",
        "last\t/threads/1/\t7",
        "page\t/",
    ]


def test_percentiles_are_nearest_rank():
    values = list(range(1, 201))

    assert run.percentile(values, 0.99) == 198
    assert run.percentile(values, 0.5) == 100
    assert run.percentile([], 0.99) == 0.0


def write(kind="post", status=302, location="/comments/7/", ms=20.0):
    return members.Write(kind, status, location, ms, 0)


def test_acknowledged_posts_are_the_302s_to_a_comment():
    writes = [
        write(location="/comments/7/"),
        write(location="/comments/8/?reveal=c8.abc"),
        write(status=200, location=""),
        write(kind="react", location="/threads/1/#comment-9"),
        write(location="/accounts/login/"),
    ]

    assert members.posted_ids(writes) == [7, 8]


def premiere_reads(pages=None, **overrides):
    counted = pages or [
        {"requests": 100, "hit": 90, "miss": 10, "other": 0},
        {"requests": 100, "hit": 70, "miss": 30, "other": 0},
        {"requests": 100, "hit": 80, "miss": 20, "other": 0},
        {"requests": 100, "hit": 100, "miss": 0, "other": 0},
        {"requests": 0, "hit": 0, "miss": 0, "other": 0},
    ]
    return load.parse_wrk_output(wrk_output(requests=400, pages=counted, **overrides))


PAGES = ["/threads/9/", ("/threads/9/", 4), "/boards/general/", "/"]


def test_the_premiere_hit_rate_counts_cacheable_reads_per_page_and_overall():
    writes = [write(location=f"/comments/{n}/") for n in range(10)]

    found = run.premiere_row(
        premiere_reads(),
        writes,
        {"stored": 10, "duplicated": 0},
        {"lost": 0, "acknowledged_twice": 0},
        PAGES,
    )

    assert found["hit_rate"] == 0.85
    assert [p["hit"] for p in found["pages"]] == [90, 70, 80, 100]
    assert found["pages"][1]["path"] == "/threads/9/?page=4"
    moved = run.premiere_row(
        premiere_reads(last_page=6),
        writes,
        {"stored": 10, "duplicated": 0},
        {"lost": 0, "acknowledged_twice": 0},
        PAGES,
    )
    assert moved["pages"][1]["path"] == "/threads/9/?page=4…6"
    assert found["read_rate"] == 100
    assert (found["lost"], found["duplicated"], found["errors"]) == (0, 0, 0)


def test_premiere_posts_stored_without_an_acknowledgement_count_as_doubled():
    writes = [write(location="/comments/1/"), write(location="/comments/2/")]
    writes.append(write(status=0, location=""))  # no answer: may have been stored

    once_more = run.premiere_row(
        premiere_reads(),
        writes,
        {"stored": 3, "duplicated": 0},
        {"lost": 0, "acknowledged_twice": 0},
        PAGES,
    )
    twice = run.premiere_row(
        premiere_reads(),
        writes[:2],
        {"stored": 3, "duplicated": 1},
        {"lost": 0, "acknowledged_twice": 0},
        PAGES,
    )

    assert (once_more["duplicated"], once_more["errors"]) == (0, 1)
    assert twice["duplicated"] == 2


def test_premiere_posts_acknowledged_but_not_stored_are_lost_and_refusals_are_errors():
    writes = [
        write(location="/comments/1/"),
        write(location="/comments/2/"),
        write(kind="react", status=403, location=""),
    ]

    found = run.premiere_row(
        premiere_reads(not_2xx=2),
        writes,
        {"stored": 1, "duplicated": 0},
        {"lost": 1, "acknowledged_twice": 0},
        PAGES,
    )

    assert found["lost"] == 1
    assert found["duplicated"] == 0
    assert found["errors"] == 3
    assert found["reactions"] == {"sent": 1, "acknowledged": 0, "p50_ms": 20.0, "p99_ms": 20.0}


def premiere_row(read_rate=500.0, read_p99=80.0, write_p99=150.0, **changes):
    reads = premiere_reads()
    writes = [write(ms=write_p99, location=f"/comments/{n}/") for n in range(3)]
    found = run.premiere_row(
        reads,
        writes,
        {"stored": 3, "duplicated": 0},
        {"lost": 0, "acknowledged_twice": 0},
        PAGES,
    )
    found.update(read_rate=read_rate, read_p99_ms=read_p99, readers=32, posters=8, seconds=20)
    found.update(changes)
    return found


def test_premiere_targets_are_shares_of_w0_and_latencies():
    good, slow = result(), result()
    good["workloads"]["W11"] = premiere_row()
    slow["workloads"]["W11"] = premiere_row(read_rate=300.0, read_p99=120.0, write_p99=250.0)
    slow["workloads"]["W11"]["duplicated"] = 1

    passed, failed = verdicts(good), verdicts(slow)

    names = [
        "reads ≥ 40% of W0 req/s",
        "read p99 ≤ 100 ms",
        "write p99 ≤ 200 ms",
        "0 lost or doubled comments",
    ]
    assert all(passed[("W11", name)] for name in [*names, "0 errors"])
    assert not any(failed[("W11", name)] for name in names)
    assert failed[("W11", "0 errors")] is True


def test_cold_members_are_judged_by_their_share_of_w0_only():
    data = result()
    data["workloads"]["W5-cold"] = row(240, queries=5, cold=14)

    found = verdicts(data)

    assert found[("W5-cold", "≥ 25% of W0 req/s")] is False
    assert ("W5-cold", "≤ 10 queries") not in found
    data["workloads"]["W5-cold"] = row(260)
    assert verdicts(data)[("W5-cold", "≥ 25% of W0 req/s")] is True


def test_the_report_has_the_cold_row_and_the_premiere_table():
    data = result()
    data["workloads"]["W5-cold"] = row(260)
    data["workloads"]["W11"] = premiere_row()
    summary = {
        "started": "2026-12-04 02:00 UTC",
        "quick": False,
        "machine": {
            "nproc": 2,
            "cpu": "CPU",
            "ram_gb": 8,
            "kernel": "6",
            "python": "3.13",
            "gunicorn": "27",
            "wrk": "wrk 4.1",
        },
        "server": "2 sync workers",
        "load": "wrk",
        "results": [data],
    }

    text = report.render(summary)

    assert "| W5-cold t | 260 |" in text
    assert "| 26% | ≥ 25% of W0 req/s: PASS |" in text
    assert "32 visitors read 500 req/s (50% of W0;" in text
    assert "page cache hit rate 85%" in text
    assert "| hot thread, last page (`/threads/9/?page=4`) | 100 | 70 | 30 | 0 | 70% |" in text
    assert "reads ≥ 40% of W0 req/s: PASS · read p99 ≤ 100 ms: PASS" in text
    assert "0 lost or doubled comments: PASS" in text
    assert "| W11 " not in text


def test_a_paced_member_posts_then_reacts_half_a_second_later(tiny_server):
    base, seen = tiny_server
    member = members.Member("demo_01", requests.Session())
    member.session.cookies.set("sessionid", "s1")
    member.session.cookies.set("csrftoken", "t1")
    started = time.monotonic()

    writes = members.paced_writes(
        base,
        member,
        start=started,
        seconds=1,
        post_path="/ok/post/",
        body=lambda number: f"comment {number}",
        reactions=[("/ok/react/1/", "like:on")],
    )

    assert [w.kind for w in writes] == ["post", "react"]
    assert time.monotonic() - started >= 0.5
    posted, reacted = seen[-2], seen[-1]
    assert posted[0] == "/ok/post/"
    assert posted[1] == "sessionid=s1; csrftoken=t1"
    assert "body=comment+0" in posted[2]
    assert "csrfmiddlewaretoken=t1" in posted[2]
    assert reacted[0] == "/ok/react/1/"
    assert "react=like%3Aon" in reacted[2]
