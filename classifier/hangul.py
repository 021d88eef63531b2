"""Hangul syllable arithmetic and the two-set (dubeolsik) keyboard layout."""

from __future__ import annotations

SYLLABLE_FIRST = 0xAC00
SYLLABLE_LAST = 0xD7A3

INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = ("",) + tuple("ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

# Keys of the standard Korean keyboard; shifted keys give the tense consonants.
KEYBOARD = {
    "q": "ㅂ", "w": "ㅈ", "e": "ㄷ", "r": "ㄱ", "t": "ㅅ", "y": "ㅛ", "u": "ㅕ", "i": "ㅑ",
    "o": "ㅐ", "p": "ㅔ", "a": "ㅁ", "s": "ㄴ", "d": "ㅇ", "f": "ㄹ", "g": "ㅎ", "h": "ㅗ",
    "j": "ㅓ", "k": "ㅏ", "l": "ㅣ", "z": "ㅋ", "x": "ㅌ", "c": "ㅊ", "v": "ㅍ", "b": "ㅠ",
    "n": "ㅜ", "m": "ㅡ", "Q": "ㅃ", "W": "ㅉ", "E": "ㄸ", "R": "ㄲ", "T": "ㅆ", "O": "ㅒ",
    "P": "ㅖ",
}  # fmt: skip

_COMPOUND_MEDIALS = {
    ("ㅗ", "ㅏ"): "ㅘ", ("ㅗ", "ㅐ"): "ㅙ", ("ㅗ", "ㅣ"): "ㅚ", ("ㅜ", "ㅓ"): "ㅝ",
    ("ㅜ", "ㅔ"): "ㅞ", ("ㅜ", "ㅣ"): "ㅟ", ("ㅡ", "ㅣ"): "ㅢ",
}  # fmt: skip
_COMPOUND_FINALS = {
    ("ㄱ", "ㅅ"): "ㄳ", ("ㄴ", "ㅈ"): "ㄵ", ("ㄴ", "ㅎ"): "ㄶ", ("ㄹ", "ㄱ"): "ㄺ",
    ("ㄹ", "ㅁ"): "ㄻ", ("ㄹ", "ㅂ"): "ㄼ", ("ㄹ", "ㅅ"): "ㄽ", ("ㄹ", "ㅌ"): "ㄾ",
    ("ㄹ", "ㅍ"): "ㄿ", ("ㄹ", "ㅎ"): "ㅀ", ("ㅂ", "ㅅ"): "ㅄ",
}  # fmt: skip


def is_syllable(ch: str) -> bool:
    """True for a precomposed Hangul syllable (가-힣)."""
    return SYLLABLE_FIRST <= ord(ch) <= SYLLABLE_LAST


def is_jamo(ch: str) -> bool:
    """True for a Hangul compatibility jamo (ㄱ-ㅣ)."""
    return "\u3131" <= ch <= "\u318e"


def is_hangul(ch: str) -> bool:
    """True for a syllable or a compatibility jamo."""
    return is_syllable(ch) or is_jamo(ch)


def decompose(ch: str) -> tuple[str, str, str]:
    """Split a syllable into its initial, medial and final (``""`` if none)."""
    index = ord(ch) - SYLLABLE_FIRST
    initial, rest = divmod(index, 21 * 28)
    medial, final = divmod(rest, 28)
    return INITIALS[initial], MEDIALS[medial], FINALS[final]


def compose(initial: str, medial: str, final: str = "") -> str:
    """Build a syllable from its parts."""
    index = (INITIALS.index(initial) * 21 + MEDIALS.index(medial)) * 28 + FINALS.index(final)
    return chr(SYLLABLE_FIRST + index)


def keys_to_syllables(keys: str) -> list[tuple[str, int, int]] | None:
    """Type ``keys`` on a Korean keyboard; ``None`` unless they make whole syllables.

    Returns ``(syllable, first_key, end_key)`` triples, each syllable with the
    range of keys that typed it.
    """
    jamo = []
    for key in keys:
        j = KEYBOARD.get(key) or KEYBOARD.get(key.lower())
        if j is None:
            return None
        jamo.append(j)
    out: list[tuple[str, int, int]] = []
    i, n = 0, len(jamo)
    while i < n:
        start = i
        if jamo[i] not in INITIALS or i + 1 >= n or jamo[i + 1] not in MEDIALS:
            return None
        initial, medial = jamo[i], jamo[i + 1]
        i += 2
        if i < n and (medial, jamo[i]) in _COMPOUND_MEDIALS:
            medial = _COMPOUND_MEDIALS[(medial, jamo[i])]
            i += 1
        final = ""
        # A consonant is a final only if no vowel follows it (else it starts the next syllable).
        if i < n and jamo[i] in FINALS and (i + 1 >= n or jamo[i + 1] not in MEDIALS):
            final = jamo[i]
            i += 1
            pair = (final, jamo[i]) if i < n else None
            if pair in _COMPOUND_FINALS and (i + 1 >= n or jamo[i + 1] not in MEDIALS):
                final = _COMPOUND_FINALS[pair]
                i += 1
        out.append((compose(initial, medial, final), start, i))
    return out
