"""The benchmark's quick mode end to end: seeds, serves with gunicorn, loads with wrk.

A server test (``make test-server``): it starts gunicorn and needs wrk. It checks
that every workload runs without an error, never how fast."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

REPO = Path(__file__).resolve().parents[2]


def test_the_quick_benchmark_runs_every_workload_without_errors(tmp_path):
    if shutil.which("wrk") is None:
        message = "wrk is not installed (apt-get install wrk)"
        if os.environ.get("FANSITE_REQUIRE_SERVICES") == "1":
            pytest.fail(message)  # CI must run the benchmark once
        pytest.skip(message)
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", "--quick", "--db", "sqlite", "--out", tmp_path],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    run = json.loads((tmp_path / "last-run.json").read_text())
    [sqlite] = run["results"]
    assert set(sqlite["workloads"]) >= {
        *("W0", "W1", "W2", "W3", "W4", "W5", "W5-cold", "W6"),
        *("W7", "W8", "W10", "W11"),
    }
    assert all(row["errors"] == 0 for row in sqlite["workloads"].values())
    assert sqlite["workloads"]["W7"]["lost"] == sqlite["workloads"]["W7"]["duplicated"] == 0
    notify = sqlite["workloads"]["W8"]
    assert notify["lost"] == notify["duplicated"] == 0
    assert notify["worker"]["problems"] == []
    assert notify["worker"]["lines"] == notify["with"]["followers"] == 500
    text = (tmp_path / "last-run.md").read_text()
    assert "| W7 " in text
    assert "W8 W-notify" in text
    search = sqlite["workloads"]["W10"]
    assert len(search["searches"]) == 20
    assert {s["found"] for s in search["searches"] if s["q"] == "zzzqqq"} == {"0"}
    assert "W10 W-search" in text
    cold = sqlite["workloads"]["W5-cold"]
    assert cold["requests"] == cold["rounds"][0]["members"] == 100
    premiere = sqlite["workloads"]["W11"]
    assert premiere["lost"] == premiere["duplicated"] == 0
    assert premiere["posts"]["acknowledged"] == premiere["stored"] > 0
    assert premiere["unmatched"] == 0
    assert "W11 premiere night" in text
    # Issue 18: the miss path, the workers' sampled memory, Redis per cached page.
    assert len(sqlite["miss_path"]) == 6
    assert all(row["warm_ms"] > 0 for row in sqlite["miss_path"])
    assert "Miss path (M)" in text
    assert sqlite["memory"]["max_rss_mb"] > 0
    assert "Redis memory for cached pages (R)" in text
