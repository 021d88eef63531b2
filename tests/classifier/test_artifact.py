import json

import pytest

import classifier
from classifier.artifact import MAGIC, ModelLoadError, read_header


@pytest.fixture(scope="module")
def saved(corpus_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "m.model"
    corpus_model.save(path)
    return path


def test_round_trip_gives_the_same_scores(corpus_model, saved):
    texts = ["경기 정말 재밌었다", "ㅅㅂ 뭐하는 거냐", "OO들은 다 꺼져라"]
    loaded = classifier.load(saved)
    assert loaded.version == corpus_model.version
    before = [s.to_dict() for s in corpus_model.score(texts)]
    assert [s.to_dict() for s in loaded.score(texts)] == before


def test_metadata_describes_the_training(saved, corpus):
    meta = read_header(saved)["metadata"]
    assert meta["data"]["examples"] <= len(corpus)
    assert meta["data"]["toxic"] + meta["data"]["clean"] == meta["data"]["examples"]
    assert len(meta["data"]["fingerprint"]) == 64
    assert set(meta["libraries"]) >= {"scikit-learn", "kiwipiepy"}
    assert 0 < meta["thresholds"]["toxic"] < 1
    assert meta["thresholds"]["hold"] >= meta["thresholds"]["review"]
    assert meta["evaluation"]["cross_validated"]["toxic"]["roc_auc"] > 0.5
    assert meta["trained_at"] and meta["version"]


def test_truncated_file_is_refused(saved, tmp_path):
    data = saved.read_bytes()
    bad = tmp_path / "cut.model"
    bad.write_bytes(data[: len(data) - 100])
    with pytest.raises(ModelLoadError, match="truncated"):
        classifier.load(bad)


def test_corrupt_file_is_refused(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    data[-50] ^= 0xFF
    bad = tmp_path / "flip.model"
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelLoadError, match="checksum"):
        classifier.load(bad)


@pytest.mark.parametrize("library", ["scikit-learn", "kiwipiepy"])
def test_incompatible_library_version_is_refused(saved, tmp_path, library):
    raw = saved.read_bytes()
    header_end = raw.index(b"\n", len(MAGIC))
    header = json.loads(raw[len(MAGIC) : header_end])
    header["metadata"]["libraries"][library] = "0.1.0"
    bad = tmp_path / "old.model"
    bad.write_bytes(MAGIC + json.dumps(header).encode() + raw[header_end:])
    with pytest.raises(ModelLoadError, match=f"written with {library} 0.1.0"):
        classifier.load(bad)


def test_older_format_is_refused_with_a_retrain_hint(saved, tmp_path):
    raw = saved.read_bytes()
    header_end = raw.index(b"\n", len(MAGIC))
    header = json.loads(raw[len(MAGIC) : header_end])
    header["format"] = 1
    old = tmp_path / "format1.model"
    old.write_bytes(MAGIC + json.dumps(header).encode() + raw[header_end:])
    with pytest.raises(ModelLoadError, match="format 1 is not supported.*retrain"):
        classifier.load(old)


def test_other_files_are_refused(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(ModelLoadError, match="not a comment-mod model"):
        classifier.load(other)
    with pytest.raises(ModelLoadError, match="cannot read"):
        classifier.load(tmp_path / "missing.model")


def test_save_leaves_no_temporary_file(corpus_model, tmp_path):
    corpus_model.save(tmp_path / "a.model")
    assert [p.name for p in tmp_path.iterdir()] == ["a.model"]
