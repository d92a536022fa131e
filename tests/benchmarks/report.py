"""The benchmark's report: a Markdown table per database, printed and written to
var/bench/last-run.md, with every figure in var/bench/last-run.json."""

from __future__ import annotations

import json
from pathlib import Path

from .targets import MISS_PATH_MS, check_all, million_comparison, size_label

OUT_DIR = Path("var") / "bench"


def _num(value, digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _verdicts(checks, workload):
    return " · ".join(
        f"{c.target}: {c.verdict}"
        for c in checks
        if c.workload == workload and not c.target.startswith(("p50 at", "same queries"))
    )


def database_section(result: dict) -> str:
    checks = check_all(result)
    rows = result["workloads"]
    ceiling = rows.get("W0", {}).get("rate")
    lines = [
        f"### {result['label']} — {result['database']}, cache: {result['cache']}",
        "",
        f"Seeded: {result['shape']}",
        "",
        f"Load average (1 min) before the run: {_num(result.get('load_before'), 2)}"
        + (
            " — other processes were busy on this machine: expect noisy figures."
            if busy(result)
            else "."
        ),
        "",
        "| Workload | req/s | ± | p50 ms | p99 ms | CPU ms/req | SQL miss/warm | HTML bytes "
        "| % of W0 | Targets |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for key, row in rows.items():
        if key in ("W7", "W8", "W9", "W10", "W11"):
            continue
        pct = f"{row['rate'] / ceiling:.0%}" if ceiling else "—"
        spread = f"{row['spread']:.0%}" if len(row.get("rounds", [])) > 1 else "—"
        queries = f"{_num(row.get('queries_cold'))}/{_num(row.get('queries'))}"
        lines.append(
            f"| {key} {row['title']} | {_num(row['rate'])} | {spread} "
            f"| {_num(row['p50_ms'], 1)} | {_num(row['p99_ms'], 1)} "
            f"| {_num(row.get('cpu_ms'), 2)} | {queries} "
            f"| {_num(row.get('bytes'))} | {pct} | {_verdicts(checks, key) or '—'} |"
        )
    writes = rows.get("W7")
    if writes:
        lines.append(
            f"| W7 {writes['title']} | {_num(writes['rate'])} comments/s | — "
            f"| {_num(writes['p50_ms'], 1)} | {_num(writes['p99_ms'], 1)} "
            f"| {_num(writes.get('cpu_ms'), 2)} | — | — | — "
            f"| {_verdicts(checks, 'W7')} |"
        )
        lines += [
            "",
            f"W7: {writes['acknowledged']:,} posts acknowledged (302) in "
            f"{writes['seconds']:.1f} s, {writes['stored']:,} stored "
            f"({writes['in_flight']} still in flight when wrk stopped), "
            f"{writes['errors']} errors, {writes['lost']} lost, "
            f"{writes['duplicated']} duplicated.",
        ]
    notify = rows.get("W8")
    if notify:
        lines += ["", *notify_lines(notify, checks)]
    react = rows.get("W9")
    if react:
        lines += ["", *react_lines(react, checks)]
    found = rows.get("W10")
    if found:
        lines += ["", *search_lines(found, checks)]
    premiere = rows.get("W11")
    if premiere:
        lines += ["", *premiere_lines(premiere, checks, ceiling)]
    scale = [c for c in checks if c.target.startswith(("p50 at", "same queries"))]
    if scale:
        lines += ["", "Scale series (big thread at " + sizes_text(result) + " comments):", ""]
        lines += [f"- {c.workload} {c.target}: {c.actual} — {c.verdict}" for c in scale]
    if result.get("miss_path"):
        lines += ["", *miss_path_lines(result["miss_path"], checks)]
    if result.get("cache_memory"):
        lines += ["", *cache_memory_lines(result["cache_memory"])]
    if result.get("plans"):
        lines += ["", *plan_lines(result["plans"], checks, "plans")]
    lines += ["", memory_line(result.get("memory", {}), checks, "workers")]
    if result.get("million"):
        lines += ["", *million_lines(result, checks)]
    return "\n".join(lines)


def memory_line(memory, checks, workload) -> str:
    """The workers' memory: VmHWM now and at most, and the largest VmRSS sampled."""
    workers = ", ".join(f"{mb:.0f} MB" for mb in memory.get("workers", {}).values())
    line = (
        f"Worker peak memory (VmHWM): {workers or '—'} now; largest of "
        f"{memory.get('workers_seen', 0)} workers seen during the run "
        f"{_num(memory.get('max_mb'))} MB"
    )
    if "max_rss_mb" in memory:
        line += (
            f"; resident memory (VmRSS) sampled every {memory.get('interval_s') or 0:g} s "
            f"({memory.get('samples', 0):,} samples) at most {_num(memory['max_rss_mb'])} MB"
        )
    return f"{line}. Targets: {_verdicts(checks, workload) or '—'}"


def miss_path_lines(rows, checks) -> list[str]:
    """M's table: each page for each reader, warm and cold, page cache off."""
    lines = [
        "Miss path (M): render times in-process (Django test Client, same settings as the "
        "workers) with the page cache off; warm: cards and the process's own copies warm; "
        "cold: every cache emptied before each request.",
        "",
        "| Page | reader | warm median ms | warm min ms | cold median ms | target |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    verdicts = {c.target: c.verdict for c in checks if c.workload == "M"}
    for row in rows:
        limit = MISS_PATH_MS.get(row["page"])
        target = f"{row['page']} ({row['reader']}) warm median ≤ {limit:g} ms" if limit else ""
        shown = f"≤ {limit:g} ms: {verdicts.get(target, 'n/a')}" if limit else "—"
        lines.append(
            f"| {row['page']} (`{row['url']}`) | {row['reader']} | {_num(row['warm_ms'], 2)} "
            f"| {_num(row['warm_min_ms'], 2)} | {_num(row['cold_ms'], 2)} | {shown} |"
        )
    return lines


def cache_memory_lines(row) -> list[str]:
    """R's paragraph: Redis memory per 1,000 cached pages."""
    if row.get("skipped"):
        return [f"Redis memory for cached pages (R): not measured ({row['skipped']})."]
    kinds = ", ".join(
        f"{kind} {entry['keys']:,} keys {entry['bytes'] / 2**20:.2f} MB"
        for kind, entry in sorted(row["new_keys"].items())
    )
    return [
        f"Redis memory for cached pages (R): {row['requests']:,} distinct pages fetched once "
        f"each as a visitor ({row['stored']:,} rendered and stored by the page cache, "
        f"{row.get('cached', 0):,} already cached, {row['other']:,} neither), keys counted "
        f"under the run's own prefix "
        f"`{row['prefix']}` on {row['redis']}. Page keys: {row['page_keys']:,}, "
        f"{_num(row['bytes_per_page'])} bytes each on average (MEMORY USAGE), "
        f"**{_num(row['page_mb_per_1000'], 2)} MB per 1,000 pages**. used_memory (the whole "
        f"server) grew {row['used_memory_growth'] / 2**20:.2f} MB, "
        f"{_num(row['growth_mb_per_1000'], 2)} MB per 1,000 pages, with what the renders "
        f"stored besides the pages. New keys by kind: {kinds or 'none'}."
    ]


def plan_lines(plans, checks, workload) -> list[str]:
    """P's summary: each page's queries and whether any plan scans comments."""
    lines = [
        f"Plans (P) on {plans['comments']:,} comments, PostgreSQL EXPLAIN ANALYZE of each "
        "read the page runs (page cache off, empty caches; plans in last-run.json and "
        "page-plans.txt):",
        "",
        "| Page | queries | explained | seq scan of comments | execution ms |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for name, page in plans["pages"].items():
        lines.append(
            f"| {name} (`{page['url']}`) | {page['queries']} | {page['explained']} "
            f"| {'yes' if page['seq_scans'] else 'no'} | {_num(page['execution_ms'], 2)} |"
        )
    return [*lines, "", "Targets: " + (_verdicts(checks, workload) or "—")]


def million_lines(result, checks) -> list[str]:
    """--million: each workload at both sizes, side by side."""
    million = result["million"]
    if million.get("skipped"):
        return [f"--million: {million['skipped']}"]
    size = size_label(million["size"])
    lines = [
        f"With {million['size']:,} more comments (--million; {_num(million.get('comments'))} "
        f"in all, seeded in {_num(million.get('seed_s'))} s), against the standard shape "
        "above (W11: its readers):",
        "",
        f"| Workload | p50 ms | p50 ms {size} | ratio | req/s | req/s {size} | ratio | Targets |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in million_comparison(result):
        lines.append(
            f"| {row['workload']} | {_num(row['p50_ms'], 1)} | {_num(row['million_p50_ms'], 1)} "
            f"| {_num(row['p50_ratio'], 2)} | {_num(row['rate'])} | {_num(row['million_rate'])} "
            f"| {_num(row['rate_ratio'], 2)} | {_verdicts(checks, f'{size} {row["workload"]}')} |"
        )
    if million.get("plans"):
        lines += ["", *plan_lines(million["plans"], checks, f"{size} plans")]
    if million.get("memory"):
        lines += ["", memory_line(million["memory"], checks, f"{size} workers")]
    return lines


def notify_lines(row, checks) -> list[str]:
    """W8's own table: the two sides of the posting run, then the worker."""
    lines = [
        f"W8 {row['title']}:",
        "",
        "| Thread | followers | comments/s | p50 ms | p99 ms | CPU ms/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for side, name in (("with", "followed"), ("without", "not followed")):
        figures = row[side]
        lines.append(
            f"| {name} | {figures['followers']:,} | {_num(figures['rate'])} "
            f"| {_num(figures['p50_ms'], 1)} | {_num(figures['p99_ms'], 1)} "
            f"| {_num(figures['cpu_ms'], 2)} |"
        )
    worker = row["worker"]
    tasks = ", ".join(
        f"{name} {task['count']} x {task['seconds'] / task['count'] * 1000:.1f} ms"
        for name, task in sorted(worker["tasks"].items())
        if task["count"]
    )
    lines += [
        "",
        f"W8: {row['acknowledged']:,} posts acknowledged, {row['stored']:,} stored, "
        f"{row['errors']} errors, {row['lost']} lost, {row['duplicated']} duplicated. "
        f"Worker: {worker['posts']} posts delivered by `db_worker --batch` from an empty "
        f"queue, {worker['seconds_per_post']:.3f} s of task time per post ({tasks}); "
        f"the process took {worker['wall_s']:.1f} s wall, {worker['cpu_s']:.1f} s CPU "
        f"with Django's start-up; {worker['lines']:,} lines, {worker['comment_emails']:,} "
        f"emails written, {worker['emails_sent']:,} sent.",
        "",
        "Targets: " + _verdicts(checks, "W8"),
    ]
    return lines


def react_lines(row, checks) -> list[str]:
    return [
        f"W9 {row['title']}: reading the big thread's first page {_num(row['read_alone'])} "
        f"req/s alone, {_num(row['read_together'])} while reacting "
        f"({_num((row['read_ratio'] or 0) * 100)}%, p99 {_num(row['read_p99_ms'], 1)} ms); "
        f"{_num(row['rate'])} reactions/s (p50 {_num(row['p50_ms'], 1)} ms, p99 "
        f"{_num(row['p99_ms'], 1)} ms, CPU {_num(row['cpu_ms'], 2)} ms per request of either "
        f"kind); {row['acknowledged']:,} acknowledged, {row['stored']:,} stored, "
        f"{row['lost']} lost, {row['duplicated']} doubled, {row['drifted_comments']} comment "
        f"totals off, thread total {'equal' if row['thread_total_ok'] else 'OFF'}, "
        f"{row['page_mismatches']} page counts off after the recount interval.",
        "",
        "Targets: " + _verdicts(checks, "W9"),
    ]


def search_lines(row, checks) -> list[str]:
    lines = [
        f"W10 {row['title']}, on {row['comments']:,} comments: p50 {_num(row['p50_ms'], 1)} ms, "
        f"p95 {_num(row['p95_ms'], 1)} ms, max {_num(row['max_ms'], 1)} ms over "
        f"{row['requests']:,} requests.",
        "",
        "| Search | found | p50 ms |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| `{s['q']}` | {s['found']} | {_num(s['p50_ms'], 1)} |" for s in row["searches"]]
    return [*lines, "", "Targets: " + _verdicts(checks, "W10")]


def premiere_lines(row, checks, ceiling) -> list[str]:
    """W11's paragraph, and a table of what the readers read and how often the page
    cache answered."""
    share = f"{row['read_rate'] / ceiling:.0%} of W0" if ceiling else "no W0 to compare"
    posts, reactions = row["posts"], row["reactions"]
    lines = [
        f"W11 {row['title']}: {row.get('readers', '?')} visitors read "
        f"{_num(row['read_rate'])} req/s ({share}; p50 {_num(row['read_p50_ms'], 1)} ms, "
        f"p99 {_num(row['read_p99_ms'], 1)} ms); page cache hit rate "
        f"{row['hit_rate']:.0%} of the cacheable reads. {row.get('posters', '?')} members "
        f"posted {posts['acknowledged']:,} comments (p50 {_num(posts['p50_ms'], 1)} ms, "
        f"p99 {_num(posts['p99_ms'], 1)} ms) and gave {reactions['acknowledged']:,} "
        f"reactions (p50 {_num(reactions['p50_ms'], 1)} ms, p99 "
        f"{_num(reactions['p99_ms'], 1)} ms) in {row.get('seconds', '?')} s, at most "
        f"{_num(row['late_max_ms'])} ms behind their pace; write p99 "
        f"{_num(row['write_p99_ms'], 1)} ms; CPU {_num(row.get('cpu_ms'), 2)} ms per request "
        f"of either kind. {row['stored']:,} comments stored, {row['lost']} lost, "
        f"{row['duplicated']} doubled; {row['errors']} errors.",
        "",
        "| Page | reads | cache hits | misses | other | hit rate |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for page in row["pages"]:
        cached = page["hit"] + page["miss"]
        rate = f"{page['hit'] / cached:.0%}" if cached else "—"
        lines.append(
            f"| {page['name']} (`{page['path']}`) | {page['requests']:,} | {page['hit']:,} "
            f"| {page['miss']:,} | {page['other']:,} | {rate} |"
        )
    if row.get("unmatched"):
        lines.append(f"| matching none of them | {row['unmatched']:,} | | | | |")
    return [*lines, "", "Targets: " + _verdicts(checks, "W11")]


def busy(result) -> bool:
    """Whether other processes kept the machine busy before the run (load average
    above half the CPUs while the benchmark itself was idle)."""
    return (result.get("load_before") or 0) > (result.get("nproc") or 1) / 2


def sizes_text(result):
    return ", ".join(f"{int(size):,}" for size in sorted(result.get("scale", {}), key=int))


def render(run: dict) -> str:
    m = run["machine"]
    lines = [
        f"## Benchmark run {run['started']} ({'quick' if run['quick'] else 'full'})",
        "",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Linux "
        f"{m['kernel']}; Python {m['python']}, Django {run.get('django', '?')}, gunicorn "
        f"{m['gunicorn']}, {m['wrk']}.",
        f"- Server: gunicorn -c gunicorn.conf.py, {run['server']}.",
        f"- Load: {run['load']}.",
        "- req/s, p50, p99: medians over the rounds; ±: spread of req/s over the rounds "
        "((max - min) / median).",
        "- CPU ms/req: CPU time (user + system) the gunicorn workers used per request "
        "during the measured run, from /proc; unlike req/s it barely moves when other "
        "processes share the machine.",
        "- SQL miss/warm: queries per request counted in-process after the load (Django "
        "test Client + CaptureQueriesContext, same database and settings, DEBUG off) with "
        "a cache of its own: first request of the page (cache miss, with site-wide data "
        "such as the episode list already cached) / second request (warm).",
    ]
    if run["quick"]:
        lines.append(
            "- Quick run: durations too short for stable figures; targets are shown for "
            "information only."
        )
    sections = [database_section(result) for result in run["results"]]
    return "\n".join(lines) + "\n\n" + "\n\n".join(sections) + "\n"


def write(run: dict, text: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "last-run.md").write_text(text)
    data = {
        **run,
        "results": [
            {**result, "checks": [c.as_dict() for c in check_all(result)]}
            for result in run["results"]
        ],
    }
    (folder / "last-run.json").write_text(json.dumps(data, indent=2) + "\n")
    return folder / "last-run.md"
