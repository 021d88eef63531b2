"""How long a moderator's login lasts: an idle timeout and an absolute lifetime.

The moderator's login shares the signed session cookie with the reader's identity
(which lasts a year, see web/readers.py). So the limits are not the cookie's: the
login time and the last activity are kept in the session and checked on every
request; an expired login drops only the moderator's keys and leaves the reader's.
"""

from __future__ import annotations

import time

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l

LOGIN_AT = "moderator_login_at"
SEEN_AT = "moderator_seen_at"
# Set when a limit ended the login, until the login page has said so.
EXPIRED = "moderator_expired"
# Flask-Login's own keys for the logged-in user.
LOGIN_KEYS = ("_user_id", "_fresh", "_id", "_remember_seconds")
# Requests the page makes by itself (the arrival poll): they are not activity.
PASSIVE_ENDPOINTS = {"moderation.counts"}
EXPIRED_MESSAGE = _l(
    "오랫동안 사용하지 않았거나 로그인한 지 오래되어 로그아웃되었습니다. 다시 로그인해 주세요."
)


def start() -> None:
    """Stamp a fresh login."""
    now = int(time.time())
    session.pop(EXPIRED, None)
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def end() -> None:
    """Forget the moderator's login, keeping everything else in the session."""
    for key in (LOGIN_AT, SEEN_AT, *LOGIN_KEYS):
        session.pop(key, None)


def still_valid() -> bool:
    """Whether the login is within both limits, touching its activity time if so.

    A login without stamps (e.g. restored from Flask-Login's remember cookie, which
    this app does not set) is not valid: it would escape both limits.
    """
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    now = time.time()
    config = current_app.config
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        valid = False
    else:
        valid = (
            now - seen_at < config["MODERATOR_IDLE_MINUTES"] * 60
            and now - login_at < config["MODERATOR_SESSION_HOURS"] * 3600
        )
    if not valid:
        if login_at is not None:
            session[EXPIRED] = True
        end()
        return False
    if request.endpoint not in PASSIVE_ENDPOINTS:
        session[SEEN_AT] = int(now)
    return True


def expired(consume: bool) -> bool:
    """Whether a limit ended the login; ``consume`` once the moderator has been told."""
    return bool(session.pop(EXPIRED, False) if consume else session.get(EXPIRED, False))
