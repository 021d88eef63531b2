"""Moderators' decisions on comments and authors, each recorded: the rules, free of HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from .comment_store import set_status
from .db import db, locked_comments, utcnow
from .ids import is_row_id
from .models import (
    APPROVE,
    BAN,
    PUBLISHED,
    REJECT,
    REJECT_REASONS,
    REJECTED,
    UNBAN,
    Comment,
    Decision,
    Moderator,
    Reader,
)

ACTIVE = "active"
BANNED = "banned"


class ModerationError(Exception):
    """An action the rules refuse; ``message`` is for the moderator."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Outcome:
    """What an approval or rejection did: its batch, the comments it decided, and how many
    it left alone because another decision came first."""

    batch: str
    decided: list[Comment] = field(default_factory=list)
    skipped: int = 0


@dataclass
class Undone:
    """What an undo took back, and how many of the action's decisions it had to leave
    because someone decided on the same comment since."""

    decisions: list[Decision] = field(default_factory=list)
    skipped: int = 0


def new_batch() -> str:
    """An id shared by the decisions of one action (what undo takes back)."""
    return uuid.uuid4().hex


def _record(
    moderator: Moderator, batch: str, action: str, comment: Comment, before: str, reason=None
):
    """Store a decision on a comment with the text and verdict as they were judged."""
    db.session.add(
        Decision(
            batch=batch,
            moderator_id=moderator.id,
            created_at=utcnow(),
            action=action,
            comment_id=comment.id,
            reader_id=comment.author_id,
            status_before=before,
            status_after=comment.status,
            reason=reason,
            body=comment.body,
            toxicity=comment.toxicity,
            categories=comment.categories,
            model_version=comment.model_version,
        )
    )


