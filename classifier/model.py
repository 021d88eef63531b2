"""The trained scorer: features, one linear head per label, calibration, and spans."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .features import BatchFeatures, Featurizer
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
# Span arithmetic is done in integers of this many parts of one logit unit.
FIXED_POINT = 2.0**32
# Longer batches are scored this many comments at a time: the arrays of one chunk stay
# small (a batch of 1,000 at once raised the peak memory by ~30 MB), and kiwipiepy
# analyses the next chunk while one is worked on here.
CHUNK = 128
# A long batch's first and last chunks are this short (see ``chunk_bounds``).
EDGE = 16


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
        if isinstance(texts, str | bytes):
            raise TypeError("score() takes a list of comments, not one string: use [text]")
        texts = list(texts)
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"each comment must be a str, not {type(text).__name__}")
        bounds = chunk_bounds(len(texts))
        scores: list[Score] = []
        ahead = self._start(texts[slice(*bounds[0])]) if bounds else None
        for k in range(len(bounds)):
            started = ahead
            if k + 1 < len(bounds):
                # kiwipiepy analyses the next chunk while this one is worked on here.
                ahead = self._start(texts[slice(*bounds[k + 1])])
            scores += self._score_chunk(*started, spans)
        return scores

    def _start(self, texts: list[str]) -> tuple[list[NormalizedText], object]:
        """Normalize a chunk and start its morpheme analysis in kiwipiepy's threads."""
        normalized = [normalize(t) for t in texts]
        return normalized, self.featurizer.start([n.text for n in normalized])

    def _score_chunk(
        self, normalized: list[NormalizedText], pending, want_spans: bool
    ) -> list[Score]:
        """``score`` for one chunk, normalized and started by ``_start``."""
        texts = [n.text for n in normalized]
        if len(texts) == 1:
            batch = self.featurizer.transform_one(texts[0], pending)
        else:
            batch = self.featurizer.transform(texts, pending)
        weights = self.weights[batch.columns]  # each entry's row of weights
        contributions = batch.values[:, None] * weights
        if len(texts) == 1:
            logits = contributions.sum(axis=0, dtype=np.float64)[None, :]
        else:
            logits = _sum_by(batch.rows, contributions, len(texts))
        probabilities = sigmoid(
            self.calibration[0] * (logits + self.intercepts) + self.calibration[1]
        )
        spans = {}
        if want_spans:
            wanted = (probabilities[:, 0] >= SPAN_MIN_TOXICITY) & (batch.lengths > 0)
            if len(texts) == 1 and wanted[0]:
                spans = {0: self._spans_of_one(batch, weights, normalized[0])}
            elif wanted.any():
                spans = self._spans(batch, weights, wanted, normalized)
        return [
            Score(p[0], dict(zip(CATEGORIES, p[1:], strict=True)), spans.get(row, []))
            for row, p in enumerate(probabilities.tolist())
        ]

    def _spans_of_one(
        self, batch: BatchFeatures, weights: np.ndarray, normalized: NormalizedText
    ) -> list[Span]:
        """``_spans`` for a batch of one text, with the same arithmetic and far fewer steps;
        ``weights`` holds each entry's row of the model's weights."""
        tokens = batch.tokens
        keep = tokens.ends > tokens.starts
        starts, ends, entries = tokens.starts[keep], tokens.ends[keep], batch.entries[keep]
        density = batch.values[entries] / batch.counts[entries] / (ends - starts)
        raised = np.rint(density[:, None] * weights[entries] * FIXED_POINT)
        # Each occurrence adds its share from its first place and takes it back after its
        # last (whole numbers well below 2**53, so exact in any order).
        steps = np.zeros((len(normalized.text) + 1, len(HEADS)))
        np.add.at(steps, starts, raised)
        np.subtract.at(steps, ends, raised)
        shares = np.cumsum(steps.astype(np.int64), axis=0)
        toxic = shares[:, 0].tolist()
        cutoff = max(max(toxic) * SPAN_CUTOFF, 0)
        totals = np.concatenate([np.zeros((1, len(HEADS)), np.int64), np.cumsum(shares, axis=0)])
        runs, start = [], None
        for place, (letter, share) in enumerate(zip(normalized.text + " ", toxic, strict=True)):
            inside = share > cutoff and letter != " "
            if inside and start is None:
                start = place
            elif not inside and start is not None:
                runs.append((start, place))
                start = None
        if not runs:
            return []
        firsts, lasts = zip(*runs, strict=True)
        sums = (totals[list(lasts)] - totals[list(firsts)]) / FIXED_POINT
        found = [
            Span(*normalized.original_range(i, j), CATEGORIES[category], weight)
            for i, j, weight, category in zip(
                firsts,
                lasts,
                sums[:, 0].tolist(),
                np.argmax(sums[:, 1:], axis=1).tolist(),
                strict=True,
            )
            if weight >= MIN_SPAN_WEIGHT
        ]
        return _strongest(found)

    def _spans(
        self,
        batch: BatchFeatures,
        weights: np.ndarray,
        wanted: np.ndarray,
        normalized: list[NormalizedText],
    ) -> dict[int, list[Span]]:
        """For each wanted text, the ranges of the original that raised the toxic logit most.

        The texts are worked on end to end, each followed by one empty place so that
        no run of characters joins two texts. Shares are summed in fixed point, so
        they are exact: a text's spans do not depend on the texts batched with it.
        """
        tokens = batch.tokens
        keep = wanted[tokens.rows] & (tokens.ends > tokens.starts)
        rows, entries = tokens.rows[keep], batch.entries[keep]
        starts, ends = tokens.starts[keep] + rows, tokens.ends[keep] + rows
        # Each occurrence spreads its share of every head's logit evenly over its characters.
        density = batch.values[entries] / batch.counts[entries] / (ends - starts)
        raised = np.rint(density[:, None] * weights[entries] * FIXED_POINT)
        places = len(batch.joined) + len(batch.lengths)
        steps = _sum_by(starts, raised, places) - _sum_by(ends, raised, places)
        shares = np.cumsum(steps.astype(np.int64), axis=0)
        toxic = shares[:, 0]
        firsts = batch.firsts + np.arange(len(batch.lengths))
        row_of = np.repeat(np.arange(len(batch.lengths)), batch.lengths + 1)
        cutoff = np.maximum.reduceat(toxic, firsts) * SPAN_CUTOFF
        letters = np.insert(batch.joined, batch.firsts + batch.lengths, 32)
        flags = (toxic > np.maximum(cutoff, 0)[row_of]) & wanted[row_of] & (letters != 32)
        edges = np.diff(flags.astype(np.int8), prepend=0, append=0)
        run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        totals = np.concatenate([np.zeros((1, len(HEADS)), np.int64), np.cumsum(shares, axis=0)])
        sums = (totals[run_ends] - totals[run_starts]) / FIXED_POINT
        strong = sums[:, 0] >= MIN_SPAN_WEIGHT
        found: dict[int, list[Span]] = {}
        for i, j, weight, category in zip(
            run_starts[strong].tolist(),
            run_ends[strong].tolist(),
            sums[strong, 0].tolist(),
            np.argmax(sums[strong, 1:], axis=1).tolist(),
            strict=True,
        ):
            row = int(row_of[i])
            first = int(firsts[row])
            a, b = normalized[row].original_range(i - first, j - first)
            found.setdefault(row, []).append(Span(a, b, CATEGORIES[category], weight))
        return {row: _strongest(spans) for row, spans in found.items()}


