"""Background retrains started from the page: one at a time, progress kept in ``retrain_runs``.

The run is a separate process (``python -m web retrain --run-id N``) so that a
web worker never trains; it writes its stage, overall progress and the tail of
its log into its row, which the page polls.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext as _

from .db import db, utcnow
from .model_records import FAILED, RUNNING, RetrainRun

# Where each stage sits in the run's overall progress: (start, end).
STAGES = {
    "reading labels": (0.0, 0.1),
    "analysing": (0.1, 0.6),
    "vectorizing": (0.6, 0.65),
    "fitting": (0.65, 0.85),
    "scoring candidate": (0.85, 0.89),
    "scoring serving": (0.89, 0.92),
    "promoting": (0.92, 0.95),
    "rescoring": (0.95, 1.0),
}
LOG_TAIL = 4000
# A run on another host (whose process this host cannot see) is taken for dead after this.
RUN_GIVE_UP = timedelta(hours=6)
WRITE_EVERY = 0.5  # seconds between progress writes
# Settings the run process needs to work on the same database and folders as the app.
HANDED_ON = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "MODEL_PATH": "MODEL_PATH",
    "SECRET_KEY": "SECRET_KEY",
    "RETRAIN_BASE_DATA": "RETRAIN_BASE_DATA",
    "RETRAIN_DATASETS": "RETRAIN_DATASETS",
    "EVAL_DATASETS": "EVAL_DATASETS",
    "EVAL_BASE_DATA": "EVAL_BASE_DATA",
    "EVAL_FRACTION": "EVAL_FRACTION",
    "EVAL_MAX_LABELS": "EVAL_MAX_LABELS",
    "RETRAIN_F1_MARGIN": "RETRAIN_F1_MARGIN",
    "RETRAIN_AUC_MARGIN": "RETRAIN_AUC_MARGIN",
    "RESCORE_BATCH": "RESCORE_BATCH",
    "HOLD_THRESHOLD": "HOLD_THRESHOLD",
    "REVIEW_THRESHOLD": "REVIEW_THRESHOLD",
}


class RunRefused(Exception):
    """A run cannot start now; the message is for the admin."""


def _alive(run: RetrainRun) -> bool:
    """Whether the run's process still exists; on another host, whether it is not too old."""
    if run.host != socket.gethostname() or run.pid is None:
        return utcnow() - run.started_at < RUN_GIVE_UP
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(run.pid)


def _is_zombie(pid: int) -> bool:
    """A finished child not yet reaped still answers kill(0)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def current_run() -> RetrainRun | None:
    """The run in progress; a run whose process died is marked failed first."""
    run = db.session.scalar(
        sa.select(RetrainRun).where(RetrainRun.status == RUNNING).order_by(RetrainRun.id.desc())
    )
    if run is not None and not _alive(run):
        run.status, run.finished_at = FAILED, utcnow()
        run.log = (run.log + "\n프로세스가 중간에 종료되었습니다.")[-LOG_TAIL:]
        db.session.commit()
        return None
    return run


def latest_run() -> RetrainRun | None:
    """The newest run, finished or not."""
    current_run()
    return db.session.scalar(sa.select(RetrainRun).order_by(RetrainRun.id.desc()).limit(1))


def _run_environment(app: Flask) -> dict:
    """The environment for the run process: ours plus the app's settings and folders."""
    env = dict(os.environ)
    for var, key in HANDED_ON.items():
        value = app.config.get(key)
        if value not in (None, ""):
            env[var] = str(value)
    env["INSTANCE_PATH"] = app.instance_path
    return env


def begin_run(started_by: str, pid: int | None = None) -> RetrainRun:
    """Record a new run (committed); RunRefused while another one runs."""
    running = current_run()
    if running is None:
        run = RetrainRun(
            started_by=started_by, started_at=utcnow(), host=socket.gethostname(), pid=pid
        )
        db.session.add(run)
        try:
            db.session.commit()
            return run
        except sa.exc.IntegrityError:
            # Another start won the race between our check and our insert.
            db.session.rollback()
            running = current_run()
    raise RunRefused(
        _(
            "이미 재학습이 진행 중입니다 (#%(id)s, %(who)s).",
            id=running.id if running else "?",
            who=running.started_by if running else "?",
        )
    )


def start_run(app: Flask, started_by: str, force: bool = False) -> RetrainRun:
    """Record a run and start its process; RunRefused while another one runs."""
    run = begin_run(started_by)
    command = [sys.executable, "-m", "web", "retrain", "--run-id", str(run.id)]
    if force:
        command.append("--force")
    log_path = os.path.join(app.instance_path, f"retrain-{run.id}.log")
    try:
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                command,
                env=_run_environment(app),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
    except OSError as exc:
        run.status, run.finished_at, run.log = FAILED, utcnow(), f"시작하지 못했습니다: {exc}"
        db.session.commit()
        raise RunRefused(_("재학습 프로세스를 시작하지 못했습니다.")) from exc
    run.pid = process.pid
    db.session.commit()
    # Reap the child when it ends so that it does not linger as a zombie.
    threading.Thread(target=process.wait, daemon=True).start()
    return run


class RunRecorder:
    """Writes a run's progress and log into its row, at most every WRITE_EVERY seconds."""

    def __init__(self, app: Flask, run_id: int):
        self.app = app
        self.run_id = run_id
        self.stage, self.progress, self.log = "", 0.0, ""
        self._written = 0.0
        self._lock = threading.Lock()

    def __call__(self, stage: str, fraction: float) -> None:
        """A progress callback: the stage and how far it is (0 to 1)."""
        start, end = STAGES.get(stage, (self.progress, self.progress))
        with self._lock:
            self.stage = stage
            self.progress = max(self.progress, start + (end - start) * min(max(fraction, 0.0), 1.0))
            if time.monotonic() - self._written >= WRITE_EVERY:
                self._write()

    def line(self, text: str) -> None:
        """Add a line to the log tail (and write at once)."""
        with self._lock:
            self.log = (self.log + text + "\n")[-LOG_TAIL:]
            self._write()

    def finish(self, status: str, version: str | None = None) -> None:
        """Record how the run ended."""
        with self._lock:
            self._write(status=status, finished_at=utcnow(), version=version)

    def _write(self, **fields) -> None:
        """Store the current state (caller holds the lock)."""
        with self.app.app_context():
            db.session.execute(
                sa.update(RetrainRun)
                .where(RetrainRun.id == self.run_id)
                .values(stage=self.stage, progress=self.progress, log=self.log, **fields)
            )
            db.session.commit()
        self._written = time.monotonic()