def _comments(ids) -> list[Comment]:
    """The comments with these ids, locked against a second moderator's action
    (``locked_comments``: a decision committed meanwhile is seen)."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise ModerationError(_("선택한 댓글이 없습니다."))
    if not all(is_row_id(i) for i in ids):
        raise ModerationError(_("존재하지 않는 댓글입니다."), 404)
    found = locked_comments(ids)
    if len(found) != len(ids):
        raise ModerationError(_("존재하지 않는 댓글입니다."), 404)
    return found


def _as_seen(comments: list[Comment], seen: Mapping[int, str] | None) -> list[Comment]:
    """Those of the comments still as the moderator's page showed them.

    ``seen`` maps ids to the Comment.moderation_mark the page showed; a comment it
    does not name is taken as it is. ModerationError 409 when none is left.
    """
    fresh = [c for c in comments if (seen or {}).get(c.id, c.moderation_mark) == c.moderation_mark]
    if comments and not fresh:
        raise ModerationError(
            ngettext(
                "그사이 다른 운영자가 결정한 댓글입니다. 아무것도 바꾸지 않았습니다. "
                "새로고침해 확인해 주세요.",
                "선택한 댓글 %(num)d개 모두 그사이 다른 운영자가 결정했습니다. "
                "아무것도 바꾸지 않았습니다. 새로고침해 확인해 주세요.",
                len(comments),
            ),
            409,
        )
    return fresh


def approve(
    moderator: Moderator,
    comment_ids,
    batch: str | None = None,
    seen: Mapping[int, str] | None = None,
) -> Outcome:
    """Publish the comments and label them clean.

    With ``seen`` (what the moderator's page showed), a comment decided since is
    left alone and counted as skipped; ModerationError 409 if that is all of them.
    """
    return _decide(moderator, comment_ids, APPROVE, PUBLISHED, None, batch, seen)


def reject(
    moderator: Moderator,
    comment_ids,
    reason: str,
    batch: str | None = None,
    seen: Mapping[int, str] | None = None,
) -> Outcome:
    """Hide the comments with the reason as their label; ``seen`` as for approve."""
    if reason not in REJECT_REASONS:
        raise ModerationError(_("거절 사유를 선택해 주세요."))
    return _decide(moderator, comment_ids, REJECT, REJECTED, reason, batch, seen)


def _decide(moderator, comment_ids, action, status, reason, batch, seen) -> Outcome:
    """Give the comments still as the moderator saw them the status, each decision recorded."""
    comments = _comments(comment_ids)
    outcome = Outcome(batch or new_batch())
    for comment in _as_seen(comments, seen):
        before = comment.status
        # The hold reason stays: why the model held it is part of the record.
        set_status(comment, status, hold_reason=comment.hold_reason)
        comment.reports_seen = comment.report_count
        _record(moderator, outcome.batch, action, comment, before, reason)
        outcome.decided.append(comment)
    outcome.skipped = len(comments) - len(outcome.decided)
    db.session.commit()
    return outcome


def reject_all_by_author(moderator: Moderator, reader_id: int, reason: str) -> int:
    """Reject every comment of an author that is not rejected yet; returns how many.

    Raises ModerationError 404 if there is no such author.
    """
    _reader(reader_id)
    ids = list(
        db.session.scalars(
            sa.select(Comment.id).where(Comment.author_id == reader_id, Comment.status != REJECTED)
        )
    )
    if ids:
        reject(moderator, ids, reason)
    return len(ids)


def _reader(reader_id: int) -> Reader:
    """The author, or ModerationError 404."""
    reader = db.session.get(Reader, reader_id) if is_row_id(reader_id) else None
    if reader is None:
        raise ModerationError(_("존재하지 않는 작성자입니다."), 404)
    return reader


def _ban_state(reader: Reader) -> str:
    """How a ban decision names the author's state."""
    return BANNED if reader.is_banned() else ACTIVE


def ban(
    moderator: Moderator,
    reader_id: int,
    until: datetime | None = None,
    note: str = "",
    comment_id: int | None = None,
) -> str:
    """Stop an author from commenting until a time, or for good with ``until`` None.

    ``comment_id`` is the comment the ban was decided on; ModerationError 404 if it is gone.
    """
    if until is not None and until <= utcnow():
        raise ModerationError(_("정지 종료 시각은 지금보다 뒤여야 합니다."))
    if comment_id is not None:
        _comments([comment_id])
    return _set_ban(
        moderator,
        reader_id,
        until,
        action=BAN,
        comment_id=comment_id,
        reason=note.strip()[:300] or None,
        banned_until=until,
    )


def unban(moderator: Moderator, reader_id: int) -> str:
    """Let an author comment again."""
    return _set_ban(moderator, reader_id, None, action=UNBAN)


def _set_ban(moderator: Moderator, reader_id: int, until, action: str, **decision) -> str:
    """Ban (``action`` BAN) or unban an author and record the decision; returns its batch."""
    reader = _reader(reader_id)
    before = _ban_state(reader)
    reader.banned, reader.banned_until = action == BAN, until
    batch = new_batch()
    db.session.add(
        Decision(
            batch=batch,
            moderator_id=moderator.id,
            created_at=utcnow(),
            action=action,
            reader_id=reader.id,
            status_before=before,
            status_after=BANNED if action == BAN else ACTIVE,
            **decision,
        )
    )
    db.session.commit()
    return batch


def undo_last(moderator: Moderator) -> Undone:
    """Take back the moderator's last action (all of a bulk one); returns what was undone.

    A comment someone has judged since is left as it is and counted as skipped; its
    decision is still marked undone, so that the next undo goes to the action before.
    """
    last = db.session.scalar(
        sa.select(Decision)
        .where(Decision.moderator_id == moderator.id, Decision.undone_at.is_(None))
        .order_by(Decision.id.desc())
        .limit(1)
    )
    if last is None:
        raise ModerationError(_("되돌릴 작업이 없습니다."))
    decisions = list(
        db.session.scalars(
            sa.select(Decision).where(Decision.batch == last.batch).order_by(Decision.id)
        )
    )
    judged = [d.comment_id for d in decisions if d.comment_id is not None]
    if judged:
        _comments(judged)  # locked: a decision made meanwhile is seen by _is_latest
    now, undone = utcnow(), Undone()
    for decision in decisions:
        if decision.action in (BAN, UNBAN):
            _undo_ban(decision)
            undone.decisions.append(decision)
        elif decision.comment_id is not None and _is_latest(decision):
            comment = db.session.get(Comment, decision.comment_id)
            set_status(comment, decision.status_before, hold_reason=comment.hold_reason)
            undone.decisions.append(decision)
        else:
            undone.skipped += 1
        decision.undone_at = now
    db.session.commit()
    return undone


def _is_latest(decision: Decision) -> bool:
    """Whether no one has decided on the same comment since."""
    later = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Decision)
        .where(
            Decision.comment_id == decision.comment_id,
            Decision.id > decision.id,
            Decision.undone_at.is_(None),
        )
    )
    return later == 0


def _undo_ban(decision: Decision) -> None:
    """Put the author back as the ban or unban found them (a timed ban comes back timed)."""
    reader = db.session.get(Reader, decision.reader_id) if decision.reader_id else None
    if reader is None:
        return
    if decision.status_before == ACTIVE:
        reader.banned, reader.banned_until = False, None
        return
    previous = db.session.scalar(
        sa.select(Decision)
        .where(
            Decision.reader_id == reader.id,
            Decision.action == BAN,
            Decision.id < decision.id,
            Decision.undone_at.is_(None),
        )
        .order_by(Decision.id.desc())
        .limit(1)
    )
    reader.banned = True
    reader.banned_until = previous.banned_until if previous else None
