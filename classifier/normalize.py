"""Text normalization for Korean comments, keeping a map back to the original.

Every step works on a list of ``(char, start, end)`` triples, where ``start`` and
``end`` are the range of the *original* text that the character came from, so a
span found in the normalized text can always be pointed at in the text the reader
wrote, whatever was squeezed, dropped or spelled out on the way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .evasion import (
    JAMO_ABBREVIATIONS,
    collapse_stretched_vowels,
    expand_jamo_abbreviations,
    has_stretched_vowel,
    join_spaced_syllables,
    latin_keyboard_to_hangul,
    remove_symbols_inside_words,
    replace_numeric_swears,
    text_of,
)

Triple = tuple[str, int, int]

# Characters that render as nothing and are used to dodge filters or to blank a nickname.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u2060\u2061\u2062\u2063\u2064\u3164\ufeff\uffa0"
)
_MAX_RUN = 2


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """The normalized text and, for each of its characters, the original range."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_range(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalized range ``[start, end)`` to a range of the original text."""
        if end <= start:
            raise ValueError("empty range")
        return self.starts[start], self.ends[end - 1]


def normalize(text: str) -> NormalizedText:
    """Normalize a comment for the model; see the module docstring for the offsets."""
    if not isinstance(text, str):
        raise TypeError(f"a comment must be a str, not {type(text).__name__}")
    if _PLAIN.fullmatch(text) and not _NEEDS_WORK.search(text) and not has_stretched_vowel(text):
        # Most comments: nothing to undo, and every character stays where it was.
        return NormalizedText(text.lower(), tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    return normalize_in_steps(text)


def normalize_in_steps(text: str) -> NormalizedText:
    """Every step of ``normalize``, even where a quick look shows none would change anything."""
    chars = _unicode_clean(text)
    chars = latin_keyboard_to_hangul(chars)
    if any(map(str.isupper, text_of(chars))):
        chars = [(c.lower(), s, e) for c, s, e in chars]
    chars = _squeeze_runs(chars)
    chars = expand_jamo_abbreviations(chars)
    chars = replace_numeric_swears(chars)
    chars = remove_symbols_inside_words(chars)
    chars = collapse_stretched_vowels(chars)
    chars = join_spaced_syllables(chars)
    chars = _collapse_spaces(chars)
    letters, starts, ends = zip(*chars, strict=True) if chars else ((), (), ())
    return NormalizedText("".join(letters), starts, ends)


def _is_continuation(ch: str) -> bool:
    """True for characters that belong to the cluster before them."""
    return unicodedata.combining(ch) > 0 or "\u1160" <= ch <= "\u11ff"


# Text made only of these needs no Unicode work: printable ASCII and Hangul.
_PLAIN = re.compile(r"[\x20-\x7e\uac00-\ud7a3\u3131-\u318e]*")


# In plain text, anything one of the steps of ``normalize`` would change
# (laughter such as ㅋㅋ or ㅠㅠ is left alone unless it runs long).
_NEEDS_WORK = re.compile(
    "|".join(sorted(JAMO_ABBREVIATIONS, key=len, reverse=True))
    + r"|[A-Za-z]{3,}|(.)\1\1|18|\s\s|^\s|\s$"
    r"|[가-힣ㄱ-ㅣ][^\s가-힣ㄱ-ㅣ]{1,2}[가-힣ㄱ-ㅣ]"
    r"|(?<!\S)[가-힣] [가-힣](?!\S)"
)


def _unicode_clean(text: str) -> list[Triple]:
    """NFKC/NFC by cluster, invisible and control characters dropped."""
    if _PLAIN.fullmatch(text):
        return [(c, i, i + 1) for i, c in enumerate(text)]
    out: list[Triple] = []
    n = len(text)
    i = 0
    while i < n:
        j = i + 1
        while j < n and _is_continuation(text[j]):
            j += 1
        cluster = text[i:j]
        for ch in _normalize_cluster(cluster):
            if ch in _INVISIBLE:
                continue
            cat = unicodedata.category(ch)
            if cat[0] == "Z" or ch in "\t\n\r\x0b\x0c":
                out.append((" ", i, j))
            elif cat in ("Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"):
                continue
            else:
                out.append((ch, i, j))
        i = j
    return out


def _normalize_cluster(cluster: str) -> str:
    """NFKC, except for Hangul compatibility jamo, which NFKC would turn into
    conjoining jamo and so break consonant abbreviations such as ㅅㅂ."""
    if len(cluster) == 1:
        ch = cluster
        if ch.isascii() or "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e":
            return ch
    if any("\u3131" <= ch <= "\u318e" for ch in cluster):
        return unicodedata.normalize("NFC", cluster)
    return unicodedata.normalize("NFKC", cluster)


_RUN = re.compile(r"(.)\1\1")


def _squeeze_runs(chars: list[Triple]) -> list[Triple]:
    """Cut runs of one repeated character (ㅋㅋㅋㅋ, !!!!!) down to two."""
    if not _RUN.search(text_of(chars)):
        return chars
    out: list[Triple] = []
    run = 0
    for triple in chars:
        if out and out[-1][0] == triple[0]:
            run += 1
            if run >= _MAX_RUN:
                c, s, _ = out[-1]
                out[-1] = (c, s, triple[2])
                continue
        else:
            run = 0
        out.append(triple)
    return out


def _collapse_spaces(chars: list[Triple]) -> list[Triple]:
    """One space between words, none at either end."""
    text = text_of(chars)
    if "  " not in text and text == text.strip(" "):
        return chars
    out: list[Triple] = []
    for triple in chars:
        if triple[0] == " " and (not out or out[-1][0] == " "):
            continue
        out.append(triple)
    while out and out[-1][0] == " ":
        out.pop()
    return out
