"""The one place the web app gets its classifier from.

The model is loaded on first use, not at import or start-up, and lives in
``app.extensions["comment_mod_model"]`` so that it can be replaced while the
app runs (a new version promoted, a test's tiny model).

When the database holds model versions, the holder serves the one marked
serving and looks at most every ``MODEL_RELOAD_SECONDS`` whether another one
was promoted (one small query). A new version is loaded and checked in a
background thread while the old one keeps answering; a version that fails to
load is logged and the old one stays.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from functools import lru_cache

from flask import Flask, current_app

import classifier
from classifier.artifact import ModelLoadError, verify_artifact

EXTENSION_KEY = "comment_mod_model"
logger = logging.getLogger(__name__)


class ModelUnavailable(RuntimeError):
    """The model could not be loaded or could not score."""


class DatabaseVersions:
    """Where a holder learns which version serves and gets it (see web/model_store.py)."""

    def __init__(self, app: Flask):
        self.app = app

    def pointer(self):
        """The serving version's pointer, or None when no version is stored."""
        from .model_store import serving_pointer

        with self.app.app_context():
            return serving_pointer()

    def load(self, pointer):
        """The version's model, checked; raises ModelStoreError."""
        from .model_store import load_version

        with self.app.app_context():
            return load_version(self.app.instance_path, pointer)

    def path(self, pointer) -> str:
        """The local file a version is loaded from."""
        from .model_store import cache_path

        return str(cache_path(self.app.instance_path, pointer.version))


class ModelHolder:
    """Holds the current model; loads it lazily, follows promotions, allows swapping it."""

    def __init__(self, path: str, versions=None, reload_seconds: float = 3.0):
        self.path = path
        self.versions = versions
        self.reload_seconds = reload_seconds
        self._model = None
        self._serving = None  # pointer of the version in memory, when it came from the database
        self._failed = None  # a pointer that failed to load: not tried again
        self._next_check = 0.0
        self._reloading = False
        self._watching = False
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
            self._maybe_reload()
            return model
        with self._lock:
            if self._model is None:
                self._model, self._serving = self._first_load()
                self._loaded_from = self._file_of(self._serving)
                self._next_check = time.monotonic() + self.reload_seconds
            return self._model

    def _first_load(self):
        """The serving version from the database, else the model file; ModelUnavailable."""
        pointer = self._pointer()
        if pointer is not None:
            try:
                return self.versions.load(pointer), pointer
            except Exception as exc:
                raise ModelUnavailable(f"cannot load model {pointer.version}: {exc}") from exc
        try:
            return classifier.load(self.path), None
        except Exception as exc:
            raise ModelUnavailable(f"cannot load model {self.path}: {exc}") from exc

    def _file_of(self, pointer) -> str:
        """The file the model of ``pointer`` (None: the model file) was read from."""
        return self.path if pointer is None else self.versions.path(pointer)

    def _pointer(self):
        """The serving pointer, or None without versions (or a database that cannot say)."""
        if self.versions is None:
            return None
        try:
            return self.versions.pointer()
        except Exception:
            logger.exception("cannot read which model version serves")
            return None

    def _maybe_reload(self) -> None:
        """Every reload_seconds, start loading a newly promoted version in the background."""
        if self.versions is None or time.monotonic() < self._next_check:
            return
        with self._lock:
            if self._reloading or time.monotonic() < self._next_check:
                return
            self._next_check = time.monotonic() + self.reload_seconds
            pointer = self._pointer()
            if pointer is None or pointer in (self._serving, self._failed):
                return
            self._reloading = True
        threading.Thread(target=self._reload, args=(pointer,), daemon=True).start()

    def _reload(self, pointer) -> None:
        """Load and check a version, then serve it; on failure keep the old model."""
        try:
            model = self.versions.load(pointer)
        except Exception:
            logger.exception("model %s failed to load, still serving the old one", pointer.version)
            with self._lock:
                self._failed, self._reloading = pointer, False
            return
        with self._lock:
            self._model, self._serving, self._reloading = model, pointer, False
            self._loaded_from = self._file_of(pointer)
        logger.info("now serving model %s", pointer.version)

    def start_watching(self) -> None:
        """Also look for promotions from a background thread, so an idle worker switches too."""
        with self._lock:
            if self._watching or self.versions is None:
                return
            self._watching = True
        threading.Thread(target=self._watch, name="model-watch", daemon=True).start()

    def _watch(self) -> None:
        """Forever: every reload_seconds, load the model if missing or follow a promotion."""
        while True:
            time.sleep(max(self.reload_seconds, 0.5))
            try:
                if self._model is None:
                    self.get()
                else:
                    self._maybe_reload()
            except Exception:
                logger.exception("model watch: no model yet")

    def swap(self, model) -> None:
        """Serve with another model from now on; ``None`` means reload from the source."""
        with self._lock:
            self._model = model
            self._loaded_from = None
            if model is None:
                self._serving = None

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
    """Attach an empty holder that follows the database's serving version."""
    app.extensions[EXTENSION_KEY] = ModelHolder(
        app.config["MODEL_PATH"],
        versions=DatabaseVersions(app),
        reload_seconds=app.config["MODEL_RELOAD_SECONDS"],
    )


def model_holder() -> ModelHolder:
    """The current app's holder."""
    return current_app.extensions[EXTENSION_KEY]
