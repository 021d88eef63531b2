"""Keyset cursors for the three sort orders of the comment list, and signed ones for the
moderation queues.

A cursor names the last comment shown by its sort value and id, so the next
page starts right after it however many comments arrive meanwhile: new ones
have larger ids and sort before the cursor, never into a later page.
"""

from __future__ import annotations

import base64
import binascii

from itsdangerous import BadSignature, URLSafeSerializer

from .ids import MAX_INTEGER

SORTS = ("newest", "upvotes", "downvotes")
DEFAULT_SORT = "newest"


class BadCursor(ValueError):
    """A cursor that this server did not write."""


def encode_cursor(sort: str, value: int, comment_id: int) -> str:
    """An opaque, URL-safe cursor."""
    raw = f"{sort}:{value}:{comment_id}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[int, int]:
    """The (sort value, id) a cursor holds; BadCursor if it is malformed or for another sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, value, comment_id = base64.urlsafe_b64decode(padded).decode("ascii").split(":")
        value, comment_id = int(value), int(comment_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    # Beyond the columns' range is no cursor of ours, and the query would fail on it.
    if name != sort or not (0 <= value <= MAX_INTEGER and 0 <= comment_id <= MAX_INTEGER):
        raise BadCursor(cursor)
    return value, comment_id


def encode_signed_cursor(values: list, secret_key: str, salt: str) -> str:
    """An opaque cursor holding JSON values, signed so that a changed one is refused."""
    return URLSafeSerializer(secret_key, salt=salt).dumps(values)


def decode_signed_cursor(cursor: str, secret_key: str, salt: str) -> list:
    """The values a signed cursor holds; BadCursor if it was not signed here with this salt."""
    try:
        values = URLSafeSerializer(secret_key, salt=salt).loads(cursor)
    except (BadSignature, UnicodeError, ValueError):
        raise BadCursor(cursor) from None
    if not isinstance(values, list):
        raise BadCursor(cursor)
    return values
