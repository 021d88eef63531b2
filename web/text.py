"""Comment text rules shared by the form, the JSON API and the browser counter.

A comment is stored tidied: NFC, every line break a single newline, blank lines
(nothing visible on them) cut to one empty line between paragraphs, whitespace
trimmed from both ends. Its length is the number of Unicode code points of that
text: exactly what the widget's counter computes (``tidy`` in widget.js).
"""

from __future__ import annotations

import hashlib
import unicodedata

from flask_babel import gettext as _

MAX_BODY_LENGTH = 150
MAX_NICKNAME_LENGTH = 12
MIN_NICKNAME_LENGTH = 2
# Beyond this many characters a text is refused for its length without being tidied
# line by line, which would cost seconds on a body of megabytes. No one types that much
# of blank lines for a 150-character comment.
MAX_UNTIDIED_LENGTH = 20 * MAX_BODY_LENGTH

# Characters that print nothing but are not Unicode whitespace. Hangul fillers are
# letters to Unicode, yet they are the usual trick to post a "blank" comment.
_INVISIBLE_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


class InvalidText(ValueError):
    """Input that breaks a text rule; ``code`` names the rule and ``message`` is for the reader."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def normalize(text: str) -> str:
    """NFC form with every line break written as a single newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def tidy_body(text: str) -> str:
    """The text as it is stored: normalized, blank lines cut to one, ends trimmed.

    A line with nothing visible on it (spaces, Hangul fillers) counts as blank:
    otherwise a run of them would still make a comment a screen tall.
    """
    text = normalize(text)
    if len(text) > MAX_UNTIDIED_LENGTH:
        return text.strip()
    lines = []
    for line in text.split("\n"):
        if all(is_invisible(c) for c in line):
            if lines and lines[-1] == "":
                continue
            line = ""
        lines.append(line)
    # widget.js trims the same characters: those of str.isspace, not those of trim().
    return "\n".join(lines).strip()


def body_length(text: str) -> int:
    """The length the 150-character limit applies to: that of the text as stored."""
    return len(tidy_body(text))


def is_invisible(char: str) -> bool:
    """Whether a character shows nothing on screen."""
    if char in _INVISIBLE_LETTERS or char.isspace():
        return True
    return unicodedata.category(char) in {"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"}


def clean_body(raw) -> str:
    """The comment body to store, or InvalidText saying what is wrong with it."""
    if not isinstance(raw, str):
        raise InvalidText("missing_body", _("댓글 내용을 입력해 주세요."))
    if not raw.strip():
        raise InvalidText("empty_body", _("댓글 내용을 입력해 주세요."))
    text = tidy_body(raw)
    if len(text) > MAX_BODY_LENGTH:
        raise InvalidText(
            "body_too_long",
            _(
                "댓글은 %(limit)d자까지 쓸 수 있습니다. (현재 %(length)d자)",
                limit=MAX_BODY_LENGTH,
                length=len(text),
            ),
        )
    if all(is_invisible(c) for c in text):
        raise InvalidText("invisible_body", _("보이지 않는 문자만으로는 댓글을 쓸 수 없습니다."))
    return text


def clean_nickname(raw) -> str:
    """A new reader's nickname, or InvalidText."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidText("missing_nickname", _("닉네임을 입력해 주세요."))
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if any(is_invisible(c) and c != " " for c in name) or not name.replace(" ", ""):
        raise InvalidText("invalid_nickname", _("닉네임에 쓸 수 없는 문자가 있습니다."))
    if not MIN_NICKNAME_LENGTH <= len(name) <= MAX_NICKNAME_LENGTH:
        raise InvalidText(
            "invalid_nickname",
            _(
                "닉네임은 %(min)d~%(max)d자로 입력해 주세요.",
                min=MIN_NICKNAME_LENGTH,
                max=MAX_NICKNAME_LENGTH,
            ),
        )
    return name


def mask_nickname(name: str) -> str:
    """Hide the end of a nickname, as Korean portals do with IDs: 홍길동 -> 홍길*."""
    chars = list(name)
    if len(chars) <= 1:
        return "*"
    shown = min(4, (len(chars) + 1) // 2)
    return "".join(chars[:shown]) + "*" * min(4, len(chars) - shown)


def body_fingerprint(body: str) -> str:
    """A hash that is the same for bodies differing only in spacing, case or invisible marks."""
    folded = "".join(c for c in normalize(body).casefold() if not is_invisible(c))
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()
