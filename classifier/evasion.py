"""Undo the spellings people use to slip abuse past keyword filters.

Each function takes and returns ``(char, start, end)`` triples (see
``normalize``), so whatever is rewritten still points at the original text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from operator import itemgetter

from .hangul import compose, decompose, is_hangul, is_syllable, keys_to_syllables

Triple = tuple[str, int, int]

# Consonant-only abbreviations, longest first when several start alike.
JAMO_ABBREVIATIONS = {
    "ㄱㅅㄲ": "개새끼",
    "ㅆㄹㄱ": "쓰레기",
    "ㄴㄱㅁ": "니기미",
    "ㄴㅇㅁ": "니애미",
    "ㅅㅂ": "시발",
    "ㅆㅂ": "씨발",
    "ㅄ": "병신",
    "ㅂㅅ": "병신",
    "ㅈㄴ": "존나",
    "ㅅㄲ": "새끼",
    "ㅁㅊ": "미친",
    "ㅈㄹ": "지랄",
    "ㄷㅊ": "닥쳐",
    "ㄲㅈ": "꺼져",
    "ㅈㄲ": "좆까",
    "ㄱㅅ": "감사",
    "ㅈㅅ": "죄송",
    "ㅊㅋ": "축하",
    "ㅇㅈ": "인정",
}
_LONGEST_ABBREVIATION = max(len(k) for k in JAMO_ABBREVIATIONS)

# "18" read aloud is 십팔, a stand-in for 씨발, unless a counter word follows (18세, 18일).
_COUNTERS = frozenset("세살일시분초월년번명개원만억조층호위등회점골홀대주차인권장편곡%")
_SWEAR_NUMBERS = {"18": "시발", "1818": "시발시발"}
# Not part of a longer number: 18,000, 3:18, 18-3 and 1.18 are figures.
_NUMBER_RE = re.compile(r"(?<![0-9])(?<![0-9][.,:~/-])(1818|18)(?![0-9])(?![.,:~/-][0-9])")
# A number written apart from what it counts or from a copula is still a number:
# 18 개월, 18 번, 18 대 3, 번호 18 입니다.
_COPULA = ("입니다", "이에요", "이예요", "이요", "이다", "이고", "이야", "이었", "이라", "였")
_NUMBER_NOUNS = frozenset(["번호", "등번호", "넘버", "no", "no.", "#", "번", "점수"])

# Symbols people wedge inside a word: 씨@발, 개.새.끼, 시^^발.
_WEDGES = frozenset("@#$%^&*_-.~!|/\\+=:;'\"`,♡♥☆★")
# Digits are wedged too (병1신), but "제1회" is ordinary text: only these pairs close up.
_DIGIT_WEDGED_PAIRS = frozenset(
    ["시발", "씨발", "병신", "븅신", "빙신", "존나", "졸라", "미친", "새끼", "개새", "지랄", "닥쳐",
     "꺼져", "좆같", "씹새", "느금", "애미", "섹스", "보지", "자지", "색기", "쓰레", "레기"]
)  # fmt: skip
# Stems that make a Latin word typed on the Korean layout worth reading as Hangul.
_KEYBOARD_STEMS = (
    "시발", "씨발", "병신", "새끼", "색끼", "개새", "존나", "지랄", "미친", "닥쳐",
    "꺼져", "좆", "씹", "애미", "느금", "섹스", "보지", "자지", "쓰레기", "등신",
)  # fmt: skip
_MAX_WEDGE = 2
_MAX_WORD_BEFORE_WEDGE = 2


def text_of(chars: list[Triple]) -> str:
    """The characters of ``chars`` as one string."""
    return "".join(map(itemgetter(0), chars))


def _splice(chars: list[Triple], edits: list[tuple[int, int, list[Triple]]]) -> list[Triple]:
    """Replace ``chars[start:end]`` by new triples for each ``(start, end, new)``, in order."""
    if not edits:
        return chars
    out: list[Triple] = []
    last = 0
    for start, end, new in edits:
        out.extend(chars[last:start])
        out.extend(new)
        last = end
    out.extend(chars[last:])
    return out


def latin_keyboard_to_hangul(chars: list[Triple]) -> list[Triple]:
    """Read Latin words typed with the Korean layout as Hangul (tlqkf -> 시발).

    Only words that type whole syllables holding an abusive stem are rewritten:
    the trick is used to hide abuse, and English must be left alone.
    """
    edits = []
    for match in re.finditer(r"[A-Za-z]{3,}", text_of(chars)):
        syllables = keys_to_syllables(match.group())
        if not syllables:
            continue
        hangul = "".join(syllable for syllable, _, _ in syllables)
        if not any(stem in hangul for stem in _KEYBOARD_STEMS):
            continue
        base = match.start()
        new = [(h, chars[base + a][1], chars[base + b - 1][2]) for h, a, b in syllables]
        edits.append((match.start(), match.end(), new))
    return _splice(chars, edits)


_JAMO_RUN = re.compile(r"[ㄱ-ㅎ]+")


def expand_jamo_abbreviations(chars: list[Triple]) -> list[Triple]:
    """Spell out consonant abbreviations (ㅅㅂ -> 시발, ㅄ -> 병신)."""
    text = text_of(chars)
    runs = list(_JAMO_RUN.finditer(text))
    if not runs:
        return chars
    out: list[Triple] = []
    last = 0
    for run in runs:
        out.extend(chars[last : run.start()])
        i, end = run.start(), run.end()
        while i < end:
            for size in range(min(_LONGEST_ABBREVIATION, end - i), 1, -1):
                word = JAMO_ABBREVIATIONS.get(text[i : i + size])
                if word:
                    piece = chars[i : i + size]
                    out.extend(_spread(word, piece, piece[0][1], piece[-1][2]))
                    i += size
                    break
            else:
                word = JAMO_ABBREVIATIONS.get(text[i])
                out.extend(_spread(word, [chars[i]], *chars[i][1:]) if word else [chars[i]])
                i += 1
        last = end
    out.extend(chars[last:])
    return out


def _spread(word: str, source: list[Triple], start: int, end: int) -> list[Triple]:
    """Give each character of ``word`` the original range of its counterpart."""
    if len(word) == len(source):
        return [(c, s, e) for c, (_, s, e) in zip(word, source, strict=True)]
    return [(c, start, end) for c in word]


def replace_numeric_swears(chars: list[Triple]) -> list[Triple]:
    """Read a bare 18 (or 1818) as the swear word it stands for."""
    text = text_of(chars)
    if "18" not in text:
        return chars
    edits = []
    for match in _NUMBER_RE.finditer(text):
        if _counts_something(text, match.start(), match.end()):
            continue
        piece = chars[match.start() : match.end()]
        word = _SWEAR_NUMBERS[match.group()]
        edits.append((match.start(), match.end(), _spread(word, piece, piece[0][1], piece[-1][2])))
    return _splice(chars, edits)


def _counts_something(text: str, start: int, end: int) -> bool:
    """Whether the number at ``text[start:end]`` reads as a figure: a counter or a full
    stop right after it, or, across one space, a counter word or a copula after it or a
    word such as 번호 before it."""
    after = text[end : end + 1]
    if after and (after in _COUNTERS or after == "."):
        return True
    if after == " ":
        following = text[end + 1 :].split(" ", 1)[0]
        if following[:1] in _COUNTERS or following.startswith(_COPULA):
            return True
    if text[start - 1 : start] == " ":
        preceding = text[: start - 1].rsplit(" ", 1)[-1]
        if preceding in _NUMBER_NOUNS:
            return True
    return False


_WEDGE_CANDIDATE = re.compile(r"[가-힣ㄱ-ㅣ][^\s가-힣ㄱ-ㅣ]{1,2}[가-힣ㄱ-ㅣ]")


def remove_symbols_inside_words(chars: list[Triple]) -> list[Triple]:
    """Drop one or two symbols wedged between the syllables of a short word (씨@발)."""
    if not _WEDGE_CANDIDATE.search(text_of(chars)):
        return chars
    out: list[Triple] = []
    word_length = 0  # Hangul characters of the word being read
    word_started_clean = True  # the word began at the start of the text or after a space
    i, n = 0, len(chars)
    while i < n:
        c = chars[i][0]
        if is_hangul(c):
            word_length += 1
            out.append(chars[i])
            i += 1
            continue
        if word_started_clean and 0 < word_length <= _MAX_WORD_BEFORE_WEDGE:
            j = _wedge_end(chars, i)
            if j is not None:
                i = j  # drop the wedge; the word goes on
                continue
        word_length = 0
        word_started_clean = c == " "
        out.append(chars[i])
        i += 1
    return out


def _wedge_end(chars: list[Triple], i: int) -> int | None:
    """Where the wedge starting at ``i`` ends, if it is one."""
    n = len(chars)
    if chars[i][0].isdigit():
        if i + 1 < n and i > 0 and chars[i - 1][0] + chars[i + 1][0] in _DIGIT_WEDGED_PAIRS:
            return i + 1
        return None
    j = i
    while j < n and j - i <= _MAX_WEDGE and chars[j][0] in _WEDGES:
        j += 1
    if 0 < j - i <= _MAX_WEDGE and j < n and is_hangul(chars[j][0]):
        return j
    return None


# A syllable followed by one that starts with a silent ㅇ (아 .. 잏).
_STRETCH_CANDIDATE = re.compile(r"(?=([가-힣][\uc544-\uc78f]))")


@lru_cache(maxsize=4096)
def _stretches(pair: str) -> bool:
    """The first syllable has no final and the second repeats its vowel after a silent ㅇ."""
    return decompose(pair[0])[1] == decompose(pair[1])[1] and not decompose(pair[0])[2]


def has_stretched_vowel(text: str) -> bool:
    """True if a syllable's vowel is drawn out over the next one (씨이)."""
    return any(_stretches(m.group(1)) for m in _STRETCH_CANDIDATE.finditer(text))


