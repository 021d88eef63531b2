import numpy as np

import classifier
from classifier.metrics import balanced_f1_threshold
from classifier.model import HEADS
from classifier.training import DEFAULTS, _held_out_figures


def test_the_stacked_toxic_head_is_the_heads_combined(corpus):
    sample = corpus[::3]
    stacked = classifier.train(sample)
    alone = classifier.train(sample, stack_heads=False)
    factors = stacked.metadata["toxic_stack"]
    assert list(factors) == list(HEADS) and factors["toxic"] > 0
    # The category heads are the same; the toxic head's weights are every head's
    # weights (before calibration) times its factor.
    assert np.array_equal(stacked.weights[:, 1:], alone.weights[:, 1:])
    combined = alone.weights @ np.array([factors[h] for h in HEADS])
    assert np.allclose(stacked.weights[:, 0], combined, atol=1e-5)
    assert alone.metadata["toxic_stack"] is None


def test_the_morpheme_weight_scales_only_the_morpheme_columns(corpus):
    sample = corpus[::3]
    plain = classifier.train(sample, morph_weight=1.0, stack_heads=False)
    scaled = classifier.train(sample, morph_weight=0.5, stack_heads=False)
    chars = plain.featurizer.n_char_features
    assert scaled.featurizer.n_features == plain.featurizer.n_features
    # Scaled-down morpheme vectors need larger weights to say as much, and the
    # n-grams carry more of the decision.
    assert not np.allclose(plain.weights, scaled.weights)
    share = lambda m: np.abs(m.weights[chars:, 0]).sum() / np.abs(m.weights[:, 0]).sum()  # noqa: E731
    assert share(scaled) < share(plain)


def _scored(rng, n, clean_below, toxic_from, slow_share=0.0):
    """Held-out labels and probabilities: clean ones below ``clean_below``, toxic ones from
    ``toxic_from`` up, but ``slow_share`` of the toxic ones between the two."""
    y = rng.random(n) < 0.5
    toxic = rng.uniform(toxic_from, 1.0, n)
    if slow_share:
        slow = rng.random(n) < slow_share
        toxic[slow] = rng.uniform(clean_below, toxic_from, slow.sum())
    return y, np.where(y, toxic, rng.uniform(0.0, clean_below, n))


def test_the_threshold_is_chosen_on_real_comments_when_there_are_enough():
    rng = np.random.default_rng(5)
    written_y, written_p = _scored(rng, 400, clean_below=0.75, toxic_from=0.7)
    # Real comments: a threshold of 0.3 separates them all, but most toxic ones score
    # so high that the mean F1 with our corpus's would choose about 0.7.
    real_y, real_p = _scored(rng, 400, clean_below=0.3, toxic_from=0.75, slow_share=0.15)
    settings = {**DEFAULTS}

    def threshold(y_parts, p_parts, sources):
        return _held_out_figures(
            np.concatenate(y_parts), np.concatenate(p_parts), np.array(sources), settings
        )["threshold"]

    both = threshold([written_y, real_y], [written_p, real_p], ["corpus"] * 400 + ["beep"] * 400)
    assert 0.25 <= both <= 0.35
    assert threshold([written_y], [written_p], ["corpus"] * 400) >= 0.6
    # Comments that moderators picked out are real, but not a sample: they do not decide.
    picked = threshold(
        [written_y, real_y], [written_p, real_p], ["corpus"] * 400 + ["moderator"] * 400
    )
    assert picked >= 0.6
    # A handful of real comments does not decide it: every source does, as before.
    few = threshold(
        [written_y, real_y[:30]], [written_p, real_p[:30]], ["corpus"] * 400 + ["beep"] * 30
    )
    assert few == balanced_f1_threshold(
        np.concatenate([written_y, real_y[:30]]),
        np.concatenate([written_p, real_p[:30]]),
        np.array(["corpus"] * 400 + ["beep"] * 30),
    )
    assert few >= 0.6
