"""Django's Redis cache backend, made for a site that must outlive a Redis outage.

Two changes to Django's backend:

**One redis-py client per connection pool.** Django's backend builds a new
``redis.Redis`` object for every cache call, and redis-py fills a table of
several hundred response callbacks each time: about a fifth of a millisecond per
call, several calls per page. The client objects are thread-safe and hold no
connection of their own (the pool does), so one per pool is enough.

**Redis stopping does not stop the site.** When Redis does not answer (the
connection is refused or reset, or nothing comes back within the socket
timeouts below), this process stops asking it and the backend behaves like an
empty cache that keeps nothing: reads miss, writes are dropped (``add()``
answers False: nothing was stored) and ``incr()``, which has no honest answer,
raises :class:`CacheUnavailable`. Everything the cache holds is a copy of the
database or can be lost, so callers carry on from the database: sessions
(``cached_db``) are read from their table, pages and comment cards are
rendered afresh.

What must never happen is Redis coming back with copies older than the
database: the session of a member who logged out meanwhile, the page-cache
generation a new comment should have replaced. So every key whose write was
dropped is remembered, and a background thread of this process keeps trying
Redis (every ``RETRY_SECONDS``); once it answers, the thread first deletes all
those keys, and the keys registered with :func:`drop_after_outage` (the page
cache's "site" generation, which also covers writes by processes that did not
live to see Redis return), and only then does the process read from Redis again.

This module logs one error when Redis goes and one warning when it is back
(how long it was away, how many writes were dropped), nothing per call.
docs/operations.md says what an operator sees.
"""

import logging
import os
import pickle
import threading
import time
from collections.abc import Iterable

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient, RedisSerializer
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)

__all__ = ["CacheUnavailable", "RedisCache", "drop_after_outage", "set_each"]

# Redis answers in well under a millisecond; a second to connect and two to
# answer are only reached when it is gone (or the machine is on its knees).
# OPTIONS in settings.CACHES override them.
DEFAULT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
# How often a process whose Redis went away tries it again.
RETRY_SECONDS = 1.0
# Keys remembered for deletion; past this many, every key under the cache's
# prefix is deleted instead when Redis returns.
MAX_REMEMBERED = 100_000
_DELETE_BATCH = 500


class CacheUnavailable(Exception):
    """Redis did not answer, and the call has no value to fall back on (``incr``)."""


# Keys (as callers name them, before the prefix) deleted whenever Redis comes back.
_DROP_AFTER_OUTAGE = set()


def drop_after_outage(key):
    """Delete ``key`` whenever Redis answers again after this process saw it fail,
    whatever was or was not written meanwhile (the page cache's "site" generation)."""
    _DROP_AFTER_OUTAGE.add(key)


class _Missing:
    """Marks a write that must raise rather than fall back."""


_RAISE = _Missing()


