"""Scores Korean news comments for abuse: a TF-IDF + linear model over morphemes and characters.

The public API is small: ``train``, ``load``, ``read_examples``, ``Model.score`` and
``Model.save``. Nothing is loaded or built when the package is imported.
"""

from __future__ import annotations

from pathlib import Path

from .artifact import ModelLoadError, load
from .labels import CATEGORIES, CATEGORY_NAMES_KO, HATE_TARGETS
from .types import Example, Score, Span

DEFAULT_TRAINING_DATA = Path(__file__).resolve().parent.parent / "training_data" / "train"


def train(examples, **params):
    """Train a model; see ``classifier.training.train``."""
    from .training import train as _train

    return _train(examples, **params)


def read_examples(path, fmt: str = "native", strict: bool = False):
    """Read labelled examples from a file or folder; see ``classifier.readers``."""
    from .readers import read_examples as _read

    return _read(path, fmt, strict=strict)


__all__ = [
    "CATEGORIES",
    "CATEGORY_NAMES_KO",
    "DEFAULT_TRAINING_DATA",
    "HATE_TARGETS",
    "Example",
    "ModelLoadError",
    "Score",
    "Span",
    "load",
    "read_examples",
    "train",
]
