"""The site's Redis cache backend when Redis stops answering (fansite.web.cache).

A TCP proxy (tests/server/outages.py) stands between the backend and the real
Redis at 127.0.0.1:6379, so the test can cut Redis off and bring it back with
everything it held. The end-to-end version, under load through gunicorn, is
tests/server/test_redis_outage.py.
"""

import time
import uuid

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.core.cache import caches
from django.test import Client

from fansite.comments.services import post_comment
from fansite.web import cache as resilient
from fansite.web import pagecache
from tests.comments.factories import ThreadFactory
from tests.limits.test_redis import redis_client
from tests.server.outages import TcpProxy
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def proxy():
    redis_client()  # skips without Redis
    with TcpProxy(("127.0.0.1", 6379)) as proxy:
        yield proxy


@pytest.fixture
def cache(settings, proxy, monkeypatch):
    """The default cache on Redis through the proxy, under a fresh key prefix."""
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.05)
    prefix = f"fansite-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "fansite.web.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{proxy.port}/0",
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    yield caches["default"]
    client = redis_client()
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def wait_until_available(cache, seconds=5):
    deadline = time.monotonic() + seconds
    while not cache.available:
        assert time.monotonic() < deadline, "the backend never used Redis again"
        time.sleep(0.02)


def test_without_redis_reads_miss_writes_are_dropped_and_counts_refuse(cache, proxy):
    cache.set("greeting", "annyeong", 60)
    proxy.down()
    started = time.monotonic()

    assert cache.get("greeting") is None
    assert cache.get("greeting", "fallback") == "fallback"
    assert cache.available is False
    assert cache.get_many(["greeting"]) == {}
    assert "greeting" not in cache
    assert cache.add("fresh", 1, 60) is False  # nothing was stored
    cache.set("greeting", "dropped", 60)
    cache.set_many({"a": 1}, 60)
    cache.delete("greeting")
    cache.delete_many(["a"])
    with pytest.raises(resilient.CacheUnavailable):
        cache.incr("greeting")
    assert cache.get_or_set("computed", lambda: "from the database", 60) == "from the database"

    # One refused connection, then no more attempts: all of it is immediate.
    assert time.monotonic() - started < 0.5
    proxy.up()
    wait_until_available(cache)
    assert cache.get("greeting") is None  # deleted: its write was dropped


def test_keys_written_during_the_outage_are_deleted_when_redis_returns(cache, proxy):
    cache.set("session", "logged in", 60)
    cache.set("untouched", "kept", 60)
    proxy.down()
    cache.delete("session")  # the member logged out: Redis still holds the old copy
    proxy.up()
    wait_until_available(cache)

    assert cache.get("session") is None  # not resurrected
    assert cache.get("untouched") == "kept"


def test_a_session_ended_during_the_outage_stays_ended(cache, proxy):
    session = SessionStore()
    session["member"] = "onjo"
    session.create()
    key = session.session_key
    assert SessionStore(key).load() == {"member": "onjo"}  # cached in Redis

    proxy.down()
    SessionStore(key).delete()  # from the database; Redis cannot be told
    assert SessionStore(key).load() == {}  # read from the database
    proxy.up()
    wait_until_available(cache)

    assert SessionStore(key).load() == {}


def test_a_page_cached_before_the_outage_is_not_served_after_it(cache, proxy):
    thread = ThreadFactory()
    reader = Client()
    reader.force_login(UserFactory(watched_up_to=12))  # no comment gated for them
    reader.get(thread.get_absolute_url())
    assert reader.get(thread.get_absolute_url())["X-Page-Cache"] == "hit"

    proxy.down()
    post_comment(target=thread, author=UserFactory(), body="Posted while Redis was away")
    during = reader.get(thread.get_absolute_url())
    pagecache.local_pages.clear()  # as in another worker, which never had the page
    proxy.up()
    wait_until_available(cache)
    after = reader.get(thread.get_absolute_url())

    assert during["X-Page-Cache"] == "unavailable"
    assert "Posted while Redis was away" in during.content.decode()
    assert after["X-Page-Cache"] == "miss"
    assert "Posted while Redis was away" in after.content.decode()


def test_the_site_generation_is_replaced_after_any_outage(cache, proxy):
    """Even with nothing written here: a process that died during the outage may
    have failed to replace generations, and every page depends on "site"."""
    before = pagecache.generation(pagecache.SITE)
    proxy.down()
    assert cache.get("anything") is None
    proxy.up()
    wait_until_available(cache)

    assert pagecache.generation(pagecache.SITE) != before