class _Outage:
    """One process's view of one Redis: answering, or away since a failure and
    watched by a thread that brings it back into use once it answers again."""

    def __init__(self, location):
        self.location = location
        self.lock = threading.Lock()
        self.down = False
        self.since = 0.0
        self.remembered = set()
        self.overflowed = False
        self.skipped = 0
        self.watcher_pid = None
        self.client = None

    def failed(self, client, error, keys):
        with self.lock:
            if not self.down:
                self.down = True
                self.since = time.monotonic()
                self.skipped = 0
                logger.error(
                    "Redis at %s is not answering (%s: %s); the cache is bypassed and pages "
                    "and sessions come from the database until it answers again.",
                    self.location,
                    error.__class__.__name__,
                    error,
                )
            self.client = client
            self._remember(keys)
            self._watch()

    def skip(self, keys):
        """Record a write dropped while Redis is away; False if it is back already
        (the caller then writes for real)."""
        with self.lock:
            if not self.down:
                return False
            self._remember(keys)
            self._watch()
            return True

    def _remember(self, keys):
        self.skipped += 1
        if self.overflowed:
            return
        self.remembered.update(keys)
        if len(self.remembered) > MAX_REMEMBERED:
            self.overflowed = True
            self.remembered.clear()

    def _watch(self):
        # Once per process: a worker forked from a process that saw Redis fail
        # inherits the state but not the thread.
        if self.watcher_pid == os.getpid():
            return
        self.watcher_pid = os.getpid()
        threading.Thread(target=self._watch_until_back, name="redis-outage", daemon=True).start()

    def _watch_until_back(self):
        while True:
            time.sleep(RETRY_SECONDS)
            try:
                if self._try_to_come_back():
                    return
            except Exception:
                logger.exception("Checking whether Redis at %s is back failed.", self.location)

    def _try_to_come_back(self):
        redis = self.client.get_client(write=True)
        try:
            # Outside the lock: a Redis that accepts connections but does not
            # answer holds this for the socket timeout, and requests must not wait.
            redis.ping()
        except RedisError:
            return False
        # Under the lock, so that no write can be dropped between the deletions
        # and the moment this process uses Redis again.
        with self.lock:
            try:
                if self.overflowed:
                    deleted = self._delete_everything(redis)
                else:
                    always = [self.client.make_key(key) for key in _DROP_AFTER_OUTAGE]
                    deleted = self._delete(redis, [*self.remembered, *always])
            except RedisError:
                return False
            logger.warning(
                "Redis at %s answers again after %.1f s; %d writes were dropped meanwhile and "
                "%s keys written before or during the outage were deleted.",
                self.location,
                time.monotonic() - self.since,
                self.skipped,
                deleted,
            )
            self.down = False
            self.remembered.clear()
            self.overflowed = False
            self.watcher_pid = None
            return True

    @staticmethod
    def _delete(redis, keys):
        keys = list(keys)
        for start in range(0, len(keys), _DELETE_BATCH):
            redis.delete(*keys[start : start + _DELETE_BATCH])
        return len(keys)

    def _delete_everything(self, redis):
        """Too many writes were dropped to remember them all: delete every key under
        the cache's prefix (the cache is only ever a copy, so this is safe, if slow)."""
        deleted = 0
        for pattern in self.client.patterns:
            batch = []
            for key in redis.scan_iter(match=pattern, count=1000):
                batch.append(key)
                if len(batch) == _DELETE_BATCH:
                    deleted += self._delete(redis, batch)
                    batch = []
            deleted += self._delete(redis, batch)
        return f"all {deleted}"


# One state per Redis location in this process, shared by every thread's backend.
_outages = {}
_outages_lock = threading.Lock()


def _outage_for(location):
    with _outages_lock:
        return _outages.setdefault(location, _Outage(location))


class Serializer(RedisSerializer):
    """Django's: integers as they are (for ``incr``), everything else pickled. Read
    back by its first byte, where Django tries ``int()`` first and catches the
    error for every pickled value, some 3 µs each: a member's cached page reads
    ten values."""

    def loads(self, data):
        if data[:1] == _PICKLED:
            return pickle.loads(data)
        return super().loads(data)


# What a pickle of protocol 2 or later starts with (Django writes the highest).
_PICKLED = b"\x80"


