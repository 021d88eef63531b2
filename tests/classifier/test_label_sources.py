"""Merging datasets with moderators' labels: overrides, duplicates, and no leakage."""

import numpy as np

import classifier
from classifier.label_sources import combine, without_texts_of
from classifier.normalize import normalize
from classifier.types import Example


def ex(text, toxic, source, **categories):
    return Example(text, toxic, categories, source=source)


def test_a_moderator_label_overrides_a_dataset_label_for_the_same_normalized_text():
    dataset = [ex("이 기사 좋네요", False, "beep"), ex("정말  감사합니다", False, "beep")]
    moderators = [ex("이 기사   좋네요", True, "moderator", insult=True)]
    examples, counts = combine([dataset], moderators)
    assert len(examples) == 2
    [kept] = [e for e in examples if "기사" in e.text]
    assert kept.toxic and kept.source == "moderator" and kept.categories == {"insult": True}
    assert counts["overridden"] == 1 and counts["duplicates"] == 0
    assert counts["kept"] == {"beep": 1, "moderator": 1}
    assert counts["read"] == {"beep": 2, "moderator": 1}


def test_later_overrides_beat_earlier_ones():
    moderators = [ex("완전 쓰레기 글", True, "moderator"), ex("완전 쓰레기 글", False, "feedback")]
    examples, counts = combine([[ex("완전 쓰레기 글", True, "unsmile")]], moderators)
    assert [(e.toxic, e.source) for e in examples] == [(False, "feedback")]
    assert counts["duplicates"] == 1  # the moderator agreed with the dataset
    assert counts["relabelled"] == 1  # the feedback then changed the moderator's label
    assert counts["overridden"] == 0


def test_duplicates_across_datasets_count_once():
    a = [ex("ㅋㅋㅋㅋㅋ 웃기네", False, "native:x"), ex("그만 좀 해라", False, "native:y")]
    b = [ex("ㅋㅋ  웃기네", False, "unsmile"), ex("  ", False, "unsmile")]
    examples, counts = combine([a, b], [])
    assert [e.text for e in examples] == ["그만 좀 해라", "ㅋㅋ  웃기네"]
    assert counts["duplicates"] == 1 and counts["empty"] == 1 and counts["examples"] == 2
    assert counts["kept"] == {"native": 1, "unsmile": 1}


def test_a_dataset_that_changes_another_datasets_label_is_relabelled_not_overridden():
    examples, counts = combine(
        [[ex("너 진짜 바보냐", True, "beep")], [ex("너 진짜 바보냐", False, "unsmile")]]
    )
    assert counts["relabelled"] == 1 and counts["overridden"] == 0
    assert examples[0].source == "unsmile"


def test_evaluation_texts_are_dropped_from_training():
    training = [
        ex("오늘 경기 최고", False, "a"),
        ex("오늘  경기 최고", False, "b"),
        ex("꺼져", True, "a"),
    ]
    kept, removed = without_texts_of(training, [ex("오늘 경기  최고", False, "eval")])
    assert removed == 2 and [e.text for e in kept] == ["꺼져"]


def test_combine_leaves_out_the_evaluation_texts():
    dataset = [ex("오늘 경기 최고", False, "a"), ex("꺼져", True, "a"), ex("", False, "a")]
    moderators = [ex("오늘  경기 최고", True, "moderator")]
    examples, counts = combine([dataset], moderators, exclude=[ex("오늘 경기  최고", False, "e")])
    assert [e.text for e in examples] == ["꺼져"]
    assert counts["excluded"] == 2 and counts["empty"] == 1 and counts["overridden"] == 0


def test_training_on_combined_examples_reuses_their_normalized_texts(corpus):
    examples, _ = combine([corpus[::10]])
    assert examples.normalized == [normalize(e.text) for e in examples]
    reused, again = classifier.train(examples), classifier.train(list(examples))
    assert np.array_equal(reused.weights, again.weights)
    assert reused.thresholds == again.thresholds
