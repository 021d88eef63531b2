"""The addresses the app sends browsers to: redirect targets and the articles' links.

A target a client wrote (a form's ``next``, a Referer, an embed's ``url``) is checked
here, parsed with urllib, never by its first characters alone: a browser drops tabs and
newlines from a URL (so ``/<TAB>/evil.example`` becomes ``//evil.example``), some read a
backslash as a slash, and a newline cannot go into a header at all.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import request

WEB_SCHEMES = {"http": 80, "https": 443}


def _has_unsafe_character(text: str) -> bool:
    """Whether text holds whitespace, a control or format character, or a backslash."""
    return any(c.isspace() or c == "\\" or unicodedata.category(c)[0] == "C" for c in text)


def local_path(target: str | None, under: str = "/") -> str | None:
    """``target`` if it is a path (with its query) on this site starting with ``under``;
    None for anything else: absolute or scheme-relative URLs, unsafe characters."""
    if not target or not target.startswith(under) or target.startswith("//"):
        return None
    if _has_unsafe_character(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return target


def same_site_path(url: str | None, under: str = "/") -> str | None:
    """The path and query of an absolute URL of this site (a Referer), if ``local_path``
    takes them; None for another site's URL or anything else."""
    if not url or _has_unsafe_character(url):
        return None
    origin = _origin(url)
    if origin is None or origin != _origin(request.host_url):
        return None
    parts = urlsplit(url)
    return local_path(parts.path + (f"?{parts.query}" if parts.query else ""), under)


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL with a host and no user name; else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, a malformed IPv6 address
        return None
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES or not parts.hostname or "@" in parts.netloc:
        return None
    return scheme, parts.hostname.lower(), port or WEB_SCHEMES[scheme]


def web_page(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) address a page may link to; else None
    (``javascript:``, ``data:``, relative paths, unsafe characters)."""
    if not url or _has_unsafe_character(url) or _origin(url) is None:
        return None
    return url


def on_origins(url: str | None, origins) -> bool:
    """Whether ``url`` is a web page on one of these origins (same scheme, host and port)."""
    if web_page(url) is None:
        return False
    allowed = {_origin(o.rstrip("/")) for o in origins} - {None}
    return _origin(url) in allowed
