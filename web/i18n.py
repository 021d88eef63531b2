"""The interface language: Korean (the source) by default, English on request.

The locale comes from an explicit choice (``?lang=``, then the cookie it leaves), then
the browser's Accept-Language among the locales we have, then ``DEFAULT_LOCALE``.
Times are stored in UTC and shown, whatever the language, in ``DISPLAY_TIMEZONE``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_babel import gettext as _

from .config import DEFAULT_DISPLAY_TIMEZONE

SUPPORTED_LOCALES = ("ko", "en")
LANG_COOKIE = "cm_lang"
LANG_LABELS = {"ko": "한국어", "en": "English"}  # each in its own language, never translated

babel = Babel()


def explicit_locale() -> str | None:
    """The language asked for in the URL, else the one remembered in the cookie."""
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in SUPPORTED_LOCALES:
            return candidate
    return None


def select_locale() -> str:
    """Flask-Babel's locale selector (the default in an app context with no request)."""
    default = current_app.config["DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    g.locale_negotiated = True  # the answer depends on these headers: say so to caches
    chosen = explicit_locale()
    if chosen:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES, default) or default


def current_locale() -> Locale:
    """This request's locale; the source language (Korean) outside a request."""
    return get_locale() or Locale("ko")


def display_zone() -> ZoneInfo:
    """The zone times are shown in (``DISPLAY_TIMEZONE``); the default outside an app."""
    if not has_app_context():
        return ZoneInfo(DEFAULT_DISPLAY_TIMEZONE)
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def local_time(moment: datetime) -> datetime:
    """A stored moment on the clock of ``DISPLAY_TIMEZONE`` (naive values are UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(display_zone())


def format_day(moment: datetime) -> str:
    """A date in the locale's short form: 2026.11.24. in Korean, Nov 24, 2026 in English."""
    # The pattern is itself a message so that the Korean form stays the portals' one.
    return format_date(local_time(moment), _("yyyy.MM.dd."), locale=current_locale())


def remember_locale(response):
    """Keep a language chosen in the URL of a page for the next visits; mark what varies.

    Not for the API (the script names its page's language in every call) nor the embed
    (there the news site chose, not the reader).
    """
    if g.get("locale_negotiated"):
        response.vary.update(("Accept-Language", "Cookie"))
    lang = request.args.get("lang")
    if lang in SUPPORTED_LOCALES and not request.path.startswith(("/api/", "/embed/")):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    return response


def plural_msgid(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural message for pybabel (``-k plural_msgid:1,2``) to translate it later."""
    return singular, plural


def js_catalog(messages: dict, plurals: dict[str, tuple[str, str]] | None = None) -> str:
    """The strings a script needs, translated, as JSON for a ``data-messages`` attribute.

    ``messages`` maps a key to a lazy message; ``plurals`` maps a key to (singular, plural)
    msgids, sent as one form per CLDR plural category of the locale (``%(num)d`` left in)
    for the script to choose with ``Intl.PluralRules``.
    """
    translations = get_translations()
    catalog: dict[str, object] = {key: str(text) for key, text in messages.items()}
    rule = current_locale().plural_form
    samples = {}  # a number of each plural category: 1 is "one" in English, 0 "other"
    for n in range(200):
        samples.setdefault(rule(n), n)
    for key, (singular, plural) in (plurals or {}).items():
        catalog[key] = {
            category: translations.ungettext(singular, plural, n) for category, n in samples.items()
        }
    return json.dumps(catalog, ensure_ascii=False, sort_keys=True)


def frame_titles() -> dict[str, str]:
    """The embed iframe's title in every supported language."""
    titles = {}
    for lang in SUPPORTED_LOCALES:
        with force_locale(lang):
            titles[lang] = _("댓글")
    return titles


def template_globals() -> dict:
    """The language switch's data for every template."""
    if not has_request_context():
        return {}
    locale = str(current_locale())
    return {"current_lang": locale, "lang_labels": LANG_LABELS}


def init_app(app: Flask) -> None:
    """Bind Flask-Babel and the cookie that remembers the choice; check the display zone."""
    if app.config["DEFAULT_LOCALE"] not in SUPPORTED_LOCALES:
        raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
    zone = app.config["DISPLAY_TIMEZONE"]
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"DISPLAY_TIMEZONE must be an IANA time zone such as Asia/Seoul, got {zone!r}"
            " (unknown, or missing from the system's time zone database)"
        ) from None
    babel.init_app(app, locale_selector=select_locale, default_locale="ko")
    app.after_request(remember_locale)
    app.context_processor(template_globals)
