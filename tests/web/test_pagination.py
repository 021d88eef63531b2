"""Keyset cursors."""

from __future__ import annotations

import pytest

from web.ids import MAX_INTEGER
from web.pagination import BadCursor, decode_cursor, encode_cursor


def test_round_trip():
    cursor = encode_cursor("upvotes", 12, 3456)
    assert decode_cursor(cursor, "upvotes") == (12, 3456)
    assert "=" not in cursor


@pytest.mark.parametrize("cursor", ["", "!!!", "bm9wZQ", encode_cursor("newest", 1, 2)])
def test_bad_cursors(cursor):
    with pytest.raises(BadCursor):
        decode_cursor(cursor, "upvotes")


def test_values_beyond_the_columns_are_no_cursor_of_ours():
    assert decode_cursor(encode_cursor("upvotes", MAX_INTEGER, MAX_INTEGER), "upvotes")
    for value, comment_id in ((0, MAX_INTEGER + 1), (MAX_INTEGER + 1, 1), (0, 10**20)):
        with pytest.raises(BadCursor):
            decode_cursor(encode_cursor("upvotes", value, comment_id), "upvotes")
