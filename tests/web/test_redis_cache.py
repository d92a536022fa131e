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


class Sent(list):
    """What went to Redis: each command alone (``["GET"]``), or a pipeline's
    commands together (``["SET", "SET"]``); ``read`` the keys each MGET asked for."""

    def __init__(self):
        super().__init__()
        self.read = []

    def clear(self):
        super().clear()
        self.read.clear()


@pytest.fixture
def sent_to_redis(monkeypatch):
    """What goes to Redis from here on (``Sent``)."""
    import redis

    from fansite.web.cache import ResilientRedisCacheClient

    sent = Sent()
    command, execute = redis.Redis.execute_command, redis.client.Pipeline.execute
    straight = ResilientRedisCacheClient._commands

    def seen(*commands):
        sent.append([args[0] for args in commands])
        for args in commands:
            if args[0] == "MGET":
                sent.read.append([key.split(":", 2)[2] for key in args[1:]])

    def one_command(client, *args, **options):
        seen(args)
        return command(client, *args, **options)

    def past_the_client(client, write, commands):  # the backend's reads and set_each
        seen(*commands)
        return straight(client, write, commands)

    def pipeline(pipe, *args, **options):
        sent.append([queued[0][0] for queued in pipe.command_stack])
        return execute(pipe, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", one_command)
    monkeypatch.setattr(ResilientRedisCacheClient, "_commands", past_the_client)
    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline)
    return sent


def test_set_each_gives_each_key_its_own_lifetime_in_one_round_trip(
    redis_default_cache, sent_to_redis
):
    from fansite.web.cache import set_each

    cache = redis_default_cache
    cache.set("gone", "old", 60)
    sent_to_redis.clear()

    set_each(cache, {"short": ("a", 30), "long": ({"b": 2}, 3600), "gone": (None, 0)})

    assert sent_to_redis == [["SET", "SET", "DEL"]]
    assert cache.get_many(["short", "long", "gone"]) == {"short": "a", "long": {"b": 2}}
    client = redis_client()
    assert 25 < client.ttl(cache.make_key("short")) <= 30
    assert 3500 < client.ttl(cache.make_key("long")) <= 3600


def _a_cached_thread_and_a_newcomer():
    """A thread whose page another member has drawn (cached, with its counts kept in
    this process), and a member logged in who has never opened it."""
    thread = ThreadFactory()
    post_comment(target=thread, author=UserFactory(), body="Something to react to")
    first = Client()
    first.force_login(UserFactory(watched_up_to=12))
    first.get(thread.get_absolute_url())  # the shared page, cached
    first.get(thread.get_absolute_url())  # and its counts, kept after the cache
    newcomer = Client()
    newcomer.force_login(UserFactory(watched_up_to=12))
    return thread, newcomer


def test_commands_sent_together_answer_each_and_leave_nothing_pending(redis_default_cache):
    """A refused command among several is raised once every answer is read: the
    connection goes back to the pool with nothing left to read, and the next
    command gets its own answer, not the one before's."""
    from redis.exceptions import ResponseError

    cache = redis_default_cache
    cache.set("word", "not a number", 60)
    cache.set("other", 2, 60)
    client = cache._cache
    word, kept, other = (cache.make_key(name) for name in ("word", "kept", "other"))

    with pytest.raises(ResponseError):
        client._commands(True, [("SET", kept, 1, "EX", 60), ("INCR", word), ("GET", kept)])

    assert client._commands(False, [("GET", other)]) == [b"2"]
    assert client._commands(False, [("GET", kept), ("TTL", kept)])[0] == b"1"
    assert cache.get("word") == "not a number"


