"""Talking to the running site like a browser, with requests: logging demo members
in, setting a reading progress through the header's form, fetching a page once
to check it before wrk loads it, and W11's members posting and reacting at a
steady pace."""

from __future__ import annotations

import http.client
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

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


@dataclass
class Write:
    """One POST of a paced member (paced_writes)."""

    kind: str  # "post" or "react"
    status: int  # 0: no answer (a socket error or a timeout)
    location: str
    ms: float
    late_ms: float  # how long after its planned time it was sent


def send_form(base_url, path, cookie, fields, timeout=30) -> tuple[int, str]:
    """POST a form with the standard library's http.client on a new connection
    (gunicorn's sync workers close each one): the status and the Location."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept-Encoding": "identity",
    }
    try:
        connection.request("POST", path, body=urlencode(fields), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        connection.close()


def paced_writes(
    base_url, member: Member, *, start, seconds, post_path, body, reactions
) -> list[Write]:
    """One member of W11 (premiere night): a comment into ``post_path`` every
    second from ``start`` (a time.monotonic() value) for ``seconds``, and half
    a second after each, the next of ``reactions`` ((react path, "<kind>:on"),
    taken in turn). ``body(n)`` is the text of the member's comment number n.
    A write is sent at its planned time, or at once when an earlier one made it
    late: the pace is kept, never caught up in a burst."""
    plan = []
    for second in range(int(seconds)):
        plan.append((second, "post", second))
        if reactions:
            plan.append((second + 0.5, "react", second))
    writes = []
    for at, kind, number in plan:
        wait = start + at - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        if kind == "post":
            path = post_path
            fields = {"body": body(number), "spoils_episode": "", "parent": ""}
        else:
            path, value = reactions[number % len(reactions)]
            fields = {"react": value}
        fields["csrfmiddlewaretoken"] = member.csrf_token
        sent = time.perf_counter()
        try:
            status, location = send_form(base_url, path, member.cookie_header, fields)
        except (OSError, http.client.HTTPException):
            status, location = 0, ""
        took = (time.perf_counter() - sent) * 1000
        writes.append(Write(kind, status, location, round(took, 2), round(max(0, -wait) * 1000)))
    return writes


def posted_ids(writes) -> list[int]:
    """The comment ids the site acknowledged (302 to the permalink) among ``writes``."""
    ids = []
    for write in writes:
        if write.kind == "post" and write.status == 302:
            match = POSTED.search(write.location)
            if match:
                ids.append(int(match.group(1)))
    return ids
