"""Outages the server tests can cause without touching the shared services.

A :class:`TcpProxy` sits between the app servers and PostgreSQL or Redis: the
site is configured with the proxy's address, and the test decides what the
service looks like from the site's side:

- ``up``: every byte forwarded both ways (the normal state);
- ``down``: every open connection is cut and new ones are refused, as when the
  service stops or restarts (PostgreSQL drops its clients, then nothing listens);
- ``silent``: open connections are cut, new ones are accepted but never
  answered, as when the service's host stops answering at all (a new
  connection then waits until the client's own timeout gives up).

The shared PostgreSQL and Redis themselves never notice: they only see the
proxy's connections come and go.

:func:`small_filesystem` mounts a tiny tmpfs (root only) that a test can fill
up or remount read-only, for uploads that cannot be written.

The rest runs clients under load and records every answer with its timing
(:class:`Load`, :class:`Poster`), so that a test can say what happened before,
during and after an outage, and check the stored rows against what members
were told.
"""

import itertools
import os
import selectors
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import requests

from .web import Browser

UP, DOWN, SILENT = "up", "down", "silent"


class TcpProxy:
    """Forwards ``127.0.0.1:<port>`` to ``target`` (host, port) until told otherwise.

    Runs in threads of the test process: one accepting, one per connection.
    ``port`` stays the same across ``down()`` and ``up()``.
    """

    def __init__(self, target):
        self.target = target
        self.state = UP
        self.port = None
        self._listener = None
        self._lock = threading.Lock()
        self._connections = set()  # sockets of open connections, both sides
        self._held = set()  # connections accepted while silent, never answered
        self._stopped = threading.Event()
        self._acceptor = None
        self.accepted = 0

    # --- The test's controls ---------------------------------------------

    def start(self):
        self._listen()
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()
        return self

    def down(self):
        """Cut every connection and refuse new ones (nothing listens)."""
        with self._lock:
            self.state = DOWN
            self._close_listener()
        self._cut_all()

    def silent(self):
        """Cut every connection; accept new ones but never answer them."""
        with self._lock:
            self.state = SILENT
            if self._listener is None:
                self._listen()
        self._cut_all()

    def up(self):
        """Forward again (new connections; cut ones stay cut)."""
        with self._lock:
            self.state = UP
            if self._listener is None:
                self._listen()
            held, self._held = self._held, set()
        # Connections accepted while silent were never answered: cut them (their
        # clients would have given up on them anyway); new ones are forwarded.
        self._close(held)

    def close(self):
        self._stopped.set()
        with self._lock:
            self._close_listener()
        self._cut_all()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.close()

    # --- Inside --------------------------------------------------------------

    def _listen(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # The same port every time: the site was configured with it. Another
        # process could take it while we are down; retry briefly before failing.
        for attempt in range(50):
            try:
                listener.bind(("127.0.0.1", self.port or 0))
                break
            except OSError:
                if attempt == 49:
                    raise
                time.sleep(0.1)
        listener.listen(128)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def _close_listener(self):
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def _cut_all(self):
        with self._lock:
            connections, self._connections = self._connections, set()
            self._held = set()
        self._close(connections)

    @staticmethod
    def _close(socks):
        for sock in socks:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                sock.close()

    def _accept_loop(self):
        while not self._stopped.is_set():
            listener = self._listener
            if listener is None:
                time.sleep(0.05)
                continue
            try:
                client, _address = listener.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            with self._lock:
                state = self.state
                self._connections.add(client)
                if state == SILENT:
                    # Open and unanswered until cut (by up(), down() or silent()).
                    self._held.add(client)
            if state == UP:
                threading.Thread(target=self._forward, args=(client,), daemon=True).start()
            elif state == DOWN:
                self._drop(client)  # accepted just as the listener closed

    def _forward(self, client):
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            self._drop(client)
            return
        upstream.settimeout(None)
        client.settimeout(None)
        with self._lock:
            forwarding = self.state == UP and client in self._connections
            if forwarding:
                self._connections.add(upstream)
        if not forwarding:  # cut while connecting upstream
            self._drop(client, upstream)
            return
        selector = selectors.DefaultSelector()
        peers = {client: upstream, upstream: client}
        try:
            selector.register(client, selectors.EVENT_READ)
            selector.register(upstream, selectors.EVENT_READ)
            while True:
                for key, _events in selector.select(timeout=1):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    peers[key.fileobj].sendall(data)
                if self._stopped.is_set():
                    return
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            self._drop(client, upstream)

    def _drop(self, *socks):
        with self._lock:
            for sock in socks:
                self._connections.discard(sock)
        self._close(socks)


# --- A small filesystem ------------------------------------------------------


def can_mount():
    """Whether this process may mount filesystems (root, with the capability)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = Path(f"/tmp/fansite-mount-probe-{os.getpid()}")
    probe.mkdir(exist_ok=True)
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
            capture_output=True,
            check=False,
        )
        if mounted.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], capture_output=True, check=False)
        return True
    finally:
        with suppress(OSError):
            probe.rmdir()


@contextmanager
def small_filesystem(folder, size_kb):
    """A tmpfs of ``size_kb`` kilobytes mounted on ``folder`` (created), unmounted on exit.

    Root ignores file modes, so a full or read-only disk can only be shown with a
    real filesystem; callers check :func:`can_mount` first."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0755", "tmpfs", str(folder)],
        check=True,
        capture_output=True,
    )
    try:
        yield FileSystem(folder)
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


