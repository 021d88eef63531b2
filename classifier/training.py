"""Fit a ``Model`` on labelled examples."""

from __future__ import annotations

import hashlib
import platform
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from .artifact import library_versions
from .features import Featurizer
from .metrics import balanced_f1_threshold, binary_metrics, precision_threshold
from .model import HEADS, Model, sigmoid
from .normalize import normalize
from .progress import ProgressCallback, StageReporter, progress_bar
from .types import Example

DEFAULTS = {
    "C": 4.0,
    "char_range": (1, 4),
    # n-grams of the text spelled out in jamo, e.g. (2, 5); None: no such block.
    # Measured: (2, 5) raises UnSmile valid ROC-AUC by 0.002 (full model) and 0.007
    # (our corpus alone), but makes one comment's scoring ~0.4 ms slower and training
    # matrices three times denser, so it is off by default.
    "jamo_range": None,
    "min_df": 2,
    "folds": 3,
    "seed": 13,
    # The hold threshold is set where held-out precision reaches this.
    "hold_precision": 0.9,
    # The morpheme block's vectors are scaled by this against the character n-grams'.
    # Measured at 0.6: the full model gains (UnSmile valid ROC-AUC +0.002, korean-hate-
    # speech dev +0.005) but the model of our corpus alone loses as much on both, so 1.
    "morph_weight": 1.0,
    # The toxic probability is a logistic regression on the held-out decision values
    # of all heads (folded into the toxic head's weights), not on the toxic head's alone.
    "stack_heads": True,
    # Sources whose comments are not a sample of the comments the model will score: our
    # written corpus ("corpus"), and what moderators ("moderator") and API callers
    # ("feedback") picked out to label, mostly comments the model itself flagged. Each
    # head's threshold is chosen on the held-out folds of the other sources (labelled
    # datasets of real comments) when there are enough of them, else on all sources.
    # Measured on the full model: our corpus pulled the toxic threshold from 0.33 to
    # 0.39, where the two public dev sets lose F1 (korean-hate-speech 0.838 -> 0.819).
    "unsampled_sources": ("corpus", "moderator", "feedback"),
}
# A head needs this many examples of each class to be learned; else it predicts the prior.
MIN_CLASS_COUNT = 5
# Sampled real comments choose the thresholds only when they number at least this many.
THRESHOLD_MIN_EXAMPLES = 50


def train(
    examples: Iterable[Example],
    *,
    progress: bool = False,
    on_progress: ProgressCallback | None = None,
    **params,
) -> Model:
    """Train a model on ``examples``; ``params`` override ``DEFAULTS``.

    Examples whose normalized text repeats count once; the last one wins, so
    a later source (a moderator's decision) overrides an earlier one.
    ``on_progress(stage, fraction)`` is called as each stage advances
    ("analysing", "vectorizing", "fitting"), in the calling thread.
    """
    settings = {**DEFAULTS, **params}
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown training parameters: {sorted(unknown)}")
    report = StageReporter(on_progress)
    if isinstance(examples, Deduplicated) and len(examples) == len(examples.normalized):
        examples, normalized = list(examples), examples.normalized
    else:
        examples, normalized = deduplicate(examples)
    if len({e.toxic for e in examples}) < 2:
        raise ValueError("training needs both toxic and clean examples")
    with progress_bar(progress, total=len(examples), desc="analysing") as bar:
        featurizer = Featurizer(settings["char_range"], settings["min_df"], settings["jamo_range"])
        analysed = _analyse_in_chunks(featurizer, normalized, bar, report)
    report("vectorizing", 0.0)
    matrix = featurizer.fit(analysed)
    scale = np.ones(matrix.shape[1], dtype=np.float32)
    morph_columns = featurizer.n_char_features + np.arange(len(featurizer.morph_vocab))
    scale[morph_columns] = settings["morph_weight"]
    matrix.data *= scale[matrix.indices]
    report("vectorizing", 1.0)
    report("fitting", 0.0)
    sources = np.array([e.source.split(":")[0] for e in examples])
    toxic = np.array([e.toxic for e in examples])
    # The same folds for every head, so their held-out decision values can be stacked.
    folds = list(
        StratifiedKFold(settings["folds"], shuffle=True, random_state=settings["seed"]).split(
            np.zeros((len(toxic), 1)), toxic
        )
    )
    # Processes, not threads: liblinear's dual solver draws from one random generator
    # per process, so two fits sharing a process would not give the same model twice.
    jobs = Parallel(n_jobs=2, return_as="generator")(
        delayed(_fit_head)(matrix, *_labels(examples, head), sources, head, settings, folds)
        for head in HEADS
    )
    heads = []
    with progress_bar(progress, total=len(HEADS), desc="fitting") as bar:
        for fitted in jobs:
            heads.append(fitted)
            bar.update(1)
            report.step("fitting", len(HEADS))
    if settings["stack_heads"]:
        heads[0] = _stack_heads(heads, toxic, sources, settings)
    for head in heads:
        # Weights for the unscaled vectors that scoring builds.
        head["coef"] = head["coef"] * scale
    weights = np.column_stack([h["coef"] for h in heads]).astype(np.float32)
    intercepts = np.array([h["intercept"] for h in heads])
    calibration = np.array([[h["slope"] for h in heads], [h["offset"] for h in heads]])
    metadata = _metadata(examples, heads, settings, matrix.shape[1])
    return Model(featurizer, weights, intercepts, calibration, metadata)


