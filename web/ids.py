"""Row ids as the database can hold them: their range, reading one from text, a URL converter;
and a URL converter for article keys.

Every id column is an INTEGER, 32 bits on PostgreSQL (SQLite's holds 64): a larger
number names no row, and sent in a query it would make the query itself fail
(PostgreSQL: integer out of range; SQLite beyond 64 bits: OverflowError).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, PathConverter

MAX_INTEGER = 2**31 - 1
MAX_ROW_ID = MAX_INTEGER


def is_row_id(value: int) -> bool:
    """Whether a row can have this id (ids start at 1)."""
    return 0 < value <= MAX_ROW_ID


def parse_row_id(text: str | None) -> int | None:
    """The id a URL, form or query string names, or None when no row can have it."""
    # ASCII only: str.isdigit() also takes "²" and "٣", which int() refuses or reads.
    # The length check keeps int() from parsing (or refusing) thousands of digits.
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 20:
        return None
    value = int(text)
    return value if is_row_id(value) else None


class ArticleKeyConverter(PathConverter):
    """``<article_key:name>``: an article key, slashes allowed; a key holding a control
    character (which no article has, and PostgreSQL refuses in a query) is a 404 before
    the view runs. (The JSON API takes any key and answers ``unknown_article`` itself.)"""

    regex = r"[^/\x00-\x1f\x7f][^\x00-\x1f\x7f]*?"


class RowIdConverter(IntegerConverter):
    """``<id:name>``: an id a row can have; any other number is a 404 before the view runs."""

    def __init__(self, map, *args, **kwargs):
        kwargs.update(min=1, max=MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Register the ``id`` and ``article_key`` converters (before the blueprints that use them)."""
    app.url_map.converters["id"] = RowIdConverter
    app.url_map.converters["article_key"] = ArticleKeyConverter
