import time

from web import worker_cache
from web.worker_cache import TimedCache


def test_an_entry_is_trusted_for_its_seconds_then_not():
    cache = TimedCache()
    cache.put("k", "v", 0.2)
    assert cache.get("k") == "v"
    time.sleep(0.3)
    assert cache.get("k") is None


def test_zero_seconds_caches_nothing_and_forget_drops_at_once():
    cache = TimedCache()
    cache.put("a", 1, 60)
    cache.put("a", 2, 0)
    assert cache.get("a") is None
    cache.put("b", 3, 60)
    cache.forget("b")
    assert cache.get("b") is None


def test_a_full_cache_starts_over(monkeypatch):
    monkeypatch.setattr(worker_cache, "MAX_ENTRIES", 3)
    cache = TimedCache()
    for key in range(3):
        cache.put(key, key, 60)
    cache.put("new", "x", 60)
    assert [cache.get(k) for k in (0, 1, 2, "new")] == [None, None, None, "x"]