class Deduplicated(list):
    """Examples ``deduplicate`` kept, with their normalized texts, so ``train`` need not
    normalize them again (``label_sources.combine`` returns one)."""

    def __init__(self, examples: list[Example], normalized: list):
        super().__init__(examples)
        self.normalized = normalized


def deduplicate(
    examples: Iterable[Example],
    on_replace=None,
    exclude: frozenset = frozenset(),
    on_exclude=None,
):
    """Keep one example per normalized text, the last; drop texts that normalize to nothing.

    Returns the kept examples and their normalized texts, in the order of their
    last occurrence. ``on_replace(earlier, later)`` is called for each example
    a later one with the same normalized text displaces. Examples whose
    normalized text is in ``exclude`` are dropped, each passed to ``on_exclude``.
    """
    by_text: dict[str, tuple[Example, object]] = {}
    for example in examples:
        if not isinstance(example, Example):
            raise TypeError(f"expected Example, got {type(example).__name__}")
        norm = normalize(example.text)
        if not norm.text:
            continue
        if norm.text in exclude:
            if on_exclude is not None:
                on_exclude(example)
            continue
        earlier = by_text.pop(norm.text, None)
        if earlier is not None and on_replace is not None:
            on_replace(earlier[0], example)
        by_text[norm.text] = (example, norm)
    kept = list(by_text.values())
    return [e for e, _ in kept], [n for _, n in kept]


def _analyse_in_chunks(featurizer: Featurizer, normalized, bar, report, size: int = 2000):
    from .features import Analysed

    chars, morphs, jamo = [], [], []
    report("analysing", 0.0)
    for i in range(0, len(normalized), size):
        part = featurizer.analyse(normalized[i : i + size])
        chars.extend(part.chars)
        morphs.extend(part.morphs)
        jamo.extend(part.jamo or ())
        bar.update(len(part.chars))
        report("analysing", len(chars) / len(normalized))
    return Analysed(chars, morphs, jamo if featurizer.jamo_range else None)


def _labels(examples: list[Example], head: str) -> tuple[np.ndarray, np.ndarray]:
    """Targets for one head and the mask of examples that label it."""
    if head == "toxic":
        y = np.array([e.toxic for e in examples])
        return y, np.ones(len(examples), dtype=bool)
    known = np.array([not e.toxic or head in e.categories for e in examples])
    y = np.array([bool(e.categories.get(head, False)) if e.toxic else False for e in examples])
    return y, known


def _classifier(settings: dict) -> LogisticRegression:
    return LogisticRegression(
        C=settings["C"],
        solver="liblinear",
        # The dual problem: with more features than comments it reaches the same
        # weights several times faster (measured: 4.6x on 30,000 comments).
        dual=True,
        max_iter=1000,
        random_state=settings["seed"],
    )


def _fit_head(matrix, y, known, sources, head: str, settings: dict, folds: list) -> dict:
    """Fit one label's linear model and its Platt calibration on held-out folds.

    Each fold's model is fitted on the fold's training examples that label the head and
    gives decision values for every held-out example (kept as ``held_out`` for
    stacking); the calibration and the figures use the examples that label it.
    """
    positives = int(y[known].sum())
    examples = int(known.sum())
    if positives < MIN_CLASS_COUNT or examples - positives < MIN_CLASS_COUNT:
        prior = (positives + 1) / (examples + 2)
        return {
            "head": head,
            "coef": np.zeros(matrix.shape[1]),
            "intercept": float(np.log(prior / (1 - prior))),
            "slope": 1.0,
            "offset": 0.0,
            "examples": examples,
            "positives": positives,
            "cross_validated": None,
            "held_out": None,
        }
    held_out = np.zeros(len(y))
    for fit_rows, test_rows in folds:
        fit_rows = fit_rows[known[fit_rows]]
        if 0 < y[fit_rows].sum() < len(fit_rows):
            fold_model = _classifier(settings).fit(matrix[fit_rows], y[fit_rows])
            held_out[test_rows] = fold_model.decision_function(matrix[test_rows])
    y_known, held_known = y[known], held_out[known]
    platt = LogisticRegression(C=1e6, solver="lbfgs").fit(held_known.reshape(-1, 1), y_known)
    slope, offset = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    probabilities = sigmoid(slope * held_known + offset)
    classifier = _classifier(settings).fit(matrix[known], y_known)
    return {
        "head": head,
        "coef": classifier.coef_[0],
        "intercept": float(classifier.intercept_[0]),
        "slope": slope,
        "offset": offset,
        "examples": examples,
        "positives": positives,
        "cross_validated": _held_out_figures(y_known, probabilities, sources[known], settings),
        "held_out": held_out,
    }


