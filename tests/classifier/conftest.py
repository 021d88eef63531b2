"""Models trained once per test session."""

from __future__ import annotations

import random

import pytest

import classifier
from classifier.readers import read_examples
from classifier.types import Example


@pytest.fixture(scope="session")
def corpus():
    """Our own training corpus (training_data/train)."""
    return read_examples(classifier.DEFAULT_TRAINING_DATA)


@pytest.fixture(scope="session")
def heldout():
    """The fixed held-out part of our corpus (training_data/heldout)."""
    return read_examples(classifier.DEFAULT_TRAINING_DATA.parent / "heldout")


@pytest.fixture(scope="session")
def corpus_model(corpus):
    """The default model: trained on our corpus alone."""
    return classifier.train(corpus)


@pytest.fixture(scope="session")
def flipped_model(corpus):
    """A candidate trained on the corpus with 40% of its toxic labels deliberately flipped."""
    rng = random.Random(3)
    wrong = [
        Example(e.text, not e.toxic, {}, frozenset(), e.source) if rng.random() < 0.4 else e
        for e in corpus
    ]
    return classifier.train(wrong)


@pytest.fixture(scope="session")
def sound_model(corpus):
    """A candidate trained on the same sound labels, with other cross-validation folds."""
    return classifier.train(corpus, seed=21)