class FileSystem:
    def __init__(self, folder):
        self.folder = folder

    def read_only(self):
        subprocess.run(
            ["mount", "-o", "remount,ro", str(self.folder)], check=True, capture_output=True
        )

    def read_write(self):
        subprocess.run(
            ["mount", "-o", "remount,rw", str(self.folder)], check=True, capture_output=True
        )

    def fill(self):
        """Write one file until no space is left; returns its path (delete it to free)."""
        path = self.folder / "filler.bin"
        with path.open("wb", buffering=0) as filler:
            for chunk in (b"\0" * 4096, b"\0"):  # pages, then the last bytes
                with suppress(OSError):
                    while True:
                        filler.write(chunk)
        return path

    def free_bytes(self):
        stats = os.statvfs(self.folder)
        return stats.f_bavail * stats.f_frsize

    def files(self):
        """Every file under the folder, as paths relative to it."""
        return sorted(
            path.relative_to(self.folder).as_posix()
            for path in self.folder.rglob("*")
            if path.is_file()
        )


# --- Clients under load ------------------------------------------------------

# A person waits a long while before giving up on a page; the tests do too, so
# that a loaded machine shows up as slow figures rather than failures.
PATIENT_SECONDS = 120


class PatientBrowser(Browser):
    """A :class:`Browser` with a timeout of its own (``PATIENT_SECONDS`` by default)."""

    def __init__(self, timeout=PATIENT_SECONDS):
        super().__init__()
        self.timeout = timeout

    def get(self, url, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", self.timeout)
        return self.session.get(url, **kwargs)

    def post(self, url, data, *, token, referer, files=None, timeout=None):
        return self.session.post(
            url,
            data={**data, "csrfmiddlewaretoken": token},
            files=files,
            headers={"Referer": referer},
            allow_redirects=False,
            timeout=timeout or self.timeout,
        )


def log_in(server_url, username, password, *, attempts=3):
    """A logged-in PatientBrowser. Logging in again after a timeout or a dropped
    connection is what a person does, and harmless (one more session), so it is
    retried; any other answer fails at once."""
    for attempt in range(1, attempts + 1):
        browser = PatientBrowser()
        try:
            browser.log_in(server_url, username, password)
        except requests.RequestException:
            if attempt == attempts:
                raise
            time.sleep(attempt)
            continue
        return browser
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Outcome:
    """One request: who sent it, what for, when (time.monotonic()) and its answer:
    an HTTP status, or the name of the exception raised instead."""

    client: str
    kind: str
    sent: float
    answered: float
    status: int | str
    note: str = ""

    @property
    def seconds(self):
        return self.answered - self.sent


def send(client, kind, request, note=""):
    """Run ``request()`` (a requests call) and describe what came back."""
    sent = time.monotonic()
    try:
        response = request()
    except requests.RequestException as error:
        return Outcome(client, kind, sent, time.monotonic(), error.__class__.__name__, note), None
    return Outcome(client, kind, sent, time.monotonic(), response.status_code, note), response


class Load:
    """Clients running in threads until ``stop()``; every outcome is kept in order.

    ``add(name, step)``: ``step(record)`` is called over and over; it makes one
    request (or a few) and passes each Outcome to ``record``.
    """

    def __init__(self):
        self.outcomes = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = []
        self.errors = []

    def record(self, outcome):
        with self._lock:
            self.outcomes.append(outcome)

    @property
    def stopping(self):
        return self._stop.is_set()

    def add(self, name, step):
        def run():
            try:
                while not self._stop.is_set():
                    step(self.record)
            except Exception as error:  # reported by stop(), not lost in a thread
                self.errors.append((name, error))

        self._threads.append(threading.Thread(target=run, name=name, daemon=True))

    def start(self):
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout=PATIENT_SECONDS):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        assert not any(thread.is_alive() for thread in self._threads), "a client never finished"
        assert not self.errors, f"clients failed: {self.errors}"
        return self.outcomes

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        if not self._stop.is_set():
            self._stop.set()
            for thread in self._threads:
                thread.join(10)


