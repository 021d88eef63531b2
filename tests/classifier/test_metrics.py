import numpy as np

from classifier.metrics import F1_TOLERANCE, balanced_f1_threshold


def _f1(y, p, threshold):
    predicted = p >= threshold
    return 2 * (predicted & y).sum() / (predicted.sum() + y.sum())


def _mean_f1(y, p, groups, threshold):
    return np.mean([_f1(y[groups == g], p[groups == g], threshold) for g in np.unique(groups)])


def _grid(p):
    return np.unique(np.quantile(p, np.linspace(0.01, 0.99, 197)))


def test_the_threshold_is_the_middle_of_the_near_best_ones():
    # Noisy labels make F1 nearly flat over a wide range of thresholds.
    rng = np.random.default_rng(2)
    y = rng.random(3000) < 0.5
    p = np.where(y, rng.beta(6, 1, 3000), rng.beta(1, 6, 3000))
    y ^= rng.random(3000) < 0.15
    groups = np.zeros(3000)
    chosen = balanced_f1_threshold(y, p, groups)
    grid = _grid(p)
    scores = np.array([_mean_f1(y, p, groups, t) for t in grid])
    near = grid[scores >= scores.max() - F1_TOLERANCE]
    assert len(near) >= 5 and chosen in near
    assert abs((near < chosen).sum() - (near > chosen).sum()) <= 1
    assert chosen != grid[np.argmax(scores)]


def test_the_threshold_chosen_is_always_near_the_best():
    rng = np.random.default_rng(3)
    for _ in range(20):
        y = rng.random(600) < rng.uniform(0.2, 0.8)
        p = np.clip(y * rng.uniform(0.1, 0.5) + rng.normal(0.3, 0.2, 600), 0, 1)
        groups = rng.integers(0, 3, 600)
        chosen = balanced_f1_threshold(y, p, groups)
        best = max(_mean_f1(y, p, groups, t) for t in _grid(p))
        assert _mean_f1(y, p, groups, chosen) >= best - F1_TOLERANCE - 1e-9
