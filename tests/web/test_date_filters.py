"""The date filters of the 전체 queue and both audit logs: days out of range are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from web import api_keys, comment_store
from web.date_filters import day_bounds
from web.db import db
from web.models import Article, Reader

from .conftest import add_moderator, add_reader, log_in

REFUSED = "올바르지 않은 날짜는 빼고 보여 드립니다"
# Each page, and what marks one row of its list.
PAGES = {
    "/moderation/queue/all": 'class="mq-card mq-status',
    "/moderation/audit": 'class="mq-decision',
    "/moderation/audit/admin": 'class="mq-admin-event"',
}
# The ends of the calendar: the day after the last one, or the first one's midnight in
# Seoul taken to UTC, is not a date Python can hold.
OUT_OF_RANGE = ["9999-12-31", "0001-01-01", "1999-12-31", "0999-06-15"]


@pytest.fixture
def client(app):
    """A moderator's client, with one comment, one decision and one admin event to list."""
    with app.app_context():
        article = Article(key="news-1", title="테스트 기사")
        db.session.add(article)
        db.session.commit()
        reader = db.session.get(Reader, add_reader(app))
        comment_store.post_comment(article, reader, "좋은 기사 감사합니다")
        api_keys.create_api_key("partner")
    add_moderator(app)
    client = app.test_client()
    log_in(client)
    client.post("/moderation/decide", data={"comment_id": "1", "action": "approve"})
    return client


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("day", OUT_OF_RANGE)
def test_a_day_out_of_range_is_dropped_with_a_notice(client, path, field, day):
    response = client.get(f"{path}?{field}={day}")
    assert response.status_code == 200
    page = response.text
    assert REFUSED in page and "2000-01-01~9998-12-31" in page
    assert page.count(PAGES[path]) == 1  # listed as if no date had been given
    assert f'value="{day}"' not in page
    assert client.get(path).text.count(REFUSED) == 0  # said once


@pytest.mark.parametrize("path", PAGES)
def test_the_first_and_last_days_are_taken(client, path):
    page = client.get(f"{path}?date_from=2000-01-01&date_to=9998-12-31").text
    assert REFUSED not in page and page.count(PAGES[path]) == 1
    assert 'value="2000-01-01"' in page and 'value="9998-12-31"' in page
    assert 'min="2000-01-01" max="9998-12-31"' in page
    # A valid day beside a refused one still filters.
    page = client.get(f"{path}?date_from=0001-01-01&date_to=2000-01-01").text
    assert REFUSED in page and page.count(PAGES[path]) == 0


def test_day_bounds_are_the_display_zones_midnights(app):
    with app.app_context():
        start, end = day_bounds("2026-11-21")
        assert start.astimezone(UTC) == datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
        assert (end - start).days == 1
        for text in ["", "yesterday", "2026-02-30", *OUT_OF_RANGE]:
            assert day_bounds(text) is None
