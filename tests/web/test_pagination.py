"""Keyset cursors."""

from __future__ import annotations

import pytest

from web.pagination import BadCursor, decode_cursor, encode_cursor


def test_round_trip():
    cursor = encode_cursor("upvotes", 12, 3456)
    assert decode_cursor(cursor, "upvotes") == (12, 3456)
    assert "=" not in cursor


@pytest.mark.parametrize("cursor", ["", "!!!", "bm9wZQ", encode_cursor("newest", 1, 2)])
def test_bad_cursors(cursor):
    with pytest.raises(BadCursor):
        decode_cursor(cursor, "upvotes")
