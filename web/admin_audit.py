"""The audit log of admins' changes: settings, articles, accounts and API keys.

Each change is recorded in the same transaction as the change itself, so the log
never claims a change that was rolled back nor misses one that was kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from .db import db, utcnow
from .models import AdminEvent, Moderator

ACTION_LABELS = {
    "setting_changed": "설정 변경",
    "article_closed": "기사 댓글 닫기",
    "article_reopened": "기사 댓글 다시 열기",
    "premoderation_on": "기사 사전 검토 켜기",
    "premoderation_off": "기사 사전 검토 끄기",
    "moderator_created": "계정 추가",
    "moderator_changed": "계정 변경",
    "moderator_disabled": "계정 정지",
    "moderator_enabled": "계정 다시 사용",
    "password_reset": "비밀번호 변경",
    "api_key_created": "API 키 발급",
    "api_key_revoked": "API 키 폐기",
}
SETTING_LABELS = {
    "hold_threshold": "보류 기준",
    "review_threshold": "검토 기준",
    "premoderate_all": "사이트 전체 사전 검토",
    "hold_words": "항상 보류할 단어",
    "allow_words": "유해도에 반영하지 않을 단어",
}
PER_PAGE = 50


def shown(value) -> str | None:
    """A value as the audit page shows it: yes/no in Korean, lists joined, None kept."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "켜짐" if value else "꺼짐"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "(없음)"
    return str(value)


def record(moderator_id: int | None, action: str, target: str, before=None, after=None) -> None:
    """Add an event to the session; the caller's commit stores it with the change."""
    db.session.add(
        AdminEvent(
            moderator_id=moderator_id,
            created_at=utcnow(),
            action=action,
            target=target[:300],
            before=shown(before),
            after=shown(after),
        )
    )


@dataclass
class EventFilters:
    """The admin log's filters; blank means any."""

    moderator: str = ""
    action: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None


def list_events(filters: EventFilters, page: int) -> tuple[list[AdminEvent], bool]:
    """A page of events, newest first, and whether there is a next page."""
    query = sa.select(AdminEvent).options(sa.orm.selectinload(AdminEvent.moderator))
    if filters.moderator:
        query = query.join(Moderator).where(Moderator.name == filters.moderator)
    if filters.action in ACTION_LABELS:
        query = query.where(AdminEvent.action == filters.action)
    if filters.date_from:
        query = query.where(AdminEvent.created_at >= filters.date_from)
    if filters.date_to:
        query = query.where(AdminEvent.created_at < filters.date_to + timedelta(days=1))
    rows = list(
        db.session.scalars(
            query.order_by(AdminEvent.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
        )
    )
    return rows[:PER_PAGE], len(rows) > PER_PAGE
