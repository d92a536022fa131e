"""The site as production runs it: manage.py steps, gunicorn, worker memory.

gunicorn starts from the repository's gunicorn.conf.py (sync workers, preload,
worker recycling, access log) with only the bind address and the worker count
(and, on request, the worker class) set from outside.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from .environment import REPO

READY_TIMEOUT = 60
ACCESS_LINE = re.compile(r'^\S+ - \S+ \[[^]]+\] "')
STOP_TIMEOUT = 15


class StepFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, timeout=600) -> str:
    """Run ``manage.py args`` with ``env``; its output, or StepFailed with it."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise StepFailed(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def probe(env, action, request=None, timeout=600) -> dict:
    """Run an action of tests/benchmarks/probe.py in a child process with ``env``."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.probe", action],
        cwd=REPO,
        env=env,
        input=json.dumps(request or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise StepFailed(f"probe {action} failed:\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def drain_tasks(env, log_path: Path, timeout=600) -> dict:
    """``manage.py db_worker --batch``, the production worker run until its queue is
    empty: its exit status, wall time and CPU time (start-up included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        returncode = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise StepFailed(f"db_worker --batch took over {timeout} s (log: {log_path})") from None
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"returncode": returncode, "wall_s": wall, "cpu_s": cpu}


def _children(pid) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _start_time(pid) -> int | None:
    """The process's start time (clock ticks after boot): with the pid, it names
    one process even if the pid is later reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


def _status_kb(pid, field) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid, *, own=True, children=False) -> int:
    """utime+stime of a process (``own``), and of its reaped children (``children``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    # After the ")": state is field 3, utime 14, stime 15, cutime 16, cstime 17.
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime if own else 0) + (cutime + cstime if children else 0)


class MemorySampler(threading.Thread):
    """Reads every worker's VmHWM (peak resident memory) and VmRSS (resident now)
    a few times a second, from gunicorn's start to its stop, so workers that
    gunicorn recycles (max_requests) are still counted. VmRSS's largest sample is
    what a process monitor would have seen; VmHWM also catches a peak between
    samples."""

    def __init__(self, master_pid, interval=0.25):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.interval = interval
        self.peaks_kb: dict[int, int] = {}
        self.rss_kb: dict[int, int] = {}
        self.samples = 0
        self._stop_event = threading.Event()

    def sample(self):
        for pid in _children(self.master_pid):
            for field, seen in (("VmHWM", self.peaks_kb), ("VmRSS", self.rss_kb)):
                value = _status_kb(pid, field)
                if value is not None:
                    seen[pid] = max(value, seen.get(pid, 0))
        self.samples += 1

    def run(self):
        while not self._stop_event.wait(self.interval):
            self.sample()

    def stop(self):
        self._stop_event.set()
        self.join(timeout=5)
        self.sample()


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py`` on a free port, started and stopped by us."""

    def __init__(self, env, folder: Path, *, workers=2, worker_class=None, threads=None):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
        }
        if worker_class:
            self.env["GUNICORN_WORKER_CLASS"] = worker_class
        self.threads = threads
        self.log_path = folder / f"gunicorn-{self.port}.log"
        self.process = None
        self.sampler = None

    def start(self, ready_path="/bench/ceiling/"):
        args = [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py"]
        if self.threads:
            args += ["--threads", str(self.threads)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                args, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StepFailed(f"gunicorn exited at start-up:\n{self.log_tail()}")
            try:
                if requests.get(self.base_url + ready_path, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        else:
            self.stop()
            raise StepFailed(f"gunicorn did not answer within {READY_TIMEOUT}s:\n{self.log_tail()}")
        self.sampler = MemorySampler(self.process.pid)
        self.sampler.start()

    def worker_cpu_seconds(self) -> float:
        """CPU time used so far by every worker, the recycled ones included (their time
        is added to the master's children's time when it reaps them)."""
        if not self.process:
            return 0.0
        ticks = _cpu_ticks(self.process.pid, own=False, children=True)
        ticks += sum(_cpu_ticks(pid) for pid in self.workers())
        return ticks / CLOCK_TICKS

    def workers(self) -> list[int]:
        return _children(self.process.pid) if self.process else []

    def memory(self) -> dict:
        """Peak memory: each current worker's VmHWM, and the largest of every worker
        seen during the run (recycled ones included), in MB; the largest VmRSS
        sampled, per worker and over all."""
        current = {pid: _status_kb(pid, "VmHWM") for pid in self.workers()}
        seen = dict(self.sampler.peaks_kb) if self.sampler else {}
        for pid, peak in current.items():
            if peak is not None:
                seen[pid] = max(peak, seen.get(pid, 0))
        rss = dict(self.sampler.rss_kb) if self.sampler else {}
        return {
            "workers": {str(pid): round(kb / 1024, 1) for pid, kb in current.items() if kb},
            "workers_seen": len(seen),
            "max_mb": round(max(seen.values()) / 1024, 1) if seen else None,
            "rss_mb": {str(pid): round(kb / 1024, 1) for pid, kb in rss.items()},
            "max_rss_mb": round(max(rss.values()) / 1024, 1) if rss else None,
            "samples": self.sampler.samples if self.sampler else 0,
            "interval_s": self.sampler.interval if self.sampler else None,
        }

    def stop(self):
        if self.sampler:
            self.sampler.stop()
        if not self.process or self.process.poll() is not None:
            return
        workers = {pid: _start_time(pid) for pid in self.workers()}
        self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        for pid, started in workers.items():
            # A worker left behind by a killed master: only if it is still that process.
            if started is not None and _start_time(pid) == started:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def log_tail(self, lines=40) -> str:
        """The last lines of gunicorn's own log (errors, tracebacks), access log left out."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        kept = [line for line in text.splitlines() if not ACCESS_LINE.match(line)]
        return "\n".join(kept[-lines:])
