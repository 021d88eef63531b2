"""Comments spelled out in jamo, for the n-grams that see inside syllables.

A syllable n-gram misses what two spellings of one word share (시발 and 씨발,
병신 and 븅신, a dropped or added final consonant); written out letter by letter
(ㅅㅣㅂㅏㄹ, ㅆㅣㅂㅏㄹ) most of their n-grams are the same.
"""

from __future__ import annotations

import numpy as np

from .hangul import FINALS, INITIALS, MEDIALS, SYLLABLE_FIRST, SYLLABLE_LAST, decompose, is_syllable

_INITIALS = np.array([ord(c) for c in INITIALS], dtype=np.uint32)
_MEDIALS = np.array([ord(c) for c in MEDIALS], dtype=np.uint32)
_FINALS = np.array([ord(c) if c else 0 for c in FINALS], dtype=np.uint32)


def spell_out(text: str) -> str:
    """``text`` with every syllable written as its compatibility jamo (한 -> ㅎㅏㄴ)."""
    return "".join("".join(decompose(ch)) if is_syllable(ch) else ch for ch in text)


def spell_out_codepoints(codepoints: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``spell_out`` on an array of code points, and where each result came from.

    Returns the spelled-out code points and, for each, the index in ``codepoints``
    of the character it was spelled from.
    """
    syllable = (codepoints >= SYLLABLE_FIRST) & (codepoints <= SYLLABLE_LAST)
    index = np.where(syllable, codepoints.astype(np.int64) - SYLLABLE_FIRST, 0)
    final = index % 28
    sizes = np.where(syllable, 2 + (final > 0), 1)
    source = np.repeat(np.arange(len(codepoints)), sizes)
    out = np.repeat(codepoints.astype(np.uint32), sizes)
    at, index, final = (np.cumsum(sizes) - sizes)[syllable], index[syllable], final[syllable]
    out[at] = _INITIALS[index // (21 * 28)]
    out[at + 1] = _MEDIALS[(index // 28) % 21]
    out[at[final > 0] + 2] = _FINALS[final[final > 0]]
    return out, source