def reader(browser, urls, name, *, pause=0.02):
    """A Load step: open the next of ``urls`` (round robin)."""
    position = itertools.count()

    def step(record):
        url = urls[next(position) % len(urls)]
        outcome, _response = send(name, "read", lambda: browser.get(url))
        record(outcome)
        time.sleep(pause)

    return step


DUPLICATE = "already posted exactly this text"


@dataclass
class Post:
    """One comment a member means to post, and every attempt it took."""

    body: str
    attempts: list = field(default_factory=list)
    stored_by: str = ""  # "posted" (302) or "duplicate" (an earlier attempt got through)

    @property
    def done(self):
        return bool(self.stored_by)


class Poster:
    """A member posting comments one after another into a thread. A comment whose
    request failed (503, a dropped connection, a timeout) is sent again, as a
    person would after an error page, until the site either takes it (302) or
    says it already has it (the duplicate check, 403): so no comment is given up
    on, and a retry can never store one twice."""

    RETRY_PAUSE = 0.3
    GIVE_UP_AFTER = 90  # seconds of failed attempts on one comment

    def __init__(self, browser, server, thread, name):
        self.browser = browser
        self.name = name
        self.page = server.url + thread["path"]
        self.action = server.url + f"/comments/new/thread/{thread['pk']}/"
        self.token = browser.form_token(self.page)
        self.posts = []

    def step(self, record):
        post = Post(f"{self.name} says hello, number {len(self.posts):03d}, from the science room.")
        self.posts.append(post)
        started = time.monotonic()
        while not post.done:
            outcome, response = send(
                self.name,
                "post",
                lambda: self.browser.post(
                    self.action, {"body": post.body}, token=self.token, referer=self.page
                ),
                note=post.body,
            )
            post.attempts.append(outcome)
            record(outcome)
            if outcome.status == 302:
                post.stored_by = "posted"
            elif outcome.status == 403 and DUPLICATE in response.text:
                post.stored_by = "duplicate"
            elif time.monotonic() - started > self.GIVE_UP_AFTER:
                raise AssertionError(f"{self.name} gave up on {post.body!r}: {post.attempts}")
            else:
                time.sleep(self.RETRY_PAUSE)


def percentile(values, percent):
    values = sorted(values)
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(percent / 100 * (len(values) - 1))))
    return values[index]


def figures(outcomes):
    """``n=…, statuses {…}, p50 …ms, max …ms`` for a list of Outcomes."""
    if not outcomes:
        return "no requests"
    seconds = [o.seconds for o in outcomes]
    statuses = dict(sorted(Counter(str(o.status) for o in outcomes).items()))
    return (
        f"n={len(outcomes)}, statuses {statuses}, p50 {percentile(seconds, 50) * 1000:.0f} ms, "
        f"max {max(seconds) * 1000:.0f} ms"
    )


def assert_counters_match(database, thread):
    """The thread's reply count and the board's counts agree with the rows: a
    comment and its counters are written together or not at all."""
    reply_count = database.value(
        "SELECT reply_count FROM threads_thread WHERE id = %s", thread["pk"]
    )
    comments = database.value(
        "SELECT COUNT(*) FROM comments_comment WHERE thread_id = %s", thread["pk"]
    )
    assert reply_count == comments - 1  # every comment but the opening post
    board = database.query(
        "SELECT thread_count, post_count FROM threads_board WHERE id = %s", thread["board"]
    )[0]
    truth = database.query(
        "SELECT COUNT(DISTINCT t.id), COUNT(c.id) FROM threads_thread t "
        "LEFT JOIN comments_comment c ON c.thread_id = t.id WHERE t.board_id = %s",
        thread["board"],
    )[0]
    assert board == truth


def assert_each_post_stored_once(database, thread, posters):
    """Every comment the members meant to post is stored, each exactly once."""
    stored = Counter(
        body
        for (body,) in database.query(
            "SELECT body FROM comments_comment WHERE thread_id = %s", thread["pk"]
        )
    )
    posts = [post for poster in posters for post in poster.posts]
    assert all(post.done for post in posts)
    twice = [post.body for post in posts if stored[post.body] > 1]
    missing = [post.body for post in posts if stored[post.body] == 0]
    assert not twice, f"stored more than once: {twice}"
    assert not missing, f"answered as stored but missing: {missing}"
    return posts


# --- gunicorn's workers --------------------------------------------------------


def worker_pids(master_pid):
    """The pids of a gunicorn master's workers (its child processes)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid and fields[0] not in "ZX":
            children.append(int(stat.parent.name))
    return sorted(children)


def wait_for_workers(master_pid, count, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = worker_pids(master_pid)
        if len(pids) >= count:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not get back to {count} workers in {timeout} s")
