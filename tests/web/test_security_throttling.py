"""Vote stuffing, comment flooding and brute-force logins are throttled: 429 with Retry-After."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from web import comment_store
from web.db import db
from web.models import Article, Comment, Reader

from .conftest import TEST_REDIS_URL, add_moderator, log_in, make_app


@pytest.fixture
def database_url(tmp_path) -> str:
    """These rules do not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


ROOT = Path(__file__).resolve().parents[2]
HANGUL = re.compile("[가-힣]")


def assert_throttled_json(response):
    """429 in the API's error shape with a Korean message and Retry-After."""
    assert response.status_code == 429, response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    error = response.get_json()["error"]
    assert error["code"] == "too_many_requests" and HANGUL.search(error["message"])


def add_comments(app, count: int) -> list[int]:
    """An article "news-1" with this many published comments by one author; their ids."""
    with app.app_context():
        article = Article(key="news-1", title="기사")
        author = Reader(token=uuid.uuid4().hex, nickname="작성자")
        db.session.add_all([article, author])
        db.session.commit()
        return [comment_store.post_comment(article, author, f"댓글 {i}").id for i in range(count)]


def upvotes(app) -> int:
    """Up-votes recorded over all comments."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.sum(Comment.upvotes)))


def vote(client, comment_id):
    """An up-vote through the widget's API."""
    return client.post(f"/api/v1/comments/{comment_id}/vote", json={"value": "up"})


def test_one_reader_voting_across_many_comments(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, ACTION_LIMIT_PER_READER="5 per minute")
    ids = add_comments(app, 8)
    reader = app.test_client()
    assert [vote(reader, i).status_code for i in ids[:5]] == [200] * 5
    assert_throttled_json(vote(reader, ids[5]))
    assert upvotes(app) == 5
    # Voting again on one comment never counts twice.
    other = app.test_client()
    assert [vote(other, ids[0]).get_json()["comment"]["upvotes"] for _ in range(3)] == [2, 2, 2]


def test_new_cookie_for_every_vote_is_still_one_address(app_factory):
    app = app_factory(
        RATELIMIT_ENABLED=True,
        ACTION_LIMIT_PER_READER="100 per minute",
        ACTION_LIMIT_PER_IP="4/minute",
    )
    (comment_id,) = add_comments(app, 1)
    assert [vote(app.test_client(), comment_id).status_code for _ in range(4)] == [200] * 4
    assert_throttled_json(vote(app.test_client(), comment_id))
    assert upvotes(app) == 4


def post(client, body, **kwargs):
    """A comment through the widget's API."""
    payload = {"body": body, "nickname": "독자님"}
    return client.post("/api/v1/articles/news-1/comments", json=payload, **kwargs)


def test_comment_flooding_json_and_form(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, COMMENT_LIMIT_PER_IP="3 per minute")
    add_comments(app, 0)
    reader = app.test_client()
    assert post(reader, "첫 댓글").status_code == 201
    assert_throttled_json(post(reader, "바로 또"))
    form = reader.post("/articles/news-1/comments", data={"body": "폼으로 또"})
    assert form.status_code == 429 and int(form.headers["Retry-After"]) > 0
    assert "댓글을 너무 자주 쓰고 있습니다" in form.get_data(as_text=True)
    # Many fresh readers from one address: the per-address limit.
    assert [post(app.test_client(), f"새 독자 {i}").status_code for i in range(2)] == [201] * 2
    assert_throttled_json(post(app.test_client(), "넷째 독자"))
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 3


def wait_in_words(seconds: int, lang: str = "ko") -> str:
    """How a 429's message should name a Retry-After: seconds, or minutes rounded up."""
    number, unit = (seconds, "second") if seconds < 60 else (math.ceil(seconds / 60), "minute")
    if lang == "ko":
        return f"{number}{'초' if unit == 'second' else '분'} 후에"
    return f"in {number} {unit}{'' if number == 1 else 's'}"


@pytest.mark.parametrize("limit", ["1 per 30 seconds", "1 per minute", "1 per 2 minutes"])
def test_comment_flooding_message_names_the_wait_of_retry_after(app_factory, limit):
    app = app_factory(RATELIMIT_ENABLED=True, COMMENT_LIMIT_PER_READER=limit)
    add_comments(app, 0)
    reader = app.test_client()
    assert post(reader, "첫 댓글").status_code == 201
    refused = post(reader, "바로 또")
    assert_throttled_json(refused)
    wait = wait_in_words(int(refused.headers["Retry-After"]))
    assert refused.get_json()["error"]["message"] == (
        f"댓글을 너무 자주 쓰고 있습니다. {wait} 다시 시도해 주세요."
    )
    form = reader.post("/articles/news-1/comments", data={"body": "폼으로 또"})
    assert form.status_code == 429
    wait = wait_in_words(int(form.headers["Retry-After"]))
    page = form.get_data(as_text=True)
    assert f"댓글을 너무 자주 쓰고 있습니다. {wait} 다시 시도해 주세요." in page
    assert "폼으로 또" in page  # what was typed is kept
    english = post(reader, "once more", query_string={"lang": "en"})
    wait = wait_in_words(int(english.headers["Retry-After"]), "en")
    assert english.get_json()["error"]["message"] == (
        f"You are commenting too often. Please try again {wait}."
    )


