"""Compare a candidate model with the one serving, on the same examples, and gate promotion.

The gate: the candidate's ``toxic`` F1 (each model at its own threshold) may not fall
more than ``f1_margin`` below the serving model's, and no ROC-AUC that both models can
be measured on (``toxic`` and each category) may fall more than ``auc_margin``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .evaluation import figures, score_examples
from .labels import CATEGORIES
from .progress import ProgressCallback
from .types import Example

# Rounding of the figures compared, so that a drop exactly at the margin passes.
TOLERANCE = 1e-9
# Points kept of each precision-recall curve in ``to_dict``.
CURVE_POINTS = 101


@dataclass(frozen=True)
class ChangedDecision:
    """A comment the two models decide differently at their ``toxic`` thresholds."""

    text: str
    label: bool  # the comment's toxic label in the evaluation set
    serving: float  # the serving model's toxicity
    candidate: float  # the candidate's toxicity
    source: str = ""


@dataclass
class ModelScores:
    """One model's toxicity of every example, and its decision threshold."""

    version: str
    threshold: float
    toxicity: list[float]

    def confusion(self, labels: list[bool]) -> dict[str, int]:
        """Counts of true/false positives/negatives at the model's threshold."""
        y = np.asarray(labels, dtype=bool)
        predicted = np.asarray(self.toxicity) >= self.threshold
        return {
            "tp": int((predicted & y).sum()),
            "fp": int((predicted & ~y).sum()),
            "fn": int((~predicted & y).sum()),
            "tn": int((~predicted & ~y).sum()),
        }

    def pr_curve(self, labels: list[bool], points: int = CURVE_POINTS) -> list[tuple]:
        """``(recall, precision)`` pairs along the curve, at most ``points`` of them."""
        from sklearn.metrics import precision_recall_curve

        y = np.asarray(labels, dtype=bool)
        if not 0 < y.sum() < len(y):
            return []
        precision, recall, _ = precision_recall_curve(y, np.asarray(self.toxicity))
        keep = np.unique(np.linspace(0, len(recall) - 1, min(points, len(recall))).astype(int))
        return [(round(float(recall[k]), 4), round(float(precision[k]), 4)) for k in keep]


@dataclass
class Comparison:
    """The verdict on a candidate, with what a report needs to explain it."""

    promote: bool
    reasons: list[str]
    candidate: dict
    serving: dict | None
    changed: list[ChangedDecision]
    labels: list[bool] = field(default_factory=list)
    candidate_scores: ModelScores | None = None
    serving_scores: ModelScores | None = None
    margins: dict = field(default_factory=dict)

    def confusion(self) -> dict[str, dict | None]:
        """Each model's confusion matrix on the toxic label."""
        return {
            "candidate": self.candidate_scores.confusion(self.labels),
            "serving": self.serving_scores.confusion(self.labels) if self.serving_scores else None,
        }

    def to_dict(self, max_changed: int = 200) -> dict:
        """Plain JSON: verdict, figures, confusion matrices, curves, changed decisions."""
        return {
            "promote": self.promote,
            "reasons": list(self.reasons),
            "margins": dict(self.margins),
            "candidate": self.candidate,
            "serving": self.serving,
            "versions": {
                "candidate": self.candidate_scores.version,
                "serving": self.serving_scores.version if self.serving_scores else None,
            },
            "thresholds": {
                "candidate": self.candidate_scores.threshold,
                "serving": self.serving_scores.threshold if self.serving_scores else None,
            },
            "confusion": self.confusion(),
            "pr_curve": {
                "candidate": self.candidate_scores.pr_curve(self.labels),
                "serving": (
                    self.serving_scores.pr_curve(self.labels) if self.serving_scores else None
                ),
            },
            "changed_count": len(self.changed),
            "changed": [asdict(c) for c in self.changed[:max_changed]],
        }


def compare(
    candidate,
    serving,
    examples: list[Example],
    *,
    f1_margin: float = 0.01,
    auc_margin: float = 0.01,
    on_progress: ProgressCallback | None = None,
) -> Comparison:
    """Evaluate both models on ``examples`` and decide whether ``candidate`` may replace
    ``serving`` (``None`` when no model serves yet, which always promotes)."""
    examples = list(examples)
    if not examples:
        raise ValueError("comparing models needs evaluation examples")
    labels = [e.toxic for e in examples]
    new = score_examples(candidate, examples, on_progress=on_progress, stage="scoring candidate")
    candidate_figures = figures(examples, new, candidate.thresholds)
    candidate_scores = _model_scores(candidate, new)
    margins = {"f1": f1_margin, "auc": auc_margin}
    if serving is None:
        return Comparison(
            True,
            ["no model is serving: the candidate is promoted"],
            candidate_figures,
            None,
            [],
            labels,
            candidate_scores,
            None,
            margins,
        )
    old = score_examples(serving, examples, on_progress=on_progress, stage="scoring serving")
    serving_figures = figures(examples, old, serving.thresholds)
    serving_scores = _model_scores(serving, old)
    checks = gate_checks(candidate_figures, serving_figures, f1_margin, auc_margin)
    return Comparison(
        all(ok for ok, _ in checks),
        [line for _, line in checks],
        candidate_figures,
        serving_figures,
        changed_decisions(examples, serving_scores, candidate_scores),
        labels,
        candidate_scores,
        serving_scores,
        margins,
    )


def gate_checks(candidate: dict, serving: dict, f1_margin: float, auc_margin: float) -> list:
    """``(passed, explanation)`` for each figure the gate looks at."""
    checks = [_check("toxic F1", candidate["toxic"]["f1"], serving["toxic"]["f1"], f1_margin)]
    aucs = [("toxic", candidate["toxic"], serving["toxic"])]
    aucs += [
        (name, candidate["categories"][name], serving["categories"][name])
        for name in CATEGORIES
        if name in candidate["categories"] and name in serving["categories"]
    ]
    for name, new, old in aucs:
        if new["roc_auc"] is not None and old["roc_auc"] is not None:
            checks.append(_check(f"{name} ROC-AUC", new["roc_auc"], old["roc_auc"], auc_margin))
    return checks


def _check(what: str, new: float, old: float, margin: float) -> tuple[bool, str]:
    ok = new >= old - margin - TOLERANCE
    verdict = "ok" if ok else f"refused, falls more than {margin:g}"
    return ok, f"{what} {old:.3f} -> {new:.3f} ({new - old:+.3f}), margin {margin:g}: {verdict}"


def changed_decisions(
    examples: list[Example], serving: ModelScores, candidate: ModelScores
) -> list[ChangedDecision]:
    """Examples decided differently by the two models, the largest score moves first."""
    changed = [
        ChangedDecision(e.text, e.toxic, old, new, e.source)
        for e, old, new in zip(examples, serving.toxicity, candidate.toxicity, strict=True)
        if (old >= serving.threshold) != (new >= candidate.threshold)
    ]
    changed.sort(key=lambda c: -abs(c.candidate - c.serving))
    return changed


def _model_scores(model, scores) -> ModelScores:
    return ModelScores(
        str(model.metadata.get("version", "")),
        float(model.thresholds["toxic"]),
        [s.toxicity for s in scores],
    )
