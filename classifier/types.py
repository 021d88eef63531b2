"""Plain value types passed in and out of the classifier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .labels import CATEGORIES, HATE_TARGETS


@dataclass(frozen=True)
class Example:
    """A labelled comment.

    ``categories`` holds only the categories the source actually labels: a
    missing key means "unknown", so a dataset that marks toxicity but not its
    kind never teaches a category model that the comment lacks it.
    """

    text: str
    toxic: bool
    categories: Mapping[str, bool] = field(default_factory=dict)
    targets: frozenset[str] = frozenset()
    source: str = ""

    def __post_init__(self):
        unknown = set(self.categories) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories: {sorted(unknown)}")
        bad_targets = set(self.targets) - set(HATE_TARGETS)
        if bad_targets:
            raise ValueError(f"unknown hate targets: {sorted(bad_targets)}")


@dataclass(frozen=True)
class Span:
    """A character range of the original text that raised the score."""

    start: int
    end: int
    category: str
    weight: float

    def to_dict(self) -> dict:
        """Plain-JSON form."""
        return {
            "start": self.start,
            "end": self.end,
            "category": self.category,
            "weight": round(self.weight, 4),
        }


@dataclass(frozen=True)
class Score:
    """What the model says of one comment."""

    toxicity: float
    categories: dict[str, float]
    spans: list[Span]

    def top_categories(self, n: int = 3) -> list[tuple[str, float]]:
        """The ``n`` most likely categories, most likely first."""
        return sorted(self.categories.items(), key=lambda kv: -kv[1])[:n]

    def to_dict(self) -> dict:
        """Plain-JSON form."""
        return {
            "toxicity": round(self.toxicity, 4),
            "categories": {k: round(v, 4) for k, v in self.categories.items()},
            "spans": [s.to_dict() for s in self.spans],
        }
