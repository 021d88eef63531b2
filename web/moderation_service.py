"""Moderators' decisions on comments and authors, each recorded: the rules, free of HTTP."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from .comment_store import set_status
from .db import db, utcnow
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
    """The comments with these ids, locked against a second moderator's action on PostgreSQL."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise ModerationError(_("선택한 댓글이 없습니다."))
    if not all(is_row_id(i) for i in ids):
        raise ModerationError(_("존재하지 않는 댓글입니다."), 404)
    query = sa.select(Comment).where(Comment.id.in_(ids)).order_by(Comment.id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    found = list(db.session.scalars(query))
    if len(found) != len(ids):
        raise ModerationError(_("존재하지 않는 댓글입니다."), 404)
    return found


def approve(moderator: Moderator, comment_ids, batch: str | None = None) -> str:
    """Publish the comments and label them clean; returns the batch id."""
    batch = batch or new_batch()
    for comment in _comments(comment_ids):
        before = comment.status
        # The hold reason stays: why the model held it is part of the record.
        set_status(comment, PUBLISHED, hold_reason=comment.hold_reason)
        comment.reports_seen = comment.report_count
        _record(moderator, batch, APPROVE, comment, before)
    db.session.commit()
    return batch


def reject(moderator: Moderator, comment_ids, reason: str, batch: str | None = None) -> str:
    """Hide the comments with the reason as their label; returns the batch id."""
    if reason not in REJECT_REASONS:
        raise ModerationError(_("거절 사유를 선택해 주세요."))
    batch = batch or new_batch()
    for comment in _comments(comment_ids):
        before = comment.status
        set_status(comment, REJECTED, hold_reason=comment.hold_reason)
        comment.reports_seen = comment.report_count
        _record(moderator, batch, REJECT, comment, before, reason)
    db.session.commit()
    return batch


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


def undo_last(moderator: Moderator) -> list[Decision]:
    """Take back the moderator's last action (all of a bulk one); returns what was undone.

    A comment another moderator has judged since is left as it is.
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
    now = utcnow()
    for decision in decisions:
        if decision.action in (BAN, UNBAN):
            _undo_ban(decision)
        elif decision.comment_id is not None and _is_latest(decision):
            comment = db.session.get(Comment, decision.comment_id)
            set_status(comment, decision.status_before, hold_reason=comment.hold_reason)
        decision.undone_at = now
    db.session.commit()
    return decisions


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
