"""Where the benchmark runs: the machine, its databases and its cache.

Every database the benchmark serves is its own: a fresh SQLite file in the run's
temporary folder, and, when DATABASE_URL points at PostgreSQL, a scratch
database ``fansite_bench_<random>`` on that server (same host, port and
credentials), created here and dropped afterwards. Neither the URL's own
database nor anything else on the server is touched.
"""

from __future__ import annotations

import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
SCRATCH_PREFIX = "fansite_bench_"
REDIS_DEFAULT = "redis://127.0.0.1:6379"
REDIS_DB = 14


@dataclass
class Database:
    """One database the benchmark serves: ``label`` is what the report calls it."""

    label: str
    vendor: str  # "sqlite" or "postgresql"
    url: str
    scratch_name: str | None = None
    admin_url: str | None = None  # PostgreSQL: where CREATE/DROP DATABASE run

    created: bool = False

    def create(self):
        if self.vendor == "postgresql":
            _pg_execute(self.admin_url, f'CREATE DATABASE "{self.scratch_name}"')
        self.created = True

    def drop(self):
        if self.vendor == "postgresql" and self.created:
            _pg_execute(
                self.admin_url, f'DROP DATABASE IF EXISTS "{self.scratch_name}" WITH (FORCE)'
            )
        self.created = False


def _pg_execute(url, statement):
    import psycopg

    with psycopg.connect(_libpq_url(url), autocommit=True, connect_timeout=5) as connection:
        connection.execute(statement)


def _libpq_url(url):
    """postgres://… as libpq reads it (django-environ also accepts postgresql://,
    pgsql:// and postgis://)."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def is_postgres_url(url):
    return urlsplit(url or "").scheme in {"postgres", "postgresql", "pgsql", "postgis"}


def sqlite_database(folder: Path) -> Database:
    return Database("SQLite", "sqlite", f"sqlite:///{folder / 'bench.sqlite3'}")


def postgres_database(url: str) -> Database:
    """A scratch database on the server ``url`` names, with its credentials."""
    parts = urlsplit(url)
    own = unquote(parts.path.lstrip("/"))
    name = f"{SCRATCH_PREFIX}{secrets.token_hex(4)}"
    if name in {own, "test", "postgres"}:  # cannot happen with the prefix; be certain
        raise RuntimeError(f"refusing to use {name!r} as a scratch database")
    scratch = urlunsplit((parts.scheme, parts.netloc, "/" + quote(name), parts.query, ""))
    # CREATE/DROP DATABASE run from the maintenance database, never the URL's own.
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    return Database("PostgreSQL", "postgresql", scratch, scratch_name=name, admin_url=admin)


def redis_url(requested: str) -> str | None:
    """The Redis URL to use (with our own database number), or None when Redis is
    not reachable or not wanted (``requested`` "none")."""
    if requested == "none":
        return None
    base = os.environ.get("BENCH_REDIS_URL", REDIS_DEFAULT)
    url = base if re.search(r"/\d+$", base) else f"{base.rstrip('/')}/{REDIS_DB}"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except Exception as exc:
        if requested == "redis":
            raise RuntimeError(f"Redis at {url} is not reachable: {exc}") from exc
        return None
    return url


def delete_cache_keys(url: str, prefix: str) -> int:
    """Remove the keys this run wrote under ``prefix`` and its extensions (Django's keys
    are "<prefix>:<version>:<key>"; prefixes start with a random token of this run)."""
    import redis

    if not prefix.startswith(SCRATCH_PREFIX):
        raise ValueError(f"not a benchmark key prefix: {prefix!r}")
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])
    return len(keys)


def _command_output(args):
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def load_average() -> float | None:
    """The machine's one-minute load average (other processes share the CPUs)."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def machine() -> dict:
    """nproc, CPU model, RAM and tool versions, for the report's header."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    wrk = shutil.which("wrk")
    wrk_version = _command_output([wrk, "--version"]).splitlines()[0] if wrk else ""
    from importlib.metadata import version

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": ram_gb,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "gunicorn": version("gunicorn"),
        "wrk": " ".join(wrk_version.split()[:2]),
        "executable": sys.executable,
    }
