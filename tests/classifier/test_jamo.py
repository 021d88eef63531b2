import numpy as np
import pytest

import classifier
from classifier.jamo import spell_out, spell_out_codepoints
from classifier.normalize import normalize


def test_syllables_are_spelled_out_and_the_rest_kept():
    assert spell_out("한글 ㅋㅋ a1!") == "ㅎㅏㄴㄱㅡㄹ ㅋㅋ a1!"
    assert spell_out("가힣") == "ㄱㅏㅎㅣㅎ"
    assert spell_out("") == ""


@pytest.mark.parametrize("text", ["", "씨이발 븅신", "닭 값 넋", "abc 🙂 가", "힣가"])
def test_the_array_version_agrees_and_knows_where_each_jamo_came_from(text):
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    spelled, source = spell_out_codepoints(codepoints)
    assert "".join(map(chr, spelled.tolist())) == spell_out(text)
    sizes = np.bincount(source, minlength=len(text))
    assert sizes.tolist() == [len(spell_out(ch)) for ch in text]
    assert (np.diff(source) >= 0).all()


@pytest.fixture(scope="module")
def jamo_model(corpus):
    return classifier.train(corpus[::2], jamo_range=(2, 5))


def test_the_fast_transform_matches_scikit_learn_with_the_jamo_block(jamo_model, heldout):
    import scipy.sparse as sp

    from classifier.features import _forms

    featurizer = jamo_model.featurizer
    texts = [normalize(e.text) for e in heldout[:200]]
    texts += [normalize(t) for t in ["", "ㅋ", "a  b", " 앞뒤 공백 ", "🙂 이모지만 🙂", "닭값"]]
    analysed = featurizer.analyse(texts)
    batch = featurizer.transform([t.text for t in texts])
    ours = np.zeros((len(texts), featurizer.n_features))
    ours[batch.rows, batch.columns] = batch.values
    chars, morphs, jamo = featurizer.vectorizers
    reference = sp.hstack(
        [
            chars.transform(analysed.chars),
            morphs.transform(_forms(analysed.morphs)),
            jamo.transform(analysed.jamo),
        ]
    ).toarray()
    assert np.allclose(ours, reference, atol=1e-6)
    names = featurizer.feature_names()
    assert len(set(names)) == featurizer.n_features
    shift = featurizer.n_char_features + len(featurizer.morph_vocab)
    assert {n[2:]: i - shift for i, n in enumerate(names) if n.startswith("j:")} == (
        jamo.vocabulary_
    )


def test_a_jamo_ngram_range_covers_the_syllables_it_was_spelled_from(jamo_model):
    featurizer = jamo_model.featurizer
    text = "이 븅신들아 ㅋㅋ"
    batch = featurizer.transform([text])
    jamo = batch.tokens.columns >= featurizer.n_char_features + len(featurizer.morph_vocab)
    assert jamo.sum() > 10
    names = featurizer.feature_names()
    for column, start, end in zip(
        batch.tokens.columns[jamo], batch.tokens.starts[jamo], batch.tokens.ends[jamo], strict=True
    ):
        assert 0 <= start <= end <= len(text)
        gram = names[column][2:].strip()
        if gram:
            # The n-gram may start or end inside a syllable, never outside its range.
            assert gram in spell_out(text[start:end])


def test_jamo_model_scores_and_finds_spans(jamo_model):
    text = "씨이발 븅신 새끼들 진짜"
    score = jamo_model.score([text])[0]
    assert score.toxicity > 0.5 and score.spans
    assert all(0 <= s.start < s.end <= len(text) for s in score.spans)
