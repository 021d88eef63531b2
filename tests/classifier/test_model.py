import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import classifier
from classifier import CATEGORIES, Example
from classifier.model import CHUNK, EDGE, chunk_bounds


def test_scores_have_the_documented_shape(corpus_model):
    texts = ["오늘 경기 진짜 재밌었다", "이 ㅅㅂ 기레기야", ""]
    scores = corpus_model.score(texts)
    assert len(scores) == 3
    for score in scores:
        assert 0.0 <= score.toxicity <= 1.0
        assert set(score.categories) == set(CATEGORIES)
        assert all(0.0 <= p <= 1.0 for p in score.categories.values())


def test_spans_point_into_the_original_text(corpus_model, heldout):
    toxic = [e.text for e in heldout if e.toxic]
    scores = corpus_model.score(toxic)
    with_spans = 0
    for text, score in zip(toxic, scores, strict=True):
        for span in score.spans:
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start : span.end].strip()
            assert span.category in CATEGORIES and span.weight > 0
        with_spans += bool(score.spans)
    # Most abusive comments the model catches can show a moderator why.
    caught = sum(s.toxicity >= corpus_model.thresholds["toxic"] for s in scores)
    assert with_spans >= 0.9 * caught


def _same_score(alone, in_batch):
    assert alone.toxicity == pytest.approx(in_batch.toxicity, abs=1e-9)
    assert alone.categories == pytest.approx(in_batch.categories, abs=1e-9)
    assert alone.spans == in_batch.spans


def test_a_batch_scores_like_single_comments(corpus_model, heldout):
    # One comment alone takes its own path (plain Python, see Featurizer.transform_one);
    # its scores and spans must be those of the batch path.
    texts = [e.text for e in heldout[:300]]
    batch = corpus_model.score(texts)
    assert sum(bool(s.spans) for s in batch) > 50
    for text, score in zip(texts, batch, strict=True):
        _same_score(corpus_model.score([text])[0], score)


@pytest.mark.parametrize("count", [0, 1, 2 * EDGE, 2 * EDGE + 1, CHUNK + 2 * EDGE, 1000])
def test_chunks_cover_a_batch_in_order(count):
    bounds = chunk_bounds(count)
    assert [i for first, last in bounds for i in range(first, last)] == list(range(count))
    assert all(0 < last - first <= CHUNK for first, last in bounds)
    if count > 2 * EDGE:
        assert bounds[0] == (0, EDGE) and bounds[-1] == (count - EDGE, count)


def test_a_long_comment_scores_alone_as_in_a_batch(corpus_model, heldout):
    # As long as the API allows (5,000 characters), made of real comments.
    text = " ".join(e.text for e in heldout)[:5000]
    batch = corpus_model.score([text, "오늘 경기 진짜 재밌었다"])
    _same_score(corpus_model.score([text])[0], batch[0])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.sampled_from(list("시발씨병신개새끼기레기ㅅㅂㅋ 1@.!aZ😀")) | st.characters()))
def test_any_text_scores_alone_as_in_a_batch(corpus_model, text):
    batch = corpus_model.score([text, "오늘 경기 진짜 재밌었다"])
    _same_score(corpus_model.score([text])[0], batch[0])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😀😂👍🔥",
        "가" * 10_000,
        "ㅋ" * 5000,
        "English 한국어 日本語 中文 ١٢٣ עברית",
        "\u200b\u200d",
    ],
)
def test_any_string_gets_a_score(corpus_model, text):
    (score,) = corpus_model.score([text])
    assert 0.0 <= score.toxicity <= 1.0
    assert all(0 <= s.start < s.end <= len(text) for s in score.spans)


@pytest.mark.parametrize("bad", [[None], [1, "글"], [b"bytes"]])
def test_non_strings_are_type_errors(corpus_model, bad):
    with pytest.raises(TypeError, match="must be a str"):
        corpus_model.score(bad)


def test_a_bare_string_is_a_type_error(corpus_model):
    with pytest.raises(TypeError, match="list of comments"):
        corpus_model.score("한 문장")


