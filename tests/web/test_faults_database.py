"""The database away: PostgreSQL cut off behind a proxy, SQLite locked by another writer.

While it is away every request gets a 503 with Retry-After (JSON in the API's error
shape, a Korean page for HTML), never a 500 or a traceback; once it is back every
request works and every acknowledged comment is there exactly once.
"""

from __future__ import annotations

import re
import sqlite3
import uuid

import pytest
import sqlalchemy as sa

from web.db import db
from web.models import Article, Comment

from .conftest import add_moderator, log_in, make_app
from .tcp_proxy import TcpProxy

HANGUL = re.compile("[가-힣]")


def post(client, body, nickname="독자님"):
    """Post a comment as JSON to the test article."""
    return client.post("/api/v1/articles/fault/comments", json={"body": body, "nickname": nickname})


def assert_unavailable_json(response):
    """503 in the API's error shape, Korean, with Retry-After and no traceback."""
    assert response.status_code == 503, response.get_data(as_text=True)
    assert response.headers["Retry-After"].isdigit()
    error = response.get_json()["error"]
    assert error["code"] == "database_unavailable"
    assert HANGUL.search(error["message"])
    assert "Traceback" not in response.get_data(as_text=True)


def assert_unavailable_page(response):
    """503 as a Korean HTML page with Retry-After and no traceback."""
    assert response.status_code == 503
    assert response.mimetype == "text/html"
    assert response.headers["Retry-After"].isdigit()
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "잠시 후 다시 시도해 주세요" in html
    assert "Traceback" not in html and "OperationalError" not in html


def bodies(app) -> list[str]:
    """Every stored comment body (read straight from the database)."""
    with app.app_context():
        db.session.remove()
        return list(db.session.scalars(sa.select(Comment.body).order_by(Comment.id)))


def count_is_consistent(app) -> bool:
    """The article's stored count equals its visible comments."""
    with app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.key == "fault"))
        visible = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Comment)
            .where(Comment.article_id == article.id, Comment.status.in_(["published", "flagged"]))
        )
        return article.comment_count == visible


def prepare(app):
    """The article and a logged-in moderator's client."""
    with app.app_context():
        db.session.add(Article(key="fault", title="장애 시험"))
        db.session.commit()
    add_moderator(app)
    moderator = app.test_client()
    assert log_in(moderator).status_code == 303
    return moderator


@pytest.fixture
def proxied_app(postgres_url, tmp_path, tiny_model):
    """The app talking to the test PostgreSQL database through a proxy the test controls."""
    real = sa.engine.make_url(postgres_url)
    proxy = TcpProxy(real.host, real.port)
    url = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = make_app(url, tmp_path, tiny_model, DATABASE_TIMEOUT=2)
    yield app, proxy
    proxy.close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_postgresql_cut_off_answers_503_then_recovers(proxied_app):
    app, proxy = proxied_app
    moderator = prepare(app)
    reader = app.test_client()
    first, during, after = (f"{word} {uuid.uuid4().hex[:8]}" for word in ("처음", "도중", "이후"))
    assert post(reader, first).status_code == 201

    proxy.cut()
    assert_unavailable_json(post(reader, during))
    assert_unavailable_json(post(app.test_client(), during))  # a new reader too
    assert_unavailable_json(reader.get("/api/v1/articles/fault/comments"))
    assert_unavailable_json(reader.post("/api/v1/comments/1/vote", json={"value": "up"}))
    assert_unavailable_page(reader.get("/articles/fault/comments"))
    assert_unavailable_page(reader.post("/articles/fault/comments", data={"body": during}))
    assert_unavailable_page(moderator.get("/moderation/queue/all"))
    assert_unavailable_json(moderator.get("/moderation/counts.json"))
    health = reader.get("/api/v1/health")
    assert health.status_code == 503 and health.get_json()["database"] == {"reachable": False}

    proxy.restore()
    assert post(reader, during).status_code == 201  # the refused comment, sent again
    assert post(app.test_client(), after, nickname="다른독자").status_code == 201
    assert reader.get("/articles/fault/comments").status_code == 200
    assert moderator.get("/moderation/queue/all").status_code == 200
    assert reader.get("/api/v1/health").status_code == 200
    assert bodies(app) == [first, during, after]
    assert count_is_consistent(app)


def test_sqlite_locked_by_another_writer_answers_503_then_recovers(tmp_path, tiny_model):
    path = tmp_path / "locked.sqlite3"
    app = make_app(f"sqlite:///{path}", tmp_path, tiny_model, DATABASE_TIMEOUT=0.2)
    prepare(app)
    reader = app.test_client()
    first, during = f"처음 {uuid.uuid4().hex[:8]}", f"도중 {uuid.uuid4().hex[:8]}"
    assert post(reader, first).status_code == 201
    comment_id = reader.get("/api/v1/articles/fault/comments").get_json()["comments"][0]["id"]

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert_unavailable_json(post(reader, during))
        assert_unavailable_json(post(app.test_client(), during))
        voter = app.test_client()
        assert_unavailable_json(
            voter.post(f"/api/v1/comments/{comment_id}/vote", json={"value": "up"})
        )
        assert_unavailable_page(reader.post("/articles/fault/comments", data={"body": during}))
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert post(reader, during).status_code == 201
    vote = voter.post(f"/api/v1/comments/{comment_id}/vote", json={"value": "up"})
    assert vote.status_code == 200 and vote.get_json()["comment"]["upvotes"] == 1
    assert bodies(app) == [first, during]
    assert count_is_consistent(app)
    with app.app_context():
        db.engine.dispose()


def test_sqlite_lock_wait_is_configurable(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, DATABASE_TIMEOUT=0.25)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["timeout"] == 0.25
