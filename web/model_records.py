"""Records of the retrain loop: model versions, the fixed evaluation set, retrain runs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .db import UTCDateTime, db, utcnow
from .models import JSONType, _in

# A version's life: trained and waiting, in use, replaced, or refused by the gate.
CANDIDATE = "candidate"
SERVING = "serving"
RETIRED = "retired"
REFUSED = "refused"
VERSION_STATUSES = (CANDIDATE, SERVING, RETIRED, REFUSED)

# A retrain run started from the page.
RUNNING = "running"
PROMOTED = "promoted"
NOT_PROMOTED = "not_promoted"
FAILED = "failed"
RUN_STATUSES = (RUNNING, PROMOTED, NOT_PROMOTED, FAILED)


def at_most_one(name: str, status: str) -> sa.Index:
    """A partial unique index: at most one row of the table has this status."""
    where = sa.text(f"status = '{status}'")
    return sa.Index(name, "status", unique=True, sqlite_where=where, postgresql_where=where)


class ModelVersion(db.Model):
    """One trained model: its artifact, figures, training counts and the gate's verdict.

    The artifact's bytes live here so that every host sharing the database can
    load it; each host keeps a copy on disk, checked against ``sha256``. At most
    one row is serving (a partial unique index says so on both databases).
    """

    __tablename__ = "model_versions"
    __table_args__ = (
        sa.CheckConstraint(_in("status", VERSION_STATUSES), name="status"),
        at_most_one("uq_model_versions_serving", SERVING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(sa.String(100), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(sa.BigInteger)
    # Loaded only when asked for: listing versions must not read megabytes.
    artifact: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=CANDIDATE)
    # The comparison's figures (both models on the evaluation set) and its verdict.
    metrics: Mapped[dict | None] = mapped_column(JSONType)
    verdict: Mapped[dict | None] = mapped_column(JSONType)
    # How many examples of each source the model was trained on.
    counts: Mapped[dict | None] = mapped_column(JSONType)
    # "moderator:NAME", "cli:USER" or "install" for the default model.
    created_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_path: Mapped[str | None] = mapped_column(sa.String(1000))

    @property
    def toxic_f1(self) -> float | None:
        """The candidate's toxic F1 on the evaluation set, when it was measured."""
        try:
            return self.metrics["candidate"]["toxic"]["f1"]
        except (KeyError, TypeError):
            return None

    @property
    def examples(self) -> int | None:
        """How many examples the model was trained on, when known."""
        return (self.counts or {}).get("examples")


class EvalExample(db.Model):
    """One moderator label frozen into the evaluation set, kept out of training."""

    __tablename__ = "eval_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    # Category names; empty means a clean text.
    labels: Mapped[list] = mapped_column(JSONType)
    decision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("decisions.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RetrainRun(db.Model):
    """A retrain started in the background; the process writes its progress here."""

    __tablename__ = "retrain_runs"
    __table_args__ = (
        sa.CheckConstraint(_in("status", RUN_STATUSES), name="status"),
        # Two admins pressing start at the same instant: the database lets one run in.
        at_most_one("uq_retrain_runs_running", RUNNING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    started_by: Mapped[str] = mapped_column(sa.String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(sa.String(16), default=RUNNING)
    stage: Mapped[str] = mapped_column(sa.String(100), default="")
    progress: Mapped[float] = mapped_column(default=0.0)
    log: Mapped[str] = mapped_column(sa.Text, default="")
    host: Mapped[str] = mapped_column(sa.String(255), default="")
    pid: Mapped[int | None]
    version: Mapped[str | None] = mapped_column(sa.String(100))

    def to_dict(self) -> dict:
        """Plain-JSON form for the page's polling."""
        return {
            "id": self.id,
            "started_by": self.started_by,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "status": self.status,
            "stage": self.stage,
            "progress": round(self.progress, 3),
            "log": self.log,
            "version": self.version,
        }
