from classifier.hangul import compose, decompose, is_hangul, keys_to_syllables


def test_compose_and_decompose_are_inverse():
    for ch in ("가", "힣", "씨", "발", "닭", "ㅎ"[:0] + "괜"):
        assert compose(*decompose(ch)) == ch


def test_keys_type_whole_syllables_with_their_key_ranges():
    assert keys_to_syllables("tlqkf") == [("시", 0, 2), ("발", 2, 5)]
    assert [s for s, _, _ in keys_to_syllables("dkssud")] == ["안", "녕"]
    assert [s for s, _, _ in keys_to_syllables("rotorRl")] == ["개", "색", "끼"]


def test_keys_that_do_not_make_syllables_are_refused():
    assert keys_to_syllables("good") is None
    assert keys_to_syllables("news") is None
    assert keys_to_syllables("abc1") is None


def test_is_hangul_covers_syllables_and_jamo_only():
    assert is_hangul("가") and is_hangul("ㅅ")
    assert not is_hangul("a") and not is_hangul("1") and not is_hangul("漢")
