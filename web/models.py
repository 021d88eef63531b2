"""Records: readers, articles, comments, votes, reports, moderators and their decisions,
API keys and feedback labels."""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from .db import UTCDateTime, db, utcnow
from .safe_urls import web_page
from .text import mask_nickname

# A comment's life: held for review, out, out but to be looked at, or taken down.
PUBLISHED = "published"
FLAGGED = "flagged"
PENDING = "pending"
REJECTED = "rejected"
STATUSES = (PUBLISHED, FLAGGED, PENDING, REJECTED)
VISIBLE_STATUSES = (PUBLISHED, FLAGGED)

# Why a comment was held or flagged, for the moderation queue.
HOLD_TOXICITY = "toxicity"
HOLD_SPAM = "spam"
HOLD_MODEL_ERROR = "model_error"
HOLD_PREMODERATION = "premoderation"
HOLD_WORD = "word_list"

REPORT_REASONS = {
    "abuse": _l("욕설/비하"),
    "hate": _l("혐오/차별"),
    "sexual": _l("음란"),
    "spam": _l("광고/도배"),
    "other": _l("기타"),
}

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


def _in(column: str, values) -> str:
    """SQL for a CHECK that a column holds one of the values."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Reader(db.Model):
    """An anonymous reader, known by the random token in their signed cookie."""

    __tablename__ = "readers"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    nickname: Mapped[str | None] = mapped_column(sa.String(40))
    banned: Mapped[bool] = mapped_column(default=False)
    # End of a ban for a period; None with ``banned`` set means banned for good.
    banned_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def is_banned(self, now: datetime | None = None) -> bool:
        """Whether the reader may not comment at this moment."""
        if not self.banned:
            return False
        return self.banned_until is None or self.banned_until > (now or utcnow())


class Article(db.Model):
    """A news article whose comment section we host."""

    __tablename__ = "articles"

    KEY_MAX_LENGTH = 255

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(KEY_MAX_LENGTH), unique=True)
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    url: Mapped[str | None] = mapped_column(sa.String(1000))
    comments_open: Mapped[bool] = mapped_column(default=True)
    # Every new comment is held for a moderator first.
    premoderated: Mapped[bool] = mapped_column(default=False)
    # Published and flagged comments; kept in step by the comment service.
    comment_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @validates("url")
    def _check_url(self, _key, url: str | None) -> str | None:
        """Only an http(s) page is a link pages may show (never ``javascript:`` or ``data:``);
        ValueError for anything else."""
        if url is not None and web_page(url) is None:
            raise ValueError(f"not an http(s) address: {url!r}")
        return url

    @staticmethod
    def key_is_valid(key: str) -> bool:
        """Whether ``key`` may name a new article: 1 to 255 characters, not only
        whitespace, no control characters (PostgreSQL refuses NUL; none belongs in a URL)."""
        return (
            0 < len(key) <= Article.KEY_MAX_LENGTH
            and not key.isspace()
            and not any(unicodedata.category(c) == "Cc" for c in key)
        )

    def to_dict(self) -> dict:
        """Plain-JSON form for the API."""
        return {
            "key": self.key,
            "title": self.title,
            "url": self.url,
            "comments_open": self.comments_open,
            "comment_count": self.comment_count,
        }


class Comment(db.Model):
    """A reader's comment with the model's verdict on it."""

    __tablename__ = "comments"
    __table_args__ = (
        # One index per sort order; the id breaks ties (newest first) and is the cursor.
        sa.Index("ix_comments_article_newest", "article_id", "id"),
        sa.Index("ix_comments_article_upvotes", "article_id", "upvotes", "id"),
        sa.Index("ix_comments_article_downvotes", "article_id", "downvotes", "id"),
        sa.Index("ix_comments_status", "status", "id"),
        sa.Index("ix_comments_body_hash", "body_hash", "created_at"),
        sa.Index("ix_comments_author", "author_id", "id"),
        # Few comments are reported: the 신고 queue reads them from here.
        sa.Index("ix_comments_reported", "report_count", "id"),
        sa.CheckConstraint(_in("status", STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("articles.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("readers.id"))
    nickname: Mapped[str] = mapped_column(sa.String(40))
    body: Mapped[str] = mapped_column(sa.Text)
    # sha256 of the body with spacing and case folded, to spot the same text posted again.
    body_hash: Mapped[str] = mapped_column(sa.String(64))
    # sha256 of the poster's IP with the secret key: enough to match repeats, not to locate.
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(16), default=PUBLISHED)
    hold_reason: Mapped[str | None] = mapped_column(sa.String(32))
    toxicity: Mapped[float | None]
    categories: Mapped[dict | None] = mapped_column(JSONType)
    spans: Mapped[list | None] = mapped_column(JSONType)
    model_version: Mapped[str | None] = mapped_column(sa.String(100))
    upvotes: Mapped[int] = mapped_column(default=0)
    downvotes: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)
    # Reports a moderator has already looked at; more than this puts it in the 신고 queue.
    reports_seen: Mapped[int] = mapped_column(default=0)

    article: Mapped[Article] = relationship(lazy="raise")
    author: Mapped[Reader] = relationship(lazy="raise")

    @property
    def visible(self) -> bool:
        """Whether everyone may see the comment."""
        return self.status in VISIBLE_STATUSES

    @property
    def moderation_mark(self) -> str:
        """Its moderation state as a card shows it: any approval or rejection changes it
        (the status, or the reports a moderator has looked at)."""
        return f"{self.status}:{self.reports_seen}"

    def to_public_dict(
        self, viewer_id: int | None = None, my_vote: int = 0, reported: bool = False
    ) -> dict:
        """What a reader's browser gets: no scores, the nickname masked; ``my_vote`` and
        ``reported`` are the viewer's own vote on it and whether they have reported it."""
        return {
            "id": self.id,
            "nickname": mask_nickname(self.nickname),
            "body": self.body,
            "created_at": self.created_at.isoformat(),
            "upvotes": self.upvotes,
            "downvotes": self.downvotes,
            "mine": viewer_id is not None and viewer_id == self.author_id,
            "pending": self.status == PENDING,
            "my_vote": {1: "up", -1: "down"}.get(my_vote, "none"),
            "reported": reported,
        }

    def to_dict(self) -> dict:
        """Everything, for moderators and the scoring API."""
        return {
            "id": self.id,
            "article_id": self.article_id,
            "author_id": self.author_id,
            "nickname": self.nickname,
            "body": self.body,
            "created_at": self.created_at.isoformat(),
            "status": self.status,
            "hold_reason": self.hold_reason,
            "toxicity": self.toxicity,
            "categories": self.categories,
            "spans": self.spans,
            "model_version": self.model_version,
            "upvotes": self.upvotes,
            "downvotes": self.downvotes,
            "report_count": self.report_count,
        }


