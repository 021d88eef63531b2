import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifier.normalize import normalize, normalize_in_steps


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("씨@발", "씨발"),
        ("시^^발", "시발"),
        ("개.새.끼", "개새끼"),
        ("시1발 뭐냐", "시발 뭐냐"),
        ("병1신", "병신"),
        ("시 발", "시발"),
        ("병 신 같 은 놈", "병신같은놈"),
        ("병 신 같은 놈", "병신 같은 놈"),
        ("tlqkf", "시발"),
        ("qudtls", "병신"),
        ("ㅅㅂ", "시발"),
        ("ㅄ", "병신"),
        ("ㅈㄴ 웃기네", "존나 웃기네"),
        ("ㄱㅅㄲ", "개새끼"),
        ("씨이이이발", "씨발"),
        ("주우우욱어라", "죽어라"),
        ("아18 진짜", "아시발 진짜"),
        ("18 놈아 꺼져", "시발 놈아 꺼져"),
        ("아 18 진짜 짜증나", "아 시발 진짜 짜증나"),
        ("ㅋㅋㅋㅋㅋㅋㅋ", "ㅋㅋ"),
        ("대박!!!!!!", "대박!!"),
        ("시\u200b발", "시발"),
        ("ＡＢＣ　ｄｅｆ", "abc def"),
        ("\u1109\u1175\u1107\u1161\u11af", "시발"),
        ("  여러   줄\n\n댓글  ", "여러 줄 댓글"),
    ],
)
def test_evasions_are_undone(raw, expected):
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "18세 이상 관람가",
        "3월 18일 개막",
        "18번 홀 버디",
        "제 아이는 18 개월이에요",
        "버스 18 번 타고 가요",
        "점수가 18 대 3 이었어요",
        "테스트 댓글 번호 18 입니다",
        "등번호 18 달고 뛴다",
        "연봉 18,500달러",
        "3:18 남기고 역전",
        "18-3 대승",
        "제1회 대회 3월1일",
        "hello world good news BTS iPhone",
        "정치 얘기는 그만",
        "오늘 날씨 좋네요",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert normalize(text).text == text.lower()


def test_offsets_point_into_the_original():
    raw = "아 ㅅㅂ 진짜 씨@발"
    norm = normalize(raw)
    k = norm.text.index("시발")
    assert raw[slice(*norm.original_range(k, k + 2))] == "ㅅㅂ"
    k = norm.text.index("씨발")
    assert raw[slice(*norm.original_range(k, k + 2))] == "씨@발"


def test_non_string_is_a_type_error():
    with pytest.raises(TypeError, match="must be a str"):
        normalize(b"bytes")


@given(st.text(max_size=300))
def test_any_text_normalizes_with_valid_offsets(raw):
    norm = normalize(raw)
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    for start, end in zip(norm.starts, norm.ends, strict=True):
        assert 0 <= start < end <= len(raw)
    assert list(norm.starts) == sorted(norm.starts)
    assert not norm.text.startswith(" ") and not norm.text.endswith(" ")
    assert normalize(norm.text).text == normalize(norm.text).text


@given(st.text(alphabet="가나다시발병신씨이ㅅㅂㅋㅠ ab18@.!\n", max_size=40))
def test_the_quick_path_agrees_with_every_step(raw):
    assert normalize(raw) == normalize_in_steps(raw)
