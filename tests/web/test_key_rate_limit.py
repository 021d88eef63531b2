"""The scoring API's per-key limit: its headers, several limits at once, Redis as the store."""

from __future__ import annotations

import uuid

import pytest

from web import key_rate_limit

from .conftest import TEST_REDIS_URL
from .test_api import assert_error
from .test_scoring_api import bearer, new_key


@pytest.fixture
def database_url(tmp_path) -> str:
    """The limit does not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def score(client, key):
    """One keyed request."""
    return client.post("/api/v1/score", json={"text": "좋은 기사"}, headers=bearer(key))


def test_every_keyed_answer_says_what_is_left(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, API_KEY_RATE_LIMIT="5 per minute")
    client, key = app.test_client(), new_key(app)
    left = []
    for _ in range(3):
        response = score(client, key)
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "5"
        left.append(int(response.headers["X-RateLimit-Remaining"]))
        assert "Retry-After" not in response.headers  # nothing to wait for
    assert left == [4, 3, 2]
    # A refused body counts too, and carries the headers as well.
    response = client.post("/api/v1/score", json={"texts": []}, headers=bearer(key))
    assert_error(response, 422, "empty_list")
    assert response.headers["X-RateLimit-Remaining"] == "1"
    assert "Retry-After" not in response.headers


def test_the_narrowest_of_several_limits_refuses(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, API_KEY_RATE_LIMIT="100 per minute;3 per hour")
    client, key = app.test_client(), new_key(app)
    assert [score(client, key).status_code for _ in range(3)] == [200] * 3
    response = score(client, key)
    assert_error(response, 429, "too_many_requests")
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    retry_after = int(response.headers["Retry-After"])
    assert retry_after > 60  # the hour's window, not the minute's
    minutes = -(-retry_after // 60)
    message = response.get_json()["error"]["message"]
    assert message == f"요청이 너무 잦습니다. {minutes}분 후에 다시 시도해 주세요."


def test_score_and_feedback_share_the_allowance(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, API_KEY_RATE_LIMIT="2 per minute")
    client, key = app.test_client(), new_key(app)
    feedback = {"text": "좋은 기사", "labels": []}
    assert client.post("/api/v1/feedback", json=feedback, headers=bearer(key)).status_code == 201
    assert score(client, key).status_code == 200
    assert_error(score(client, key), 429, "too_many_requests")


def test_no_limit_and_no_headers_when_limits_are_off(app_factory):
    app = app_factory(RATELIMIT_ENABLED=False, API_KEY_RATE_LIMIT="1 per minute")
    client, key = app.test_client(), new_key(app)
    responses = [score(client, key) for _ in range(3)]
    assert [r.status_code for r in responses] == [200] * 3
    assert "X-RateLimit-Limit" not in responses[-1].headers


def test_limits_string_is_parsed_narrowest_first():
    items = key_rate_limit.parsed_limits("1000 per day;10 per second")
    assert [(i.amount, i.GRANULARITY.name) for i in items] == [(10, "second"), (1000, "day")]


def test_counts_live_in_redis_when_configured(app_factory, redis_server):
    server = redis_server
    prefix = f"test-{uuid.uuid4().hex}"
    app = app_factory(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=TEST_REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
        API_KEY_RATE_LIMIT="2 per minute",
    )
    client, key = app.test_client(), new_key(app)
    try:
        assert [score(client, key).status_code for _ in range(2)] == [200, 200]
        counters = [server.get(k) for k in server.scan_iter(f"*{prefix}*api-key*")]
        assert counters == [b"2"]
        assert_error(score(client, key), 429, "too_many_requests")
    finally:
        for name in server.scan_iter(f"*{prefix}*"):
            server.delete(name)
