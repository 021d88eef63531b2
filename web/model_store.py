"""Model versions kept in the database, cached on each host's disk, promoted atomically.

A version's artifact bytes are stored in its row, so every host sharing the
database can serve it. Before a host uses a version it has the bytes on disk
under ``instance/models/<version>.model`` (written to a temporary file, then
renamed), checked against the row's SHA-256, loaded and asked to score a few
texts. Promotion only flips the ``serving`` row after that check passed, in one
transaction: a crash before the commit leaves the old version serving.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

import classifier
from classifier.artifact import read_header, write_atomically

from .db import db, utcnow
from .model_records import CANDIDATE, REFUSED, RETIRED, SERVING, ModelVersion

logger = logging.getLogger(__name__)

# A model must score these before anything points at it.
PROBE_TEXTS = ["좋은 기사 감사합니다", "이 바보 멍청이야", "ㅋㅋㅋ 진짜?"]
SAFE_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
INSTALL = "install"


class ModelStoreError(Exception):
    """A version that cannot be stored, found, checked or promoted."""


class ServingChanged(ModelStoreError):
    """Another version began serving since the caller looked (a rollback during a retrain)."""

    def __init__(self, expected: str, now: str | None):
        super().__init__(f"model {now or '(none)'} began serving in place of {expected}")
        self.expected = expected
        self.now = now


@dataclass(frozen=True)
class Pointer:
    """Which version serves, as cheaply read from the database."""

    version: str
    sha256: str


def sha256_of(data: bytes) -> str:
    """The hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def started_by_cli() -> str:
    """Who started a command-line run: ``cli:`` and the login name."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def cache_path(instance_path: str, version: str) -> Path:
    """Where this host keeps the version's artifact."""
    if not SAFE_VERSION.match(version):
        raise ModelStoreError(f"unsafe model version name {version!r}")
    return Path(instance_path) / "models" / f"{version}.model"


def check_model(model, version: str):
    """Refuse a model that is not the version expected or cannot score; returns it."""
    if model.version != version:
        raise ModelStoreError(f"artifact holds model {model.version}, expected {version}")
    scores = model.score(PROBE_TEXTS, spans=False)
    if len(scores) != len(PROBE_TEXTS) or not all(
        math.isfinite(s.toxicity) and 0.0 <= s.toxicity <= 1.0 for s in scores
    ):
        raise ModelStoreError(f"model {version} gives no valid scores")
    return model


def _verified_file(instance_path: str, pointer: Pointer) -> Path:
    """The version's artifact on this host's disk, fetched from the database if missing or bad."""
    path = cache_path(instance_path, pointer.version)
    if path.exists() and sha256_of(path.read_bytes()) == pointer.sha256:
        return path
    data = db.session.scalar(
        sa.select(ModelVersion.artifact).where(ModelVersion.version == pointer.version)
    )
    if data is None:
        raise ModelStoreError(f"no model version {pointer.version} in the database")
    if sha256_of(data) != pointer.sha256:
        raise ModelStoreError(f"model {pointer.version}: stored bytes fail their checksum")
    write_atomically(path, data)
    return path


def load_version(instance_path: str, pointer: Pointer):
    """The version's model, checked (checksum, version, scores); raises ModelStoreError."""
    path = _verified_file(instance_path, pointer)
    try:
        model = classifier.load(path)
    except classifier.ModelLoadError as exc:
        raise ModelStoreError(f"model {pointer.version} cannot be loaded: {exc}") from exc
    return check_model(model, pointer.version)


def serving_file(instance_path: str) -> Path | None:
    """The serving version's artifact on this host's disk, or None when none is serving."""
    pointer = serving_pointer()
    return _verified_file(instance_path, pointer) if pointer else None


def serving_pointer() -> Pointer | None:
    """The serving version and its checksum (one small indexed query), or None."""
    row = db.session.execute(
        sa.select(ModelVersion.version, ModelVersion.sha256).where(ModelVersion.status == SERVING)
    ).first()
    return Pointer(row.version, row.sha256) if row else None


def find_version(version: str) -> ModelVersion | None:
    """The version's row."""
    return db.session.scalar(sa.select(ModelVersion).where(ModelVersion.version == version))


def list_versions() -> list[ModelVersion]:
    """Every version, newest first (artifacts not read)."""
    return list(db.session.scalars(sa.select(ModelVersion).order_by(ModelVersion.id.desc())))


def add_version(data: bytes, version: str, *, created_by: str, status: str = CANDIDATE, **fields):
    """Store an artifact as a new version (committed); returns the row."""
    if find_version(version) is not None:
        raise ModelStoreError(f"model version {version} already exists")
    row = ModelVersion(
        version=version,
        sha256=sha256_of(data),
        size=len(data),
        artifact=data,
        status=status,
        created_by=created_by,
        created_at=utcnow(),
        promoted_at=utcnow() if status == SERVING else None,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def ensure_initial_version(app: Flask) -> ModelVersion | None:
    """Make the MODEL_PATH model the first serving version when no version exists yet."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(ModelVersion)):
        return None
    path = Path(app.config["MODEL_PATH"])
    if not path.exists():
        return None
    data = path.read_bytes()
    header = read_header(path)
    version = header["metadata"]["version"]
    write_atomically(cache_path(app.instance_path, version), data)
    data_counts = header["metadata"].get("data") or {}
    try:
        return add_version(
            data,
            version,
            created_by=INSTALL,
            status=SERVING,
            counts={"examples": data_counts.get("examples"), "read": data_counts.get("sources")},
        )
    except sa.exc.IntegrityError:  # another worker registered it first
        db.session.rollback()
        return None


def promote(app: Flask, version: str, replacing: str | None = None) -> ModelVersion:
    """Make ``version`` the serving one after checking its artifact; one transaction.

    With ``replacing``, only if that version still serves: a retrain compared its
    candidate with it, and must not undo a rollback made meanwhile (ServingChanged).
    Raises ModelStoreError when the version is unknown, refused by the gate (use
    ``force``-style callers to mark it candidate first), or fails the check.
    """
    row = find_version(version)
    if row is None:
        raise ModelStoreError(f"no model version {version}")
    if row.status == SERVING:
        raise ModelStoreError(f"model {version} is already serving")
    model = load_version(app.instance_path, Pointer(row.version, row.sha256))
    retire = sa.update(ModelVersion).where(ModelVersion.status == SERVING)
    if replacing is not None:
        retire = retire.where(ModelVersion.version == replacing)
    # The row lock (PostgreSQL) or write lock (SQLite) of this update settles a race
    # with a rollback: whichever commits second finds the other's version serving.
    retired = db.session.execute(
        retire.values(status=RETIRED).execution_options(synchronize_session=False)
    )
    if replacing is not None and retired.rowcount != 1:
        db.session.rollback()
        pointer = serving_pointer()
        raise ServingChanged(replacing, pointer.version if pointer else None)
    db.session.flush()
    row.status = SERVING
    row.promoted_at = utcnow()
    db.session.commit()
    db.session.expire_all()
    logger.info("model %s now serving", version)
    return model


def rollback_to(app: Flask, version: str):
    """Serve an earlier version again; a version the gate refused is never served this way."""
    row = find_version(version)
    if row is None:
        raise ModelStoreError(f"no model version {version}")
    if row.status == REFUSED:
        raise ModelStoreError(f"model {version} was refused by the gate")
    if row.status not in (RETIRED, CANDIDATE):
        raise ModelStoreError(f"model {version} is already serving")
    return promote(app, version)
