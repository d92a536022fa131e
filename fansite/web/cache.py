"""Django's Redis cache backend, keeping one redis-py client per connection pool.

Django's backend builds a new ``redis.Redis`` object for every cache call, and
redis-py fills a table of several hundred response callbacks each time: about a
fifth of a millisecond per call, several calls per page. The client objects are
thread-safe and hold no connection of their own (the pool does), so one per pool
is enough. Everything else is Django's backend unchanged.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
