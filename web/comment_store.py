"""Posting, listing, voting on and reporting comments: the rules, free of HTTP."""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from . import pagination, site_settings
from .db import db, lock_comment_row, utcnow
from .ids import is_row_id
from .models import (
    HOLD_MODEL_ERROR,
    HOLD_SPAM,
    PENDING,
    REPORT_REASONS,
    VISIBLE_STATUSES,
    Article,
    Comment,
    Reader,
    Report,
    Vote,
)
from .policy import comment_status
from .scoring import ModelUnavailable, model_holder
from .text import InvalidText, body_fingerprint, clean_body, clean_nickname

logger = logging.getLogger(__name__)

VOTE_VALUES = {"up": 1, "down": -1, "none": 0}


class CommentError(Exception):
    """A request the rules refuse; ``status`` is the HTTP status, ``message`` is for the reader."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass
class Page:
    """One page of an article's comments as one reader sees it."""

    comments: list[Comment]
    next_cursor: str | None
    own_pending: list[Comment] = field(default_factory=list)
    votes: dict[int, int] = field(default_factory=dict)
    reported: set[int] = field(default_factory=set)


def find_article(key: str) -> Article:
    """The article with this key; CommentError 404 if there is none."""
    article = None
    if "\x00" not in key:  # PostgreSQL refuses NUL in a query; no key can hold it
        article = db.session.scalar(sa.select(Article).where(Article.key == key))
    if article is None:
        raise CommentError(404, "unknown_article", _("존재하지 않는 기사입니다."))
    return article


def check_comment_id(comment_id: int) -> None:
    """CommentError 404 for an id no comment can have."""
    if not is_row_id(comment_id):
        raise CommentError(404, "unknown_comment", _("존재하지 않거나 삭제된 댓글입니다."))


def find_visible_comment(comment_id: int) -> Comment:
    """A comment everyone may see; CommentError 404 otherwise."""
    check_comment_id(comment_id)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status not in VISIBLE_STATUSES:
        raise CommentError(404, "unknown_comment", _("존재하지 않거나 삭제된 댓글입니다."))
    return comment


def hash_ip(ip: str | None) -> str | None:
    """A keyed hash of the poster's address: repeats match, the address is not kept."""
    if not ip:
        return None
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, ip.encode("utf-8"), hashlib.sha256).hexdigest()


def _is_repeat(fingerprint: str, reader: Reader, ip_hash: str | None) -> bool:
    """Whether this reader or address already posted the same text too often today."""
    limit = current_app.config["SPAM_REPEAT_LIMIT"]
    db.session.flush()  # a new reader needs an id to be matched on
    same_poster = Comment.author_id == reader.id
    if ip_hash is not None:
        same_poster = sa.or_(same_poster, Comment.ip_hash == ip_hash)
    earlier = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Comment)
        .where(
            Comment.body_hash == fingerprint,
            Comment.created_at >= utcnow() - timedelta(days=1),
            same_poster,
        )
    )
    return earlier >= limit


def _score_into(comment: Comment, article: Article) -> None:
    """Fill in the model's verdict; a model that fails leaves the comment pending.

    The admins' settings apply: their thresholds, the words never counted (blanked
    before scoring) and those that always hold, and pre-moderation.
    """
    settings = site_settings.current()
    try:
        score, version = model_holder().score(settings.mask_allowed(comment.body))
    except ModelUnavailable:
        logger.exception("comment held: the model could not score it")
        comment.status, comment.hold_reason = PENDING, HOLD_MODEL_ERROR
        return
    comment.toxicity = float(score.toxicity)
    comment.categories = {k: round(float(v), 4) for k, v in score.categories.items()}
    comment.spans = [s.to_dict() for s in score.spans]
    comment.model_version = version
    comment.status, comment.hold_reason = comment_status(
        comment.toxicity,
        comment.body,
        article.premoderated,
        settings,
        categories=comment.categories,
    )


