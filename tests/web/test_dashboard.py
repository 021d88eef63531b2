"""The dashboard: figures and the SVG charts."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from web import comment_store, i18n, site_settings
from web import dashboard as dash
from web import moderation_service as service
from web.db import db, utcnow
from web.models import Article, Comment, Moderator, Reader, SiteSetting

from .conftest import add_moderator, add_reader, log_in


@pytest.fixture
def busy(app_factory):
    """Two held comments (one approved, one rejected) and one published; a moderator."""
    app = app_factory(HOLD_THRESHOLD=0.5, REVIEW_THRESHOLD=0.3)
    add_moderator(app)
    with app.app_context():
        article = Article(key="news-1", title="기사")
        db.session.add(article)
        db.session.commit()
        ids = []
        for body in ("꺼져 병신아", "미친놈 아니야 이거", "좋은 기사 감사합니다"):
            reader = db.session.get(Reader, add_reader(app))
            ids.append(comment_store.post_comment(article, reader, body).id)
        moderator = db.session.scalar(db.select(Moderator))
        service.approve(moderator, [ids[0]])
        service.reject(moderator, [ids[1]], "insult")
    return app


def test_figures(busy):
    with busy.app_context():
        assert dash.status_shares() == {"published": 2, "rejected": 1}
        assert dash.rejections_per_category() == {"insult": 1}
        assert dash.hold_outcomes() == {"approve": 1, "reject": 1}
        assert sum(dash.score_histogram()) == 3
        daily = dash.comments_per_day()
        assert len(daily) == dash.DAYS and daily[-1][1] == 3


def test_only_the_models_holds_count_as_its_judgement(busy):
    """Approving a clean pre-moderated comment does not say the model was wrong, nor does
    rejecting one held for a hold word or as a repeat say it was right."""
    with busy.app_context():
        db.session.add(SiteSetting(key="hold_words", value=["금지어"]))
        article = Article(key="premod", title="사전 검토 기사", premoderated=True)
        db.session.add(article)
        db.session.commit()
        site_settings.settings_cache().forget(site_settings.CACHED)
        held = {}
        for name, body in (("premoderated", "좋은 기사 감사합니다"), ("worded", "금지어 든 글")):
            reader = db.session.get(Reader, add_reader(busy))
            held[name] = comment_store.post_comment(article, reader, body)
        repeater = db.session.get(Reader, add_reader(busy))
        for _ in range(busy.config["SPAM_REPEAT_LIMIT"] + 1):
            held["repeat"] = comment_store.post_comment(article, repeater, "같은 말 또 합니다")
        reasons = {name: (c.status, c.hold_reason) for name, c in held.items()}
        assert reasons == {
            "premoderated": ("pending", "premoderation"),
            "worded": ("pending", "word_list"),
            "repeat": ("pending", "spam"),
        }
        moderator = db.session.scalar(db.select(Moderator))
        service.approve(moderator, [held["premoderated"].id])
        service.reject(moderator, [held["worded"].id, held["repeat"].id], "spam")
        assert dash.hold_outcomes() == {"approve": 1, "reject": 1}


def test_days_are_those_of_the_display_zone(busy):
    with busy.app_context():
        today = i18n.local_time(utcnow()).date()
        midnight = datetime.combine(today, time(), ZoneInfo("Asia/Seoul"))
        comment = db.session.scalar(sa.select(Comment).order_by(Comment.id))
        comment.created_at = midnight + timedelta(minutes=30)  # yesterday in UTC
        db.session.commit()
        daily = dash.comments_per_day()
    assert daily[-1] == (today.isoformat(), 3)
    assert sum(n for _, n in daily) == 3


@pytest.mark.parametrize("name", ["daily", "status", "categories", "agreement", "scores"])
def test_charts_are_svg_images(busy, name):
    client = busy.test_client()
    log_in(client)
    response = client.get(f"/moderation/dashboard/{name}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.text.lstrip().startswith("<?xml") and "<svg" in response.text
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_count_ticks_are_whole_numbers_up_to_the_largest_count():
    assert dash.count_ticks([]) == dash.count_ticks([0]) == [0, 1]
    assert dash.count_ticks([2, 1]) == [0, 1, 2]
    assert dash.count_ticks([11]) == [0, 2, 4, 6, 8, 10, 12]
    assert dash.count_ticks([0, 230]) == [0, 50, 100, 150, 200, 250]


@pytest.mark.parametrize(("name", "axis"), [("daily", "y"), ("categories", "x"), ("scores", "y")])
def test_count_charts_have_whole_number_ticks(busy, name, axis):
    client = busy.test_client()
    log_in(client)
    svg = client.get(f"/moderation/dashboard/{name}.svg").text
    counts_axis = re.split(r'<g class="(?:axis|series)', svg.split(f'<g class="axis {axis}')[1])[0]
    ticks = re.findall(r">([^<]*)</text>", counts_axis)
    assert ticks[0] == "0" and len(ticks) > 1
    assert all(t.isdigit() for t in ticks), ticks


def test_page_needs_login_and_shows_the_charts(busy):
    client = busy.test_client()
    assert client.get("/moderation/dashboard/").status_code == 302
    assert client.get("/moderation/dashboard/daily.svg").status_code == 302
    log_in(client)
    page = client.get("/moderation/dashboard/").text
    assert page.count('class="mq-chart"') == 5
    assert "모델이 보류한 댓글 중 관리자가 거절한 비율 50% (2건)" in page
    assert client.get("/moderation/dashboard/nope.svg").status_code == 404


def test_the_moderation_pages_answer_with_or_without_the_slash(busy):
    add_moderator(busy, name="boss", role="admin")
    client = busy.test_client()
    log_in(client, "boss")
    page = client.get("/moderation/dashboard")
    assert page.status_code == 200 and page.text.count('class="mq-chart"') == 5
    # Neither what a moderator types nor a link the pages print answers "Redirecting...".
    nav = re.search(r'<nav class="mq-nav">(.*?)</nav>', page.text, re.S).group(1)
    links = re.findall(r'href="([^"]+)"', nav)
    assert len(links) == 7
    for link in links:
        assert client.get(link).status_code == 200, link
        assert client.get(link.rstrip("/")).status_code == 200, link
    assert client.get("/moderation").status_code == 302  # to the held queue, as /moderation/
