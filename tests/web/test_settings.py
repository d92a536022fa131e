"""Settings behave safely outside development (run in fresh interpreters)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_django(code, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="fansite.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_django("print('started')", DEBUG="0", SECRET_KEY="")

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "SECRET_KEY is not set" in result.stderr


def test_development_starts_with_its_own_key():
    result = run_django(
        "from django.conf import settings; print(settings.DEBUG, bool(settings.SECRET_KEY))",
        DEBUG="1",
        SECRET_KEY="",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True"


def test_debug_is_off_unless_set():
    result = run_django(
        "from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY="x" * 60,
        DEBUG="",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_sqlite_is_configured_for_concurrent_web_access(tmp_path):
    result = run_django(
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]); "
        "print(connection.transaction_mode)",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "IMMEDIATE"]


def test_postgresql_connections_run_without_jit():
    url = "postgres://postgres@127.0.0.1:5432/postgres"
    probe = run_django(
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('SHOW jit'); print(c.fetchone()[0]); "
        "print(connection.settings_dict['ENGINE'], connection.vendor)",
        DEBUG="1",
        DATABASE_URL=url,
    )
    if probe.returncode != 0 and "connection" in probe.stderr.lower():
        pytest.skip("PostgreSQL is not reachable")
    assert probe.returncode == 0, probe.stderr
    # Django's backend with the site's health check (fansite/web/postgresql).
    assert probe.stdout.split() == ["off", "fansite.web.postgresql", "postgresql"]


@pytest.mark.slow_subprocess
def test_deploy_checks_pass_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}},
            "DEBUG": "0",
            "SECRET_KEY": "k3y-" + "z" * 60,
            "ALLOWED_HOSTS": "fans.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRINT_CACHE_CHOICES = (
    "from django.conf import settings; "
    "print(settings.SHARED_CACHE, settings.SESSION_ENGINE.rsplit('.', 1)[1], "
    "settings.PAGE_CACHE_SECONDS)"
)


def test_without_a_shared_cache_pages_and_sessions_are_not_cached():
    """Each gunicorn worker has its own in-process cache: a page or session cached
    there could go stale in the other workers, so neither is cached."""
    env = {"DEBUG": "1", "REDIS_URL": "", "CACHE_URL": ""}
    result = run_django(PRINT_CACHE_CHOICES, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "db", "0"]


def test_with_redis_pages_and_sessions_use_the_cache():
    env = {"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/0", "CACHE_URL": ""}
    result = run_django(PRINT_CACHE_CHOICES, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "cached_db", "300"]
