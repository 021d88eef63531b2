"""The model file: one header line of JSON, then the pickled pipeline.

The header carries the metadata (readable without unpickling anything), the
payload's size and its SHA-256, so a truncated or damaged file is refused
before a single byte of it is unpickled. Pickles run code when loaded: only
load files this system wrote.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

import joblib

MAGIC = b"COMMENT-MOD MODEL\n"
# 2: character n-grams stored as an ``NgramTable``, morphemes analysed without
# kiwipiepy's default user dictionary. Files of format 1 must be retrained.
FORMAT_VERSION = 2


class ModelLoadError(Exception):
    """A model file is missing, damaged or was written by incompatible software."""


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose pickles and analysis the model depends on."""
    from importlib.metadata import version

    return {name: version(name) for name in ("scikit-learn", "kiwipiepy", "numpy", "scipy")}


def save_artifact(model, path: str | Path) -> None:
    """Write ``model`` to ``path``: in full to a temporary file, then renamed over."""
    path = Path(path)
    buffer = io.BytesIO()
    state = {
        "featurizer": model.featurizer,
        "weights": model.weights,
        "intercepts": model.intercepts,
        "calibration": model.calibration,
    }
    joblib.dump(state, buffer, compress=3)
    payload = buffer.getvalue()
    header = {
        "format": FORMAT_VERSION,
        "payload_bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "metadata": model.metadata,
    }
    header_line = json.dumps(header, ensure_ascii=False).encode("utf-8") + b"\n"
    write_atomically(path, MAGIC + header_line + payload)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` in full to a temporary file beside ``path``, then rename it over.

    A crash or a kill half way leaves the old file (or none), never a partial one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_header(path: str | Path) -> dict:
    """The header of a model file, without loading the model."""
    header, _ = _read(Path(path), with_payload=False)
    return header


def verify_artifact(path: str | Path) -> dict:
    """Check a model file whole (size and checksum) without unpickling it; returns its header.

    Raises ``ModelLoadError`` for a missing, truncated or damaged file.
    """
    header, _ = _read(Path(path), with_payload=True)
    return header


def load(path: str | Path):
    """Load a model written by ``Model.save``; raise ``ModelLoadError`` if it cannot be."""
    from .model import Model

    header, payload = _read(Path(path), with_payload=True)
    _check_versions(path, header["metadata"].get("libraries", {}))
    try:
        state = joblib.load(io.BytesIO(payload))
    except Exception as exc:  # a pickle can fail in many ways; all mean the same here
        raise ModelLoadError(f"{path}: the model could not be unpickled ({exc})") from exc
    return Model(
        state["featurizer"],
        state["weights"],
        state["intercepts"],
        state["calibration"],
        header["metadata"],
    )


def _read(path: Path, with_payload: bool) -> tuple[dict, bytes]:
    try:
        with path.open("rb") as f:
            magic = f.read(len(MAGIC))
            if magic != MAGIC:
                raise ModelLoadError(f"{path}: not a comment-mod model file")
            line = f.readline()
            try:
                header = json.loads(line)
            except ValueError as exc:
                raise ModelLoadError(f"{path}: the model header is damaged") from exc
            if header.get("format") != FORMAT_VERSION:
                raise ModelLoadError(
                    f"{path}: model file format {header.get('format')} is not supported "
                    f"(this version reads format {FORMAT_VERSION}); "
                    "retrain it with `comment-mod train`"
                )
            if not with_payload:
                return header, b""
            payload = f.read()
    except OSError as exc:
        raise ModelLoadError(f"{path}: cannot read the model file ({exc.strerror})") from exc
    if len(payload) != header.get("payload_bytes"):
        raise ModelLoadError(
            f"{path}: the model file is truncated or padded "
            f"({len(payload)} of {header.get('payload_bytes')} bytes)"
        )
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        raise ModelLoadError(f"{path}: the model file is corrupt (checksum mismatch)")
    return header, payload


def _same_minor(a: str, b: str) -> bool:
    return a.split(".")[:2] == b.split(".")[:2]


def _check_versions(path, written_with: dict) -> None:
    """Refuse a model pickled by another scikit-learn or analysed by another kiwipiepy."""
    running = library_versions()
    for name in ("scikit-learn", "kiwipiepy"):
        then, now = written_with.get(name), running[name]
        if then is None or not _same_minor(then, now):
            raise ModelLoadError(
                f"{path}: the model was written with {name} {then}, but {now} is installed; "
                "retrain it with `comment-mod train`"
            )
