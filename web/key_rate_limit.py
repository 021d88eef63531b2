"""The per-key limit of the scoring API (API_KEY_RATE_LIMIT), counted with `limits` directly.

Flask-Limiter's decorator evaluated this limit through its whole machinery on top of
its per-request pass, a large part of a scoring request's own cost. This counts the
same way in the same place: the strategy and storage Flask-Limiter was configured with
(so with Redis the counters stay shared by every worker and host), one scope for the
score and feedback endpoints, answered with 429, ``Retry-After`` and ``X-RateLimit-*``.
"""

from __future__ import annotations

import time
from functools import lru_cache

from flask import current_app, g
from limits import RateLimitItem, parse_many

from .security import limiter

SCOPE = "api-key"


@lru_cache(maxsize=16)
def parsed_limits(text: str) -> tuple[RateLimitItem, ...]:
    """The limits of a Flask-Limiter string ("600 per minute;10000 per day"), narrowest first."""
    return tuple(sorted(parse_many(text)))


def _enabled() -> bool:
    """RATELIMIT_ENABLED of this app (the limiter object is shared by every app built)."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def hit(key_id: int) -> dict | None:
    """Count one request of the key: None if allowed, else the headers of the 429."""
    if not _enabled():
        return None
    strategy = limiter.limiter
    items = parsed_limits(current_app.config["API_KEY_RATE_LIMIT"])
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    identifiers = (prefix, SCOPE, str(key_id)) if prefix else (SCOPE, str(key_id))
    for item in items:
        if not strategy.hit(item, *identifiers):
            return _headers(strategy, item, identifiers)
    g.api_key_limit = (strategy, items, identifiers)
    return None


def _headers(strategy, item: RateLimitItem, identifiers: tuple) -> dict:
    """Flask-Limiter's headers for one limit: its size, what is left, when it resets."""
    reset, remaining = strategy.get_window_stats(item, *identifiers)
    return {
        "X-RateLimit-Limit": str(item.amount),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(reset)),
        "Retry-After": str(max(int(reset - time.time()), 1)),
    }


def add_headers(response):
    """After a keyed request: the headers of the limit with the fewest requests left
    (Retry-After only on the 429 that carries its own)."""
    counted = g.get("api_key_limit")
    if counted is None or not current_app.config.get("RATELIMIT_HEADERS_ENABLED"):
        return response
    strategy, items, identifiers = counted
    headers = min(
        (_headers(strategy, item, identifiers) for item in items),
        key=lambda h: int(h["X-RateLimit-Remaining"]),
    )
    del headers["Retry-After"]  # nothing was refused: nothing to wait for
    for name, value in headers.items():
        response.headers.setdefault(name, value)
    return response