class Vote(db.Model):
    """One reader's up (+1) or down (-1) vote on one comment."""

    __tablename__ = "votes"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "reader_id", name="uq_votes_comment_reader"),
        sa.CheckConstraint("value IN (1, -1)", name="value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("readers.id", ondelete="CASCADE"))
    value: Mapped[int] = mapped_column(sa.SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Report(db.Model):
    """A reader's report that a comment breaks the rules."""

    __tablename__ = "reports"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "reader_id", name="uq_reports_comment_reader"),
        sa.CheckConstraint(_in("reason", REPORT_REASONS), name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    reader_id: Mapped[int] = mapped_column(sa.ForeignKey("readers.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(16))
    detail: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# Moderators' roles: admins also manage accounts and settings.
MODERATOR = "moderator"
ADMIN = "admin"
ROLES = (MODERATOR, ADMIN)
ROLE_LABELS = {MODERATOR: _l("모더레이터"), ADMIN: _l("관리자")}

# Why a comment was rejected: its label for retraining (the classifier's categories).
REJECT_REASONS = {
    "profanity": _l("욕설/비속어"),
    "insult": _l("모욕/비하"),
    "hate": _l("혐오/차별"),
    "threat": _l("위협"),
    "sexual": _l("음란"),
    "spam": _l("광고/도배"),
}

# What a decision did.
APPROVE = "approve"
REJECT = "reject"
BAN = "ban"
UNBAN = "unban"
ACTIONS = (APPROVE, REJECT, BAN, UNBAN)
CLEAN_LABEL = "clean"


class Moderator(db.Model):
    """A person who works the moderation queue; only a hash of the password is kept."""

    __tablename__ = "moderators"
    __table_args__ = (sa.CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), default=MODERATOR)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def set_password(self, password: str) -> None:
        """Store a salted, slow hash of the password (scrypt)."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_admin(self) -> bool:
        """Whether the moderator may manage accounts and settings."""
        return self.role == ADMIN

    # Flask-Login's user interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The identity kept in the session: a new password ends every other login."""
        return f"{self.id}:{self.password_mark}"

    @property
    def password_mark(self) -> str:
        """A short digest of the password hash, which changes with every new password."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]


class Decision(db.Model):
    """One moderator action, with the comment as it was judged: the retraining labels.

    Actions taken together (a bulk reject, one key press) share a ``batch``, which
    is what "undo" takes back.
    """

    __tablename__ = "decisions"
    __table_args__ = (
        sa.Index("ix_decisions_comment", "comment_id", "id"),
        sa.Index("ix_decisions_moderator", "moderator_id", "id"),
        sa.Index("ix_decisions_reader", "reader_id", "id"),
        sa.Index("ix_decisions_batch", "batch"),
        sa.CheckConstraint(_in("action", ACTIONS), name="action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(sa.String(32))
    moderator_id: Mapped[int] = mapped_column(sa.ForeignKey("moderators.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(16))
    # The comment judged (None for a ban given from the author's history) and its author.
    comment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="SET NULL")
    )
    reader_id: Mapped[int | None] = mapped_column(sa.ForeignKey("readers.id", ondelete="SET NULL"))
    # Comment statuses, or for bans "active" / "banned".
    status_before: Mapped[str] = mapped_column(sa.String(16))
    status_after: Mapped[str] = mapped_column(sa.String(16))
    # A reject's category (REJECT_REASONS), or a ban's note.
    reason: Mapped[str | None] = mapped_column(sa.String(300))
    banned_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The text and the model's verdict as the moderator saw them.
    body: Mapped[str | None] = mapped_column(sa.Text)
    toxicity: Mapped[float | None]
    categories: Mapped[dict | None] = mapped_column(JSONType)
    model_version: Mapped[str | None] = mapped_column(sa.String(100))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    moderator: Mapped[Moderator] = relationship(lazy="raise")

    @property
    def label(self) -> str | None:
        """The training label: clean for an approval, the category for a reject."""
        if self.action == APPROVE:
            return CLEAN_LABEL
        if self.action == REJECT:
            return self.reason
        return None


class SiteSetting(db.Model):
    """One setting an admin changed in the page (see web/site_settings.py)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[object] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(
        sa.ForeignKey("moderators.id", ondelete="SET NULL")
    )


class AdminEvent(db.Model):
    """One change an admin (or the command line) made to the site, kept for the audit log.

    ``target`` names what changed (a setting key, an article key, an account or key
    name); ``before`` and ``after`` are the values as shown to people, None when a
    value has no sense (a creation has no before).
    """

    __tablename__ = "admin_events"
    __table_args__ = (sa.Index("ix_admin_events_moderator", "moderator_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None: done from the command line.
    moderator_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("moderators.id", ondelete="SET NULL")
    )
    action: Mapped[str] = mapped_column(sa.String(32))
    target: Mapped[str] = mapped_column(sa.String(300))
    before: Mapped[str | None] = mapped_column(sa.Text)
    after: Mapped[str | None] = mapped_column(sa.Text)

    moderator: Mapped[Moderator | None] = relationship(lazy="raise")


class ApiKey(db.Model):
    """A key another system uses to call the scoring API; only its sha256 is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def revoked(self) -> bool:
        """Whether the key may no longer be used."""
        return self.revoked_at is not None

    def to_dict(self) -> dict:
        """Plain-JSON form, without the hash."""
        return {
            "id": self.id,
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


class FeedbackLabel(db.Model):
    """Labels a caller of the API believes right for a text, kept for retraining."""

    __tablename__ = "feedback_labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    # Category names from classifier.labels.CATEGORIES; empty means a clean text.
    labels: Mapped[list] = mapped_column(JSONType)
    comment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="SET NULL")
    )
    api_key_id: Mapped[int] = mapped_column(sa.ForeignKey("api_keys.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def to_dict(self) -> dict:
        """Plain-JSON form for the API, without the text: a comment named by its id may be
        one readers cannot see (held or rejected), and the caller has the text it sent."""
        return {
            "id": self.id,
            "labels": self.labels,
            "comment_id": self.comment_id,
            "created_at": self.created_at.isoformat(),
        }
