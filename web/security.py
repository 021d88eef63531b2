"""CSRF, rate limits, the origin allow-list and the security headers."""

from __future__ import annotations

import functools
import time
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from .rate_limit_storage import storage_uri
from .readers import reader_token

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
LIMITER_PASS_SKIPPED = "comment_mod_limiter_pass_skipped"
# The answers a Retry-After means something on: too many requests, service unavailable.
RETRY_AFTER_STATUSES = (429, 503)


def reader_key() -> str:
    """Rate-limit key for the reader.

    A new reader gets their token here, before the view runs: the limiter
    deducts under the key it computed first, so a key that changed during the
    request would let a newcomer's first comment go uncounted.
    """
    return f"reader:{reader_token(create=True)}"


def ip_key() -> str:
    """Rate-limit key for the client's address."""
    return f"ip:{get_remote_address()}"


def _succeeded(response) -> bool:
    """Only comments actually posted count against the limit, not refused attempts."""
    return response.status_code < 400


comment_limit_per_reader = limiter.shared_limit(
    lambda: current_app.config["COMMENT_LIMIT_PER_READER"],
    scope="comment-reader",
    key_func=reader_key,
    deduct_when=_succeeded,
)
comment_limit_per_ip = limiter.shared_limit(
    lambda: current_app.config["COMMENT_LIMIT_PER_IP"],
    scope="comment-ip",
    key_func=ip_key,
    deduct_when=_succeeded,
)
action_limit = limiter.shared_limit(
    lambda: current_app.config["ACTION_LIMIT_PER_READER"],
    scope="reader-action",
    key_func=reader_key,
)
action_limit_per_ip = limiter.shared_limit(
    lambda: current_app.config["ACTION_LIMIT_PER_IP"],
    scope="action-ip",
    key_func=ip_key,
)


def retry_after() -> int | None:
    """Seconds until the limit this request broke lets it through; None if none broke.

    Worked out once per request from the window Flask-Limiter read for the refusal. The
    answer's Retry-After is then set to this same number (the limiter works its own out a
    moment later, which can come out a second less), so a message naming the wait and the
    header never disagree.
    """
    if "retry_after" not in g:
        limit = limiter.current_limit
        breached = limit is not None and limit.breached
        g.retry_after = max(int(limit.reset_at - time.time()), 1) if breached else None
    return g.retry_after


def origin_of(url: str | None) -> str | None:
    """scheme://host[:port] of a URL, or None."""
    if not url:
        return None
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origin() -> str:
    """The origin this request was addressed to."""
    return origin_of(request.host_url) or ""


def is_allowed_origin(origin: str | None) -> bool:
    """Whether a page from this origin may embed the widget or call the API."""
    if not origin:
        return False
    allowed = {o.rstrip("/").lower() for o in current_app.config["ALLOWED_ORIGINS"]}
    return origin == own_origin() or origin in allowed


def request_origin() -> str | None:
    """Where a browser says the request comes from: Origin, else the Referer's origin."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower()
    return origin_of(request.headers.get("Referer"))


def origin_refused() -> bool:
    """Whether a state-changing request comes from a page we do not trust.

    Browsers send Origin (or at least Referer) with such requests; a client that
    sends neither is not a browser, so no reader's cookie is being abused.
    """
    if request.method not in UNSAFE_METHODS:
        return False
    if "Origin" not in request.headers and "Referer" not in request.headers:
        return False
    return not is_allowed_origin(request_origin())


def add_cors_headers(response):
    """Let pages from allowed origins call the API with the reader's cookie."""
    origin = request.headers.get("Origin")
    if origin and origin.lower() != own_origin() and is_allowed_origin(origin.lower()):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    response.vary.add("Origin")
    return response


def frame_ancestors() -> str:
    """The CSP frame-ancestors list for the embeddable pages."""
    return " ".join(["'self'", *current_app.config["ALLOWED_ORIGINS"]])


def _security_headers(response):
    """No inline script anywhere; only the embed page may be framed, by the allowed sites."""
    ancestors = g.get("frame_ancestors")
    if ancestors is None:
        ancestors = "'none'"
        # For browsers that predate frame-ancestors.
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"object-src 'none'; base-uri 'none'; frame-ancestors {ancestors}",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response


def skip_limiter_pass(app: Flask, blueprint_name: str) -> None:
    """Let requests to this blueprint skip Flask-Limiter's pass before every request.

    That pass evaluates default, application and blueprint-wide limits, of which this
    app sets none; limits set with a decorator are checked by the decorator anyway. For
    a blueprint with no limits of its own (the keyed API counts its one limit itself)
    it finds nothing to count, yet costs about a fifth of what a no-op request does.
    """
    app.extensions.setdefault(LIMITER_PASS_SKIPPED, set()).add(blueprint_name)


def _unless_skipped(check):
    """Flask-Limiter's before-request pass, run unless the request's blueprint skips it."""

    @functools.wraps(check)
    def limiter_pass():
        if request.blueprint in current_app.extensions.get(LIMITER_PASS_SKIPPED, ()):
            return None
        return check()

    return limiter_pass


def _retry_after_only_on_refusals(response):
    """Drop Retry-After from answers that refused nothing; on a 429 whose message named
    the wait (``retry_after``), give the header that same number of seconds.

    Flask-Limiter sets it, with the X-RateLimit-* headers, on every answer under a
    limit, and none of its settings (RATELIMIT_HEADER_RETRY_AFTER names the header,
    RATELIMIT_HEADER_RETRY_AFTER_VALUE its format) leaves it to the 429s; a client
    reading it on a success would wait for nothing.
    """
    if response.status_code not in RETRY_AFTER_STATUSES:
        response.headers.pop("Retry-After", None)
    elif (
        response.status_code == 429
        and g.get("retry_after") is not None
        # Only over a number of seconds: an HTTP date is left as the limiter wrote it.
        and response.headers.get("Retry-After", "").isdigit()
    ):
        response.headers["Retry-After"] = str(g.retry_after)
    return response


def init_app(app: Flask) -> None:
    """Bind CSRF and the limiter, and add the headers to every response."""
    csrf.init_app(app)
    # Registered before the limiter's own hook so that it runs after it (Flask runs
    # after_request functions last registered first).
    app.after_request(_retry_after_only_on_refusals)
    # Each worker's own counters unless Redis (or another shared storage) is configured.
    app.config["RATELIMIT_STORAGE_URI"] = storage_uri(
        app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    )
    limiter.init_app(app)
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [_unless_skipped(h) if h == limiter._check_request_limit else h for h in hooks]
    app.after_request(_security_headers)