def test_an_empty_batch_is_empty(corpus_model):
    assert corpus_model.score([]) == []


def test_same_data_gives_the_same_model(corpus):
    sample = corpus[::4]
    a, b = classifier.train(sample), classifier.train(sample)
    assert np.array_equal(a.weights, b.weights)
    assert a.metadata["data"]["fingerprint"] == b.metadata["data"]["fingerprint"]


def test_later_duplicates_override_earlier_labels(corpus):
    sample = corpus[::5]
    relabelled = [*sample, Example(sample[0].text, not sample[0].toxic)]
    model = classifier.train(relabelled)
    from classifier.normalize import normalize

    assert model.metadata["data"]["examples"] == len({normalize(e.text).text for e in sample})


def test_training_refuses_one_class_data():
    with pytest.raises(ValueError, match="both toxic and clean"):
        classifier.train([Example("좋아요", False), Example("최고", False)])


def test_fast_transform_matches_scikit_learn(corpus_model, heldout):
    import scipy.sparse as sp

    from classifier.features import _forms
    from classifier.normalize import normalize

    featurizer = corpus_model.featurizer
    texts = [normalize(e.text) for e in heldout[:200]]
    texts += [normalize(t) for t in ["", "ㅋ", "a  b", " 앞뒤 공백 ", "🙂 이모지만 🙂"]]
    analysed = featurizer.analyse(texts)
    batch = featurizer.transform([t.text for t in texts])
    ours = np.zeros((len(texts), featurizer.n_features))
    ours[batch.rows, batch.columns] = batch.values
    chars, morphs = featurizer.vectorizers
    reference = sp.hstack(
        [chars.transform(analysed.chars), morphs.transform(_forms(analysed.morphs))]
    ).toarray()
    assert np.allclose(ours, reference, atol=1e-6)


def test_feature_names_name_every_column_once(corpus_model):
    featurizer = corpus_model.featurizer
    names = featurizer.feature_names()
    assert len(names) == featurizer.n_features and len(set(names)) == len(names)
    chars = {n[2:]: i for i, n in enumerate(names) if n.startswith("c:")}
    assert chars == featurizer.vectorizers[0].vocabulary_


def test_spans_can_be_skipped_without_changing_scores(corpus_model, heldout):
    texts = [e.text for e in heldout[:50]]
    full, bare = corpus_model.score(texts), corpus_model.score(texts, spans=False)
    assert [s.toxicity for s in full] == [s.toxicity for s in bare]
    assert all(s.spans == [] for s in bare) and any(s.spans for s in full)


def test_each_model_analyses_with_the_cutoff_it_was_trained_with(corpus_model, heldout):
    import copy

    from classifier.normalize import normalize
    from classifier.tokenizer import CUTOFF, KIWI_DEFAULT_CUTOFF, morphemes

    new = corpus_model.featurizer
    old = copy.copy(new)  # as unpickled from a model saved before the cutoff was recorded
    del old.__dict__["analysis_cutoff"]
    assert (new.analysis_cutoff, old.analysis_cutoff) == (CUTOFF, KIWI_DEFAULT_CUTOFF)
    texts = [normalize(e.text).text for e in heldout[:300]]

    def expected(text, cutoff):
        forms = [form for form, _, _ in morphemes([text], cutoff)[0]]
        return {new.morph_vocab[f] + new.n_char_features for f in forms if f in new.morph_vocab}

    def found(featurizer, batch):
        return {int(c) for c in batch.columns if c >= featurizer.n_char_features}

    differ = 0
    for text in texts:
        for featurizer in (new, old):
            wanted = expected(text, featurizer.analysis_cutoff)
            assert found(featurizer, featurizer.transform_one(text)) == wanted
            assert found(featurizer, featurizer.transform([text, ""])) == wanted
        differ += expected(text, CUTOFF) != expected(text, KIWI_DEFAULT_CUTOFF)
    assert differ > 0
