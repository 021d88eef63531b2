"""API keys for the scoring API: creation, lookup by hash, revocation, the per-key limit."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g, request
from flask_babel import gettext

from . import admin_audit, key_rate_limit
from .db import db, utcnow
from .errors import too_many_requests_message
from .ids import parse_row_id
from .models import ApiKey
from .worker_cache import TimedCache, app_cache

KEY_PREFIX = "cm_"
CACHE_EXTENSION = "comment_mod_api_key_cache"


@dataclass(frozen=True)
class KeyIdentity:
    """Who is calling: what a request needs of a valid key."""

    id: int
    name: str


def key_cache() -> TimedCache:
    """Valid keys seen lately, so that a busy caller costs no database query per request;
    a key revoked by another process (the CLI) keeps working in this worker for at most
    ``API_KEY_CACHE_SECONDS``."""
    return app_cache(CACHE_EXTENSION)


class ApiError(Exception):
    """A refused API request, answered with the one error shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def hash_key(key: str) -> str:
    """The stored form of a key: sha256 is enough for 256 random bits, no salt needed."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_api_key(name: str, moderator_id: int | None = None) -> tuple[ApiKey, str]:
    """Store a new key under ``name`` and return it with the key itself, shown only now.

    ``moderator_id`` is the admin who asked, for the audit log (None: the command line).
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("a key's name must be 1 to 100 characters")
    if key_named(name) is not None:
        raise ValueError(f"an API key named {name!r} already exists")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(name=name, key_hash=hash_key(key))
    db.session.add(record)
    admin_audit.record(moderator_id, "api_key_created", name)
    db.session.commit()
    return record, key


def list_api_keys() -> list[ApiKey]:
    """Every key, oldest first."""
    return list(db.session.scalars(sa.select(ApiKey).order_by(ApiKey.id)))


def key_named(name: str) -> ApiKey | None:
    """The key with exactly this name (a name that looks like a number is still a name)."""
    return db.session.scalar(sa.select(ApiKey).where(ApiKey.name == name))


def key_with_id(text: str) -> ApiKey | None:
    """The key whose id ``text`` is, or None (also for text that is no row id)."""
    key_id = parse_row_id(text)
    return db.session.get(ApiKey, key_id) if key_id is not None else None


def revoke_api_key(record: ApiKey, moderator_id: int | None = None) -> bool:
    """Stop a key from working; False if it already was revoked."""
    if record.revoked:
        return False
    record.revoked_at = utcnow()
    admin_audit.record(moderator_id, "api_key_revoked", record.name)
    db.session.commit()
    key_cache().forget(record.key_hash)
    return True


def _bearer_token() -> str:
    """The key from ``Authorization: Bearer KEY``; ApiError 401 when absent."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "missing_api_key",
            gettext("API 키가 필요합니다: Authorization: Bearer KEY"),
            {"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


def authenticated_key() -> KeyIdentity:
    """The request's valid key, checked once per request; ApiError 401 or 403 otherwise."""
    identity = g.get("api_key")
    if identity is not None:
        return identity
    key_hash = hash_key(_bearer_token())
    cache = key_cache()
    identity = cache.get(key_hash)
    if identity is None:
        record = db.session.scalar(sa.select(ApiKey).where(ApiKey.key_hash == key_hash))
        if record is None:
            raise ApiError(
                401,
                "invalid_api_key",
                gettext("알 수 없는 API 키입니다."),
                {"WWW-Authenticate": "Bearer"},
            )
        if record.revoked:
            raise ApiError(403, "revoked_api_key", gettext("폐기된 API 키입니다."))
        identity = KeyIdentity(record.id, record.name)
        cache.put(key_hash, identity, current_app.config["API_KEY_CACHE_SECONDS"])
    g.api_key = identity
    return identity


def require_api_key(view):
    """Let the view run only for a valid, unrevoked key within its rate limit (one for all
    keyed endpoints, API_KEY_RATE_LIMIT; 429 with Retry-After when used up)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        identity = authenticated_key()
        refused = key_rate_limit.hit(identity.id)
        if refused is not None:
            message = too_many_requests_message(int(refused["Retry-After"]))
            raise ApiError(429, "too_many_requests", message, refused)
        return view(*args, **kwargs)

    return checked
