"""A moderator's login ends after an idle time and after an absolute lifetime."""

from __future__ import annotations

import html
import re

import pytest
from flask_login.utils import encode_cookie

from web import moderator_session
from web.db import db
from web.models import Comment

from .conftest import MODERATOR_PASSWORD, add_moderator, log_in

IDLE_MINUTES = 30
SESSION_HOURS = 8


@pytest.fixture
def timed_app(app_factory):
    """An app with limits other than the defaults, to see that the settings are read."""
    return app_factory(MODERATOR_IDLE_MINUTES=IDLE_MINUTES, MODERATOR_SESSION_HOURS=SESSION_HOURS)


def logged_in(app):
    """A client logged in as "mod"."""
    add_moderator(app)
    client = app.test_client()
    assert log_in(client).status_code == 303
    return client


def move_back(client, key, seconds):
    """Pretend the stamp was written ``seconds`` earlier."""
    with client.session_transaction() as session:
        session[key] -= seconds


def test_defaults():
    from web.config import Config

    config = Config()
    assert config.MODERATOR_IDLE_MINUTES == 60 and config.MODERATOR_SESSION_HOURS == 12
    assert config.REMEMBER_COOKIE_DURATION == 12 * 3600


def test_activity_keeps_the_login_alive(timed_app):
    client = logged_in(timed_app)
    for _ in range(3):  # each step stays under the idle limit, together they pass it
        move_back(client, moderator_session.SEEN_AT, (IDLE_MINUTES - 1) * 60)
        move_back(client, moderator_session.LOGIN_AT, (IDLE_MINUTES - 1) * 60)
        assert client.get("/moderation/queue/held").status_code == 200


def test_idle_page_goes_to_login_with_a_notice(timed_app):
    client = logged_in(timed_app)
    move_back(client, moderator_session.SEEN_AT, IDLE_MINUTES * 60 + 1)
    response = client.get("/moderation/queue/held")
    assert response.status_code == 302
    assert response.location.startswith("/moderation/login?next=")
    login_page = client.get(response.location).text
    assert "로그아웃되었습니다. 다시 로그인해 주세요." in login_page
    # Logged out for good: the next request does not get in either.
    assert client.get("/moderation/queue/held").status_code == 302
    assert log_in(client).status_code == 303
    assert client.get("/moderation/queue/held").status_code == 200


def test_json_calls_get_401_json(timed_app):
    client = logged_in(timed_app)
    assert client.get("/moderation/counts.json").status_code == 200
    move_back(client, moderator_session.SEEN_AT, IDLE_MINUTES * 60 + 1)
    response = client.get("/moderation/counts.json")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "session_expired"
    assert "다시 로그인" in response.json["error"]["message"]
    # The page the script then loads still tells the moderator why, once.
    page = client.get("/moderation/queue/held", follow_redirects=True).text
    assert "다시 로그인해 주세요" in page
    assert (
        "다시 로그인해 주세요"
        not in client.get("/moderation/queue/held", follow_redirects=True).text
    )
    never = timed_app.test_client().get("/moderation/counts.json")
    assert never.status_code == 401 and never.json["error"]["code"] == "login_required"


def test_the_arrival_poll_is_not_activity(timed_app):
    client = logged_in(timed_app)
    move_back(client, moderator_session.SEEN_AT, (IDLE_MINUTES - 1) * 60)
    assert client.get("/moderation/counts.json").status_code == 200
    move_back(client, moderator_session.SEEN_AT, 2 * 60)
    assert client.get("/moderation/counts.json").status_code == 401


def test_absolute_lifetime_ends_even_a_busy_login(timed_app):
    client = logged_in(timed_app)
    move_back(client, moderator_session.LOGIN_AT, SESSION_HOURS * 3600 + 1)
    response = client.post("/moderation/decide", data={"comment_id": "1", "action": "approve"})
    assert response.status_code == 302 and "/moderation/login" in response.location


