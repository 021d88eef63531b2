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
