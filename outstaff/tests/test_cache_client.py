"""The Redis cache's client (outstaff/cache.py): one `redis.Redis` per connection pool, reused by
every call, against the machine's Redis (CI has one at 127.0.0.1:6379; the fault tests start their
own to stop and restart it)."""

import uuid

from outstaff.cache import FailSoftRedisCache


def test_every_call_shares_one_client_and_the_values_round_trip():
    cache = FailSoftRedisCache("redis://127.0.0.1:6379/14", {})
    key = f"client-test-{uuid.uuid4().hex}"
    cache.set(key, {"a": 1}, timeout=30)
    assert cache.get(key) == {"a": 1}
    first = cache._cache.get_client(key)
    assert cache._cache.get_client(key, write=True) is first
    assert cache.delete(key) is True
    assert cache.get(key, "gone") == "gone"