class ResilientRedisCacheClient(RedisCacheClient):
    """Django's client, reusing one redis-py client per pool and falling back as
    the module docstring says when Redis does not answer."""

    def __init__(self, servers, *args, make_key, key_patterns=(), **kwargs):
        super().__init__(servers, *args, **kwargs)
        self._clients = {}
        self.make_key = make_key
        self.patterns = key_patterns
        self.outage = _outage_for(",".join(servers))

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    # --- Reading ------------------------------------------------------------

    def _command(self, *args):
        """One read command's answer, on a connection from the pool, without what
        redis-py's client adds to every command and a GET or MGET does not need
        (a retry object, closures, timings for its observability hooks): a
        quarter of the command's CPU, and every page reads once or twice. The
        pool still checks the connection it hands out; one the server dropped
        meanwhile is opened again once, as redis-py's retry would."""
        [answer] = self._commands(False, [args])
        return answer

    def _commands(self, write, commands):
        """Each of ``commands``' answers, sent together in one round trip the same
        way (``_command``). Every answer is read before an error one of them gave
        is raised, as redis-py's pipeline does, and a connection that raised goes
        back to the pool closed. Only for commands that may be sent twice (reads,
        SET, DEL): a connection found dropped is opened again and everything sent
        once more."""
        pool = self._get_connection_pool(write)
        connection = pool.get_connection()
        try:
            try:
                return self._exchange(connection, commands)
            except RedisConnectionError:
                connection.disconnect()
                return self._exchange(connection, commands)
        except BaseException:
            # Nothing half-read goes back to the pool.
            connection.disconnect()
            raise
        finally:
            pool.release(connection)

    @staticmethod
    def _exchange(connection, commands):
        if len(commands) == 1:
            connection.send_command(*commands[0])
        else:
            connection.send_packed_command(connection.pack_commands(commands))
        answers, error = [], None
        for _command in commands:
            try:
                answers.append(connection.read_response())
            except ResponseError as refused:
                error = error or refused
                answers.append(refused)
        if error is not None:
            raise error
        return answers

    def _get(self, key, default):
        value = self._command("GET", key)
        return default if value is None else self._serializer.loads(value)

    def _get_many(self, keys):
        keys = list(keys)
        if not keys:
            return {}
        values = self._command("MGET", *keys)
        loads = self._serializer.loads
        return {
            key: loads(value) for key, value in zip(keys, values, strict=True) if value is not None
        }

    # --- Falling back -------------------------------------------------------

    def _read(self, fallback, method, *args):
        if self.outage.down:
            return fallback
        try:
            return method(*args)
        except RedisError as error:
            self.outage.failed(self, error, ())
            return fallback

    def _write(self, keys: Iterable[str], fallback, method, *args):
        while True:
            if not self.outage.down:
                try:
                    return method(*args)
                except RedisError as error:
                    self.outage.failed(self, error, keys)
                    break
            elif self.outage.skip(keys):
                break
        if fallback is _RAISE:
            raise CacheUnavailable(f"Redis at {self.outage.location} is not answering.")
        return fallback

    # --- Django's client methods, keys already prefixed ----------------------

    def add(self, key, value, timeout):
        return self._write([key], False, super().add, key, value, timeout)

    def get(self, key, default):
        return self._read(default, self._get, key, default)

    def set(self, key, value, timeout):
        return self._write([key], None, super().set, key, value, timeout)

    def touch(self, key, timeout):
        return self._write([key], False, super().touch, key, timeout)

    def delete(self, key):
        return self._write([key], False, super().delete, key)

    def get_many(self, keys):
        return self._read({}, self._get_many, keys)

    def has_key(self, key):
        return self._read(False, super().has_key, key)

    def incr(self, key, delta):
        return self._write([key], _RAISE, super().incr, key, delta)

    def set_many(self, data, timeout):
        return self._write(list(data), None, super().set_many, data, timeout)

    def delete_many(self, keys):
        keys = list(keys)
        return self._write(keys, None, super().delete_many, keys)

    def set_each(self, entries):
        """Each ``key: (value, timeout)`` (keys prefixed, timeouts the backend's:
        None keeps the key, 0 deletes it), in one round trip, past redis-py's
        pipeline object as reads are (``_commands``): a member's first view of a
        page stores what its markers read this way."""

        def write():
            dumps = self._serializer.dumps
            commands = []
            for key, (value, timeout) in entries.items():
                if timeout == 0:
                    commands.append(("DEL", key))
                elif timeout is None:
                    commands.append(("SET", key, dumps(value)))
                else:
                    commands.append(("SET", key, dumps(value), "EX", timeout))
            self._commands(True, commands)

        return self._write(list(entries), None, write)

    def clear(self):
        # Nothing to remember key by key: everything goes when Redis returns.
        def flush():
            return super(ResilientRedisCacheClient, self).clear()

        result = self._write([], False, flush)
        if self.outage.down:
            with self.outage.lock:
                self.outage.overflowed = True
        return result


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient
        # Every key this backend writes, as a SCAN pattern (glob characters in
        # the prefix escaped), for deleting them all after a long outage.
        prefix = "".join(f"\\{c}" if c in "*?[]\\" else c for c in self.key_prefix)
        self._options = {
            "serializer": Serializer,
            **self._options,
            "make_key": self.make_key,
            "key_patterns": (f"{prefix}:*",),
        }

    def validate_key(self, key):
        """Redis takes any key. Django's check is for memcached (length and control
        characters), a scan of every key of every call: a member's thread page
        asks for some thirty at once."""

    def set_each(self, entries, version=None):
        """``{key: (value, timeout)}``: ``set_many``, but each key with its own
        lifetime (``set_each`` below for any backend)."""
        self._cache.set_each(
            {
                self.make_and_validate_key(key, version=version): (
                    value,
                    self.get_backend_timeout(timeout),
                )
                for key, (value, timeout) in entries.items()
            }
        )

    @property
    def available(self):
        """False while this process is bypassing Redis (it did not answer)."""
        return not self._cache.outage.down


def set_each(cache, entries):
    """Store ``{key: (value, timeout)}`` in ``cache``: one round trip on Redis
    (``RedisCache.set_each``), key by key on any other backend."""
    if not entries:
        return
    method = getattr(cache, "set_each", None)
    if method is not None:
        method(entries)
        return
    for key, (value, timeout) in entries.items():
        cache.set(key, value, timeout)
