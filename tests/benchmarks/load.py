"""Load from a separate process: wrk, with the Lua scripts in lua/.

Every run prints one ``BENCH_JSON {...}`` line (the scripts' done() functions):
requests, duration, latency percentiles from wrk's own histogram, socket errors,
and responses with an unexpected status (anything but 2xx for reads, anything
but the 302 after a stored post for W7).
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
WRK_INSTALL_HINT = (
    "wrk not found: the benchmark loads the site with wrk. Install it with "
    "`apt-get install -y wrk` (Debian package wrk) and run again."
)
# Long enough that a slow page is measured rather than counted as an error
# (gunicorn's own timeout is 30 s).
WRK_TIMEOUT = "30s"
POSTED = re.compile(r"^302 \S*/comments/(\d+)/")
# What some scripts add to their BENCH_JSON line besides the common figures:
# post.lua and react.lua, cold.lua, premiere.lua.
EXTRA_KEYS = ("sent", "acknowledged", "members", "reused", "wrk_duration_us", "pages", "last_page")
# cold.lua: how long wrk may take at most; it is stopped as soon as it is done.
COLD_LIMIT_SECONDS = 120


class LoadError(RuntimeError):
    pass


def wrk_path() -> str | None:
    return shutil.which("wrk")


@dataclass
class Load:
    """Figures from one wrk run."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: dict
    unexpected: int  # responses with a status the workload does not expect
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.unexpected + sum(self.socket_errors.values())

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "rate": round(self.rate, 1),
            "p50_ms": self.p50_ms,
            "p90_ms": self.p90_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
            "socket_errors": self.socket_errors,
            "unexpected_status": self.unexpected,
            "errors": self.errors,
            **self.extra,
        }


def parse_wrk_output(output: str, unexpected_key="not_2xx") -> Load:
    """The figures from wrk's output (the BENCH_JSON line our scripts print)."""
    for line in reversed(output.splitlines()):
        if line.startswith("BENCH_JSON "):
            data = json.loads(line.removeprefix("BENCH_JSON "))
            break
    else:
        raise LoadError(f"no BENCH_JSON line in wrk's output:\n{output}")
    latency = data["latency_us"]
    extra = {k: data[k] for k in EXTRA_KEYS if k in data}
    return Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=round(latency["p50"] / 1000, 2),
        p90_ms=round(latency["p90"] / 1000, 2),
        p99_ms=round(latency["p99"] / 1000, 2),
        max_ms=round(latency["max"] / 1000, 2),
        socket_errors=data["errors"],
        unexpected=data[unexpected_key],
        extra=extra,
    )


def _wrk_args(url, *, seconds, connections, threads, script, headers=(), script_args=()):
    args = [
        wrk_path() or "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",  # wrk takes whole seconds
        f"--timeout={WRK_TIMEOUT}",
        "-s",
        str(LUA / script),
    ]
    for header in headers:
        args += ["-H", header]
    args.append(url)
    if script_args:
        args += ["--", *script_args]
    return args


def _wrk(url, *, seconds, connections, threads, script, headers=(), script_args=()):
    args = _wrk_args(
        url,
        seconds=seconds,
        connections=connections,
        threads=threads,
        script=script,
        headers=headers,
        script_args=script_args,
    )
    result = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 120)
    if result.returncode:
        raise LoadError(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def read_load(url, *, seconds, connections, threads, cookie=None) -> Load:
    headers = [f"Cookie: {cookie}"] if cookie else []
    output = _wrk(
        url,
        seconds=seconds,
        connections=connections,
        threads=threads,
        script="read.lua",
        headers=headers,
    )
    return parse_wrk_output(output)


def write_plan(path: Path, *, tag, log_folder, members, targets):
    """The file post.lua reads: tag, log folder, members (cookie, CSRF token), targets."""
    lines = [f"tag\t{tag}", f"log\t{log_folder}"]
    lines += [f"member\t{cookie}\t{token}" for cookie, token in members]
    lines += [f"target\t{target}" for target in targets]
    path.write_text("\n".join(lines) + "\n")


def write_load(base_url, plan: Path, *, seconds, connections, threads) -> Load:
    output = _wrk(
        base_url + "/",
        seconds=seconds,
        connections=connections,
        threads=threads,
        script="post.lua",
        script_args=[str(plan)],
    )
    return parse_wrk_output(output, unexpected_key="refused")


def acknowledged_posts(log_folder: Path) -> tuple[list[int], int]:
    """Comment ids from the 302 responses post.lua logged, and how many logged
    responses were anything else."""
    ids, other = [], 0
    for log in sorted(log_folder.glob("post-*.log")):
        for line in log.read_text().splitlines():
            match = POSTED.match(line)
            if match:
                ids.append(int(match.group(1)))
            elif line.strip():
                other += 1
    return ids, other


def write_react_plan(path: Path, *, threads, members, reactions):
    """The file react.lua reads: wrk's thread count, members, reactions to give."""
    lines = [f"threads\t{threads}"]
    lines += [f"member\t{cookie}\t{token}" for cookie, token in members]
    lines += [f"react\t{path_}\t{line}\t{value}" for path_, line, value in reactions]
    path.write_text("\n".join(lines) + "\n")


def react_load(base_url, plan: Path, *, seconds, connections, threads) -> Load:
    output = _wrk(
        base_url + "/",
        seconds=seconds,
        connections=connections,
        threads=threads,
        script="react.lua",
        script_args=[str(plan)],
    )
    return parse_wrk_output(output, unexpected_key="refused")


def write_cold_plan(path: Path, *, cookies):
    """The file cold.lua reads: one Cookie header per member."""
    path.write_text("".join(f"cookie\t{cookie}\n" for cookie in cookies))


def cold_load(url, plan: Path, *, connections) -> Load:
    """W5-cold: one request per member of ``plan`` (cold.lua), each a different
    member, from one wrk thread (the script says why). wrk only stops at the end
    of its -d, so it is given COLD_LIMIT_SECONDS and stopped (SIGINT: it prints
    its figures) once the script says every member had an answer; the duration
    is the script's own, first request to last response."""
    args = _wrk_args(
        url,
        seconds=COLD_LIMIT_SECONDS,
        connections=connections,
        threads=1,
        script="cold.lua",
        script_args=[str(plan)],
    )
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(COLD_LIMIT_SECONDS + 60, process.kill)
    watchdog.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("BENCH_DONE"):
                process.send_signal(signal.SIGINT)
        returncode = process.wait()
    finally:
        watchdog.cancel()
    output = "".join(lines)
    if returncode:
        raise LoadError(f"wrk failed ({returncode}):\n{output}")
    return parse_wrk_output(output)


def write_pages_plan(path: Path, *, pages):
    """The file premiere.lua reads: the pages to read in turn, each a path, or
    (thread path, number) for a thread's last page, which the readers follow as
    it moves."""
    lines = []
    for page in pages:
        if isinstance(page, tuple):
            lines.append(f"last\t{page[0]}\t{page[1]}")
        else:
            lines.append(f"page\t{page}")
    path.write_text("\n".join(lines) + "\n")


def pages_load(base_url, plan: Path, *, seconds, connections, threads) -> Load:
    """Visitors reading the pages of ``plan`` in turn (premiere.lua); ``extra["pages"]``
    has each page's responses and X-Page-Cache counts, then those matching no page;
    ``extra["last_page"]`` the last page's number at the end."""
    output = _wrk(
        base_url + "/",
        seconds=seconds,
        connections=connections,
        threads=threads,
        script="premiere.lua",
        script_args=[str(plan)],
    )
    return parse_wrk_output(output)
