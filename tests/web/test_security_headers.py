"""Security headers on every answer, cookie flags, and the secret key's origin."""

from __future__ import annotations

import re

import pytest

from web import create_app
from web.config import Config
from web.db import db
from web.models import Article

from .conftest import add_moderator, log_in
from .test_security_routes import rules, url_for_rule


@pytest.fixture
def database_url(tmp_path) -> str:
    """These rules do not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


ALLOWED = "https://news.example"


@pytest.fixture
def app(app_factory):
    """The app with one allowed embedding site."""
    return app_factory(ALLOWED_ORIGINS=[ALLOWED])


def every_get_answer(app):
    """(endpoint, response) for every GET route, as an admin, plus errors of both kinds."""
    with app.app_context():
        db.session.add(Article(key="news-1", title="기사"))
        db.session.commit()
    add_moderator(app, name="admin", role="admin")
    client = app.test_client()
    assert log_in(client, name="admin").status_code == 303
    for rule, _ in rules(app, {"GET"}):
        path = url_for_rule(rule)
        yield rule.endpoint, client.get(path)
    yield "404 page", client.get("/nowhere")
    yield "404 JSON", client.get("/api/v1/nowhere")
    yield "405 JSON", client.get("/api/v1/score")


def test_every_answer_has_a_policy_and_only_the_embed_may_be_framed(app):
    seen = 0
    for endpoint, response in every_get_answer(app):
        policy = response.headers.get("Content-Security-Policy", "")
        assert "default-src" in policy, endpoint
        assert "unsafe-inline" not in policy.split("script-src")[-1].split(";")[0], endpoint
        ancestors = re.search(r"frame-ancestors ([^;]+)", policy)
        assert ancestors, endpoint
        if endpoint == "widget.embed":
            assert ancestors.group(1).split() == ["'self'", ALLOWED]
            assert "X-Frame-Options" not in response.headers
        else:
            assert ancestors.group(1) == "'none'", endpoint
            if response.mimetype == "text/html":
                assert response.headers["X-Frame-Options"] == "DENY", endpoint
        assert response.headers["X-Content-Type-Options"] == "nosniff", endpoint
        seen += 1
    assert seen >= 20


def cookie_header(response, name: str) -> str:
    """The Set-Cookie header for one cookie."""
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.getlist("Set-Cookie")
    return headers[0]


@pytest.mark.parametrize("secure", [False, True])
def test_session_cookie_flags(app_factory, secure):
    app = app_factory(SESSION_COOKIE_SECURE=secure, REMEMBER_COOKIE_SECURE=secure)
    add_moderator(app)
    login = log_in(app.test_client())
    assert login.status_code == 303
    cookie = cookie_header(login, "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure
    # No remember-me cookie: a moderator's login ends with the browser session's cookie.
    assert not any(h.startswith("remember_token") for h in login.headers.getlist("Set-Cookie"))


def test_config_has_no_fixed_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert Config().SECRET_KEY == ""


def test_secret_key_is_generated_into_the_instance_folder(monkeypatch, tmp_path):
    for name in ("SECRET_KEY", "DATABASE_URL", "MODEL_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "one"))
    first = create_app()
    key = first.config["SECRET_KEY"]
    assert re.fullmatch("[0-9a-f]{64}", key)
    assert (tmp_path / "one" / "secret_key").read_text().strip() == key
    assert first.instance_path == str(tmp_path / "one")
    # Every worker of the host reads the same key; another host folder gets its own.
    assert create_app().config["SECRET_KEY"] == key
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "two"))
    assert create_app().config["SECRET_KEY"] not in {key, ""}
    # A configured key is used as is and nothing is written.
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "three"))
    assert create_app().config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "three" / "secret_key").exists()
