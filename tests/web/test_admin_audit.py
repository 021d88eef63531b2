"""The audit log of admins' changes: settings, articles, accounts, API keys."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from web import admin_audit, api_keys
from web.db import db
from web.models import AdminEvent, Article

from .conftest import add_moderator
from .test_accounts import admin_client

SETTINGS = {
    "hold_threshold": "0.85",
    "review_threshold": "0.5",
    "hold_words": "",
    "allow_words": "",
}


def events(app):
    """Every event as (moderator name or None, action, target, before, after), oldest first."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AdminEvent)
            .options(sa.orm.selectinload(AdminEvent.moderator))
            .order_by(AdminEvent.id)
        )
        return [
            (e.moderator.name if e.moderator else None, e.action, e.target, e.before, e.after)
            for e in rows
        ]


def test_settings_changes_are_logged_with_old_and_new_values(app):
    client = admin_client(app)
    # The stored defaults come from the config: HOLD 1.0, REVIEW 1.0 in the tests.
    form = dict(SETTINGS, hold_threshold="0.9", hold_words="바보\n멍청이")
    assert client.post("/moderation/settings/", data=form).status_code == 303
    assert events(app) == [
        ("boss", "setting_changed", "hold_threshold", "1.0", "0.9"),
        ("boss", "setting_changed", "review_threshold", "1.0", "0.5"),
        ("boss", "setting_changed", "hold_words", "(없음)", "바보, 멍청이"),
    ]
    # Saving the same values again changes nothing and logs nothing.
    client.post("/moderation/settings/", data=form)
    assert len(events(app)) == 3
    # A refused form (review above hold) keeps neither the change nor an event.
    client.post("/moderation/settings/", data=dict(form, review_threshold="0.95"))
    assert len(events(app)) == 3
    client.post("/moderation/settings/", data=dict(form, premoderate_all="1"))
    assert events(app)[-1] == ("boss", "setting_changed", "premoderate_all", "꺼짐", "켜짐")


def test_article_close_reopen_and_premoderation_are_logged(app):
    client = admin_client(app)
    with app.app_context():
        article = Article(key="news-1", title="테스트 기사")
        db.session.add(article)
        db.session.commit()
        url = f"/moderation/settings/articles/{article.id}"
    client.post(url, data={"comments_open": "0"})
    client.post(url, data={"comments_open": "0"})  # already closed: nothing to log
    client.post(url, data={"comments_open": "1"})
    client.post(url, data={"premoderated": "1"})
    client.post(url, data={"premoderated": "0"})
    assert [(e[1], e[2], e[3], e[4]) for e in events(app)] == [
        ("article_closed", "테스트 기사", "켜짐", "꺼짐"),
        ("article_reopened", "테스트 기사", "꺼짐", "켜짐"),
        ("premoderation_on", "테스트 기사", "꺼짐", "켜짐"),
        ("premoderation_off", "테스트 기사", "켜짐", "꺼짐"),
    ]


def test_accounts_created_changed_and_disabled_are_logged(app):
    client = admin_client(app)
    client.post(
        "/moderation/moderators/",
        data={"name": "kim", "password": "long enough pw", "role": "moderator"},
    )
    client.post("/moderation/moderators/", data={"name": "x", "password": "short"})  # refused
    with app.app_context():
        kim = db.session.scalar(sa.text("SELECT id FROM moderators WHERE name = 'kim'"))
    client.post(f"/moderation/moderators/{kim}", data={"role": "admin", "active": "1"})
    client.post(f"/moderation/moderators/{kim}", data={"role": "admin", "active": "0"})
    client.post(f"/moderation/moderators/{kim}", data={"password": "another long one"})
    assert events(app) == [
        ("boss", "moderator_created", "kim", None, "moderator"),  # codes, in no language
        ("boss", "moderator_changed", "kim", "moderator", "admin"),
        ("boss", "moderator_disabled", "kim", "켜짐", "꺼짐"),
        ("boss", "password_reset", "kim", None, None),
    ]
    page = client.get("/moderation/audit/admin").text
    assert '<td class="mq-audit-body">모더레이터</td>' in page
    assert '<td class="mq-audit-body">관리자</td>' in page
    assert ">moderator<" not in page and ">admin<" not in page