def test_a_members_first_view_stores_what_it_read_in_one_round_trip(
    redis_default_cache, sent_to_redis
):
    """A member opening a page another member has cached reads their unread count,
    follows, reactions and read marker from the database; all four go to Redis
    together."""
    thread, newcomer = _a_cached_thread_and_a_newcomer()
    sent_to_redis.clear()

    response = newcomer.get(thread.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    writes = [sent for sent in sent_to_redis if "SET" in sent]
    assert writes == [["SET", "SET", "SET", "SET"]]
    member = response.wsgi_request.user.pk
    keys = [
        f"notifications:unread:{member}",
        f"notifications:follows:{member}",
        f"reactions:mine:{member}",
        f"threads:read:{member}:{thread.pk}",
    ]
    assert len(redis_default_cache.get_many(keys)) == 4


def test_a_members_pages_after_the_first_read_nothing_but_the_page(
    redis_default_cache, sent_to_redis
):
    """A member who has not reacted lately: once their reactions are in the cache,
    this process's counts hold theirs, so a page from the cache is one read (the
    page with their keys), not a second for counts it already holds."""
    thread, member = _a_cached_thread_and_a_newcomer()
    member.get(thread.get_absolute_url())  # their reactions read, kept in the cache
    sent_to_redis.clear()

    response = member.get(thread.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert len(sent_to_redis.read) == 1


def test_set_each_on_another_backend_sets_key_by_key(settings):
    from django.core.cache import cache

    from fansite.web.cache import set_each

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.set("gone", "old", 60)
    set_each(cache, {"kept": (1, 60), "gone": (None, 0)})
    assert cache.get_many(["kept", "gone"]) == {"kept": 1}


def test_a_members_page_drawn_afresh_reads_what_its_markers_need_in_one_round_trip(
    redis_default_cache, sent_to_redis, settings
):
    """Their unread count, follows and reactions: one read after the view, shared
    by the fillers, as a page from the cache reads them with the page."""
    settings.PAGE_CACHE_SECONDS = 0  # every page drawn afresh
    thread = ThreadFactory()
    post_comment(target=thread, author=UserFactory(), body="Something to react to")
    member = UserFactory(watched_up_to=12)
    reader = Client()
    reader.force_login(member)
    reader.get(thread.get_absolute_url())  # what the markers read is now in the cache
    sent_to_redis.clear()

    reader.get(thread.get_absolute_url())

    wanted = {
        f"notifications:unread:{member.pk}",
        f"notifications:follows:{member.pk}",
        f"reactions:mine:{member.pk}",
    }
    assert [set(keys) & wanted for keys in sent_to_redis.read if set(keys) & wanted] == [wanted]


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


def test_reads_outlive_a_connection_redis_dropped(redis_default_cache):
    """The backend's reads skip redis-py's client (``_command``); a pooled
    connection the server closed meanwhile is opened again, not taken for an
    outage."""
    cache = redis_default_cache
    cache.set("kept", "value", 60)
    assert cache.get("kept") == "value"
    pool = cache._cache._get_connection_pool(False)
    (connection,) = pool._available_connections
    host, port = connection._sock.getsockname()[:2]

    assert redis_client().client_kill_filter(addr=f"{host}:{port}") == 1

    assert cache.get("kept") == "value"
    assert cache.get_many(["kept", "missing"]) == {"kept": "value"}
    assert cache.get("missing", "default") == "default"
    assert cache.available


def test_values_come_back_as_stored_whoever_wrote_them(redis_default_cache):
    """The backend reads a value by its first byte (fansite.web.cache.Serializer):
    integers stay integers for ``incr``, anything else is a pickle, also one
    Django's own serializer wrote."""
    from django.core.cache.backends.redis import RedisSerializer

    cache = redis_default_cache
    values = {
        "int": 7,
        "negative": -12,
        "flag": True,
        "digits": "12",
        "bytes": b"\x80not a pickle",
        "nested": {"a": [1, (2, "three")]},
        "nothing": None,
    }
    for key, value in values.items():
        cache.set(key, value, 60)
    client = redis_client()
    client.set(cache.make_key("django's"), RedisSerializer().dumps(("old", 1)))

    assert cache.get_many([*values, "django's"]) == {**values, "django's": ("old", 1)}
    assert {key: cache.get(key, "missing") for key in values} == values
    assert cache.incr("int") == 8
    assert cache.get("int") == 8
