"""Training and comparison report their progress to a callback, stage by stage."""

from collections import defaultdict

import classifier
from classifier.comparison import compare
from classifier.model import HEADS


def _recorder():
    calls = defaultdict(list)
    return calls, lambda stage, fraction: calls[stage].append(fraction)


def test_training_reports_each_stage_up_to_done(corpus, heldout):
    calls, record = _recorder()
    model = classifier.train(corpus[::6], on_progress=record)
    assert list(calls) == ["analysing", "vectorizing", "fitting"]
    for stage, fractions in calls.items():
        assert fractions == sorted(fractions), stage
        assert fractions[0] == 0.0 and fractions[-1] == 1.0, stage
    assert len(calls["fitting"]) == 1 + len(HEADS)

    calls, record = _recorder()
    compare(model, model, heldout[:300], on_progress=record)
    assert list(calls) == ["scoring candidate", "scoring serving"]
    assert all(f[-1] == 1.0 for f in calls.values())
