"""Precise invalidation on the real set-up: gunicorn with two workers sharing Redis.

A thread of four pages (two top-level comments a page) is read through both
workers until its first and last pages come from the cache; a member then
posts a comment through the site. Page 1 must still come from the cache, with
the new counts and page links; the last page, the board's list and the home
page must show the comment at once, whichever worker answers; another
board's list must still come from the cache (docs/caching.md, "Precise
invalidation").
"""

import re
import uuid
from http import HTTPStatus

import pytest
import requests

from .conftest import PASSWORD, create_members, start_thread
from .outages import log_in
from .web import comment_path

pytestmark = pytest.mark.server

READS = 8  # per page and step: two sync workers, so both answer some


def read(url):
    """An anonymous visitor's GET (no cookies: every read is a new visitor)."""
    response = requests.get(url, timeout=30, allow_redirects=False)
    assert response.status_code == HTTPStatus.OK, f"GET {url}: {response.status_code}"
    return response


def page_links(html):
    found = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    return re.findall(r">(\d+)</(?:a|span)>", found[0]) if found else []


@pytest.mark.parametrize("scratch_database", ["postgresql"], indirect=True)
def test_a_comment_drops_its_page_only_across_workers(scratch_database, redis_env, start_gunicorn):
    env = {
        "DATABASE_URL": scratch_database.url,
        **redis_env,
        "RATE_LIMITS_ENABLED": 0,
        "NEW_ACCOUNT_PERIOD_HOURS": 0,
        "DUPLICATE_POST_WINDOW_MINUTES": 0,
        "COMMENTS_PER_PAGE": 2,
    }
    create_members(env, ["jaeik"])
    title = f"Precise {uuid.uuid4().hex[:8]}"
    thread = start_thread(env, author="jaeik", title=title, body="The opening post.")
    server = start_gunicorn(env, workers=2)
    member = log_in(server.url, "jaeik", PASSWORD)
    page_url = server.url + thread["path"]

    def post(body):
        answer = member.submit(
            page_url, {"body": body}, action=server.url + comment_path(thread["pk"])
        )
        assert answer.status_code == HTTPStatus.FOUND, answer.text[:500]

    for n in range(1, 7):
        post(f"Earlier comment {n}")
    first_url, last_url = page_url, page_url + "?page=4"
    board_url = server.url + "/boards/general/"
    other_board_url = server.url + "/boards/theories/"
    for url in (first_url, last_url, board_url, other_board_url):
        for _attempt in range(READS):
            read(url)
    assert read(first_url).headers["X-Page-Cache"] == "hit"
    assert {read(other_board_url).headers["X-Page-Cache"] for _read in range(READS)} == {"hit"}
    before = read(first_url).text
    assert "7 posts" in before
    assert page_links(before) == ["1", "2", "3", "4"]

    post("The newest comment, on page four")
    post("And one on a fifth page")

    firsts = [read(first_url) for _read in range(READS)]
    assert {r.headers["X-Page-Cache"] for r in firsts} == {"hit"}
    for response in firsts:
        assert "9 posts" in response.text
        assert "8 replies" in response.text
        assert page_links(response.text) == ["1", "2", "3", "4", "5"]
        assert "The newest comment" not in response.text
    for response in [read(last_url) for _read in range(READS)]:
        assert "The newest comment, on page four" in response.text
        assert "9 posts" in response.text
    assert "And one on a fifth page" in read(page_url + "?page=5").text
    for response in [read(board_url) for _read in range(READS)]:
        row = re.search(rf"{re.escape(title)}.*?</li>", response.text, re.S)
        assert row is not None
        assert "8 replies" in row[0], row[0]
    others = [read(other_board_url) for _read in range(READS)]
    assert {r.headers["X-Page-Cache"] for r in others} == {"hit"}
