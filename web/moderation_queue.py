"""What the moderators' queues hold: selection, filters, sorts, counts, and the cards' extras."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup, escape

from . import pagination
from .date_filters import DateRange
from .db import db
from .ids import parse_row_id
from .models import (
    BAN,
    FLAGGED,
    PENDING,
    REJECTED,
    STATUSES,
    VISIBLE_STATUSES,
    Article,
    Comment,
    Decision,
    Reader,
    Report,
)

QUEUES = {"held": _l("보류"), "review": _l("검토"), "reported": _l("신고"), "all": _l("전체")}
SORTS = {"newest": _l("최신순"), "toxicity": _l("유해도순"), "uncertain": _l("불확실순")}
STATUS_LABELS = {
    "published": lazy_pgettext("status", "게시"),
    "flagged": lazy_pgettext("status", "게시(검토)"),
    "pending": lazy_pgettext("status", "보류"),
    "rejected": lazy_pgettext("status", "거절"),
}


@dataclass
class Filters:
    """The 전체 queue's filters, from the query string; blank means any."""

    status: str = ""
    article: str = ""
    category: str = ""
    author: str = ""
    author_id: str = ""
    text: str = ""
    date_from: str = ""
    date_to: str = ""

    @classmethod
    def from_args(cls, args, dates: DateRange | None = None) -> Filters:
        """Read the filters, dropping values that are not valid; ``dates``: the dates as
        already read from the same arguments."""
        values = {name: (args.get(name) or "").strip()[:200] for name in cls.__dataclass_fields__}
        if values["status"] not in STATUSES:
            values["status"] = ""
        if not (values["author_id"].isascii() and values["author_id"].isdigit()):
            values["author_id"] = ""
        dates = dates or DateRange.from_args(args)
        values.update(date_from=dates.date_from, date_to=dates.date_to)
        return cls(**values)

    def as_args(self) -> dict:
        """The filters that are set, for links that keep them."""
        return {k: v for k, v in vars(self).items() if v}


CURSOR_SALT = "moderation-queue-cursor"
# Where unscored comments (the model failed) go in the toxicity sort: first.
UNSCORED_TOXICITY = 2.0


@dataclass(frozen=True)
class QueueCursor:
    """Where a page of a queue starts: after this comment in this queue and sort.

    The hold threshold the "uncertain" order was computed with travels along, so the
    order stays the same across pages even if an admin changes the threshold meanwhile.
    """

    queue: str
    sort: str
    last_id: int
    toxicity: float | None
    hold: float
    page: int

    def encode(self) -> str:
        """The cursor as an opaque, signed string for links."""
        values = [self.queue, self.sort, self.last_id, self.toxicity, self.hold, self.page]
        return pagination.encode_signed_cursor(values, current_app.secret_key, CURSOR_SALT)

    @classmethod
    def decode(cls, text: str, queue: str, sort: str) -> QueueCursor:
        """The cursor a link carries; pagination.BadCursor if forged or for another list."""
        values = pagination.decode_signed_cursor(text, current_app.secret_key, CURSOR_SALT)
        try:
            name, order, last_id, toxicity, hold, page = values
            cursor = cls(name, order, int(last_id), toxicity, float(hold), int(page))
        except (TypeError, ValueError):
            raise pagination.BadCursor(text) from None
        if (name, order) != (queue, sort) or not (toxicity is None or isinstance(toxicity, float)):
            raise pagination.BadCursor(text)
        return cursor


@dataclass
class QueuePage:
    """One page of a queue; ``next_cursor`` is None on the last page."""

    comments: list[Comment]
    page: int
    next_cursor: str | None
    reports: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    history: dict[int, dict] = field(default_factory=dict)


def queue_condition(name: str):
    """The SQL condition for a queue's comments."""
    if name == "held":
        return Comment.status == PENDING
    if name == "review":
        return Comment.status == FLAGGED
    if name == "reported":
        return sa.and_(
            Comment.report_count > 0,
            Comment.report_count > Comment.reports_seen,
            Comment.status.in_(VISIBLE_STATUSES),
        )
    return sa.true()


def _filtered(query, filters: Filters, category_threshold: float):
    """Apply the 전체 queue's filters."""
    if filters.status:
        query = query.where(Comment.status == filters.status)
    if filters.article:
        article_ids = sa.select(Article.id).where(
            sa.or_(Article.key == filters.article, Article.title.contains(filters.article))
        )
        query = query.where(Comment.article_id.in_(article_ids))
    if filters.author:
        # Part of a nickname finds it, as the text search finds part of a comment.
        query = query.where(Comment.nickname.contains(filters.author, autoescape=True))
    if filters.author_id:
        # An id no reader can have matches no comment (rather than failing the query).
        author_id = parse_row_id(filters.author_id)
        query = query.where(Comment.author_id == author_id if author_id else sa.false())
    if filters.text:
        query = query.where(Comment.body.contains(filters.text, autoescape=True))
    if filters.category:
        score = Comment.categories[filters.category].as_float()
        query = query.where(score >= category_threshold)
    dates = DateRange.from_texts(filters.date_from, filters.date_to)
    if dates.start:
        query = query.where(Comment.created_at >= dates.start)
    if dates.end:
        query = query.where(Comment.created_at < dates.end)
    return query


