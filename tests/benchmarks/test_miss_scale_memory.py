"""Issue 18's additions to the harness: the miss path (M), the million-comment
scale run (--million) with its plans (P), and memory (worker RSS, Redis per
cached page, R). Their options, targets and report; no server and no wrk."""

import os
import subprocess
import sys

from tests.benchmarks import cachememory, report, run, server, targets
from tests.benchmarks.test_harness import result, row, verdicts

MACHINE = {
    "nproc": 2,
    "cpu": "CPU",
    "ram_gb": 8,
    "kernel": "6",
    "python": "3.13",
    "gunicorn": "27",
    "wrk": "wrk 4.1",
}


def render(data, quick=False):
    summary = {
        "started": "2026-12-04 02:00 UTC",
        "quick": quick,
        "machine": MACHINE,
        "server": "2 sync workers",
        "load": "wrk",
        "results": [data],
    }
    return report.render(summary)


def miss_rows(thread=3.5, board=1.5, home=1.8, member_thread=None):
    found = {}
    for page, ms in (("thread", thread), ("board", board), ("home", home)):
        for who in ("visitor", "member"):
            warm = member_thread if (page, who) == ("thread", "member") and member_thread else ms
            found[f"{page}/{who}"] = {
                "url": f"/{page}/",
                "warm_ms": warm,
                "warm_min_ms": warm - 0.2,
                "cold_ms": warm * 4,
            }
    return run.miss_rows(found)


def test_million_is_off_unless_asked_and_takes_an_optional_size():
    assert run.parse_args([]).million is None
    assert run.parse_args(["--quick"]).million is None
    assert run.parse_args(["--million"]).million == 1_000_000
    assert run.parse_args(["--million", "100000", "--quick"]).million == 100_000


def test_quick_mode_times_fewer_requests_and_fills_fewer_pages():
    quick, full = run.parse_args(["--quick"]), run.parse_args([])

    assert (quick.miss_requests, quick.fill_pages) == (5, 30)
    assert (full.miss_requests, full.fill_pages) == (30, 300)


def test_the_million_seed_puts_99_comments_under_each_opening_post():
    args = run.million_seed_args(100_000)

    assert args[args.index("--threads") + 1] == "1000"
    assert args[args.index("--comments-per-thread") + 1] == "99"
    assert args[args.index("--seed") + 1] == "9"
    assert args[args.index("--boards") + 1] == "general"


def test_the_million_run_keeps_the_wanted_workloads_it_knows_and_always_the_plans():
    every = run.million_args(run.parse_args(["--million"]))
    some = run.million_args(run.parse_args(["--million", "--only", "W0,W1,W7,W11"]))

    assert every.only == {"W1", "W2", "W3", "W4", "W5", "W11", "P"}
    assert some.only == {"W1", "W11", "P"}
    assert some.seconds == run.parse_args([]).seconds


def test_miss_path_rows_come_in_page_then_reader_order():
    rows = miss_rows()

    assert [(r["page"], r["reader"]) for r in rows] == [
        ("thread", "visitor"),
        ("thread", "member"),
        ("board", "visitor"),
        ("board", "member"),
        ("home", "visitor"),
        ("home", "member"),
    ]


def test_the_thread_page_may_take_4_ms_to_render_and_board_and_home_2():
    data = result(miss_path=miss_rows(member_thread=4.5, board=2.1))

    found = verdicts(data)

    assert found[("M", "thread (visitor) warm median ≤ 4 ms")] is True
    assert found[("M", "thread (member) warm median ≤ 4 ms")] is False
    assert found[("M", "board (visitor) warm median ≤ 2 ms")] is False
    assert found[("M", "home (member) warm median ≤ 2 ms")] is True


def test_the_report_tabulates_the_miss_path_with_its_verdicts():
    text = render(result(miss_path=miss_rows(home=2.5)))

    assert "| thread (`/thread/`) | visitor | 3.50 | 3.30 | 14.00 | ≤ 4 ms: PASS |" in text
    assert "| home (`/home/`) | member | 2.50 | 2.30 | 10.00 | ≤ 2 ms: FAIL |" in text


def plans(**seq_scans):
    pages = {
        name: {"url": f"/{name}/", "status": 200, "queries": 5, "explained": 4, "seq_scans": n}
        for name, n in seq_scans.items()
    }
    for page in pages.values():
        page.update(execution_ms=1.25, plans=[])
    return {"comments": 1_012_203, "pages": pages}


def test_a_sequential_scan_of_comments_on_any_page_fails_and_names_it():
    clean = verdicts(result(plans=plans(thread=0, home=0)))
    scanning = result(plans=plans(thread=0, home=2))

    assert clean[("plans", "no sequential scan of comments")] is True
    [check] = [c for c in targets.check_all(scanning) if c.workload == "plans"]
    assert (check.passed, check.actual) == (False, "home")
    assert "| home (`/home/`) | 5 | 4 | yes | 1.25 |" in render(scanning)


def million(w1_p50=11.0, w1_rate=560.0, **extra):
    return {
        "size": 1_000_000,
        "comments": 1_012_203,
        "seed_s": 230,
        "workloads": {
            "W1": row(w1_rate, p50=w1_p50),
            "W3": row(450),
            "W11": {"read_p50_ms": 30.0, "read_rate": 380.0},
        },
        **extra,
    }


