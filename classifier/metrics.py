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


def best_f1_threshold(y_true, probabilities) -> float:
    """The probability threshold that maximizes F1."""
    precision, recall, thresholds = precision_recall_curve(y_true, probabilities)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.argmax(f1[:-1])) if len(thresholds) else 0
    return float(thresholds[best]) if len(thresholds) else 0.5


def precision_threshold(y_true, probabilities, target: float) -> float:
    """The lowest threshold whose precision reaches ``target`` (1.0 if none does)."""
    precision, _, thresholds = precision_recall_curve(y_true, probabilities)
    reached = np.nonzero(precision[:-1] >= target)[0]
    return float(thresholds[reached[0]]) if len(reached) else 1.0


def balanced_f1_threshold(y_true, probabilities, groups, min_size: int = 50) -> float:
    """The threshold with the best mean F1 over ``groups`` (the sources of the data).

    Sources label abuse with different base rates and boundaries; a threshold
    tuned on their union favours the largest, one tuned on their mean serves
    each comment section about as well. Groups too small or with one class are
    left out; with none left, this is the plain best-F1 threshold.
    """
    y_true = np.asarray(y_true, dtype=bool)
    probabilities = np.asarray(probabilities, dtype=float)
    groups = np.asarray(groups)
    usable = [
        g
        for g in np.unique(groups)
        if (groups == g).sum() >= min_size and 0 < y_true[groups == g].sum() < (groups == g).sum()
    ]
    if len(usable) < 2:
        return best_f1_threshold(y_true, probabilities)
    candidates = np.unique(np.quantile(probabilities, np.linspace(0.01, 0.99, 197)))
    scores = np.zeros(len(candidates))
    for g in usable:
        mask = groups == g
        truth, p = y_true[mask], probabilities[mask]
        predicted = p[None, :] >= candidates[:, None]
        tp = (predicted & truth).sum(axis=1)
        f1 = 2 * tp / np.maximum(predicted.sum(axis=1) + truth.sum(), 1)
        scores += f1 / len(usable)
    return float(candidates[int(np.argmax(scores))])
