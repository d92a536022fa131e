"""Two app servers behind one site: whatever happens on one holds on the other.

Servers A and B are separate gunicorn instances (two workers each) sharing what
docs/servers.md says app servers must share: one PostgreSQL database, one Redis
(cache, cached sessions, rate limits), one media folder and one SECRET_KEY. A task
worker (``manage.py db_worker``, as fansite-worker.service runs it) writes the
notifications. Everything goes over real HTTP, forms and CSRF tokens included.
"""

import re
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

import pytest
import requests
from django.conf import settings

from fansite.web.ratelimits import parse_rate

from .conftest import (
    PASSWORD,
    Gunicorn,
    GunicornPool,
    ScratchDatabase,
    Worker,
    create_members,
    migrate,
    postgres_database,
    redis_namespace,
    start_thread,
    wait_for,
)
from .web import Browser, avatar_sources, comment_path, is_webp, png_bytes

pytestmark = pytest.mark.server

MEMBERS = ("cheongsan", "onjo", "suhyeok", "namra", "ilsu", "gyeongsu")


def comment_limit_per_minute():
    """The member's comment limit per minute, from the settings the servers run with."""
    (limit,) = (
        rate.limit
        for rate in map(parse_rate, settings.RATE_LIMITS["comment"])
        if rate.scope == "user" and rate.period == 60
    )
    return limit


@dataclass
class Site:
    a: Gunicorn
    b: Gunicorn
    database: ScratchDatabase
    media_root: Path
    thread: dict
    env: dict
    worker: Worker


