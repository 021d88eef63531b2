"""Admins list, create and revoke the scoring API's keys in the page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from web.db import db
from web.models import AdminEvent, ApiKey, Moderator

from .conftest import HUGE_IDS, MODERATOR_PASSWORD, add_moderator
from .test_accounts import admin_client


def key_named(app, name):
    """The stored key with this name, or None."""
    with app.app_context():
        return db.session.scalar(sa.select(ApiKey).where(ApiKey.name == name))


def test_only_admins(app, mod_client, client):
    assert mod_client.get("/moderation/api-keys/").status_code == 403
    assert mod_client.post("/moderation/api-keys/", data={"name": "x"}).status_code == 403
    assert (
        mod_client.post("/moderation/api-keys/1/revoke", data={"confirm": "1"}).status_code == 403
    )
    assert key_named(app, "x") is None
    assert client.get("/moderation/api-keys/").status_code == 302
    assert "API 키" not in mod_client.get("/moderation/audit").text  # no nav link either


def test_create_shows_the_key_once_and_it_works(app):
    client = admin_client(app)
    page = client.post("/moderation/api-keys/", data={"name": "뉴스사 <A>"})
    assert page.status_code == 200
    key = re.search(r'class="mq-key-value" value="(cm_[^"]+)"', page.text).group(1)
    assert "뉴스사 &lt;A&gt;" in page.text and "<A>" not in page.text
    assert "한 번만 보입니다" in page.text
    # The key is not kept in clear anywhere the page can show again.
    assert key not in client.get("/moderation/api-keys/").text
    record = key_named(app, "뉴스사 <A>")
    assert record.key_hash != key and not record.revoked
    answer = app.test_client().post(
        "/api/v1/score", json={"text": "좋은 기사"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200
    with app.app_context():
        event = db.session.scalar(sa.select(AdminEvent))
        boss = db.session.scalar(sa.select(Moderator.id).where(Moderator.name == "boss"))
        assert (event.action, event.target, event.moderator_id) == (
            "api_key_created",
            "뉴스사 <A>",
            boss,
        )


def test_bad_names_are_refused_with_a_message(app):
    client = admin_client(app)
    client.post("/moderation/api-keys/", data={"name": "partner"})
    again = client.post("/moderation/api-keys/", data={"name": " partner "}, follow_redirects=True)
    assert "이미 있는 키 이름입니다." in again.text
    blank = client.post("/moderation/api-keys/", data={"name": "  "}, follow_redirects=True)
    assert "1자에서 100자까지" in blank.text
    too_long = client.post("/moderation/api-keys/", data={"name": "k" * 101}, follow_redirects=True)
    assert "1자에서 100자까지" in too_long.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 1


def test_revoke_needs_confirmation_and_stops_the_key(app):
    client = admin_client(app)
    key = re.search(
        r'value="(cm_[^"]+)"', client.post("/moderation/api-keys/", data={"name": "p"}).text
    ).group(1)
    record_id = key_named(app, "p").id
    refused = client.post(f"/moderation/api-keys/{record_id}/revoke", follow_redirects=True)
    assert "확인란을 선택해 주세요" in refused.text and not key_named(app, "p").revoked
    done = client.post(
        f"/moderation/api-keys/{record_id}/revoke", data={"confirm": "1"}, follow_redirects=True
    )
    assert "p 키를 폐기했습니다." in done.text and "폐기됨" in done.text
    assert key_named(app, "p").revoked
    answer = app.test_client().post(
        "/api/v1/score", json={"text": "좋은 기사"}, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 403
    twice = client.post(
        f"/moderation/api-keys/{record_id}/revoke", data={"confirm": "1"}, follow_redirects=True
    )
    assert "이미 폐기되었습니다" in twice.text
    missing = client.post("/moderation/api-keys/999/revoke", data={"confirm": "1"})
    assert missing.status_code == 303
    log = client.get("/moderation/audit/admin?action=api_key_revoked").text
    assert log.count('class="mq-admin-event"') == 1 and "boss" in log


def test_a_key_named_by_a_number_beyond_the_id_column(app):
    client = admin_client(app)
    for name in map(str, HUGE_IDS):
        page = client.post("/moderation/api-keys/", data={"name": name})
        assert page.status_code == 200 and "한 번만 보입니다" in page.text
        assert key_named(app, name) is not None


def test_a_name_that_is_another_keys_id_is_a_new_name(app):
    client = admin_client(app)
    client.post("/moderation/api-keys/", data={"name": "dev1"})
    dev1 = key_named(app, "dev1")
    page = client.post("/moderation/api-keys/", data={"name": str(dev1.id)})
    assert page.status_code == 200 and "한 번만 보입니다" in page.text
    assert key_named(app, str(dev1.id)).id != dev1.id
    again = client.post("/moderation/api-keys/", data={"name": str(dev1.id)}, follow_redirects=True)
    assert "이미 있는 키 이름입니다." in again.text


def test_times_are_shown_in_the_display_zone(app):
    client = admin_client(app)
    client.post("/moderation/api-keys/", data={"name": "partner"})
    with app.app_context():
        key = db.session.scalar(sa.select(ApiKey))
        key.created_at = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # 01:30 on the 21st in Seoul
        key.revoked_at = datetime(2026, 12, 8, 1, 12, tzinfo=UTC)
        db.session.commit()
    page = client.get("/moderation/api-keys/").text
    assert '<time datetime="2026-11-20T16:30:00+00:00">2026.11.21. 오전 1:30</time>' in page
    assert "폐기됨 (2026.12.08. 오전 10:12)" in page


def test_forms_need_the_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    add_moderator(app, name="boss", role="admin")
    client = app.test_client()
    form = client.get("/moderation/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post(
        "/moderation/login",
        data={"name": "boss", "password": MODERATOR_PASSWORD, "csrf_token": token},
    )
    assert client.post("/moderation/api-keys/", data={"name": "p"}).status_code == 400
    assert key_named(app, "p") is None
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/moderation/api-keys/").text
    ).group(1)
    client.post("/moderation/api-keys/", data={"name": "p", "csrf_token": token})
    assert key_named(app, "p") is not None