def test_vote_flooding_message_names_the_wait_of_retry_after(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, ACTION_LIMIT_PER_READER="1 per 90 seconds")
    (comment_id,) = add_comments(app, 1)
    reader = app.test_client()
    assert vote(reader, comment_id).status_code == 200
    refused = vote(reader, comment_id)
    assert_throttled_json(refused)
    wait = wait_in_words(int(refused.headers["Retry-After"]))
    assert (
        refused.get_json()["error"]["message"]
        == f"요청이 너무 잦습니다. {wait} 다시 시도해 주세요."
    )


def test_retry_after_only_on_the_refusals(app_factory):
    app = app_factory(
        RATELIMIT_ENABLED=True,
        COMMENT_LIMIT_PER_IP="2 per minute",
        ACTION_LIMIT_PER_READER="1 per minute",
    )
    (comment_id,) = add_comments(app, 1)
    reader = app.test_client()
    for answer in (post(reader, "첫 댓글"), vote(reader, comment_id)):
        assert answer.status_code in (200, 201)
        assert {"X-RateLimit-Limit", "X-RateLimit-Remaining"} <= set(answer.headers.keys())
        assert "Retry-After" not in answer.headers
    # A refusal that is not a 429 has nothing to wait for either.
    refused = post(app.test_client(), "")
    assert refused.status_code == 400 and "Retry-After" not in refused.headers
    assert_throttled_json(vote(reader, comment_id))


def test_brute_force_login_is_throttled(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, LOGIN_LIMIT="3 per minute")
    add_moderator(app)
    client = app.test_client()
    assert [log_in(client, password=f"guess-{i}").status_code for i in range(3)] == [401] * 3
    refused = log_in(client, password="guess-4")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # The page names the wait that Retry-After gives (1분 for this limit's 60 seconds).
    wait = int(refused.headers["Retry-After"])
    phrase = f"{wait}초 후에" if wait < 60 else f"{-(-wait // 60)}분 후에"
    assert f"로그인 시도가 너무 많습니다. {phrase} 다시" in refused.get_data(as_text=True)
    # While throttled, even the right password is not tried.
    assert log_in(client).status_code == 429


WORKER_PROCESS = """
import json, sys
from web import create_app
config, cookie = json.loads(sys.argv[1]), sys.argv[2]
client = create_app(config).test_client()
if cookie:
    client.set_cookie("session", cookie)
payload = {"body": "워커 " + str(len(cookie)), "nickname": "독자님"}
answer = client.post("/api/v1/articles/news-1/comments", json=payload)
print(answer.status_code, client.get_cookie("session").value)
"""


def post_from_another_process(config: dict, cookie: str = "") -> tuple[str, str]:
    """(status, session cookie) of one comment posted by a fresh process, like a second worker."""
    run = [sys.executable, "-c", WORKER_PROCESS, json.dumps(config), cookie]
    result = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    status, cookie = result.stdout.strip().splitlines()[-1].split()
    return status, cookie


def test_limits_in_redis_are_shared_between_processes(tmp_path, tiny_model, redis_server):
    server = redis_server
    database_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    prefix = f"test-{uuid.uuid4().hex}"
    config = {
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MODEL_PATH": str(tmp_path / "no-model"),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": TEST_REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "COMMENT_LIMIT_PER_READER": "1 per 5 minutes",  # however slowly the processes start
    }
    add_comments(make_app(database_url, tmp_path, tiny_model), 0)
    try:
        status, cookie = post_from_another_process(config)
        assert status == "201"
        assert server.keys(f"*{prefix}*"), "no counter in Redis"
        # A second process (another worker) sees the same counter for this reader.
        assert post_from_another_process(config, cookie)[0] == "429"
    finally:
        for key in server.scan_iter(f"*{prefix}*"):
            server.delete(key)


def test_the_keyed_api_skips_the_limiter_pass_that_pages_keep(monkeypatch, database_url, tmp_path):
    from flask import request
    from flask_limiter import Limiter

    passes = []
    original = Limiter._check_request_limit

    def counting(self, *args, **kwargs):
        passes.append((request.path, kwargs.get("in_middleware", True)))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Limiter, "_check_request_limit", counting)
    app = make_app(database_url, tmp_path, RATELIMIT_ENABLED=True)
    client = app.test_client()
    assert client.get("/api/v1/ping").status_code == 200
    client.get("/api/v1/articles/nowhere/comments")
    client.get("/moderation/login")
    assert passes == [("/api/v1/articles/nowhere/comments", True), ("/moderation/login", True)]