def test_a_million_comments_may_cost_a_quarter_more_latency_and_a_fifth_less_throughput():
    data = result(million=million(plans=plans(thread=0)))
    data["workloads"]["W11"] = {"read_p50_ms": 25.0, "read_rate": 500.0}

    found = verdicts(data)

    assert found[("1M W1", "p50 ≤ 1.25x the standard shape's (ratio)")] is True
    assert found[("1M W1", "req/s ≥ the standard shape's / 1.25 (ratio)")] is True
    assert found[("1M W11", "p50 ≤ 1.25x the standard shape's (ratio)")] is True
    assert found[("1M W11", "req/s ≥ the standard shape's / 1.25 (ratio)")] is False
    assert found[("1M plans", "no sequential scan of comments")] is True
    slow = verdicts(result(million=million(w1_p50=12.6)))
    assert slow[("1M W1", "p50 ≤ 1.25x the standard shape's (ratio)")] is False


def test_only_workloads_run_at_both_sizes_are_compared():
    data = result(million=million())
    data["workloads"].pop("W3")

    assert [r["workload"] for r in targets.million_comparison(data)] == ["W1"]


def test_the_report_puts_both_sizes_side_by_side():
    text = render(result(million=million(memory={"max_mb": 90.0, "max_rss_mb": 88.0})))

    assert "With 1,000,000 more comments (--million; 1,012,203 in all" in text
    assert "| W1 | 10.0 | 11.0 | 1.10 | 600 | 560 | 0.93 | p50 ≤ 1.25x" in text
    assert "at most 88 MB" in text


def test_sampled_worker_memory_has_its_target_too():
    data = result()
    data["memory"].update(max_rss_mb=151.0, samples=40, interval_s=0.25)

    found = verdicts(data)

    assert found[("workers", "sampled VmRSS ≤ 150 MB each")] is False
    assert "(40 samples) at most 151 MB" in render(data)


def test_the_sampler_reads_the_resident_memory_of_every_child():
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(10)"],
        stdout=subprocess.PIPE,
    )
    try:
        child.stdout.readline()  # started: Python is resident
        sampler = server.MemorySampler(os.getpid())
        sampler.sample()
    finally:
        child.kill()
        child.wait()

    assert sampler.rss_kb[child.pid] > 1000
    assert sampler.peaks_kb[child.pid] >= sampler.rss_kb[child.pid]
    assert sampler.samples == 1


def test_the_fill_takes_every_page_of_the_big_threads_largest_first_then_threads():
    info = {
        "big_threads": [{"url": "/threads/1/"}, {"url": "/threads/2/"}],
        "thread_urls": ["/threads/5/", "/threads/6/"],
    }
    last_pages = {"/threads/1/": 2, "/threads/2/": 3}

    urls = cachememory.fill_urls(info, last_pages, 6)

    assert urls == [
        "/threads/2/",
        "/threads/2/?page=2",
        "/threads/2/?page=3",
        "/threads/1/",
        "/threads/1/?page=2",
        "/threads/5/",
    ]


class FakeRedis:
    def __init__(self, sizes):
        self.sizes = sizes

    def memory_usage(self, key):
        return self.sizes[key]


def test_new_keys_are_weighed_by_kind_and_pages_priced_per_thousand():
    prefix = "fansite_bench_ab_postgresql:1:"
    client = FakeRedis(
        {
            f"{prefix}page:aa".encode(): 60_000,
            f"{prefix}page:bb".encode(): 64_000,
            f"{prefix}card:cc".encode(): 1_500,
            f"{prefix}pagegen:thread:1".encode(): 100,
        }
    )

    kinds = cachememory.weigh_keys(client, client.sizes)
    figures = cachememory.summarise(
        1_000_000, 1_000_000 + 2 * 2**20, {"requests": 2, "stored": 2}, kinds
    )

    assert kinds["page"] == {"keys": 2, "bytes": 124_000}
    assert kinds["card"]["keys"] == kinds["pagegen"]["keys"] == 1
    assert figures["bytes_per_page"] == 62_000
    assert figures["page_mb_per_1000"] == round(62_000 * 1000 / 2**20, 2)
    assert figures["growth_mb_per_1000"] == 1000.0


def test_the_report_says_how_redis_memory_was_counted_or_why_not():
    figures = cachememory.summarise(
        0,
        2**20,
        {"requests": 30, "stored": 28, "cached": 2, "other": 0},
        {"page": {"keys": 28, "bytes": 28 * 65_000}},
    )
    figures.update(redis="redis://127.0.0.1:6379/14", prefix="fansite_bench_ab_postgresql")

    text = render(result(cache_memory=figures))
    skipped = render(result(cache_memory={"skipped": "no Redis"}))

    assert "prefix `fansite_bench_ab_postgresql` on redis://127.0.0.1:6379/14" in text
    assert "65,000 bytes each on average" in text
    assert "**61.99 MB per 1,000 pages**" in text
    assert "Redis memory for cached pages (R): not measured (no Redis)." in skipped


def test_the_sizes_are_named_shortly():
    assert [targets.size_label(n) for n in (1_000_000, 100_000, 12_345)] == [
        "1M",
        "100k",
        "12,345",
    ]


def test_on_sqlite_the_million_run_is_skipped_with_a_line_saying_so():
    data = result(vendor="sqlite", million={"skipped": "not run on SQLite (PostgreSQL only)"})

    assert "--million: not run on SQLite (PostgreSQL only)" in render(data)
    assert not [c for c in targets.check_all(data) if c.workload.startswith("1M")]
