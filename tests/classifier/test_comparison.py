"""The promotion gate: compare a candidate with the serving model on the same examples."""

import json

import pytest

from classifier.comparison import compare, gate_checks


@pytest.fixture(scope="module")
def refused(flipped_model, corpus_model, heldout):
    """The comparison of the wrongly trained candidate with the corpus model."""
    return compare(flipped_model, corpus_model, heldout)


def test_gate_refuses_a_candidate_trained_on_wrong_labels(refused):
    result = refused
    assert not result.promote
    assert result.candidate["toxic"]["f1"] < result.serving["toxic"]["f1"] - 0.01
    assert any(line.startswith("toxic F1") and "refused" in line for line in result.reasons)
    assert len(result.reasons) == 2 + len(result.serving["categories"])


def test_gate_accepts_a_sound_candidate(sound_model, corpus_model, heldout):
    result = compare(sound_model, corpus_model, heldout)
    assert result.promote, result.reasons
    assert all(line.endswith(": ok") for line in result.reasons)
    assert result.candidate["examples"] == result.serving["examples"] == len(heldout)


def test_large_margins_let_even_a_bad_candidate_through(refused):
    checks = gate_checks(refused.candidate, refused.serving, f1_margin=1.0, auc_margin=1.0)
    assert all(ok for ok, _ in checks)


def test_nothing_serving_promotes(sound_model, heldout):
    result = compare(sound_model, None, heldout)
    assert result.promote and result.serving is None and result.changed == []
    assert result.confusion()["serving"] is None
    json.dumps(result.to_dict())


def test_changed_decisions_are_the_examples_decided_differently(
    refused, flipped_model, corpus_model, heldout
):
    result = refused
    new_t, old_t = flipped_model.thresholds["toxic"], corpus_model.thresholds["toxic"]
    texts = [c.text for c in result.changed]
    assert texts
    old = corpus_model.score(texts, spans=False)
    new = flipped_model.score(texts, spans=False)
    for a, b in zip(old, new, strict=True):
        assert (a.toxicity >= old_t) != (b.toxicity >= new_t)
    labels = {e.text: e.toxic for e in heldout}
    assert all(labels[c.text] == c.label for c in result.changed)
    moves = [abs(c.candidate - c.serving) for c in result.changed]
    assert moves == sorted(moves, reverse=True)
    counts = result.confusion()
    for name in ("candidate", "serving"):
        assert sum(counts[name].values()) == len(heldout)
    assert counts["serving"]["tp"] + counts["serving"]["fn"] == sum(e.toxic for e in heldout)


def test_to_dict_is_plain_json(refused, corpus_model):
    result = refused
    data = json.loads(json.dumps(result.to_dict(max_changed=5)))
    assert data["promote"] is False and data["reasons"] == result.reasons
    assert data["changed_count"] == len(result.changed) and len(data["changed"]) == 5
    assert data["versions"]["serving"] == corpus_model.version
    curve = data["pr_curve"]["candidate"]
    assert 10 < len(curve) <= 101 and all(0 <= r <= 1 and 0 <= p <= 1 for r, p in curve)


def _figures(f1, auc, categories):
    return {
        "toxic": {"f1": f1, "roc_auc": auc},
        "categories": {name: {"roc_auc": value} for name, value in categories.items()},
    }


@pytest.mark.parametrize(
    "candidate, promote",
    [
        (_figures(0.800, 0.90, {"insult": 0.85}), True),  # F1 drop exactly at the margin
        (_figures(0.789, 0.90, {"insult": 0.85}), False),  # F1 drop beyond it
        (_figures(0.900, 0.90, {"insult": 0.829}), False),  # a category's AUC beyond its margin
        (_figures(0.900, 0.87, {"insult": 0.85}), False),  # toxic AUC beyond its margin
        (_figures(0.900, 0.90, {"insult": 0.85, "hate": 0.10}), True),  # hate: serving lacks it
    ],
)
def test_margins_are_honoured(candidate, promote):
    serving = _figures(0.81, 0.90, {"insult": 0.85})
    checks = gate_checks(candidate, serving, f1_margin=0.01, auc_margin=0.02)
    assert all(ok for ok, _ in checks) is promote
    assert len(checks) == 3


def test_no_examples_is_an_error(sound_model, corpus_model):
    with pytest.raises(ValueError, match="evaluation examples"):
        compare(sound_model, corpus_model, [])
