"""The trained scorer: features, one linear head per label, calibration, and spans."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .features import Analysed, Featurizer
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
        matrix = self.featurizer.transform(analysed)
        logits = matrix @ self.weights + self.intercepts
        probabilities = sigmoid(self.calibration[0] * logits + self.calibration[1])
        scores = []
        for row, norm in enumerate(normalized):
            p = probabilities[row]
            spans = self._spans(matrix, analysed, row, norm)
            categories = {name: float(p[k + 1]) for k, name in enumerate(CATEGORIES)}
            scores.append(Score(float(p[0]), categories, spans))
        return scores

    def _spans(self, matrix, analysed: Analysed, row: int, norm: NormalizedText) -> list[Span]:
        """The character ranges of the original text that raised the toxic logit most."""
        occurrences = self.featurizer.columns(analysed, row)
        if not occurrences or not norm.text:
            return []
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        values = dict(zip(matrix.indices[start:end], matrix.data[start:end], strict=True))
        counts = Counter(col for col, _, _ in occurrences)
        size = len(norm.text)
        shares = np.zeros((size, len(HEADS)), dtype=np.float64)
        for col, a, b in occurrences:
            contribution = values[col] * self.weights[col] / counts[col]
            shares[a:b] += contribution / (b - a)
        toxic = shares[:, 0]
        peak = toxic.max()
        if peak <= 0:
            return []
        keep = toxic > peak * SPAN_CUTOFF
        for i, ch in enumerate(norm.text):
            if ch == " ":
                keep[i] = False
        spans = []
        i = 0
        while i < size:
            if not keep[i]:
                i += 1
                continue
            j = i
            while j < size and keep[j]:
                j += 1
            weight = float(toxic[i:j].sum())
            if weight >= MIN_SPAN_WEIGHT:
                category = CATEGORIES[int(np.argmax(shares[i:j, 1:].sum(axis=0)))]
                a, b = norm.original_range(i, j)
                spans.append(Span(a, b, category, weight))
            i = j
        spans.sort(key=lambda s: -s.weight)
        return sorted(spans[:MAX_SPANS], key=lambda s: s.start)
