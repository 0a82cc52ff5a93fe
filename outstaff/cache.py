"""A Redis cache that degrades to "no cache" while Redis is unreachable (DESIGN §9: with Redis down,
pages and writes still answer). Nothing in the cache is a source of truth — debounce and deferred
work live in PostgreSQL — so a miss is always a correct answer, only a slower one. Throttles that
count in the cache fail open for the outage, which is logged.

Plumbing only: imports no domain app."""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# After a failure, skip Redis for this long instead of paying a connect timeout on every call.
RETRY_AFTER_SECONDS = 5.0


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis.exceptions

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class _SharedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a `redis.Redis` for every cache call, and each copies its table of 169
    response callbacks: a third of a millisecond a cached page (two calls). One client per
    connection pool serves every call instead: a `redis.Redis` is thread-safe, its connections are
    the pool's, and it reconnects as the pool does after an outage."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailSoftRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient

    def _guard(self, name: str, default, call):
        if time.monotonic() < self._down_until:
            return default
        try:
            return call()
        except _redis_errors() as error:
            FailSoftRedisCache._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Redis cache unreachable (%s: %s); treating %s as a miss", type(error).__name__, error, name)
            return default

    def get(self, key, default=None, version=None):
        return self._guard("get", default, lambda: super(FailSoftRedisCache, self).get(key, default, version))

    def set(self, key, value, timeout=None, version=None):
        return self._guard("set", None, lambda: super(FailSoftRedisCache, self).set(key, value, timeout, version))

    def add(self, key, value, timeout=None, version=None):
        return self._guard("add", False, lambda: super(FailSoftRedisCache, self).add(key, value, timeout, version))

    def touch(self, key, timeout=None, version=None):
        return self._guard("touch", False, lambda: super(FailSoftRedisCache, self).touch(key, timeout, version))

    def delete(self, key, version=None):
        return self._guard("delete", False, lambda: super(FailSoftRedisCache, self).delete(key, version))

    def get_many(self, keys, version=None):
        return self._guard("get_many", {}, lambda: super(FailSoftRedisCache, self).get_many(keys, version))

    def set_many(self, data, timeout=None, version=None):
        return self._guard(
            "set_many", list(data), lambda: super(FailSoftRedisCache, self).set_many(data, timeout, version)
        )

    def delete_many(self, keys, version=None):
        return self._guard("delete_many", None, lambda: super(FailSoftRedisCache, self).delete_many(keys, version))

    def has_key(self, key, version=None):
        return self._guard("has_key", False, lambda: super(FailSoftRedisCache, self).has_key(key, version))

    def incr(self, key, delta=1, version=None):
        return self._guard("incr", delta, lambda: super(FailSoftRedisCache, self).incr(key, delta, version))

    def clear(self):
        return self._guard("clear", False, lambda: super(FailSoftRedisCache, self).clear())
