"""The site policy: which score the thresholds apply to, and what they decide."""

from __future__ import annotations

import pytest

from classifier.types import Score
from web.models import FLAGGED, HOLD_TOXICITY, PENDING, PUBLISHED
from web.policy import Thresholds, decide, decision_score
from web.scoring_api import result_json

SITE = Thresholds(hold=0.85, review=0.5)
QUIET = {"profanity": 0.01, "insult": 0.02, "hate": 0.0, "threat": 0.0, "sexual": 0.0, "spam": 0.0}


def test_the_toxicity_decides_when_no_category_is_likelier():
    assert decision_score(0.6, QUIET) == 0.6
    assert decision_score(0.6) == 0.6
    assert decide(0.6, SITE, QUIET) == (FLAGGED, HOLD_TOXICITY)
    assert decide(0.2, SITE, QUIET) == (PUBLISHED, None)
    assert decide(0.9, SITE, QUIET) == (PENDING, HOLD_TOXICITY)


@pytest.mark.parametrize(
    ("toxicity", "category", "probability", "status"),
    [
        (0.6, "threat", 0.99, PENDING),  # 죽여버린다: surely a threat, so surely abuse
        (0.44, "profanity", 0.97, PENDING),
        (0.3, "spam", 0.6, FLAGGED),
        (0.3, "hate", 0.4, PUBLISHED),
    ],
)
def test_a_likelier_category_is_what_the_thresholds_see(toxicity, category, probability, status):
    categories = {**QUIET, category: probability}
    assert decision_score(toxicity, categories) == max(toxicity, probability)
    assert decide(toxicity, SITE, categories)[0] == status


def test_the_scoring_api_decides_on_the_same_score():
    threat = Score(0.6, {**QUIET, "threat": 0.99}, [])
    assert result_json(threat, SITE)["decision"] == "hold"
    assert result_json(Score(0.6, QUIET, []), SITE)["decision"] == "review"