def collapse_stretched_vowels(chars: list[Triple]) -> list[Triple]:
    """Fold a vowel drawn out over extra syllables back in (씨이이발 -> 씨발, 주우욱 -> 죽)."""
    if not has_stretched_vowel(text_of(chars)):
        return chars
    out: list[Triple] = []
    i, n = 0, len(chars)
    while i < n:
        c, s, e = chars[i]
        if not is_syllable(c):
            out.append(chars[i])
            i += 1
            continue
        initial, medial, final = decompose(c)
        j = i + 1
        stretch_final = ""
        if not final:
            while j < n and is_syllable(chars[j][0]):
                ni, nm, nf = decompose(chars[j][0])
                if ni != "ㅇ" or nm != medial:
                    break
                j += 1
                if nf:
                    stretch_final = nf
                    break
        stretched = j - i - 1
        if stretched and stretch_final and stretched >= 2:
            out.append((compose(initial, medial, stretch_final), s, chars[j - 1][2]))
        elif stretched and not stretch_final:
            out.append((c, s, chars[j - 1][2]))
        else:
            out.append(chars[i])
            j = i + 1
        i = j
    return out


_SPACED = re.compile(r"(?<!\S)[가-힣](?: [가-힣](?!\S))+")


def join_spaced_syllables(chars: list[Triple]) -> list[Triple]:
    """Close up words typed one syllable at a time (시 발, 병 신 같 은)."""
    text = text_of(chars)
    if " " not in text:
        return chars
    drop: set[int] = set()
    for match in _SPACED.finditer(text):
        drop.update(k for k in range(match.start(), match.end()) if text[k] == " ")
    if not drop:
        return chars
    return [t for k, t in enumerate(chars) if k not in drop]
