"""Measure a model on labelled examples."""

from __future__ import annotations

from .labels import CATEGORIES
from .metrics import binary_metrics
from .types import Example


def evaluate(model, examples: list[Example], batch_size: int = 2000) -> dict:
    """Figures for ``toxic`` and for each category the examples label in both classes."""
    scores = []
    for i in range(0, len(examples), batch_size):
        scores.extend(model.score([e.text for e in examples[i : i + batch_size]], spans=False))
    report = {
        "examples": len(examples),
        "toxic": binary_metrics(
            [e.toxic for e in examples], [s.toxicity for s in scores], model.thresholds["toxic"]
        ),
        "categories": {},
    }
    for name in CATEGORIES:
        pairs = [
            (e.categories[name] if e.toxic else False, s.categories[name])
            for e, s in zip(examples, scores, strict=True)
            if not e.toxic or name in e.categories
        ]
        positives = sum(y for y, _ in pairs)
        if not pairs or positives == 0 or positives == len(pairs):
            continue
        y, p = zip(*pairs, strict=True)
        figures = binary_metrics(y, p, model.thresholds.get(name, 0.5))
        report["categories"][name] = {"examples": len(pairs), **figures}
    return report
