"""The site policy: what happens to a comment given its toxicity."""

from __future__ import annotations

from dataclasses import dataclass

from .models import FLAGGED, HOLD_TOXICITY, PENDING, PUBLISHED


@dataclass(frozen=True)
class Thresholds:
    """Toxicity at or above ``hold`` keeps a comment back; at or above ``review`` flags it."""

    hold: float
    review: float

    def __post_init__(self):
        if not 0.0 <= self.review <= self.hold <= 1.0:
            raise ValueError(
                f"need 0 <= REVIEW_THRESHOLD <= HOLD_THRESHOLD <= 1, "
                f"got review={self.review}, hold={self.hold}"
            )

    @classmethod
    def from_config(cls, config) -> Thresholds:
        """The thresholds set in the app config."""
        return cls(hold=config["HOLD_THRESHOLD"], review=config["REVIEW_THRESHOLD"])


def decide(toxicity: float, thresholds: Thresholds) -> tuple[str, str | None]:
    """The status for a scored comment and, if it is not simply published, why."""
    if toxicity >= thresholds.hold:
        return PENDING, HOLD_TOXICITY
    if toxicity >= thresholds.review:
        return FLAGGED, HOLD_TOXICITY
    return PUBLISHED, None


# The cards' colour for each status a score would give.
_LEVELS = {PENDING: "hold", FLAGGED: "review", PUBLISHED: "low"}


def score_level(score: float, thresholds: Thresholds) -> str:
    """Where a score stands against the thresholds, for the cards' colours: low, review or hold."""
    return _LEVELS[decide(score, thresholds)[0]]
