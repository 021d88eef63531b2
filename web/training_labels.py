"""Labels people gave, as training examples: moderators' decisions and API feedback,
and the fixed evaluation set frozen from the moderators' labels.

The evaluation set's rule: the first retrain that finds moderator labels and no
stored set freezes the newest ``EVAL_FRACTION`` of them (at most
``EVAL_MAX_LABELS``, at least one) into ``eval_examples``. They stay there, and
out of training, until someone refreshes the set on purpose
(``comment-mod retrain --refresh-eval``), so every retrain is compared on the
same comments. The configured datasets' dev sets are added at run time.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

import classifier
from classifier.labels import CATEGORIES
from classifier.types import Example

from .db import db, utcnow
from .model_records import EvalExample
from .models import APPROVE, CLEAN_LABEL, REJECT, Decision, FeedbackLabel

MODERATOR_SOURCE = "moderator"
FEEDBACK_SOURCE = "feedback"


@dataclass(frozen=True)
class DatasetSpec:
    """A configured public dataset: its reader format and path."""

    fmt: str
    path: Path

    def read(self) -> list[Example]:
        """Its examples (strict: a malformed file stops the retrain with a clear message)."""
        return classifier.read_examples(self.path, self.fmt, strict=True)

    def fingerprint(self) -> str:
        """SHA-256 of the files' bytes, to notice a dev set that changed between retrains."""
        digest = hashlib.sha256()
        files = (
            sorted(p for p in self.path.rglob("*") if p.is_file())
            if self.path.is_dir()
            else [self.path]
        )
        for file in files:
            digest.update(file.read_bytes())
        return digest.hexdigest()


def parse_datasets(value: str) -> list[DatasetSpec]:
    """``"fmt:path;fmt:path"`` as dataset specs; raises ValueError naming the bad item."""
    from classifier.readers import FORMATS

    specs = []
    for item in (part.strip() for part in value.split(";")):
        if not item:
            continue
        fmt, sep, path = item.partition(":")
        if not sep or fmt not in FORMATS or not path:
            raise ValueError(
                f"dataset {item!r}: write FORMAT:PATH, FORMAT one of {', '.join(FORMATS)}"
            )
        if not Path(path).exists():
            raise ValueError(f"dataset {item!r}: {path} does not exist")
        specs.append(DatasetSpec(fmt, Path(path)))
    return specs


def example_from_labels(text: str, labels: list[str], source: str, complete: bool) -> Example:
    """An example from category names (none = clean).

    ``complete`` says the labeller judged every category (API feedback); a
    moderator's reject names one reason, so the other categories stay unknown.
    """
    if not labels or complete:
        categories = {c: c in labels for c in CATEGORIES}
    else:
        categories = {c: True for c in labels}
    return Example(text=text, toxic=bool(labels), categories=categories, source=source)


def latest_decisions() -> list[Decision]:
    """Each comment's latest approve or reject that was not undone, oldest first."""
    latest = (
        sa.select(sa.func.max(Decision.id))
        .where(
            Decision.action.in_((APPROVE, REJECT)),
            Decision.undone_at.is_(None),
            Decision.comment_id.is_not(None),
            Decision.body.is_not(None),
        )
        .group_by(Decision.comment_id)
    )
    return list(
        db.session.scalars(
            sa.select(Decision)
            .where(Decision.id.in_(latest))
            .order_by(Decision.created_at, Decision.id)
        )
    )


def decision_labels(decision: Decision) -> list[str]:
    """A decision's label as category names: empty for clean."""
    label = decision.label
    return [] if label in (None, CLEAN_LABEL) else [label]


def moderator_examples(decisions: list[Decision]) -> list[Example]:
    """The decisions as training examples."""
    return [
        example_from_labels(d.body, decision_labels(d), MODERATOR_SOURCE, complete=False)
        for d in decisions
    ]


def _stored_examples(record, source: str, complete: bool) -> list[Example]:
    """Examples from a table of (text, labels) rows, in the order they were stored."""
    rows = db.session.execute(sa.select(record.text, record.labels).order_by(record.id))
    return [example_from_labels(text, list(labels), source, complete) for text, labels in rows]


def feedback_examples() -> list[Example]:
    """Every API feedback label, oldest first."""
    return _stored_examples(FeedbackLabel, FEEDBACK_SOURCE, complete=True)


def eval_slice(decisions: list[Decision], fraction: float, limit: int) -> list[Decision]:
    """The newest ``fraction`` of the decisions (at least one, at most ``limit``)."""
    if not decisions:
        return []
    size = min(limit, max(1, math.ceil(len(decisions) * fraction)))
    return decisions[-size:]


def stored_eval_examples() -> list[Example]:
    """The frozen moderator slice of the evaluation set."""
    return _stored_examples(EvalExample, MODERATOR_SOURCE, complete=False)


def freeze_eval_set(fraction: float, limit: int, *, refresh: bool = False) -> int:
    """Store the evaluation slice when none is stored (or ``refresh``); returns its size."""
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(EvalExample))
    if stored and not refresh:
        return stored
    chosen = eval_slice(latest_decisions(), fraction, limit)
    if refresh:
        db.session.execute(sa.delete(EvalExample))
    now = utcnow()
    db.session.add_all(
        EvalExample(
            text=d.body,
            labels=decision_labels(d),
            decision_id=d.id,
            decided_at=d.created_at,
            frozen_at=now,
        )
        for d in chosen
    )
    db.session.commit()
    return len(chosen)
