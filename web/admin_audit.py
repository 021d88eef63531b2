"""The audit log of admins' changes: settings, articles, accounts and API keys.

Each change is recorded in the same transaction as the change itself, so the log
never claims a change that was rolled back nor misses one that was kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from .date_filters import DateRange
from .db import db, utcnow
from .models import ADMIN, MODERATOR, ROLE_LABELS, AdminEvent, Moderator

ACTION_LABELS = {
    "setting_changed": _l("설정 변경"),
    "article_closed": _l("기사 댓글 닫기"),
    "article_reopened": _l("기사 댓글 다시 열기"),
    "premoderation_on": _l("기사 사전 검토 켜기"),
    "premoderation_off": _l("기사 사전 검토 끄기"),
    "moderator_created": _l("계정 추가"),
    "moderator_changed": _l("계정 변경"),
    "moderator_disabled": _l("계정 정지"),
    "moderator_enabled": _l("계정 다시 사용"),
    "password_reset": _l("비밀번호 변경"),
    "api_key_created": _l("API 키 발급"),
    "api_key_revoked": _l("API 키 폐기"),
}
SETTING_LABELS = {
    "hold_threshold": _l("보류 기준"),
    "review_threshold": _l("검토 기준"),
    "premoderate_all": _l("사이트 전체 사전 검토"),
    "hold_words": _l("항상 보류할 단어"),
    "allow_words": _l("유해도에 반영하지 않을 단어"),
}
PER_PAGE = 50
# Words stored in Korean (the source language) in an event's before/after; the page
# shows them in the reader's language.
ON, OFF, NOTHING = "켜짐", "꺼짐", "(없음)"
STORED_WORDS = {ON: _l("켜짐"), OFF: _l("꺼짐"), NOTHING: _l("(없음)")}
# An account's role is stored as its code; older rows hold its label, in the language of
# the page the admin used then.
ROLE_ACTIONS = {"moderator_created", "moderator_changed"}
OLD_ROLE_LABELS = {"모더레이터": MODERATOR, "관리자": ADMIN, "Moderator": MODERATOR, "Admin": ADMIN}


def shown(value) -> str | None:
    """A value as the audit log stores it: yes/no in Korean, lists joined, None kept."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ON if value else OFF
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or NOTHING
    return str(value)


def shown_value(event: AdminEvent, value: str | None) -> str:
    """A stored before or after value in the page's language; one it does not know, as is."""
    if value is None:
        return ""
    if event.action in ROLE_ACTIONS:
        role = OLD_ROLE_LABELS.get(value, value)
        if role in ROLE_LABELS:
            return str(ROLE_LABELS[role])
    return str(STORED_WORDS.get(value, value))


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
    dates: DateRange = DateRange()


def list_events(filters: EventFilters, page: int) -> tuple[list[AdminEvent], bool]:
    """A page of events, newest first, and whether there is a next page."""
    query = sa.select(AdminEvent).options(sa.orm.selectinload(AdminEvent.moderator))
    if filters.moderator:
        query = query.join(Moderator).where(Moderator.name == filters.moderator)
    if filters.action in ACTION_LABELS:
        query = query.where(AdminEvent.action == filters.action)
    if filters.dates.start:
        query = query.where(AdminEvent.created_at >= filters.dates.start)
    if filters.dates.end:
        query = query.where(AdminEvent.created_at < filters.dates.end)
    rows = list(
        db.session.scalars(
            query.order_by(AdminEvent.id.desc()).offset((page - 1) * PER_PAGE).limit(PER_PAGE + 1)
        )
    )
    return rows[:PER_PAGE], len(rows) > PER_PAGE
