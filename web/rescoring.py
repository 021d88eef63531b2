"""Score undecided comments again after a promotion; a moderator's decision is never touched.

Comments still pending or flagged whose fate no moderator has decided get the
new model's scores. Those held or flagged for their toxicity (or because the
model failed) get the posting policy again (web.policy.comment_status), which
may publish them, flag them or hold them, for their score or for the site's
other rules: a held comment with a hold word, or on a pre-moderated article,
stays held. Those held for other reasons (spam, a hold word, pre-moderation)
keep their status, since the model was not why they wait.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from . import site_settings
from .comment_store import set_status
from .db import db, locked_comments
from .models import (
    APPROVE,
    FLAGGED,
    HOLD_MODEL_ERROR,
    HOLD_TOXICITY,
    PENDING,
    REJECT,
    Article,
    Comment,
    Decision,
)
from .policy import comment_status

logger = logging.getLogger(__name__)
UNDECIDED = (PENDING, FLAGGED)
MODEL_REASONS = (HOLD_TOXICITY, HOLD_MODEL_ERROR, None)


def _decided():
    """A condition: someone approved or rejected the comment and did not take it back."""
    return (
        sa.select(Decision.id)
        .where(
            Decision.comment_id == Comment.id,
            Decision.action.in_((APPROVE, REJECT)),
            Decision.undone_at.is_(None),
        )
        .exists()
    )


def _undecided_ids(after_id: int, limit: int) -> list[int]:
    """The next batch of waiting comments no one decided."""
    return list(
        db.session.scalars(
            sa.select(Comment.id)
            .where(Comment.status.in_(UNDECIDED), Comment.id > after_id, ~_decided())
            .order_by(Comment.id)
            .limit(limit)
        )
    )


def _lock(ids: list[int]) -> list[Comment]:
    """The comments, locked; re-read so a decision committed meanwhile is seen."""
    comments = locked_comments(ids)
    decided = set(db.session.scalars(sa.select(Comment.id).where(Comment.id.in_(ids), _decided())))
    return [c for c in comments if c.id not in decided and c.status in UNDECIDED]


def _premoderated(comments: list[Comment]) -> set[int]:
    """The ids of those of the comments' articles that are pre-moderated."""
    article_ids = {c.article_id for c in comments}
    return set(
        db.session.scalars(
            sa.select(Article.id).where(Article.id.in_(article_ids), Article.premoderated)
        )
    )


def rescore_undecided(model, batch_size: int = 200, on_progress=None) -> int:
    """Score every undecided waiting comment with ``model``; returns how many changed hands."""
    settings = site_settings.current(fresh=True)
    done, after = 0, 0
    while ids := _undecided_ids(after, batch_size):
        after = ids[-1]
        comments = _lock(ids)
        scores = model.score([settings.mask_allowed(c.body) for c in comments]) if comments else []
        premoderated = _premoderated(comments)
        for comment, score in zip(comments, scores, strict=True):
            comment.toxicity = float(score.toxicity)
            comment.categories = {k: round(float(v), 4) for k, v in score.categories.items()}
            comment.spans = [s.to_dict() for s in score.spans]
            comment.model_version = model.version
            if comment.hold_reason in MODEL_REASONS:
                status, reason = comment_status(
                    comment.toxicity,
                    comment.body,
                    comment.article_id in premoderated,
                    settings,
                    already_out=comment.visible,
                    categories=comment.categories,
                )
                set_status(comment, status, hold_reason=reason)
        db.session.commit()
        done += len(comments)
        if on_progress:
            on_progress("rescoring", done)
    logger.info("re-scored %d undecided comments with model %s", done, model.version)
    return done
