"""The in-memory rate-limit storage each worker uses when no Redis is configured.

The limits library's ``memory://`` storage drops expired counters from a timer thread
that lives 10 milliseconds: under steady traffic nearly every counted request starts a
new thread, and the request waits for it to start (a GIL hand-over, up to the 5 ms
switch interval on a busy worker). This storage keeps every behaviour of that one but
sweeps expired counters inline, at most once every ``SWEEP_SECONDS``; a counter read
is checked for expiry on the spot anyway, so the sweep only bounds the memory of
counters nobody reads again.
"""

from __future__ import annotations

import time

from limits.storage import MemoryStorage

SCHEME = "worker-memory"
SWEEP_SECONDS = 1.0


class WorkerMemoryStorage(MemoryStorage):
    """``memory://`` without a thread per hit: ``worker-memory://``."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    # MemoryStorage calls this (name-mangled) before every hit to start its timer thread;
    # tests/web/test_rate_limit_storage.py checks that no thread is started per hit.
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - the parent's name
        """Sweep expired counters and moving-window entries when a sweep is due."""
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        self._MemoryStorage__expire_events()


def storage_uri(configured: str) -> str:
    """The URI to give Flask-Limiter: ours instead of plain ``memory://``, others unchanged."""
    if configured.strip().lower() == "memory://":
        return f"{SCHEME}://"
    return configured
