"""The figures a model is judged by."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
)


def binary_metrics(y_true, probabilities, threshold: float) -> dict[str, float | None]:
    """Precision, recall and F1 at ``threshold``, and the threshold-free ROC-AUC and AP."""
    y_true = np.asarray(y_true, dtype=bool)
    probabilities = np.asarray(probabilities, dtype=float)
    predicted = probabilities >= threshold
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, predicted, average="binary", zero_division=0
    )
    both_classes = 0 < y_true.sum() < len(y_true)
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "roc_auc": float(roc_auc_score(y_true, probabilities)) if both_classes else None,
        "average_precision": (
            float(average_precision_score(y_true, probabilities)) if both_classes else None
        ),
        "threshold": float(threshold),
    }


def precision_threshold(y_true, probabilities, target: float) -> float:
    """The lowest threshold whose precision reaches ``target`` (1.0 if none does)."""
    precision, _, thresholds = precision_recall_curve(y_true, probabilities)
    reached = np.nonzero(precision[:-1] >= target)[0]
    return float(thresholds[reached[0]]) if len(reached) else 1.0


# Thresholds whose (mean) F1 is within this of the best are taken as equally good: on
# held-out folds of ten to thirty thousand comments, F1 differences this small are
# noise, and the curve is often flat over 0.35 to 0.55.
F1_TOLERANCE = 0.005


def balanced_f1_threshold(y_true, probabilities, groups, min_size: int = 50) -> float:
    """The threshold with the best mean F1 over ``groups`` (the sources of the data).

    Sources label abuse with different base rates and boundaries; a threshold
    tuned on their union favours the largest, one tuned on their mean serves
    each comment section about as well. Groups too small or with one class are
    left out; with fewer than two left, all the rows count as one group.

    Of the candidates within ``F1_TOLERANCE`` of the best, the middle one is taken:
    where the curve is flat its highest point moves with every change to the data,
    its middle much less.
    """
    y_true = np.asarray(y_true, dtype=bool)
    probabilities = np.asarray(probabilities, dtype=float)
    groups = np.asarray(groups)
    usable = [
        groups == g
        for g in np.unique(groups)
        if (groups == g).sum() >= min_size and 0 < y_true[groups == g].sum() < (groups == g).sum()
    ]
    if len(usable) < 2:
        usable = [np.ones(len(y_true), dtype=bool)]
    candidates = np.unique(np.quantile(probabilities, np.linspace(0.01, 0.99, 197)))
    scores = np.zeros(len(candidates))
    for mask in usable:
        truth, p = y_true[mask], probabilities[mask]
        predicted = p[None, :] >= candidates[:, None]
        tp = (predicted & truth).sum(axis=1)
        f1 = 2 * tp / np.maximum(predicted.sum(axis=1) + truth.sum(), 1)
        scores += f1 / len(usable)
    near_best = np.flatnonzero(scores >= scores.max() - F1_TOLERANCE)
    return float(candidates[near_best[len(near_best) // 2]])
