"""The site policy: what happens to a comment given its toxicity and the site's rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .models import FLAGGED, HOLD_PREMODERATION, HOLD_TOXICITY, HOLD_WORD, PENDING, PUBLISHED

if TYPE_CHECKING:
    from .site_settings import SiteSettings


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


def decision_score(toxicity: float, categories: Mapping[str, float] | None = None) -> float:
    """The score the thresholds are applied to: the toxicity, or the likeliest category
    when the model is surer of that. Every category is a kind of abuse, so a comment the
    model finds 0.99 likely to be a threat is at least as likely to be abusive, whatever
    the toxicity (learnt from all the heads together) says."""
    return max([toxicity, *(categories or {}).values()])


def decide(
    toxicity: float, thresholds: Thresholds, categories: Mapping[str, float] | None = None
) -> tuple[str, str | None]:
    """The status for a scored comment and, if it is not simply published, why."""
    score = decision_score(toxicity, categories)
    if score >= thresholds.hold:
        return PENDING, HOLD_TOXICITY
    if score >= thresholds.review:
        return FLAGGED, HOLD_TOXICITY
    return PUBLISHED, None


def comment_status(
    toxicity: float,
    body: str,
    premoderated: bool,
    settings: SiteSettings,
    already_out: bool = False,
    categories: Mapping[str, float] | None = None,
) -> tuple[str, str | None]:
    """A scored comment's status and hold reason under the admins' settings.

    The one place that decides it, for a comment posted and for one scored again
    after a model change. A score that holds the comment names the model as the
    reason; otherwise a hold word, then pre-moderation (of the site or of the
    article, ``premoderated``), keep it back. A comment ``already_out`` (flagged,
    scored again) went past those two when posted: only its score takes it back.
    Repeated posts are judged when posted. The thresholds apply to ``decision_score``.
    """
    status, reason = decide(toxicity, settings.thresholds, categories)
    if status == PENDING or already_out:
        return status, reason
    if settings.holds_for_words(body):
        return PENDING, HOLD_WORD
    if premoderated or settings.premoderate_all:
        return PENDING, HOLD_PREMODERATION
    return status, reason


# The cards' colour for each status a score would give.
_LEVELS = {PENDING: "hold", FLAGGED: "review", PUBLISHED: "low"}


def score_level(score: float, thresholds: Thresholds) -> str:
    """Where a score stands against the thresholds, for the cards' colours: low, review or hold."""
    return _LEVELS[decide(score, thresholds)[0]]