def _sort_value(sort: str, toxicity, hold: float):
    """The value a sort orders by (before the id, newest first among equals)."""
    if sort == "toxicity":
        return sa.func.coalesce(toxicity, UNSCORED_TOXICITY)
    # Unscored comments (the model failed) are the most uncertain of all.
    return sa.func.abs(sa.func.coalesce(toxicity, hold) - hold)


def _after(sort: str, cursor: QueueCursor):
    """The condition for the comments after the cursor's in the sort's order.

    The cursor's value is computed by the database from the comment's toxicity with
    the same expression as the rows', so equal values compare equal exactly.
    """
    if sort == "newest":
        return Comment.id < cursor.last_id
    mine = _sort_value(sort, Comment.toxicity, cursor.hold)
    theirs = _sort_value(sort, sa.literal(cursor.toxicity, sa.Float()), cursor.hold)
    beyond = mine < theirs if sort == "toxicity" else mine > theirs
    return sa.or_(beyond, sa.and_(mine == theirs, Comment.id < cursor.last_id))


def list_queue(
    name: str,
    sort: str,
    cursor: QueueCursor | None,
    per_page: int,
    hold_threshold: float,
    filters: Filters | None = None,
) -> QueuePage:
    """A page of a queue in the chosen order, newest first among equals, after the cursor."""
    hold = cursor.hold if cursor is not None else hold_threshold
    query = sa.select(Comment).where(queue_condition(name))
    if name == "all" and filters is not None:
        query = _filtered(query, filters, category_threshold=0.5)
    if cursor is not None:
        query = query.where(_after(sort, cursor))
    if sort == "toxicity":
        order = [_sort_value(sort, Comment.toxicity, hold).desc(), Comment.id.desc()]
    elif sort == "uncertain":
        order = [_sort_value(sort, Comment.toxicity, hold).asc(), Comment.id.desc()]
    else:
        order = [Comment.id.desc()]
    rows = list(
        db.session.scalars(
            query.options(sa.orm.selectinload(Comment.article)).order_by(*order).limit(per_page + 1)
        )
    )
    number = cursor.page + 1 if cursor is not None else 1
    comments, next_cursor = rows[:per_page], None
    if len(rows) > per_page:
        last = comments[-1]
        next_cursor = QueueCursor(name, sort, last.id, last.toxicity, hold, number).encode()
    result = QueuePage(comments=comments, page=number, next_cursor=next_cursor)
    result.reports = report_reasons([c.id for c in result.comments])
    result.history = author_history({c.author_id for c in result.comments})
    return result


def queue_counts() -> dict[str, int]:
    """How many comments wait in each queue."""
    counts = {}
    for name in ("held", "review", "reported"):
        counts[name] = db.session.scalar(
            sa.select(sa.func.count()).select_from(Comment).where(queue_condition(name))
        )
    return counts


def newest_id() -> int:
    """The id of the newest comment: the page compares it to notice new arrivals."""
    return db.session.scalar(sa.select(sa.func.max(Comment.id))) or 0


def report_reasons(comment_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """Each comment's report reasons with how many readers gave each."""
    if not comment_ids:
        return {}
    rows = db.session.execute(
        sa.select(Report.comment_id, Report.reason, sa.func.count())
        .where(Report.comment_id.in_(comment_ids))
        .group_by(Report.comment_id, Report.reason)
        .order_by(Report.comment_id, sa.func.count().desc())
    )
    reasons: dict[int, list[tuple[str, int]]] = {}
    for comment_id, reason, count in rows:
        reasons.setdefault(comment_id, []).append((reason, count))
    return reasons


def author_history(author_ids: set[int]) -> dict[int, dict]:
    """Per author: comments written, comments rejected, bans received, banned now."""
    if not author_ids:
        return {}
    history = {a: {"comments": 0, "rejected": 0, "bans": 0, "banned": False} for a in author_ids}
    for reader in db.session.scalars(sa.select(Reader).where(Reader.id.in_(author_ids))):
        history[reader.id]["banned"] = reader.is_banned()
    rows = db.session.execute(
        sa.select(
            Comment.author_id,
            sa.func.count(),
            sa.func.sum(sa.case((Comment.status == REJECTED, 1), else_=0)),
        )
        .where(Comment.author_id.in_(author_ids))
        .group_by(Comment.author_id)
    )
    for author_id, total, rejected in rows:
        history[author_id].update(comments=total, rejected=int(rejected or 0))
    bans = db.session.execute(
        sa.select(Decision.reader_id, sa.func.count())
        .where(
            Decision.reader_id.in_(author_ids),
            Decision.action == BAN,
            Decision.undone_at.is_(None),
        )
        .group_by(Decision.reader_id)
    )
    for author_id, count in bans:
        history[author_id]["bans"] = count
    return history


def highlighted(body: str, spans: list | None) -> Markup:
    """The body escaped, with the model's spans wrapped in <mark> (overlaps merged away)."""
    parts, position = [], 0
    for span in sorted(spans or [], key=lambda s: (s.get("start", 0), s.get("end", 0))):
        start, end = int(span.get("start", 0)), int(span.get("end", 0))
        start, end = max(start, position), min(end, len(body))
        if start >= end:
            continue
        category = str(span.get("category") or "")
        parts.append(escape(body[position:start]))
        parts.append(
            Markup('<mark class="mq-span" data-category="{}">{}</mark>').format(
                category, body[start:end]
            )
        )
        position = end
    parts.append(escape(body[position:]))
    return Markup("").join(parts)
