"""What a worker read from the database lately, trusted for a few seconds.

Each gunicorn worker has its own (kept in the app's ``extensions``), so a change made
by another process shows here within the time an entry is trusted; the process that
made the change forgets the entry at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from typing import Any

from flask import current_app

# More entries than this (many API keys): start over rather than grow.
MAX_ENTRIES = 10_000


class TimedCache:
    """Values by key, each trusted until a monotonic deadline."""

    def __init__(self):
        self._entries: dict[Hashable, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        """The cached value, if still fresh."""
        entry = self._entries.get(key)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, key: Hashable, value: Any, seconds: float) -> None:
        """Trust ``value`` for ``seconds`` (0: do not cache it)."""
        with self._lock:
            if seconds <= 0:
                self._entries.pop(key, None)
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (value, time.monotonic() + seconds)

    def forget(self, key: Hashable) -> None:
        """Drop an entry, e.g. just changed by this process."""
        with self._lock:
            self._entries.pop(key, None)


def app_cache(name: str) -> TimedCache:
    """The current app's cache of that name, made on first use."""
    return current_app.extensions.setdefault(name, TimedCache())
