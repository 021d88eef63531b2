"""Comment text rules: the 150-character count, blank and invisible text, nicknames."""

from __future__ import annotations

import unicodedata

import pytest

from web.text import (
    MAX_UNTIDIED_LENGTH,
    InvalidText,
    body_fingerprint,
    body_length,
    clean_body,
    clean_nickname,
    mask_nickname,
)


def test_length_counts_code_points_after_nfc():
    assert body_length(unicodedata.normalize("NFD", "한글")) == 2
    assert body_length("😀") == 1
    assert body_length("가\r\n나") == 3


def test_clean_body_strips_and_normalizes():
    assert clean_body("  안녕\r\n하세요  ") == "안녕\n하세요"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty_body"),
        (" \u3000\n", "empty_body"),
        ("\u200b\u200d\ufeff", "invisible_body"),
        ("\u3164\u3164", "invisible_body"),
        ("a" * 151, "body_too_long"),
        (["list"], "missing_body"),
    ],
)
def test_clean_body_refuses(raw, code):
    with pytest.raises(InvalidText) as info:
        clean_body(raw)
    assert info.value.code == code


def test_limit_applies_to_text_as_stored():
    assert clean_body("가" * 150) == "가" * 150
    assert clean_body("가" * 149 + "  ") == "가" * 149  # the counter shows 149 too
    assert clean_body("가" * 150 + "\n\n\n") == "가" * 150
    assert body_length(" 가\n\n\n\n나 ") == 4
    with pytest.raises(InvalidText):
        clean_body("가" * 151)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("가" + "\n" * 148 + "나", "가\n\n나"),  # as QA posted it: 3,000 pixels on a phone
        ("가\r\n\r\n\r\n\r\n나", "가\n\n나"),
        ("가\n \n\t\n\u3000\n나", "가\n\n나"),  # lines of spaces are blank too
        ("가\n\u3164\n\u200b\n\u3164 \n나", "가\n\n나"),  # and of invisible letters
        ("가\n\n나\n다", "가\n\n나\n다"),  # one empty line and single breaks stay
        ("\n\n  가 나  \n\n\n", "가 나"),
        ("  가\n  나", "가\n  나"),  # indentation inside the text stays
    ],
)
def test_blank_lines_are_cut_to_one(raw, stored):
    assert clean_body(raw) == stored
    assert body_length(raw) == len(stored)


def test_a_huge_body_is_refused_for_its_length_without_tidying():
    raw = "가" + "\n\u3164" * MAX_UNTIDIED_LENGTH + "나"
    with pytest.raises(InvalidText) as info:
        clean_body(raw)
    assert info.value.code == "body_too_long"
    assert clean_body(raw[:MAX_UNTIDIED_LENGTH]) == "가"


@pytest.mark.parametrize("raw", ["가", "x" * 13, "\u200b\u200b", "   "])
def test_bad_nicknames(raw):
    with pytest.raises(InvalidText):
        clean_nickname(raw)


def test_nickname_spacing_is_collapsed():
    assert clean_nickname("  김   기자 ") == "김 기자"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("홍길동", "홍길*"), ("ab", "a*"), ("가", "*"), ("seoul_reader", "seou****")],
)
def test_mask(name, masked):
    assert mask_nickname(name) == masked


def test_fingerprint_ignores_spacing_case_and_invisible_marks():
    assert body_fingerprint("Buy NOW 지금") == body_fingerprint(" buy\u200b now  지금 ")
    assert body_fingerprint("하나") != body_fingerprint("둘")
