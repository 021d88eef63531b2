"""Measure a model on labelled examples."""

from __future__ import annotations

from .labels import CATEGORIES
from .metrics import binary_metrics
from .progress import ProgressCallback, StageReporter
from .types import Example, Score


def evaluate(model, examples: list[Example], batch_size: int = 2000) -> dict:
    """Figures for ``toxic`` and for each category the examples label in both classes."""
    return figures(examples, score_examples(model, examples, batch_size), model.thresholds)


def score_examples(
    model,
    examples: list[Example],
    batch_size: int = 2000,
    *,
    on_progress: ProgressCallback | None = None,
    stage: str = "scoring",
) -> list[Score]:
    """The model's scores of ``examples`` (no spans), in batches."""
    report = StageReporter(on_progress)
    scores: list[Score] = []
    report(stage, 0.0)
    for i in range(0, len(examples), batch_size):
        scores.extend(model.score([e.text for e in examples[i : i + batch_size]], spans=False))
        report(stage, len(scores) / len(examples))
    return scores


def category_pairs(examples: list[Example], scores: list[Score], name: str) -> list[tuple]:
    """``(label, probability)`` of one category, for the examples that label it."""
    return [
        (e.categories[name] if e.toxic else False, s.categories[name])
        for e, s in zip(examples, scores, strict=True)
        if not e.toxic or name in e.categories
    ]


def figures(examples: list[Example], scores: list[Score], thresholds: dict) -> dict:
    """``evaluate``'s figures from scores already computed."""
    report = {
        "examples": len(examples),
        "toxic": binary_metrics(
            [e.toxic for e in examples], [s.toxicity for s in scores], thresholds["toxic"]
        ),
        "categories": {},
    }
    for name in CATEGORIES:
        pairs = category_pairs(examples, scores, name)
        positives = sum(y for y, _ in pairs)
        if not pairs or positives == 0 or positives == len(pairs):
            continue
        y, p = zip(*pairs, strict=True)
        measured = binary_metrics(y, p, thresholds.get(name, 0.5))
        report["categories"][name] = {"examples": len(pairs), **measured}
    return report