def post_comment(
    article: Article, reader: Reader, body, nickname=None, ip: str | None = None
) -> Comment:
    """Validate, score and store a comment; raises CommentError for what the rules refuse."""
    if reader.is_banned():
        raise CommentError(403, "reader_banned", _("이용이 제한된 사용자는 댓글을 쓸 수 없습니다."))
    if not article.comments_open:
        raise CommentError(403, "comments_closed", _("댓글 작성이 종료된 기사입니다."))
    try:
        text = clean_body(body)
        if reader.nickname is None:
            reader.nickname = clean_nickname(nickname)
    except InvalidText as exc:
        raise CommentError(400, exc.code, exc.message) from None

    comment = Comment(
        article_id=article.id,
        author=reader,
        nickname=reader.nickname,
        body=text,
        body_hash=body_fingerprint(text),
        ip_hash=hash_ip(ip),
        created_at=utcnow(),
    )
    _score_into(comment, article)
    if _is_repeat(comment.body_hash, reader, comment.ip_hash):
        comment.status, comment.hold_reason = PENDING, HOLD_SPAM
    db.session.add(comment)
    if comment.visible:
        # The new count, without the ORM writing it a second time.
        set_committed_value(article, "comment_count", _add_to_count(article.id, 1))
    db.session.commit()
    return comment


def _add_to_count(article_id: int, delta: int) -> int:
    """Move an article's comment count in SQL, so concurrent posts cannot lose an update.

    Returns the new count.
    """
    return db.session.scalar(
        sa.update(Article)
        .where(Article.id == article_id)
        .values(comment_count=Article.comment_count + delta)
        .returning(Article.comment_count)
        .execution_options(synchronize_session=False)
    )


def set_status(comment: Comment, status: str, hold_reason: str | None = None) -> None:
    """Change a comment's status, keeping the article's count in step (caller commits)."""
    was_visible = comment.visible
    comment.status, comment.hold_reason = status, hold_reason
    if comment.visible != was_visible:
        _add_to_count(comment.article_id, 1 if comment.visible else -1)


def list_comments(
    article: Article,
    sort: str = pagination.DEFAULT_SORT,
    cursor: str | None = None,
    viewer: Reader | None = None,
    limit: int | None = None,
) -> Page:
    """A page of visible comments in the given order, ties broken by newest."""
    if sort not in pagination.SORTS:
        raise CommentError(400, "invalid_sort", _("정렬 방식이 올바르지 않습니다."))
    limit = limit or current_app.config["COMMENTS_PER_PAGE"]
    key = {"newest": Comment.id, "upvotes": Comment.upvotes, "downvotes": Comment.downvotes}[sort]
    query = sa.select(Comment).where(
        Comment.article_id == article.id, Comment.status.in_(VISIBLE_STATUSES)
    )
    if cursor:
        try:
            value, last_id = pagination.decode_cursor(cursor, sort)
        except pagination.BadCursor:
            raise CommentError(400, "invalid_cursor", _("목록 위치가 올바르지 않습니다.")) from None
        if sort == "newest":
            query = query.where(Comment.id < last_id)
        else:
            query = query.where(sa.tuple_(key, Comment.id) < sa.tuple_(value, last_id))
    order = [Comment.id.desc()] if sort == "newest" else [key.desc(), Comment.id.desc()]
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = pagination.encode_cursor(sort, getattr(last, key.key), last.id)

    page = Page(comments=rows, next_cursor=next_cursor)
    if viewer is not None and viewer.id is not None:
        if not cursor:
            page.own_pending = list(
                db.session.scalars(
                    sa.select(Comment)
                    .where(
                        Comment.article_id == article.id,
                        Comment.author_id == viewer.id,
                        Comment.status == PENDING,
                    )
                    .order_by(Comment.id.desc())
                    .limit(limit)
                )
            )
        page.votes = votes_of(viewer, [c.id for c in rows])
        page.reported = reported_by(viewer, [c.id for c in rows])
    return page


