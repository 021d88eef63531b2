"""The one place the web app gets its classifier from.

The model is loaded on first use, not at import or start-up, and lives in
``app.extensions["comment_mod_model"]`` so that it can be replaced while the
app runs (a new version trained, a test's tiny model).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache

from flask import Flask, current_app

import classifier
from classifier.artifact import ModelLoadError, verify_artifact

EXTENSION_KEY = "comment_mod_model"


class ModelUnavailable(RuntimeError):
    """The model could not be loaded or could not score."""


class ModelHolder:
    """Holds the current model; loads it lazily from a path and allows swapping it."""

    def __init__(self, path: str):
        self.path = path
        self._model = None
        self._loaded_from = None  # the file the model in memory came from, if any
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether a model is in memory."""
        return self._model is not None

    def get(self):
        """The current model, loading it on first call; raises ModelUnavailable."""
        model = self._model
        if model is not None:
            return model
        with self._lock:
            if self._model is None:
                try:
                    self._model = classifier.load(self.path)
                except Exception as exc:
                    raise ModelUnavailable(f"cannot load model {self.path}: {exc}") from exc
                self._loaded_from = self.path
            return self._model

    def swap(self, model) -> None:
        """Serve with another model from now on; ``None`` means reload from the path."""
        with self._lock:
            self._model = model
            self._loaded_from = None

    def artifact_problem(self) -> str | None:
        """What is wrong with the file the model in memory was loaded from, if anything."""
        path = self._loaded_from
        return None if path is None else artifact_problem(path)

    def score(self, text: str):
        """Score one text; any failure of the model becomes ModelUnavailable."""
        (score,), version = self.score_many([text])
        return score, version

    def score_many(self, texts: list[str]):
        """Score texts in one batch: (scores in order, model version); ModelUnavailable."""
        model = self.get()
        try:
            scores = model.score(texts)
        except Exception as exc:
            raise ModelUnavailable(f"model {model.version} failed to score: {exc}") from exc
        return scores, model.version


def artifact_problem(path: str) -> str | None:
    """Why the model file at ``path`` could not be loaded now, or None when it is whole."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return f"artifact missing: {path}"
    except OSError as exc:
        return f"artifact unreadable: {path}: {exc.strerror}"
    return _checked(path, st.st_ino, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=16)
def _checked(path: str, _inode: int, _mtime_ns: int, _size: int) -> str | None:
    """The checksum verdict on one version of a file: health checks come often, new files rarely."""
    try:
        verify_artifact(path)
    except ModelLoadError as exc:
        return f"artifact unreadable: {exc}"
    return None


def init_app(app: Flask) -> None:
    """Attach an empty holder for the configured model path."""
    app.extensions[EXTENSION_KEY] = ModelHolder(app.config["MODEL_PATH"])


def model_holder() -> ModelHolder:
    """The current app's holder."""
    return current_app.extensions[EXTENSION_KEY]