@pytest.fixture(scope="module")
def site(static_root, tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-servers")
    media_root = folder / "media"
    media_root.mkdir()
    with redis_namespace() as redis_env, postgres_database() as database:
        env = {
            "DATABASE_URL": migrate(database).url,
            **redis_env,
            "MEDIA_ROOT": media_root,
            "SERVE_MEDIA": 1,
            "RATE_LIMITS_ENABLED": 1,
        }
        create_members(env, MEMBERS)
        thread = start_thread(
            env,
            author="namra",
            title="Who made it off the roof?",
            body="Counting the survivors after the rooftop night.",
        )
        worker = Worker(env, folder / "worker.log").start()
        try:
            with GunicornPool(static_root, folder) as pool:
                yield Site(
                    a=pool.start(env, name="A"),
                    b=pool.start(env, name="B"),
                    database=database,
                    media_root=media_root,
                    thread=thread,
                    env=env,
                    worker=worker,
                )
        finally:
            worker.stop()


def test_logging_in_on_one_server_logs_in_on_the_other(site):
    browser = Browser()
    browser.log_in(site.a.url, "cheongsan", PASSWORD)

    # Another client holding nothing but that session cookie, talking to B.
    on_b = requests.Session()
    on_b.cookies.set("sessionid", browser.session.cookies["sessionid"])
    page = on_b.get(f"{site.b.url}/settings/profile/", allow_redirects=False, timeout=30)

    assert page.status_code == HTTPStatus.OK  # a page for members only, not a log-in redirect
    assert 'href="/members/cheongsan/" class="user-nav__me"' in page.text
    anonymous = requests.get(f"{site.b.url}/settings/profile/", allow_redirects=False, timeout=30)
    assert anonymous.status_code == HTTPStatus.FOUND


def test_a_comment_posted_on_one_server_shows_on_the_other_at_once(site):
    member = Browser()
    member.log_in(site.a.url, "onjo", PASSWORD)
    visitor = Browser()
    thread_on_b = site.b.url + site.thread["path"]
    body = f"Posted through server A, read through server B ({uuid.uuid4().hex})."
    # B has shown the thread before the comment exists (and may have kept the page).
    for reader in (member, visitor):
        before = reader.get(thread_on_b)
        assert before.status_code == HTTPStatus.OK
        assert body not in before.text

    response = member.submit(
        site.a.url + site.thread["path"],
        {"body": body},
        action=site.a.url + comment_path(site.thread["pk"]),
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response.headers["Location"].startswith("/comments/")
    for reader in (member, visitor):
        page = reader.get(thread_on_b)
        assert page.status_code == HTTPStatus.OK
        assert body in page.text


def unread_count(page):
    """The header's unread notifications count on a page (0 when it shows none)."""
    match = re.search(r'<span class="notification-count">(\d+)', page)
    return int(match.group(1)) if match else 0


def test_a_reply_through_one_server_shows_in_the_count_on_the_other(site):
    own = start_thread(
        site.env,
        author="gyeongsu",
        title="Tracking the broadcast",
        body="Which night did the rescue broadcast start?",
    )
    author = Browser()
    author.log_in(site.b.url, "gyeongsu", PASSWORD)
    home_on_b = site.b.url + "/"
    assert unread_count(author.get(home_on_b).text) == 0  # B has rendered the header

    replier = Browser()
    replier.log_in(site.a.url, "cheongsan", PASSWORD)
    response = replier.submit(
        site.a.url + own["path"],
        {"body": "The second night, after the gym."},
        action=site.a.url + comment_path(own["pk"]),
    )
    assert response.status_code == HTTPStatus.FOUND

    # The worker writes the line; B shows the new count on the next page.
    wait_for(
        lambda: unread_count(author.get(home_on_b).text) == 1,
        "the reply in the author's count on server B",
        explain=site.worker.log_tail,
    )
    centre = author.get(site.b.url + "/notifications/").text
    assert "Tracking the broadcast" in centre
    assert "Cheongsan" in centre or "cheongsan" in centre


def wait_for_a_fresh_minute(needed_seconds=15):
    """Rate limits count in fixed one-minute windows: start a burst early in one,
    so that it cannot straddle two."""
    left = 60 - time.time() % 60
    if left < needed_seconds:
        time.sleep(left + 0.2)


def test_a_rate_limit_counted_on_one_server_applies_on_the_other(site):
    browser = Browser()
    browser.log_in(site.a.url, "suhyeok", PASSWORD)
    page_a = site.a.url + site.thread["path"]
    limit = comment_limit_per_minute()
    wait_for_a_fresh_minute()
    token = browser.form_token(page_a)

    for number in range(limit):
        response = browser.post(
            site.a.url + comment_path(site.thread["pk"]),
            {"body": f"Quick comment number {number} on server A."},
            token=token,
            referer=page_a,
        )
        assert response.status_code == HTTPStatus.FOUND, f"comment {number} was refused on A"

    refused = browser.post(
        site.b.url + comment_path(site.thread["pk"]),
        {"body": "One more, through server B."},
        token=token,
        referer=site.b.url + site.thread["path"],
    )

    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "posting quickly" in refused.text
    assert "One more, through server B.</textarea>" in refused.text  # the text is kept
    stored = site.database.value(
        "SELECT COUNT(*) FROM comments_comment c JOIN users_user u ON u.id = c.author_id "
        "WHERE u.username = %s",
        "suhyeok",
    )
    assert stored == limit


def test_an_avatar_uploaded_through_one_server_is_served_by_the_other(site):
    browser = Browser()
    browser.log_in(site.a.url, "ilsu", PASSWORD)

    response = browser.submit(
        f"{site.a.url}/settings/profile/",
        {"display_name": "", "bio": "Science teacher."},
        files={"avatar": ("ilsu.png", png_bytes(), "image/png")},
    )

    assert response.status_code == HTTPStatus.FOUND
    profile = requests.get(f"{site.b.url}/members/ilsu/", timeout=30)
    (source,) = avatar_sources(profile.text)
    assert source.startswith("/media/avatars/")
    image = requests.get(site.b.url + source, timeout=30)
    assert image.status_code == HTTPStatus.OK
    assert image.headers["Content-Type"] == "image/webp"
    assert is_webp(image.content)
    # Written once, to the shared folder, by server A.
    assert (site.media_root / source.removeprefix("/media/")).is_file()