def test_roles_of_older_rows_show_in_the_pages_language(app):
    """Rows from before roles were stored as codes hold a label, Korean or English."""
    client = admin_client(app)
    with app.app_context():
        admin_audit.record(None, "moderator_created", "kim", after="모더레이터")
        admin_audit.record(None, "moderator_changed", "kim", "Moderator", "Admin")
        admin_audit.record(None, "setting_changed", "hold_words", None, "Admin")  # not a role
        db.session.commit()
    cells = re.findall(
        r'<td class="mq-audit-body">([^<]*)</td>', client.get("/moderation/audit/admin").text
    )
    assert cells == ["", "Admin", "모더레이터", "관리자", "", "모더레이터"]


def test_api_keys_from_the_command_line_are_logged_without_a_moderator(app):
    with app.app_context():
        record, _ = api_keys.create_api_key("partner")
        assert api_keys.revoke_api_key(record)
        assert not api_keys.revoke_api_key(record)  # a second revoke is no event
    assert events(app) == [
        (None, "api_key_created", "partner", None, None),
        (None, "api_key_revoked", "partner", None, None),
    ]


def test_audit_page_shows_filters_and_escapes_events(app):
    client = admin_client(app)
    add_moderator(app, name="lee", role="admin")
    hostile = "<script>alert(1)</script>"
    client.post("/moderation/settings/", data=dict(SETTINGS, hold_words=hostile))
    with app.app_context():
        api_keys.create_api_key("<b>partner</b>")
    page = client.get("/moderation/audit/admin").text
    assert "<script>alert(1)" not in page and "<b>partner" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;partner&lt;/b&gt;" in page and "명령줄(CLI)" in page
    assert "항상 보류할 단어" in page and "보류 기준" in page
    assert page.count('class="mq-admin-event"') == 4
    only_keys = client.get("/moderation/audit/admin?action=api_key_created").text
    assert only_keys.count('class="mq-admin-event"') == 1
    by_boss = client.get("/moderation/audit/admin?moderator=boss").text
    assert by_boss.count('class="mq-admin-event"') == 3
    assert client.get("/moderation/audit/admin?moderator=lee").text.count("mq-admin-event") == 0
    dated = client.get("/moderation/audit/admin?date_from=2000-01-01&date_to=2000-01-02").text
    assert "mq-admin-event" not in dated
    nonsense = client.get("/moderation/audit/admin?date_from=x&action=zzz&page=q")
    assert nonsense.status_code == 200 and nonsense.text.count("mq-admin-event") == 4
    # The decisions page links to this one.
    assert 'href="/moderation/audit/admin"' in client.get("/moderation/audit").text


def test_times_and_date_filters_follow_the_display_zone(app):
    client = admin_client(app)
    with app.app_context():
        api_keys.create_api_key("partner")
        # 16:30 UTC on 20 November is 01:30 on the 21st in Seoul.
        event = db.session.scalar(sa.select(AdminEvent))
        event.created_at = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
        db.session.commit()
    page = client.get("/moderation/audit/admin").text
    assert '<time datetime="2026-11-20T16:30:00+00:00">2026.11.21. 오전 1:30</time>' in page
    for days, shown in (("date_from=2026-11-21&date_to=2026-11-21", 1), ("date_to=2026-11-20", 0)):
        listed = client.get(f"/moderation/audit/admin?{days}").text
        assert listed.count('class="mq-admin-event"') == shown


def test_audit_page_needs_login(client):
    assert client.get("/moderation/audit/admin").status_code == 302
