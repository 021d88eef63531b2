"""The trained scorer: features, one linear head per label, calibration, and spans."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .features import DocumentFeatures, Featurizer
from .labels import CATEGORIES
from .normalize import NormalizedText, normalize
from .types import Score, Span

HEADS = ("toxic",) + CATEGORIES
MAX_SPANS = 5
# A span must carry at least this much of the toxic head's logit to be shown.
MIN_SPAN_WEIGHT = 0.25
# Characters whose share is below this fraction of the strongest one do not extend a span.
SPAN_CUTOFF = 0.2


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, safe for large magnitudes."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class Model:
    """A whole scoring pipeline; build one with ``train`` or ``load``."""

    def __init__(
        self,
        featurizer: Featurizer,
        weights: np.ndarray,
        intercepts: np.ndarray,
        calibration: np.ndarray,
        metadata: dict,
    ):
        self.featurizer = featurizer
        self.weights = weights  # (features, heads)
        self.intercepts = intercepts  # (heads,)
        self.calibration = calibration  # (2, heads): slope and offset of Platt scaling
        self.metadata = metadata

    @property
    def version(self) -> str:
        """The version id written when the model was trained."""
        return self.metadata["version"]

    @property
    def thresholds(self) -> dict[str, float]:
        """Decision thresholds chosen on held-out folds of the training data."""
        return self.metadata["thresholds"]

    def save(self, path: str | Path) -> None:
        """Write the model to one artifact file, atomically."""
        from .artifact import save_artifact

        save_artifact(self, path)

    def score(self, texts: Iterable[str]) -> list[Score]:
        """Score a batch of comments.

        Raises ``TypeError`` when ``texts`` is a bare string or holds a non-string.
        """
        if isinstance(texts, str | bytes):
            raise TypeError("score() takes a list of comments, not one string: use [text]")
        texts = list(texts)
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"each comment must be a str, not {type(text).__name__}")
        if not texts:
            return []
        normalized = [normalize(t) for t in texts]
        analysed = self.featurizer.analyse(normalized)
        documents = self.featurizer.vectorize(analysed)
        logits = np.array([d.values @ self.weights[d.columns] for d in documents])
        probabilities = sigmoid(
            self.calibration[0] * (logits + self.intercepts) + self.calibration[1]
        )
        scores = []
        for row, (norm, document) in enumerate(zip(normalized, documents, strict=True)):
            p = probabilities[row]
            spans = self._spans(
                document, self.featurizer.token_ranges(analysed, row, norm.text), norm
            )
            categories = {name: float(p[k + 1]) for k, name in enumerate(CATEGORIES)}
            scores.append(Score(float(p[0]), categories, spans))
        return scores

    def _spans(self, document: DocumentFeatures, ranges: np.ndarray, norm: NormalizedText):
        """The character ranges of the original text that raised the toxic logit most."""
        starts, ends = ranges[:, 0], ranges[:, 1]
        known = (document.tokens >= 0) & (ends > starts)  # padding-only n-grams cover nothing
        if not norm.text or not known.any():
            return []
        cols, starts, ends = document.tokens[known], starts[known], ends[known]
        at = np.searchsorted(document.columns, cols)
        values = document.values[at] / document.counts[at]
        # Each occurrence spreads its share of every head's logit evenly over its characters.
        per_char = (values / (ends - starts))[:, None] * self.weights[cols]
        diff = np.zeros((len(norm.text) + 1, len(HEADS)))
        np.add.at(diff, starts, per_char)
        np.add.at(diff, ends, -per_char)
        return self._runs(np.cumsum(diff[:-1], axis=0), norm)

    def _runs(self, shares: np.ndarray, norm: NormalizedText) -> list[Span]:
        """Group characters that carry the toxic head into spans."""
        toxic = shares[:, 0]
        peak = toxic.max()
        if peak <= 0:
            return []
        keep = (toxic > peak * SPAN_CUTOFF) & (
            np.frombuffer(norm.text.encode("utf-32-le"), np.uint32) != 32
        )
        edges = np.flatnonzero(np.diff(np.concatenate([[0], keep.astype(np.int8), [0]])))
        spans = []
        for i, j in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            weight = float(toxic[i:j].sum())
            if weight >= MIN_SPAN_WEIGHT:
                category = CATEGORIES[int(np.argmax(shares[i:j, 1:].sum(axis=0)))]
                a, b = norm.original_range(i, j)
                spans.append(Span(a, b, category, weight))
        spans.sort(key=lambda s: -s.weight)
        return sorted(spans[:MAX_SPANS], key=lambda s: s.start)
