"""Run the site the way production runs it, for the tests in this folder.

gunicorn (``gunicorn.conf.py``) with DEBUG off and collected static files, a
scratch database of the test's own (a PostgreSQL database named
``fansite_srv_<random>``, or an SQLite file in the test's temporary folder),
Redis under a key prefix of its own, moto standing in for S3. Whatever a test
starts is stopped and whatever it creates is dropped afterwards.

PostgreSQL (127.0.0.1:5432, user postgres) and Redis (127.0.0.1:6379) are used
when they answer. When one does not, the tests that need it are skipped, or fail
when ``FANSITE_REQUIRE_SERVICES=1`` (CI sets it).

The building blocks are plain context managers and functions, so a test module
can hold servers for all its tests (module-scoped fixtures) as easily as a
single test can (the ``start_gunicorn`` fixture).
"""

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
import requests
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
BIN = Path(PYTHON).parent
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379/0"
NAME_PREFIX = "fansite_srv_"
# One key for every process of the run: a session cookie from one server must
# be good on the next, as in production.
SECRET_KEY = f"server-tests-{secrets.token_urlsafe(40)}"
PASSWORD = "hangsan-rooftop-4821"
# Generous: on a busy machine (CI's two cores) gunicorn may take a while to answer.
STARTUP_SECONDS = 90
# Variables handed on from the test run's environment; every setting comes
# from the helpers below, never from the caller's shell.
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")

# Background processes now running, for the log tails of failed tests.
RUNNING = []


def unique_name():
    return f"{NAME_PREFIX}{uuid.uuid4().hex[:12]}"