def votes_of(reader: Reader, comment_ids: list[int]) -> dict[int, int]:
    """The reader's votes on these comments, by comment id."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        sa.select(Vote.comment_id, Vote.value).where(
            Vote.reader_id == reader.id, Vote.comment_id.in_(comment_ids)
        )
    )
    return {comment_id: value for comment_id, value in rows}


def reported_by(reader: Reader, comment_ids: list[int]) -> set[int]:
    """The ids of those of these comments the reader has reported, in one query."""
    if not comment_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Report.comment_id).where(
                Report.reader_id == reader.id, Report.comment_id.in_(comment_ids)
            )
        )
    )


def set_vote(comment_id: int, reader: Reader, choice) -> tuple[Comment, int]:
    """Make the reader's vote on a comment up, down or none; returns the comment and the vote.

    Counts move by the difference between the old and new vote while the
    comment row is locked, so they always equal the votes recorded.
    """
    if reader.is_banned():
        raise CommentError(
            403, "reader_banned", _("이용이 제한된 사용자는 찬성/반대를 누를 수 없습니다.")
        )
    if not isinstance(choice, str) or choice not in VOTE_VALUES:  # a list is unhashable
        raise CommentError(400, "invalid_vote", _("찬성 또는 반대를 선택해 주세요."))
    value = VOTE_VALUES[choice]
    db.session.flush()  # a new reader's row first, so the lock below is the first write
    check_comment_id(comment_id)
    lock_comment_row(comment_id)
    comment = find_visible_comment(comment_id)
    if comment.author_id == reader.id:
        raise CommentError(403, "own_comment", _("자신의 댓글에는 찬성/반대를 누를 수 없습니다."))
    vote = db.session.scalar(
        sa.select(Vote).where(Vote.comment_id == comment_id, Vote.reader_id == reader.id)
    )
    old = vote.value if vote else 0
    if old != value:
        if vote is None:
            db.session.add(Vote(comment_id=comment_id, reader_id=reader.id, value=value))
        elif value == 0:
            db.session.delete(vote)
        else:
            vote.value = value
        db.session.flush()
        up_delta = int(value == 1) - int(old == 1)
        down_delta = int(value == -1) - int(old == -1)
        db.session.execute(
            sa.update(Comment)
            .where(Comment.id == comment_id)
            .values(upvotes=Comment.upvotes + up_delta, downvotes=Comment.downvotes + down_delta)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    db.session.refresh(comment)
    return comment, value


def report_comment(comment_id: int, reader: Reader, reason, detail="") -> Report:
    """Record a reader's report; one per reader and comment."""
    if reader.is_banned():
        raise CommentError(403, "reader_banned", _("이용이 제한된 사용자는 신고할 수 없습니다."))
    if not isinstance(reason, str) or reason not in REPORT_REASONS:
        raise CommentError(400, "invalid_reason", _("신고 사유를 선택해 주세요."))
    if not isinstance(detail, str):
        raise CommentError(400, "invalid_detail", _("신고 내용은 문자열이어야 합니다."))
    if len(detail) > 300:
        raise CommentError(400, "invalid_detail", _("신고 내용은 300자까지 쓸 수 있습니다."))
    db.session.flush()  # a new reader's row, for its id
    comment = find_visible_comment(comment_id)
    if comment.author_id == reader.id:
        raise CommentError(403, "own_comment", _("자신의 댓글은 신고할 수 없습니다."))
    report = Report(
        comment_id=comment_id, reader_id=reader.id, reason=reason, detail=detail.strip()
    )
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise CommentError(409, "already_reported", _("이미 신고한 댓글입니다.")) from None
    db.session.execute(
        sa.update(Comment)
        .where(Comment.id == comment_id)
        .values(report_count=Comment.report_count + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return report
