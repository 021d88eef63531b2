"""The one place the web app gets its classifier from.

The model is loaded on first use, not at import or start-up, and lives in
``app.extensions["comment_mod_model"]`` so that it can be replaced while the
app runs (a new version trained, a test's tiny model).
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

import classifier

EXTENSION_KEY = "comment_mod_model"


class ModelUnavailable(RuntimeError):
    """The model could not be loaded or could not score."""


class ModelHolder:
    """Holds the current model; loads it lazily from a path and allows swapping it."""

    def __init__(self, path: str):
        self.path = path
        self._model = None
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
            return self._model

    def swap(self, model) -> None:
        """Serve with another model from now on; ``None`` means reload from the path."""
        with self._lock:
            self._model = model

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


def init_app(app: Flask) -> None:
    """Attach an empty holder for the configured model path."""
    app.extensions[EXTENSION_KEY] = ModelHolder(app.config["MODEL_PATH"])


def model_holder() -> ModelHolder:
    """The current app's holder."""
    return current_app.extensions[EXTENSION_KEY]
