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
# Below this toxicity there is nothing for a moderator to be shown, and no spans are made.
SPAN_MIN_TOXICITY = 0.2
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

    def score(self, texts: Iterable[str], *, spans: bool = True) -> list[Score]:
        """Score a batch of comments; ``spans=False`` skips the spans (bulk evaluation).

        Raises ``TypeError`` when ``texts`` is a bare string or holds a non-string.
        """
        want_spans = spans
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
            spans = []
            if want_spans and p[0] >= SPAN_MIN_TOXICITY and norm.text:
                ranges = self.featurizer.token_ranges(analysed, row, norm.text)
                spans = self._spans(document, ranges, norm)
            categories = {name: float(p[k + 1]) for k, name in enumerate(CATEGORIES)}
            scores.append(Score(float(p[0]), categories, spans))
        return scores

    def _spans(self, document: DocumentFeatures, ranges: np.ndarray, norm: NormalizedText):
        """The character ranges of the original text that raised the toxic logit most."""
        starts, ends = ranges[:, 0], ranges[:, 1]
        known = (document.tokens >= 0) & (ends > starts)  # padding-only n-grams cover nothing
        cols, starts, ends = document.tokens[known], starts[known], ends[known]
        at = np.searchsorted(document.columns, cols)
        # Each occurrence spreads its share of a head's logit evenly over its characters.
        density = document.values[at] / document.counts[at] / (ends - starts)
        toxic = density * self.weights[cols, 0]
        size = len(norm.text) + 1
        shares = np.cumsum(np.bincount(starts, toxic, size) - np.bincount(ends, toxic, size))[:-1]
        peak = shares.max() if len(shares) else 0.0
        if peak <= 0:
            return []
        cutoff = peak * SPAN_CUTOFF
        keep = [s > cutoff and c != " " for s, c in zip(shares.tolist(), norm.text, strict=True)]
        spans = []
        for i, j in _runs(keep):
            weight = float(shares[i:j].sum())
            if weight < MIN_SPAN_WEIGHT:
                continue
            # The category whose model the occurrences inside the span raise most.
            overlap = np.clip(np.minimum(ends, j) - np.maximum(starts, i), 0, None)
            raised = (density * overlap) @ self.weights[cols, 1:]
            a, b = norm.original_range(i, j)
            spans.append(Span(a, b, CATEGORIES[int(np.argmax(raised))], weight))
        spans.sort(key=lambda s: -s.weight)
        return sorted(spans[:MAX_SPANS], key=lambda s: s.start)


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """``[start, end)`` of each run of true flags."""
    runs, start = [], None
    for i, flag in enumerate(flags):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(flags)))
    return runs
