"""Model-quality floors, measured on data the model was not trained on.

The issue's targets (UnSmile valid F1 0.89 / ROC-AUC 0.91, korean-hate-speech dev
F1 0.83, corpus-only UnSmile ROC-AUC 0.80) are recorded in README.md next to what
the model reaches; the floors here are what it must never fall below.
"""

import re

import pytest

import classifier
from classifier.evaluation import evaluate
from classifier.readers import read_examples

HELDOUT_F1, HELDOUT_AUC, HELDOUT_CATEGORY_AUC = 0.85, 0.95, 0.90


@pytest.fixture(scope="module")
def full_model(datasets_dir, corpus):
    """Our corpus plus the public training splits."""
    examples = (
        corpus
        + read_examples(datasets_dir / "korean-hate-speech" / "train.tsv", "beep")
        + read_examples(datasets_dir / "unsmile" / "unsmile_train_v1.0.tsv", "unsmile")
    )
    return classifier.train(examples)


@pytest.fixture(scope="module")
def unsmile_valid(datasets_dir):
    return read_examples(datasets_dir / "unsmile" / "unsmile_valid_v1.0.tsv", "unsmile")


@pytest.fixture(scope="module")
def beep_dev(datasets_dir):
    return read_examples(datasets_dir / "korean-hate-speech" / "dev.tsv", "beep")


def test_heldout_corpus_floors(corpus_model, heldout):
    report = evaluate(corpus_model, heldout)
    assert report["toxic"]["f1"] >= HELDOUT_F1
    assert report["toxic"]["roc_auc"] >= HELDOUT_AUC
    assert set(report["categories"]) == set(classifier.CATEGORIES)
    for name, figures in report["categories"].items():
        assert figures["roc_auc"] >= HELDOUT_CATEGORY_AUC, name


@pytest.mark.datasets
def test_unsmile_valid_floors(full_model, unsmile_valid):
    report = evaluate(full_model, unsmile_valid)
    assert report["toxic"]["f1"] >= 0.89
    assert report["toxic"]["roc_auc"] >= 0.893
    assert report["categories"]["hate"]["roc_auc"] >= 0.92


@pytest.mark.datasets
def test_korean_hate_speech_dev_floor(full_model, beep_dev):
    report = evaluate(full_model, beep_dev)
    assert report["toxic"]["f1"] >= 0.83
    assert report["toxic"]["roc_auc"] >= 0.857


@pytest.mark.datasets
def test_default_model_generalizes_to_unsmile(corpus_model, unsmile_valid):
    report = evaluate(corpus_model, unsmile_valid)
    assert report["toxic"]["roc_auc"] >= 0.81


@pytest.mark.datasets
def test_default_model_generalizes_to_news_comments(corpus_model, beep_dev):
    """korean-hate-speech is comments under entertainment news, the product's own kind."""
    report = evaluate(corpus_model, beep_dev)
    assert report["toxic"]["roc_auc"] >= 0.80


# Evasion spellings of words that appear plainly in the held-out corpus.
EVASIONS = {
    "시발": ["시1발", "씨@발", "tlqkf", "ㅅㅂ", "시 발", "씨이이발"],
    "씨발": ["씨1발", "ㅆㅂ", "씨.발"],
    "병신": ["병1신", "ㅂㅅ", "qudtls", "병 신", "ㅄ"],
    "존나": ["ㅈㄴ", "존1나", "존.나"],
    "새끼": ["ㅅㄲ", "새.끼", "새1끼"],
    "개새끼": ["ㄱㅅㄲ", "개.새.끼", "rotoRl"],
}


def test_evasion_spellings_are_caught_as_often_as_plain_ones(corpus_model, corpus, heldout):
    pattern = re.compile("|".join(sorted(EVASIONS, key=len, reverse=True)))
    plain = [e.text for e in corpus + heldout if e.toxic and pattern.search(e.text)]
    assert len(plain) >= 20
    threshold = corpus_model.thresholds["toxic"]
    caught_plain = sum(s.toxicity >= threshold for s in corpus_model.score(plain))
    for k in range(3):
        evaded = [
            pattern.sub(lambda m, k=k: EVASIONS[m.group()][k % len(EVASIONS[m.group()])], t)
            for t in plain
        ]
        caught = sum(s.toxicity >= threshold for s in corpus_model.score(evaded))
        assert caught >= 0.9 * caught_plain, (k, caught, caught_plain)
