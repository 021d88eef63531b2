"""Settings admins change in the page: thresholds, pre-moderation and the word lists.

Stored as one row per key; a key never set falls back to the app config, so a
fresh site behaves as its environment says.

Each worker keeps the settings it last read for ``SITE_SETTINGS_CACHE_SECONDS``, so
that scoring a comment or an API text costs no query for them: a change saved in
one worker applies there at once and in the other workers within that time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import gettext as _

from . import admin_audit
from .db import db, utcnow
from .models import SiteSetting
from .policy import Thresholds
from .worker_cache import TimedCache, app_cache

MAX_WORDS = 500
MAX_WORD_LENGTH = 50
CACHE_EXTENSION = "comment_mod_site_settings"
CACHED = "current"  # the one entry of that cache


class SettingsError(ValueError):
    """A value the settings page refuses; the message is for the admin."""


@dataclass(frozen=True)
class SiteSettings:
    """The settings in force."""

    thresholds: Thresholds
    premoderate_all: bool = False
    hold_words: tuple[str, ...] = field(default_factory=tuple)
    allow_words: tuple[str, ...] = field(default_factory=tuple)

    def holds_for_words(self, body: str) -> bool:
        """Whether the body contains a word that always holds a comment.

        A hold word matches inside longer words (시발 holds 시발놈), except inside a
        never-counted word: with 시발점 on that list, 시발 no longer holds 시발점.
        """
        folded = self.mask_allowed(body).casefold()
        return any(word.casefold() in folded for word in self.hold_words)

    def mask_allowed(self, body: str) -> str:
        """The body with the never-counted words blanked out, same length (spans stay put)."""
        for word in self.allow_words:
            start = body.casefold().find(word.casefold())
            while start != -1:
                body = body[:start] + " " * len(word) + body[start + len(word) :]
                start = body.casefold().find(word.casefold(), start + len(word))
        return body


def settings_cache() -> TimedCache:
    """The settings this worker last read, trusted for ``SITE_SETTINGS_CACHE_SECONDS``."""
    return app_cache(CACHE_EXTENSION)


def read_stored() -> SiteSettings:
    """The settings as stored now: one query."""
    stored = dict(db.session.execute(sa.select(SiteSetting.key, SiteSetting.value)).all())
    config = current_app.config
    return SiteSettings(
        thresholds=Thresholds(
            hold=float(stored.get("hold_threshold", config["HOLD_THRESHOLD"])),
            review=float(stored.get("review_threshold", config["REVIEW_THRESHOLD"])),
        ),
        premoderate_all=bool(stored.get("premoderate_all", False)),
        hold_words=tuple(stored.get("hold_words", ())),
        allow_words=tuple(stored.get("allow_words", ())),
    )


def current(fresh: bool = False) -> SiteSettings:
    """The settings for this request, the same all through it.

    From the worker's cache (at most ``SITE_SETTINGS_CACHE_SECONDS`` old), or read
    from the database when ``fresh`` (the settings page shows what is stored).
    """
    if fresh:
        g.pop("site_settings", None)
    if "site_settings" not in g:
        cache = settings_cache()
        settings = None if fresh else cache.get(CACHED)
        if settings is None:
            settings = read_stored()
            cache.put(CACHED, settings, current_app.config["SITE_SETTINGS_CACHE_SECONDS"])
        g.site_settings = settings
    return g.site_settings


def as_values(settings: SiteSettings) -> dict:
    """The settings by the keys they are stored under."""
    return {
        "hold_threshold": settings.thresholds.hold,
        "review_threshold": settings.thresholds.review,
        "premoderate_all": settings.premoderate_all,
        "hold_words": list(settings.hold_words),
        "allow_words": list(settings.allow_words),
    }


def parse_words(text: str) -> list[str]:
    """One word or phrase a line, blanks and repeats dropped; SettingsError if too many."""
    words = list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))
    if len(words) > MAX_WORDS:
        raise SettingsError(_("단어는 %(max)d개까지 넣을 수 있습니다.", max=MAX_WORDS))
    if any(len(word) > MAX_WORD_LENGTH for word in words):
        raise SettingsError(_("단어 하나는 %(max)d자까지입니다.", max=MAX_WORD_LENGTH))
    return words


def save(moderator_id: int, form) -> SiteSettings:
    """Validate and store the settings form; SettingsError with a message otherwise."""
    try:
        hold = float(form.get("hold_threshold", ""))
        review = float(form.get("review_threshold", ""))
        Thresholds(hold=hold, review=review)
    except ValueError:
        raise SettingsError(_("기준값은 0 ≤ 검토 기준 ≤ 보류 기준 ≤ 1 이어야 합니다.")) from None
    values = {
        "hold_threshold": hold,
        "review_threshold": review,
        "premoderate_all": form.get("premoderate_all") == "1",
        "hold_words": parse_words(form.get("hold_words", "")),
        "allow_words": parse_words(form.get("allow_words", "")),
    }
    before = as_values(current(fresh=True))
    now = utcnow()
    for key, value in values.items():
        if before[key] != value:
            admin_audit.record(moderator_id, "setting_changed", key, before[key], value)
        row = db.session.get(SiteSetting, key)
        if row is None:
            db.session.add(
                SiteSetting(key=key, value=value, updated_at=now, updated_by=moderator_id)
            )
        else:
            row.value, row.updated_at, row.updated_by = value, now, moderator_id
    db.session.commit()
    settings_cache().forget(CACHED)
    return current(fresh=True)