def free_port():
    """A TCP port nobody listens on right now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_missing(message):
    """Skip the test for a service that is not running, or fail when CI needs it."""
    if os.environ.get("FANSITE_REQUIRE_SERVICES") == "1":
        pytest.fail(
            f"{message} FANSITE_REQUIRE_SERVICES=1 is set, so the server tests need it.",
            pytrace=False,
        )
    pytest.skip(message)


def production_env(**values):
    """The environment of a production process on plain http://127.0.0.1, plus ``values``.

    HTTPS redirects, secure-only cookies and HSTS are off because nothing here
    speaks TLS; everything else is the production default.
    """
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="fansite.settings",
        PYTHONUNBUFFERED="1",
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECURE_HSTS_SECONDS="0",
        EMAIL_URL="consolemail://",
        # Set empty so that a developer's .env cannot switch them on.
        CACHE_URL="",
        REDIS_URL="",
        S3_BUCKET="",
    )
    env.update({name: str(value) for name, value in values.items()})
    return env


def run_python(env, *args, timeout=120):
    """Run ``python *args`` in the repository with ``production_env(**env)``; its stdout."""
    result = subprocess.run(
        [PYTHON, *args],
        cwd=REPO,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"python {' '.join(args[:3])} exited with {result.returncode}:\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}",
            pytrace=False,
        )
    return result.stdout


def manage(env, *args):
    return run_python(env, "manage.py", *args)


RESULT_MARK = "@@result@@ "


def django_script(env, code, **arguments):
    """Run ``code`` in a fresh Django process with ``env`` (e.g. the scratch
    database's DATABASE_URL). The code sees ``arguments`` as the dict ``args``
    and sets ``result``, which comes back through JSON."""
    program = (
        "import json, sys\nimport django\ndjango.setup()\nargs = json.loads(sys.argv[1])\n"
        f"{code}\nprint({RESULT_MARK!r} + json.dumps(result, default=str))\n"
    )
    stdout = run_python(env, "-c", program, json.dumps(arguments))
    line = next(line for line in stdout.splitlines() if line.startswith(RESULT_MARK))
    return json.loads(line.removeprefix(RESULT_MARK))


MEMBERS_SCRIPT = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

# They share a password, and hashing is the slow part: hash it once.
hashed = make_password(args["password"])
result = {}
for username in args["usernames"]:
    member = get_user_model().objects.create(
        username=username, email=f"{username}@example.org", password=hashed
    )
    # Verified, as if they had followed the link in the sign-up email.
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    result[username] = member.pk
"""


def create_members(env, usernames, password=PASSWORD):
    """Members with verified email addresses; returns {username: pk}."""
    return django_script(env, MEMBERS_SCRIPT, usernames=list(usernames), password=password)


THREAD_SCRIPT = """
from django.contrib.auth import get_user_model
from fansite.threads.models import Board
from fansite.comments.services import start_thread

thread = start_thread(
    board=Board.objects.get(slug=args["board"]),
    author=get_user_model().objects.get(username=args["author"]),
    title=args["title"],
    body=args["body"],
)
result = {"pk": thread.pk, "board": thread.board_id, "path": thread.get_absolute_url()}
"""


def start_thread(env, *, author, title, body, board="general"):
    """A thread opened through the service; returns {"pk", "board", "path"}."""
    return django_script(env, THREAD_SCRIPT, author=author, title=title, body=body, board=board)


# --- The task worker -------------------------------------------------------------


SETTLE_SECONDS = 60


def wait_for(condition, what, timeout=SETTLE_SECONDS, *, explain=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    details = f"\n{explain()}" if explain else ""
    pytest.fail(f"timed out after {timeout} s waiting for {what}{details}", pytrace=False)


class Worker:
    """``manage.py db_worker`` in its own process group, as the systemd unit runs it."""

    def __init__(self, env, log_path, *, worker_id=None):
        self.env = env
        self.log_path = Path(log_path)
        self.worker_id = worker_id
        self.process = None

    def start(self):
        # What fansite-worker.service's ExecStartPre does before every start.
        manage(self.env, "requeue_email", "--verbosity", "0")
        manage(self.env, "requeue_notifications", "--verbosity", "0")
        command = [PYTHON, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"]
        if self.worker_id:
            command += ["--worker-id", self.worker_id]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=production_env(**self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def log_tail(self, lines=30):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self):
        """SIGKILL: no chance to finish or clean up, like the OOM killer."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


# --- Databases -----------------------------------------------------------------


@dataclass(frozen=True)
class ScratchDatabase:
    engine: str  # "postgresql" or "sqlite"
    url: str  # DATABASE_URL for the site
    name: str  # database name, or the SQLite file's path

    def query(self, statement, *params):
        """The rows of ``statement`` (placeholders written %s) on this database."""
        if self.engine == "sqlite":
            with closing(sqlite3.connect(self.name, timeout=30)) as connection:
                return connection.execute(statement.replace("%s", "?"), params).fetchall()
        with psycopg.connect(dbname=self.name, connect_timeout=5, **POSTGRES) as connection:
            return connection.execute(statement, params).fetchall()

    def value(self, statement, *params):
        """The single value ``statement`` selects."""
        ((value,),) = self.query(statement, *params)
        return value


@contextmanager
def postgres_database():
    """An empty PostgreSQL database named fansite_srv_<random>, dropped on exit."""
    try:
        admin = psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **POSTGRES)
    except psycopg.OperationalError as error:
        service_missing(f"PostgreSQL is not reachable at 127.0.0.1:5432 as postgres ({error}).")
    name = unique_name()
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield ScratchDatabase("postgresql", f"postgres://postgres@127.0.0.1:5432/{name}", name)
        finally:
            # FORCE: app servers that outlived the test may still hold connections.
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def sqlite_database(folder):
    """An SQLite file in ``folder`` (a test's temporary folder: pytest removes it)."""
    path = Path(folder) / "db.sqlite3"
    return ScratchDatabase("sqlite", f"sqlite:///{path}", str(path))


def migrate(database):
    manage({"DATABASE_URL": database.url}, "migrate", "--noinput", "-v", "0")
    return database


@pytest.fixture
def scratch_postgres():
    """A migrated scratch PostgreSQL database."""
    with postgres_database() as database:
        yield migrate(database)


@pytest.fixture
def scratch_sqlite(tmp_path):
    """A migrated scratch SQLite database."""
    return migrate(sqlite_database(tmp_path))


@pytest.fixture
def scratch_database(request, tmp_path):
    """A migrated scratch database of the engine given by indirect parametrisation:
    ``@pytest.mark.parametrize("scratch_database", ["sqlite", "postgresql"], indirect=True)``."""
    if request.param == "sqlite":
        yield migrate(sqlite_database(tmp_path))
    elif request.param == "postgresql":
        with postgres_database() as database:
            yield migrate(database)
    else:
        raise ValueError(f"unknown database engine {request.param!r}")


# --- Redis -----------------------------------------------------------------------


@contextmanager
def redis_namespace():
    """Environment for the site to use Redis under a key prefix of its own; the
    prefix's keys are deleted on exit and nothing else in Redis is touched."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.exceptions.RedisError as error:
        service_missing(f"Redis is not reachable at 127.0.0.1:6379 ({error}).")
    prefix = unique_name()
    try:
        yield {"REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    finally:
        keys = list(client.scan_iter(f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture
def redis_env():
    with redis_namespace() as env:
        yield env


# --- Static files ----------------------------------------------------------------


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """Static files collected once for the whole run (hashed and compressed, as in
    production: DEBUG off uses WhiteNoise's manifest storage)."""
    root = tmp_path_factory.mktemp("static")
    manage({"STATIC_ROOT": root}, "collectstatic", "--noinput", "-v", "0")
    return root


# --- Background processes -----------------------------------------------------


class BackgroundProcess:
    """A server process on a free port, its output in a log file.

    ``start()`` returns once ``ready_path`` answers 200, or fails the test with
    the end of the log; ``stop()`` ends the process and its children.
    """

    ready_path = "/"

    def __init__(self, name, log_dir):
        self.name = name
        self.log_path = Path(log_dir) / f"{name}.log"
        self.process = None
        self.port = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        raise NotImplementedError

    def environment(self):
        return production_env()

    def start(self):
        for attempt in range(3):
            self.port = free_port()
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    self.command(),
                    cwd=REPO,
                    env=self.environment(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # Its own process group: stop() can end the workers too.
                    start_new_session=True,
                )
            RUNNING.append(self)
            if self._wait_until_ready():
                return self
            self.stop()
            # Another process may have taken the port between probe and bind.
            if "Address already in use" not in self.log_tail() or attempt == 2:
                pytest.fail(
                    f"{self.name} did not answer {self.ready_path} within {STARTUP_SECONDS} s. "
                    f"Its log:\n{self.log_tail()}",
                    pytrace=False,
                )
        return self

    def _wait_until_ready(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if requests.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.1)
        return False

    def stop(self):
        if self in RUNNING:
            RUNNING.remove(self)
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_tail(self, lines=40):
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


class Gunicorn(BackgroundProcess):
    """The site under gunicorn -c gunicorn.conf.py, as `make serve` and production run it."""

    ready_path = "/healthz"

    def __init__(self, name, log_dir, *, env, workers, access_log=True):
        super().__init__(name, log_dir)
        self.env = env
        self.workers = workers
        self.access_log_path = Path(log_dir) / f"{name}-access.log" if access_log else None

    def command(self):
        # gunicorn.conf.py leaves the control socket off unless
        # GUNICORN_CONTROL_SOCKET names one, so instances never share it.
        return [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"]

    def environment(self):
        return production_env(
            **self.env,
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY=self.workers,
            GUNICORN_ACCESS_LOG=self.access_log_path or "-",
        )


class GunicornPool:
    """Starts app servers with ``start(env, workers=2)`` and stops them all on exit.

    ``env`` holds what differs between set-ups (DATABASE_URL, REDIS_URL,
    MEDIA_ROOT, ...); the production defaults and STATIC_ROOT are added here.
    """

    def __init__(self, static_root, log_dir):
        self.static_root = static_root
        self.log_dir = log_dir
        self.servers = []

    def start(self, env, workers=2, *, name=None, access_log=True):
        name = f"gunicorn-{name or len(self.servers) + 1}"
        server = Gunicorn(
            name,
            self.log_dir,
            env={"STATIC_ROOT": self.static_root, **env},
            workers=workers,
            access_log=access_log,
        )
        self.servers.append(server)
        return server.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for server in self.servers:
            server.stop()


@pytest.fixture
def start_gunicorn(static_root, tmp_path):
    """``start_gunicorn(env, workers=2)``: a running app server (``.url``); stopped
    after the test."""
    with GunicornPool(static_root, tmp_path) as pool:
        yield pool.start


class MotoServer(BackgroundProcess):
    """moto's S3-compatible server, for object-storage tests."""

    def command(self):
        return [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report ends with the logs of the servers it was talking to."""
    report = yield
    if report.failed:
        for process in RUNNING:
            report.sections.append((f"{process.name} log (last lines)", process.log_tail()))
    return report