def test_admin_pages_expire_too(timed_app):
    add_moderator(timed_app, name="boss", role="admin")
    client = timed_app.test_client()
    log_in(client, "boss")
    assert client.get("/moderation/api-keys/").status_code == 200
    move_back(client, moderator_session.LOGIN_AT, SESSION_HOURS * 3600 + 1)
    assert client.get("/moderation/api-keys/").status_code == 302
    assert client.get("/moderation/settings/").status_code == 302


def test_readers_identity_survives_a_moderator_timeout(timed_app, article):
    client = logged_in(timed_app)
    posted = client.post(
        "/api/v1/articles/news-1/comments",
        json={"body": "좋은 기사 감사합니다", "nickname": "독자님"},
    )
    assert posted.status_code == 201
    with client.session_transaction() as session:
        reader = session["reader"]
    move_back(client, moderator_session.SEEN_AT, IDLE_MINUTES * 60 + 1)
    assert client.get("/moderation/queue/held").status_code == 302
    with client.session_transaction() as session:
        assert session["reader"] == reader and session.permanent
        assert "_user_id" not in session and moderator_session.LOGIN_AT not in session
    mine = client.get("/api/v1/articles/news-1/comments").json["comments"]
    assert mine[0]["mine"] is True


def test_a_remember_cookie_does_not_bypass_the_limits(timed_app):
    moderator_id = add_moderator(timed_app)
    client = timed_app.test_client()
    with timed_app.test_request_context():
        client.set_cookie("remember_token", encode_cookie(str(moderator_id)))
    response = client.get("/moderation/queue/held")
    assert response.status_code == 302 and "/moderation/login" in response.location


def test_logout_drops_the_stamps(timed_app):
    client = logged_in(timed_app)
    client.post("/moderation/logout")
    with client.session_transaction() as session:
        assert moderator_session.LOGIN_AT not in session
        assert moderator_session.SEEN_AT not in session


def login_form_next(client, location: str) -> tuple[str, str]:
    """The page the login form at ``location`` will go to, and the notices it shows."""
    page = client.get(location).text
    return re.search(r'name="next" value="([^"]*)"', page).group(1), page


@pytest.mark.parametrize(
    ("referer", "back"),
    [
        (
            "http://localhost/moderation/queue/all?sort=toxicity",
            "/moderation/queue/all?sort=toxicity",
        ),
        ("https://evil.example/moderation/audit", "/moderation/queue/held"),
        ("http://localhost/articles/news-1/comments", "/moderation/queue/held"),
        (None, "/moderation/queue/held"),
    ],
)
def test_an_action_after_the_login_ended_goes_back_to_its_page(timed_app, article, referer, back):
    client = logged_in(timed_app)
    posted = client.post(
        "/api/v1/articles/news-1/comments", json={"body": "좋은 기사", "nickname": "독자님"}
    )
    comment_id = posted.json["comment"]["id"]
    move_back(client, moderator_session.SEEN_AT, IDLE_MINUTES * 60 + 1)
    headers = {"Referer": referer} if referer else {}
    form = {"comment_id": str(comment_id), "action": "reject", "reason": "insult"}
    response = client.post("/moderation/decide", data=form, headers=headers)
    assert response.status_code == 302 and response.location.startswith("/moderation/login?")
    next_page, login_page = login_form_next(client, response.location)
    assert html.unescape(next_page) == back
    assert "로그아웃되었습니다" in login_page
    assert "방금 한 작업은 처리되지 않았습니다. 로그인한 뒤 다시 해 주세요." in login_page
    data = {"name": "mod", "password": MODERATOR_PASSWORD, "next": html.unescape(next_page)}
    logged_back = client.post("/moderation/login", data=data)
    assert logged_back.status_code == 303 and logged_back.location == back
    assert client.get(back).status_code == 200
    with timed_app.app_context():
        assert db.session.get(Comment, comment_id).status == "published"  # nothing was done
