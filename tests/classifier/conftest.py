"""Models trained once per test session."""

from __future__ import annotations

import pytest

import classifier
from classifier.readers import read_examples


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
