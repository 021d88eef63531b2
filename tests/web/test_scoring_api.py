"""The scoring API: score, feedback, health, keys and every refusal in the one error shape."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from web.api_keys import create_api_key, revoke_api_key
from web.db import db
from web.models import ApiKey, Article, Comment, FeedbackLabel, Reader
from web.scoring import model_holder

from .conftest import CLEAN, TOXIC, add_moderator
from .test_api import assert_error


def new_key(app, name="partner") -> str:
    """Create an API key and return the key itself."""
    with app.app_context():
        _, key = create_api_key(name)
    return key


@pytest.fixture
def key(app) -> str:
    """A valid key for the default app."""
    return new_key(app)


def bearer(key: str) -> dict:
    """The Authorization header for a key."""
    return {"Authorization": f"Bearer {key}"}


def test_score_one_text(client, key, tiny_model):
    response = client.post("/api/v1/score", json={"text": TOXIC[0]}, headers=bearer(key))
    assert response.status_code == 200
    data = response.get_json()
    assert data["model_version"] == tiny_model.version
    (result,) = data["results"]
    assert 0.0 <= result["toxicity"] <= 1.0
    assert set(result["categories"]) == {
        "profanity",
        "insult",
        "hate",
        "threat",
        "sexual",
        "spam",
    }
    for span in result["spans"]:
        assert 0 <= span["start"] < span["end"] <= len(TOXIC[0])
        assert span["category"] in result["categories"]
    assert result["decision"] in {"hold", "review", "publish"}
    assert result["flagged"] == (result["decision"] != "publish")


def test_spans_count_code_points_of_the_text_as_sent(client, key):
    text = "😀😀 병신 기자"  # each 😀 is one code point, but two UTF-16 units
    response = client.post("/api/v1/score", json={"text": text}, headers=bearer(key))
    spans = response.get_json()["results"][0]["spans"]
    start, end = spans[0]["start"], spans[0]["end"]
    assert text[start:end] == "병신"
    # JavaScript's text.slice counts UTF-16 units: it would take half a 😀 and a space.
    units = text.encode("utf-16-le")[2 * start : 2 * end]
    assert units.decode("utf-16-le", "surrogatepass") == "\ude00 "


def test_an_empty_text_is_scored_but_never_taken_as_feedback(client, key):
    """Scoring nothing is harmless; as a training label it would teach nothing."""
    texts = ["", TOXIC[0]]
    response = client.post("/api/v1/score", json={"texts": texts}, headers=bearer(key))
    assert response.status_code == 200
    empty, toxic = response.get_json()["results"]
    assert empty["spans"] == [] and empty["toxicity"] < toxic["toxicity"]
    for text in ("", "  "):
        refused = client.post(
            "/api/v1/feedback", json={"text": text, "labels": []}, headers=bearer(key)
        )
        assert_error(refused, 422, "empty_text")


def test_score_many_keeps_order_and_matches_the_model(client, key, tiny_model):
    texts = [CLEAN[0], TOXIC[1], CLEAN[2], TOXIC[3]]
    response = client.post("/api/v1/score", json={"texts": texts}, headers=bearer(key))
    results = response.get_json()["results"]
    expected = [s.to_dict()["toxicity"] for s in tiny_model.score(texts)]
    assert [r["toxicity"] for r in results] == expected


@pytest.mark.parametrize(
    ("review", "hold", "decision"),
    [(1.0, 1.0, "publish"), (0.0, 1.0, "review"), (0.0, 0.0, "hold")],
)
def test_decision_follows_the_site_thresholds(app_factory, review, hold, decision):
    app = app_factory(REVIEW_THRESHOLD=review, HOLD_THRESHOLD=hold)
    response = app.test_client().post(
        "/api/v1/score", json={"text": TOXIC[0]}, headers=bearer(new_key(app))
    )
    (result,) = response.get_json()["results"]
    assert result["decision"] == decision
    assert result["flagged"] == (decision != "publish")


def test_decision_follows_thresholds_an_admin_saved(app_factory):
    from web import site_settings

    app = app_factory(REVIEW_THRESHOLD=1.0, HOLD_THRESHOLD=1.0)
    admin = add_moderator(app, name="admin", role="admin")
    with app.test_request_context():
        site_settings.save(admin, {"hold_threshold": "0", "review_threshold": "0"})
        db.session.commit()
    response = app.test_client().post(
        "/api/v1/score", json={"text": TOXIC[0]}, headers=bearer(new_key(app))
    )
    assert response.get_json()["results"][0]["decision"] == "hold"


def test_the_site_word_lists_apply_to_api_decisions(app_factory, tiny_model):
    from web import site_settings

    app = app_factory(REVIEW_THRESHOLD=1.0, HOLD_THRESHOLD=1.0)
    admin = add_moderator(app, name="admin", role="admin")
    allowed = f"{TOXIC[0]}\n시발점"
    with app.test_request_context():
        settings = {"hold_threshold": "1", "review_threshold": "1"}
        site_settings.save(admin, {**settings, "hold_words": "시발", "allow_words": allowed})
        db.session.commit()
    texts = ["시발 진짜", "시발점부터 다시", CLEAN[0], f"{TOXIC[0]} 하하"]
    response = app.test_client().post(
        "/api/v1/score", json={"texts": texts}, headers=bearer(new_key(app))
    )
    results = response.get_json()["results"]
    assert [r["decision"] for r in results] == ["hold", "publish", "publish", "publish"]
    # A never-counted word is blanked before scoring, as for a posted comment.
    blanked = " " * len(TOXIC[0]) + " 하하"
    assert results[3]["toxicity"] == tiny_model.score([blanked])[0].to_dict()["toxicity"]


def test_score_accepts_100_texts(client, key):
    response = client.post(
        "/api/v1/score", json={"texts": CLEAN * 8 + TOXIC[:4]}, headers=bearer(key)
    )
    assert response.status_code == 200
    assert len(response.get_json()["results"]) == 100


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
        (
            {"data": "text=hi", "content_type": "application/x-www-form-urlencoded"},
            415,
            "json_required",
        ),
        ({"json": ["a list"]}, 422, "invalid_type"),
        ({"data": "null", "content_type": "application/json"}, 422, "invalid_type"),
        ({"data": "5", "content_type": "application/json"}, 422, "invalid_type"),
        ({"data": '"text"', "content_type": "application/json"}, 422, "invalid_type"),
        ({"json": {}}, 422, "missing_field"),
        ({"json": {"text": "a", "texts": ["b"]}}, 422, "missing_field"),
        ({"json": {"text": 5}}, 422, "invalid_type"),
        ({"json": {"text": None}}, 422, "invalid_type"),
        ({"json": {"texts": "not a list"}}, 422, "invalid_type"),
        ({"json": {"texts": ["ok", 3]}}, 422, "invalid_type"),
        ({"json": {"texts": []}}, 422, "empty_list"),
        ({"json": {"texts": ["가"] * 101}}, 422, "too_many_texts"),
        ({"json": {"text": "가" * 5001}}, 413, "text_too_long"),
    ],
)
def test_bad_score_requests(client, key, kwargs, status, code):
    response = client.post("/api/v1/score", headers=bearer(key), **kwargs)
    assert_error(response, status, code)


@pytest.mark.parametrize("raw", ["null", "[]", '["a"]', "0", "false"])
def test_json_that_is_not_an_object_is_422_saying_so(client, key, raw):
    for path in ("/api/v1/score", "/api/v1/feedback"):
        response = client.post(path, data=raw, content_type="application/json", headers=bearer(key))
        assert "객체" in assert_error(response, 422, "invalid_type")
        response = client.post(
            path + "?lang=en", data=raw, content_type="application/json", headers=bearer(key)
        )
        assert "object" in assert_error(response, 422, "invalid_type")


def test_text_at_the_limit_is_scored(client, key):
    response = client.post("/api/v1/score", json={"text": "가" * 5000}, headers=bearer(key))
    assert response.status_code == 200


def test_oversized_body_is_413_json(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1000)
    response = app.test_client().post(
        "/api/v1/score", json={"texts": ["가나다라"] * 100}, headers=bearer(new_key(app))
    )
    assert_error(response, 413, "request_entity_too_large")


def test_keys_are_required_and_checked(app, client, key):
    assert_error(client.post("/api/v1/score", json={"text": "a"}), 401, "missing_api_key")
    response = client.post("/api/v1/score", json={"text": "a"}, headers=bearer("cm_wrong"))
    assert_error(response, 401, "invalid_api_key")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    response = client.post("/api/v1/score", json={"text": "a"}, headers={"Authorization": key})
    assert_error(response, 401, "missing_api_key")
    with app.app_context():
        revoke_api_key(db.session.scalar(sa.select(ApiKey)))
    response = client.post("/api/v1/score", json={"text": "a"}, headers=bearer(key))
    assert_error(response, 403, "revoked_api_key")


def test_only_the_hash_of_a_key_is_stored(app, key):
    with app.app_context():
        record = db.session.scalar(sa.select(ApiKey))
        assert key not in (record.key_hash, record.name)
        assert len(record.key_hash) == 64


def test_rate_limit_per_key_answers_429_with_retry_after(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, API_KEY_RATE_LIMIT="2 per minute")
    client = app.test_client()
    first, second = new_key(app, "first"), new_key(app, "second")
    for _ in range(2):
        assert (
            client.post("/api/v1/score", json={"text": "a"}, headers=bearer(first)).status_code
            == 200
        )
    response = client.post("/api/v1/score", json={"text": "a"}, headers=bearer(first))
    assert_error(response, 429, "too_many_requests")
    assert int(response.headers["Retry-After"]) > 0
    # Another key has its own allowance.
    assert (
        client.post("/api/v1/score", json={"text": "a"}, headers=bearer(second)).status_code == 200
    )


def test_no_model_is_503(app_factory):
    app = app_factory(model=None)
    response = app.test_client().post(
        "/api/v1/score", json={"text": "a"}, headers=bearer(new_key(app))
    )
    assert_error(response, 503, "model_unavailable")


def test_feedback_on_a_text_is_stored_with_its_key(app, client, key):
    payload = {"text": "이 바보야", "labels": ["insult", "profanity"]}
    response = client.post("/api/v1/feedback", json=payload, headers=bearer(key))
    assert response.status_code == 201
    assert response.get_json()["feedback"]["labels"] == ["profanity", "insult"]
    with app.app_context():
        record = db.session.scalar(sa.select(FeedbackLabel))
        assert record.text == "이 바보야"
        assert record.comment_id is None
        assert db.session.get(ApiKey, record.api_key_id).name == "partner"


@pytest.mark.parametrize("status", ["published", "pending", "rejected"])
def test_feedback_on_a_comment_takes_its_body_and_never_shows_it(app, client, key, status):
    with app.app_context():
        reader = Reader(token="t1", nickname="독자")
        article = Article(key="news-1")
        db.session.add_all([reader, article])
        db.session.flush()
        comment = Comment(
            article_id=article.id,
            author_id=reader.id,
            nickname="독자",
            body="ㅅㅂ 이거 좋네요 정말",
            body_hash="h",
            status=status,
        )
        db.session.add(comment)
        db.session.commit()
        comment_id = comment.id
    payload = {"comment_id": comment_id, "labels": []}
    response = client.post("/api/v1/feedback", json=payload, headers=bearer(key))
    assert response.status_code == 201
    feedback = response.get_json()["feedback"]
    assert set(feedback) == {"id", "labels", "comment_id", "created_at"}
    assert (feedback["comment_id"], feedback["labels"]) == (comment_id, [])
    assert "이거 좋네요" not in response.get_data(as_text=True)
    with app.app_context():  # stored with the comment's text, for training
        record = db.session.get(FeedbackLabel, feedback["id"])
        assert (record.text, record.comment_id) == ("ㅅㅂ 이거 좋네요 정말", comment_id)


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"labels": []}, 422, "missing_field"),
        ({"text": "a"}, 422, "missing_field"),
        ({"text": "a", "comment_id": 1, "labels": []}, 422, "missing_field"),
        ({"text": "  ", "labels": []}, 422, "empty_text"),
        ({"text": "a", "labels": "insult"}, 422, "invalid_type"),
        ({"text": "a", "labels": ["rude"]}, 422, "unknown_label"),
        ({"comment_id": "7", "labels": []}, 422, "invalid_type"),
        ({"comment_id": 999, "labels": []}, 404, "comment_not_found"),
    ],
)
def test_bad_feedback(app, client, key, payload, status, code):
    response = client.post("/api/v1/feedback", json=payload, headers=bearer(key))
    assert_error(response, status, code)
    assert client.post("/api/v1/feedback", json=payload).status_code == 401


def test_health(client, tiny_model):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "model": {"ok": True, "loaded": True, "version": tiny_model.version},
        "database": {"reachable": True},
    }


def test_health_without_a_model_is_503(app_factory):
    app = app_factory(model=None)
    response = app.test_client().get("/api/v1/health")
    assert_error(response, 503, "unhealthy")
    model = response.get_json()["model"]
    assert model["ok"] is False and model["loaded"] is False and model["version"] is None
    assert model["error"].startswith("artifact missing: ")


def test_health_loads_the_model_from_its_path(app_factory, tiny_model, tmp_path):
    path = tmp_path / "saved.model"
    tiny_model.save(str(path))
    app = app_factory(model=None, MODEL_PATH=str(path))
    assert app.test_client().get("/api/v1/health").get_json()["model"]["loaded"] is True
    with app.app_context():
        assert model_holder().loaded


def test_ping(client):
    assert client.get("/api/v1/ping").get_json() == {"ok": True}


def test_unknown_api_path_and_method_are_json(client, key):
    assert_error(client.get("/api/v1/nothing"), 404, "not_found")
    assert_error(client.get("/api/v1/score", headers=bearer(key)), 405, "method_not_allowed")


def test_feedback_on_an_id_beyond_the_column_is_404(client, key):
    payload = {"comment_id": 2**31, "labels": []}
    response = client.post("/api/v1/feedback", json=payload, headers=bearer(key))
    assert_error(response, 404, "comment_not_found")


@pytest.mark.parametrize("cache_seconds", [0, 0.3])
def test_a_key_revoked_elsewhere_is_refused_once_the_cache_time_ends(app_factory, cache_seconds):
    app = app_factory(API_KEY_CACHE_SECONDS=cache_seconds)
    client, key = app.test_client(), new_key(app)
    assert client.post("/api/v1/score", json={"text": "a"}, headers=bearer(key)).status_code == 200
    with app.app_context():  # as the CLI would, from another process
        db.session.execute(sa.update(ApiKey).values(revoked_at=sa.func.now()))
        db.session.commit()
    time.sleep(cache_seconds + 0.1 if cache_seconds else 0)
    response = client.post("/api/v1/score", json={"text": "a"}, headers=bearer(key))
    assert_error(response, 403, "revoked_api_key")


def test_a_checked_key_is_trusted_for_the_cache_time(app_factory):
    app = app_factory(API_KEY_CACHE_SECONDS=60)
    client, key = app.test_client(), new_key(app)
    assert client.post("/api/v1/score", json={"text": "a"}, headers=bearer(key)).status_code == 200
    with app.app_context():
        db.session.execute(sa.update(ApiKey).values(revoked_at=sa.func.now()))
        db.session.commit()
    assert client.post("/api/v1/score", json={"text": "a"}, headers=bearer(key)).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000,  # deeper than the JSON parser's recursion limit
        '{"text": "\\ud800 바보"}',  # a lone surrogate: not encodable text
        '{"text": "a\\u0000b"}',  # NUL: PostgreSQL cannot store it
        '{"text": "a", "\\udc00": 1}',
    ],
)
def test_unreadable_json_is_400_on_every_api(client, key, article, raw):
    for path in ("/api/v1/score", "/api/v1/feedback"):
        response = client.post(path, data=raw, content_type="application/json", headers=bearer(key))
        assert_error(response, 400, "invalid_json")
    response = client.post(
        f"/api/v1/articles/{article}/comments", data=raw, content_type="application/json"
    )
    assert_error(response, 400, "invalid_json")


def test_article_key_with_nul_is_404(client):
    assert_error(client.get("/api/v1/articles/a%00b/comments"), 404, "unknown_article")
