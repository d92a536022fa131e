"""The wrk scripts that count for themselves, run by wrk against a small local
server: cold.lua (each member once, then stop) and premiere.lua (pages read in
turn, cache headers counted per page). A second or two each; skipped without wrk."""

import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.benchmarks import load

pytestmark = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")

PAGES = {
    "/threads/9/": b"hit",
    "/threads/9/?page=4": b"miss",  # the last page at the start; links to page 5
    "/threads/9/?page=5": b"miss",  # the last page from then on
    "/boards/general/": b"hit",
    "/": None,  # no X-Page-Cache header
}


@pytest.fixture
def site():
    """Answers like gunicorn's sync workers (one response per connection, then
    close): each page with its canonical link in its head and its X-Page-Cache
    header. Keeps the Cookie header of every request."""
    cookies = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            cookies.append(self.headers.get("Cookie"))
            time.sleep(0.002)
            following = '<a href="?page=5" rel="next">' if self.path.endswith("=4") else ""
            body = (
                f'<html><head><link rel="canonical" href="https://fans.example{self.path}">'
                f"</head><body>page {following}</body></html>"
            ).encode()
            self.send_response(200)
            cached = PAGES.get(self.path, b"hit")
            if cached:
                self.send_header("X-Page-Cache", cached.decode())
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 64

        def handle_error(self, request, client_address):
            pass  # wrk drops the connections still open when it stops

    server = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", cookies
    server.shutdown()


def test_every_cold_member_is_sent_once_and_wrk_stops_when_all_are_answered(site, tmp_path):
    base, cookies = site
    plan = tmp_path / "cold.tsv"
    members = [f"sessionid=s{number}; csrftoken=t{number}" for number in range(120)]
    load.write_cold_plan(plan, cookies=members)
    started = time.monotonic()

    figures = load.cold_load(f"{base}/threads/9/", plan, connections=8)

    assert time.monotonic() - started < load.COLD_LIMIT_SECONDS / 4
    assert sorted(cookies) == sorted(members)
    assert figures.requests == 120
    assert figures.extra["members"] == 120
    assert figures.extra["reused"] == 0
    assert figures.errors == 0
    assert 0 < figures.seconds < 10


def test_premiere_readers_spread_over_the_pages_and_count_their_cache_headers(site, tmp_path):
    base, _cookies = site
    plan = tmp_path / "pages.tsv"
    pages = ["/threads/9/", ("/threads/9/", 4), "/boards/general/", "/"]
    load.write_pages_plan(plan, pages=pages)

    figures = load.pages_load(base, plan, seconds=1, connections=8, threads=2)

    *pages, unmatched = figures.extra["pages"]
    total = sum(page["requests"] for page in pages)
    assert total == figures.requests > 40
    assert unmatched["requests"] == 0
    assert max(p["requests"] for p in pages) - min(p["requests"] for p in pages) <= 8
    first, last, board, home = pages
    assert (first["hit"], first["miss"]) == (first["requests"], 0)
    assert (last["hit"], last["miss"]) == (0, last["requests"])
    assert board["hit"] == board["requests"]
    assert home["other"] == home["requests"]
    assert figures.extra["last_page"] == 5
