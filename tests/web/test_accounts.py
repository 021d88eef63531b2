"""Admins manage moderator accounts in the page."""

from __future__ import annotations

import sqlalchemy as sa

from web.db import db
from web.models import Moderator

from .conftest import MODERATOR_PASSWORD, add_moderator, log_in


def admin_client(app):
    """A client logged in as admin "boss"."""
    add_moderator(app, name="boss", role="admin")
    client = app.test_client()
    log_in(client, "boss")
    return client


def account(app, name):
    """The account with this name, or None."""
    with app.app_context():
        return db.session.scalar(sa.select(Moderator).where(Moderator.name == name))


def test_only_admins(app, mod_client, client):
    assert mod_client.get("/moderation/moderators/").status_code == 403
    assert mod_client.post("/moderation/moderators/", data={"name": "x"}).status_code == 403
    assert client.get("/moderation/moderators/").status_code == 302
    assert "계정</a>" not in mod_client.get("/moderation/queue/held").text


def test_admin_adds_and_changes_accounts(app):
    client = admin_client(app)
    assert "계정</a>" in client.get("/moderation/queue/held").text
    response = client.post(
        "/moderation/moderators/", data={"name": "lee", "password": "a long password"}
    )
    assert "lee 계정을 만들었습니다." in client.get(response.location).text
    lee = account(app, "lee")
    assert lee.role == "moderator" and lee.check_password("a long password")
    client.post(f"/moderation/moderators/{lee.id}", data={"role": "admin", "active": "0"})
    lee = account(app, "lee")
    assert lee.role == "admin" and not lee.active
    assert log_in(app.test_client(), "lee", "a long password").status_code == 401
    client.post(
        f"/moderation/moderators/{lee.id}", data={"active": "1", "password": "new pass 1234"}
    )
    assert log_in(app.test_client(), "lee", "new pass 1234").status_code == 303


def test_refusals(app):
    client = admin_client(app)
    for data, message in [
        ({"name": "kim", "password": "short"}, "10자 이상"),
        ({"name": "boss", "password": "a long password"}, "이미 있는 아이디입니다."),
        ({"name": "", "password": "a long password"}, "아이디는 1자에서 64자까지입니다."),
    ]:
        response = client.post("/moderation/moderators/", data=data)
        assert message in client.get(response.location).text
    boss = account(app, "boss")
    response = client.post(f"/moderation/moderators/{boss.id}", data={"active": "0"})
    assert "낮추거나 정지할 수 없습니다" in client.get(response.location).text
    assert account(app, "boss").active


def test_names_that_look_like_an_account_are_refused(app):
    add_moderator(app, name="legacy\u200b")  # stored as typed before names were checked
    client = admin_client(app)
    for name, message in [
        ("Boss", "이미 있는 아이디입니다."),
        ("ＢＯＳＳ", "이미 있는 아이디입니다."),
        ("legacy", "이미 있는 아이디입니다."),
        ("boss\u200b", "아이디에 쓸 수 없는 문자가 있습니다."),
        ("bo\u3164ss", "아이디에 쓸 수 없는 문자가 있습니다."),
        ("kim\x07", "아이디에 쓸 수 없는 문자가 있습니다."),
    ]:
        response = client.post(
            "/moderation/moderators/", data={"name": name, "password": "a long password"}
        )
        assert message in client.get(response.location).text, name
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Moderator.id))) == 2
    # A full-width name is stored as its plain form and logs in by it; the old one still can.
    response = client.post(
        "/moderation/moderators/", data={"name": "ｌｅｅ  ｋｉｍ", "password": "a long password"}
    )
    assert "lee kim 계정을 만들었습니다." in client.get(response.location).text
    assert log_in(app.test_client(), "lee kim", "a long password").status_code == 303
    assert log_in(app.test_client(), "legacy\u200b", MODERATOR_PASSWORD).status_code == 303


def test_a_deactivated_moderator_is_logged_out(app, mod_client):
    client = admin_client(app)
    assert mod_client.get("/moderation/queue/held").status_code == 200
    client.post(f"/moderation/moderators/{account(app, 'mod').id}", data={"active": "0"})
    assert mod_client.get("/moderation/queue/held").status_code == 302


def test_a_password_reset_logs_the_moderator_out(app, mod_client):
    client = admin_client(app)
    assert mod_client.get("/moderation/queue/held").status_code == 200
    client.post(
        f"/moderation/moderators/{account(app, 'mod').id}", data={"password": "new pass 1234"}
    )
    response = mod_client.get("/moderation/queue/held")
    assert response.status_code == 302 and response.location.startswith("/moderation/login")
    assert mod_client.get("/moderation/counts.json").status_code == 401
    assert log_in(mod_client, "mod", MODERATOR_PASSWORD).status_code == 401
    assert log_in(mod_client, "mod", "new pass 1234").status_code == 303
    assert mod_client.get("/moderation/queue/held").status_code == 200


def test_changing_ones_own_password_keeps_only_this_login(app):
    here = admin_client(app)
    elsewhere = app.test_client()
    log_in(elsewhere, "boss")
    assert elsewhere.get("/moderation/queue/held").status_code == 200
    response = here.post(
        f"/moderation/moderators/{account(app, 'boss').id}", data={"password": "new pass 1234"}
    )
    assert "boss 계정을 바꿨습니다." in here.get(response.location).text
    assert here.get("/moderation/moderators/").status_code == 200
    assert elsewhere.get("/moderation/queue/held").status_code == 302
