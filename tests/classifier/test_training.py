import numpy as np

import classifier
from classifier.model import HEADS


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
