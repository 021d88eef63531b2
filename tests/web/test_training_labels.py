"""The labels that moderators and API callers give, as training examples."""

from classifier.training import DEFAULTS
from web.training_labels import FEEDBACK_SOURCE, MODERATOR_SOURCE


def test_picked_labels_never_choose_the_thresholds():
    # Moderators and API callers label the comments they picked out, mostly ones the
    # model flagged: training must know them by these names to leave them out of the
    # threshold choice.
    assert {MODERATOR_SOURCE, FEEDBACK_SOURCE} <= set(DEFAULTS["unsampled_sources"])
