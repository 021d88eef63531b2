"""Each worker's in-memory rate-limit counters: same limits, no thread started per hit."""

from __future__ import annotations

import threading
import time

import pytest
from limits import parse
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from web import rate_limit_storage
from web.rate_limit_storage import WorkerMemoryStorage, storage_uri
from web.security import limiter

from .conftest import make_app


@pytest.fixture
def database_url(tmp_path) -> str:
    """Storage does not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def test_plain_memory_uri_becomes_the_worker_storage_and_others_stay():
    assert storage_uri("memory://") == "worker-memory://"
    assert storage_uri("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def test_the_app_counts_in_the_worker_storage_by_default(database_url, tmp_path):
    make_app(database_url, tmp_path, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    assert isinstance(limiter.storage, WorkerMemoryStorage)


@pytest.mark.parametrize("strategy", [FixedWindowRateLimiter, MovingWindowRateLimiter])
def test_the_limit_holds_and_no_thread_is_started_per_hit(monkeypatch, strategy):
    storage = WorkerMemoryStorage("worker-memory://")
    rate = strategy(storage)
    started = []
    real_start = threading.Thread.start

    def counting_start(thread):
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    allowed = [rate.hit(parse("50 per minute"), "api-key", "1") for _ in range(80)]
    assert allowed == [True] * 50 + [False] * 30
    assert started == []


def test_expired_counters_are_swept_without_a_timer(monkeypatch):
    monkeypatch.setattr(rate_limit_storage, "SWEEP_SECONDS", 0.05)
    storage = WorkerMemoryStorage("worker-memory://")
    storage.incr("old", expiry=0.05)
    time.sleep(0.12)
    storage.incr("new", expiry=60)  # a hit on another key is when the sweep runs
    assert "old" not in storage.storage and storage.get("new") == 1
