"""Moderators' accounts: login, logout, roles, CSRF, the throttle, create-moderator."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from web.db import db
from web.models import Moderator

from .conftest import MODERATOR_PASSWORD, add_moderator, log_in

PAGES = [
    "/moderation/",
    "/moderation/queue/held",
    "/moderation/queue/all",
    "/moderation/audit",
    "/moderation/audit/admin",
]


@pytest.mark.parametrize("path", PAGES)
def test_nothing_under_moderation_without_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/moderation/login")


def test_json_without_login_is_a_401_json(client):
    response = client.get("/moderation/counts.json")
    assert response.status_code == 401
    assert response.json == {"error": {"code": "login_required", "message": "로그인이 필요합니다."}}


def test_actions_refused_without_login(app, client, article):
    response = client.post("/moderation/decide", data={"comment_id": "1", "action": "approve"})
    assert response.status_code == 302 and "/moderation/login" in response.location
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Moderator)) == 0


def test_password_is_stored_as_a_strong_hash(app):
    add_moderator(app)
    with app.app_context():
        stored = db.session.scalar(sa.select(Moderator.password_hash))
    assert stored.startswith("scrypt:") and MODERATOR_PASSWORD not in stored


def test_login_then_logout(app, client):
    add_moderator(app)
    response = log_in(client)
    assert response.status_code == 303 and response.location == "/moderation/"
    assert client.get("/moderation/queue/held").status_code == 200
    assert client.post("/moderation/logout").status_code == 303
    assert client.get("/moderation/queue/held").status_code == 302


def test_login_goes_back_to_the_page_asked_for(app, client):
    add_moderator(app)
    response = client.post(
        "/moderation/login",
        data={"name": "mod", "password": MODERATOR_PASSWORD, "next": "/moderation/audit"},
    )
    assert response.location == "/moderation/audit"
    response = client.post(
        "/moderation/login",
        data={"name": "mod", "password": MODERATOR_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.location == "/moderation/"


@pytest.mark.parametrize(
    "target",
    [
        "/moderation/\t/evil.example/",
        "/moderation/a\nb",
        "/moderation/\\evil.example",
        "/moderationfoo",
        "//evil.example/moderation/",
        "/articles/news-1/comments",
    ],
)
def test_login_goes_nowhere_but_a_moderation_page(app, client, target):
    add_moderator(app)
    data = {"name": "mod", "password": MODERATOR_PASSWORD, "next": target}
    response = client.post("/moderation/login", data=data)
    assert response.status_code == 303 and response.location == "/moderation/"


@pytest.mark.parametrize(("name", "password"), [("mod", "wrong password"), ("nobody", "x")])
def test_wrong_name_or_password(app, client, name, password):
    add_moderator(app)
    response = log_in(client, name, password)
    assert response.status_code == 401
    assert "아이디 또는 비밀번호가 올바르지 않습니다." in response.text
    assert client.get("/moderation/queue/held").status_code == 302


def test_deactivated_account_cannot_log_in(app, client):
    add_moderator(app, active=False)
    assert log_in(client).status_code == 401


def test_login_throttled_after_failures(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_LIMIT="3 per minute")
    add_moderator(app)
    client = app.test_client()
    for _ in range(3):
        assert log_in(client, password="wrong").status_code == 401
    response = log_in(client)
    assert response.status_code == 429
    assert "로그인 시도가 너무 많습니다" in response.text


def test_successful_logins_are_not_throttled(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_LIMIT="2 per minute")
    add_moderator(app)
    for _ in range(4):
        assert log_in(app.test_client()).status_code == 303


def test_forms_need_the_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    add_moderator(app)
    client = app.test_client()
    assert log_in(client).status_code == 400
    page = client.get("/moderation/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/moderation/login",
        data={"name": "mod", "password": MODERATOR_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303
    # Logged in, a form without the token still changes nothing.
    response = client.post("/moderation/undo", data={})
    assert response.status_code == 303
    assert "페이지가 만료되었습니다" in client.get(response.location).text