def _held_out_figures(y, probabilities, sources, settings: dict) -> dict:
    sampled = ~np.isin(sources, settings["unsampled_sources"])
    if not _can_choose_threshold(y[sampled]):
        sampled[:] = True
    threshold = balanced_f1_threshold(y[sampled], probabilities[sampled], sources[sampled])
    return {
        **binary_metrics(y, probabilities, threshold),
        "hold_threshold": precision_threshold(y, probabilities, settings["hold_precision"]),
    }


def _can_choose_threshold(y) -> bool:
    """Whether these held-out labels are enough to choose a threshold on."""
    positives = int(y.sum())
    return (
        len(y) >= THRESHOLD_MIN_EXAMPLES
        and positives >= MIN_CLASS_COUNT
        and len(y) - positives >= MIN_CLASS_COUNT
    )


def _stack_heads(heads: list[dict], toxic: np.ndarray, sources, settings: dict) -> dict:
    """The toxic head replaced by a logistic regression on every head's decision values.

    The combination is fitted on held-out decision values; since every head is linear
    in the same features, it is itself one linear head (its weights are the heads'
    weights combined), so scoring does not change.
    """
    if heads[0]["held_out"] is None:
        return heads[0]
    used = [h for h in heads if h["held_out"] is not None]
    held_out = np.column_stack([h["held_out"] for h in used])
    stack = LogisticRegression(C=1.0, solver="lbfgs").fit(held_out, toxic)
    factors = stack.coef_[0]
    probabilities = stack.predict_proba(held_out)[:, 1]
    return {
        **heads[0],
        "coef": sum(f * h["coef"] for f, h in zip(factors, used, strict=True)),
        "intercept": float(
            sum(f * h["intercept"] for f, h in zip(factors, used, strict=True))
            + stack.intercept_[0]
        ),
        "slope": 1.0,
        "offset": 0.0,
        "cross_validated": _held_out_figures(toxic, probabilities, sources, settings),
        "stacked": {h["head"]: float(f) for f, h in zip(factors, used, strict=True)},
    }


def fingerprint(examples: list[Example]) -> str:
    """A SHA-256 of the training texts and labels, independent of their order."""
    digest = hashlib.sha256()
    for line in sorted(
        f"{e.text}\t{int(e.toxic)}\t{sorted(e.categories.items())}" for e in examples
    ):
        digest.update(line.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _metadata(examples: list[Example], heads: list[dict], settings: dict, n_features: int) -> dict:
    now = datetime.now(UTC)
    print_ = fingerprint(examples)
    toxic = heads[0]["cross_validated"] or {}
    stacked = heads[0].get("stacked")
    thresholds = {"toxic": toxic.get("threshold", 0.5)}
    thresholds["review"] = thresholds["toxic"]
    thresholds["hold"] = max(toxic.get("hold_threshold", 0.8), thresholds["toxic"])
    for head in heads[1:]:
        cv = head["cross_validated"]
        thresholds[head["head"]] = cv["threshold"] if cv else 0.5
    return {
        "version": f"{now:%Y%m%d-%H%M%S}-{print_[:8]}",
        "trained_at": now.isoformat(timespec="seconds"),
        "data": {
            "examples": len(examples),
            "toxic": sum(e.toxic for e in examples),
            "clean": sum(not e.toxic for e in examples),
            "sources": dict(Counter(e.source or "unknown" for e in examples)),
            "categories": {h["head"]: h["positives"] for h in heads[1:]},
            "fingerprint": print_,
        },
        "libraries": library_versions(),
        "python": platform.python_version(),
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()},
        "features": n_features,
        "thresholds": thresholds,
        "evaluation": {"cross_validated": {h["head"]: h["cross_validated"] for h in heads}},
        # How much each head's decision value counts in the toxic probability.
        "toxic_stack": stacked,
    }
