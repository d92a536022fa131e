"""Talking to the running site like a browser, with requests: logging demo members
in, setting a reading progress through the header's form, and fetching a page
once to check it before wrk loads it."""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

PAGE_LINK = re.compile(r"""href=["'][^"']*[?&](?:amp;)?page=(\d+)""")


class SiteError(RuntimeError):
    pass


@dataclass
class Member:
    username: str
    session: requests.Session

    @property
    def sessionid(self) -> str:
        return self.session.cookies.get("sessionid", "")

    @property
    def csrf_token(self) -> str:
        return self.session.cookies.get("csrftoken", "")

    @property
    def cookie_header(self) -> str:
        return f"sessionid={self.sessionid}; csrftoken={self.csrf_token}"


def _check(response, expected, what):
    if response.status_code != expected:
        raise SiteError(f"{what}: HTTP {response.status_code} (expected {expected})")
    return response


def log_in(base_url, login_path, username, password) -> Member:
    session = requests.Session()
    _check(session.get(base_url + login_path, timeout=30), 200, "login page")
    response = session.post(
        base_url + login_path,
        data={
            "login": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        allow_redirects=False,
        timeout=30,
    )
    _check(response, 302, f"logging in as {username}")
    member = Member(username, session)
    if not member.sessionid or not member.csrf_token:
        raise SiteError(f"logging in as {username} set no session or CSRF cookie")
    return member


def set_progress(base_url, progress_path, member: Member, episode: int):
    """Post the header's "I've watched up to" form, as the member would."""
    response = member.session.post(
        base_url + progress_path,
        data={
            "watched_up_to": str(episode),
            "next": "/",
            "csrfmiddlewaretoken": member.csrf_token,
        },
        allow_redirects=False,
        timeout=30,
    )
    _check(response, 302, f"setting {member.username}'s progress")


def fetch(url, cookie=None) -> bytes:
    """One GET, as wrk will send it (no compression, no redirects): the body of a 200."""
    headers = {"Accept-Encoding": "identity"}
    if cookie:
        headers["Cookie"] = cookie
    response = requests.get(url, headers=headers, allow_redirects=False, timeout=60)
    _check(response, 200, f"GET {url}")
    return response.content


def timed_fetch(url, cookie=None) -> float:
    """Milliseconds for one GET of a 200, read to the end, sent with the standard
    library's http.client: the server's time and the connection, without the
    millisecond or so requests spends on its own."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Accept-Encoding": "identity"}
    if cookie:
        headers["Cookie"] = cookie
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    took = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise SiteError(f"GET {url}: HTTP {response.status} (expected 200)")
    return took


def last_page_number(html: bytes) -> int:
    """The highest page number the pagination links on a page point to (1 if none)."""
    numbers = [int(n) for n in PAGE_LINK.findall(html.decode("utf-8", "replace"))]
    return max(numbers, default=1)


POSTED = re.compile(r"/comments/(\d+)/")


def post_comment(base_url, path, member: Member, body: str) -> int:
    """Post a comment through the site's form, as post.lua does; its id (from the
    redirect to the comment's permalink)."""
    response = member.session.post(
        base_url + path,
        data={
            "body": body,
            "spoils_episode": "",
            "parent": "",
            "csrfmiddlewaretoken": member.csrf_token,
        },
        allow_redirects=False,
        timeout=30,
    )
    _check(response, 302, f"{member.username} posting to {path}")
    match = POSTED.search(response.headers.get("Location", ""))
    if not match:
        raise SiteError(f"posting to {path} redirected to {response.headers.get('Location')}")
    return int(match.group(1))


_CARD = re.compile(r'id="comment-(\d+)"')
_COUNT = re.compile(r"(\d+) (?:person|people) reacted ")
_TOTAL = re.compile(r'class="reactions reactions--total">(\d+) reactions?<')


def reaction_totals(html: str) -> dict:
    """``{comment pk: reactions}`` as a page shows them: the sum of "12 people
    reacted sad" lines, or the total a gated comment shows ("14 reactions")."""
    found = {}
    cards = list(_CARD.finditer(html))
    for number, card in enumerate(cards):
        end = cards[number + 1].start() if number + 1 < len(cards) else len(html)
        part = html[card.end() : end]
        total = sum(map(int, _COUNT.findall(part))) + sum(map(int, _TOTAL.findall(part)))
        if total:
            found[card.group(1)] = total
    return found


_FOUND = re.compile(r'search-results__count" role="status">(?:More than )?([0-9,]+)')


def search_count(html: str) -> str:
    """What a search page says it found: "12", or "200+" past the count it keeps."""
    found = _FOUND.search(html)
    if not found:
        return "?"
    return found[1] + ("+" if "More than" in html[found.start() : found.end()] else "")
