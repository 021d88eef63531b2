import json

import pytest

from classifier.readers import DataFormatError, read_examples


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_native_rows_become_examples_with_known_categories(tmp_path):
    rows = [
        {"text": "오늘 경기 최고였다", "labels": []},
        {"text": "ㅅㅂ 이게 뭐냐", "labels": ["profanity"]},
        {"text": "OO들은 다 나가라", "labels": ["hate"], "targets": ["race"]},
    ]
    f = write(tmp_path / "a.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    clean, swear, hate = read_examples(f)
    assert not clean.toxic and not any(clean.categories.values())
    assert swear.toxic and swear.categories["profanity"] and not swear.categories["insult"]
    assert hate.targets == frozenset({"race"}) and hate.categories["hate"]


def test_a_folder_is_read_recursively(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "a.jsonl", '{"text": "하나", "labels": []}\n')
    write(tmp_path / "sub" / "b.jsonl", '{"text": "둘", "labels": ["spam"]}\n')
    assert [e.text for e in read_examples(tmp_path)] == ["하나", "둘"]


def test_malformed_native_rows_are_reported_with_file_and_line(tmp_path):
    f = write(
        tmp_path / "bad.jsonl",
        '{"text": "좋네요", "labels": []}\n'
        "{not json\n"
        '{"text": "", "labels": []}\n'
        '{"text": "욕", "labels": ["rude"]}\n'
        '{"text": "대상", "labels": ["insult"], "targets": ["race"]}\n',
    )
    problems = []
    examples = read_examples(f, on_problem=problems.append)
    assert len(examples) == 1
    assert [p.split(": ")[0] for p in problems] == [f"{f}:{n}" for n in (2, 3, 4, 5)]
    assert "not valid JSON" in problems[0]
    assert "rude" not in problems[2] and "labels" in problems[2]
    with pytest.raises(DataFormatError, match=r"bad.jsonl:2"):
        read_examples(f, strict=True)


def test_beep_mapping(tmp_path):
    f = write(
        tmp_path / "beep.tsv",
        "comments\tcontain_gender_bias\tbias\thate\n"
        "재밌게 봤어요\tFalse\tnone\tnone\n"
        "연기 진짜 못하네\tFalse\tnone\toffensive\n"
        "여자는 집에나 있어라\tTrue\tgender\thate\n"
        "필드가 모자람\n",
    )
    problems = []
    clean, rude, sexist = read_examples(f, "beep", on_problem=problems.append)
    assert (clean.toxic, rude.toxic, sexist.toxic) == (False, True, True)
    assert rude.categories == {}  # BEEP does not say which kind of abuse
    assert sexist.categories == {"hate": True} and sexist.targets == {"gender"}
    assert problems and ":5:" in problems[0]


def test_unsmile_mapping(tmp_path):
    from classifier.readers import UNSMILE_HEADER

    header = "\t".join(UNSMILE_HEADER) + "\n"
    f = write(
        tmp_path / "u.tsv",
        header + "좋은 기사네요\t0\t0\t0\t0\t0\t0\t0\t0\t0\t1\t0\n"
        "틀딱들 투표 못하게 해라\t0\t0\t0\t0\t1\t0\t0\t0\t0\t0\t0\n"
        "너 진짜 멍청하다\t0\t0\t0\t0\t0\t0\t0\t0\t1\t0\t1\n",
    )
    clean, ageist, rude = read_examples(f, "unsmile")
    assert not clean.toxic and ageist.toxic and rude.toxic
    assert ageist.targets == {"age"} and ageist.categories["hate"]
    assert rude.categories == {"hate": False}


def test_wrong_header_is_refused(tmp_path):
    f = write(tmp_path / "x.tsv", "text\tlabel\n안녕\t0\n")
    with pytest.raises(DataFormatError, match="expected the header"):
        read_examples(f, "unsmile")


def test_kmhas_fixture(fixtures_dir):
    problems = []
    examples = read_examples(fixtures_dir / "kmhas_sample.tsv", "kmhas", on_problem=problems.append)
    assert len(examples) == 10 and len(problems) == 4
    by_text = {e.text: e for e in examples}
    quoted = by_text['"민주주의" 좋아하시네 저 당 지지자들은 다 머리가 비었음']
    assert quoted.targets == {"politics"} and quoted.categories["profanity"]
    assert not by_text["오늘 날씨 좋네요 산책 가야지"].toxic
    swear = by_text["시발 이게 나라냐"]
    assert swear.toxic and swear.categories == {"hate": False, "profanity": True}


def test_unknown_format_and_missing_path(tmp_path):
    with pytest.raises(DataFormatError, match="unknown format"):
        read_examples(tmp_path, "csv")
    with pytest.raises(DataFormatError, match="no such file"):
        read_examples(tmp_path / "nope.jsonl")


def test_our_corpus_reads_cleanly(corpus, heldout):
    problems = []
    from classifier import DEFAULT_TRAINING_DATA

    read_examples(DEFAULT_TRAINING_DATA.parent, on_problem=problems.append)
    assert problems == []
    assert len(corpus) + len(heldout) >= 2000
    texts = [e.text for e in corpus]
    assert not set(texts) & {e.text for e in heldout}


def test_our_written_corpus_is_told_from_other_native_files(corpus, tmp_path):
    assert {e.source.split(":")[0] for e in corpus} == {"corpus"}
    f = write(tmp_path / "site.jsonl", '{"text": "좋은 기사네요", "labels": []}\n')
    assert [e.source for e in read_examples(f)] == ["native:site"]