def chunk_bounds(count: int) -> list[tuple[int, int]]:
    """Where the chunks of a batch of ``count`` comments begin and end: ``CHUNK`` each,
    but the first and last ``EDGE`` apart, so that kiwipiepy starts sooner and less
    work is left here once it has finished."""
    if count <= 2 * EDGE:
        return [(first, min(first + CHUNK, count)) for first in range(0, count, CHUNK)]
    last = count - EDGE
    inner = [(first, min(first + CHUNK, last)) for first in range(EDGE, last, CHUNK)]
    return [(0, EDGE), *inner, (last, count)]


def _strongest(spans: list[Span]) -> list[Span]:
    """The ``MAX_SPANS`` heaviest spans, in the order they come in the text."""
    spans = sorted(spans, key=lambda s: -s.weight)[:MAX_SPANS]
    return sorted(spans, key=lambda s: s.start)


def _sum_by(groups: np.ndarray, rows: np.ndarray, size: int) -> np.ndarray:
    """``out[g]`` = the sum of the ``rows`` whose group is ``g``, for ``g < size``.

    Column by column: a long batch's spans then need no copy of all its rows at once.
    """
    out = np.empty((size, rows.shape[1]))
    for column in range(rows.shape[1]):
        out[:, column] = np.bincount(groups, rows[:, column], minlength=size + 1)[:size]
    return out
