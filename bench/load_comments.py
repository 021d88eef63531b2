"""Comments for the load test: clean and abusive ones built from fragments, each with a marker.

The fragments are written for this benchmark. Every body ends with a marker such as
``#a3f1r07c012`` (run, reader, comment number) so that the checks can find each
comment in the database and tell who posted it.
"""

from __future__ import annotations

import random
import re

MAX_BODY = 150

OPENINGS = [
    "기사 잘 읽었습니다.",
    "출근길에 읽었는데",
    "오늘 뉴스 중에 제일 눈에 띄네요.",
    "솔직히 말하면",
    "우리 동네 얘기라 반갑네요.",
    "처음 알게 된 내용이네요.",
    "댓글 보다가 한마디 남깁니다.",
]
CLEAN = [
    "예산이 어디에 쓰이는지도 같이 알려 주면 좋겠어요",
    "현장 취재하느라 고생 많으셨습니다",
    "주민 의견을 더 들어 보고 결정했으면 합니다",
    "통계 출처가 궁금한데 링크 부탁드려요",
    "이 정도면 괜찮은 방향이라고 봅니다",
    "반대 측 입장도 다음 기사에서 다뤄 주세요",
    "아이 키우는 입장에서 반가운 소식입니다",
    "시행 시기가 너무 늦은 것 같아 아쉽네요",
    "정리가 깔끔해서 이해가 잘 됩니다",
    "후속 보도 기다리겠습니다",
]
ABUSIVE = [
    "이걸 기사라고 쓴 기자 수준 진짜 한심하다",
    "댓글 단 놈들 다 꺼져라 멍청이들아",
    "ㅅㅂ 이게 말이 되냐 미친 거 아님",
    "정치인 놈들 싹 다 쓰레기 같은 새끼들",
    "닥치고 있어라 병신 같은 소리 하지 말고",
    "이런 기레기는 당장 잘라야 한다",
    "머리가 있으면 생각 좀 해라 바보야",
    "개같은 정책 만든 놈들 죽여버리고 싶다",
]
CLOSINGS = ["", "ㅋㅋ", "ㅠㅠ", "진짜로.", "다들 어떻게 생각하세요?", "좋아요."]

MARKER = re.compile(r"#([0-9a-f]{4})r(\d{2,})c(\d{3,})")


def marker(run: str, reader: int, number: int) -> str:
    """The tag that makes one comment findable: run, reader index, comment number."""
    return f"#{run}r{reader:02d}c{number:03d}"


def comment_body(rng: random.Random, tag: str, abusive: bool) -> str:
    """A comment of a few fragments ending with the tag, never longer than 150 characters."""
    middle = rng.choice(ABUSIVE if abusive else CLEAN)
    parts = [rng.choice(OPENINGS), middle, rng.choice(CLOSINGS)]
    if rng.random() < 0.3:
        parts.insert(2, rng.choice(CLEAN))
    body = " ".join(p for p in parts if p)
    room = MAX_BODY - len(tag) - 1
    return f"{body[:room].rstrip()} {tag}"


def find_marker(body: str) -> str | None:
    """The tag in a stored body, or None."""
    match = MARKER.search(body)
    return match.group(0) if match else None
