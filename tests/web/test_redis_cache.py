"""The site's Redis cache backend (fansite.web.cache) against the real Redis at
127.0.0.1:6379, and the page cache running on it as in production."""

import uuid

import pytest
from django.core.cache import caches
from django.test import Client

from fansite.comments.services import post_comment
from tests.comments.factories import ThreadFactory
from tests.limits.test_redis import REDIS_URL, redis_client
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_default_cache(settings):
    """The default cache in Redis under a fresh key prefix (deleted afterwards)."""
    client = redis_client()
    prefix = f"fansite-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "fansite.web.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield caches["default"]
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def test_the_backend_stores_counts_and_deletes(redis_default_cache):
    cache = redis_default_cache
    cache.set("greeting", {"text": "annyeong"}, 60)
    assert cache.get("greeting") == {"text": "annyeong"}
    assert cache.add("counter", 1, 60)
    assert not cache.add("counter", 5, 60)
    assert cache.incr("counter") == 2
    cache.set_many({"a": 1, "b": 2}, 60)
    assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    cache.delete_many(["a", "b", "greeting"])
    assert cache.get_many(["a", "b", "greeting"]) == {}


def test_one_client_object_serves_every_call(redis_default_cache):
    cache = redis_default_cache
    cache.set("x", 1, 60)
    first = cache._cache.get_client(write=True)
    cache.get("x")
    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client(write=False) is first  # one server: one pool


def test_pages_cached_in_redis_are_dropped_by_a_new_comment(redis_default_cache):
    thread = ThreadFactory()
    reader = Client()
    reader.force_login(UserFactory(watched_up_to=12))
    reader.get(thread.get_absolute_url())
    assert reader.get(thread.get_absolute_url())["X-Page-Cache"] == "hit"

    post_comment(target=thread, author=UserFactory(), body="Posted while cached kiwi-2231")

    response = reader.get(thread.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Posted while cached kiwi-2231" in response.content.decode()


def test_generations_expire_so_probed_addresses_leave_no_key_forever(
    redis_default_cache, django_capture_on_commit_callbacks
):
    from fansite.web import pagecache

    thread = ThreadFactory()
    reader = Client()
    assert reader.get("/threads/987654321/").status_code == 404
    assert reader.get(thread.get_absolute_url()).status_code == 200
    counts = f"thread:{thread.pk}:counts"
    before = pagecache.generation(counts)
    # Run as if committed: the write replaces the shared generations then.
    with django_capture_on_commit_callbacks(execute=True):
        post_comment(target=thread, author=UserFactory(), body="A new comment.")
    assert redis_default_cache.get(f"pagegen:{counts}") != before
    client = redis_client()
    keys = list(client.scan_iter(f"{redis_default_cache.key_prefix}:*pagegen:*"))
    names = {key.decode().split("pagegen:", 1)[1] for key in keys}
    assert "thread:987654321" in names
    assert f"thread:{thread.pk}:counts" in names
    for key in keys:
        assert 0 < client.ttl(key) <= pagecache.GENERATION_SECONDS
