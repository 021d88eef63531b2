"""Property-based: any input gets a result or a clear 4xx, never an exception or a 5xx.

Strings include lone surrogates (sent as JSON escapes), NUL and other control
characters, and long texts up to the limits; JSON values nest objects and lists.
"""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from web.db import db
from web.models import Article
from web.text import MAX_BODY_LENGTH, InvalidText, clean_body, clean_nickname

from .test_scoring_api import bearer, new_key

HANGUL = re.compile("[가-힣]")
# Every code point, surrogates and controls too.
ANY_CHAR = st.characters(exclude_categories=())
TEXTS = st.one_of(
    st.text(ANY_CHAR, max_size=200),
    st.text("가나다 \n\r\t\x00\u200b\u3164<>&\"'", max_size=30),
    st.builds(lambda c, n: c * n, st.text(ANY_CHAR, min_size=1, max_size=3), st.integers(0, 2000)),
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXTS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXTS, children, max_size=4),
    max_leaves=12,
)
FIELDS = ["body", "nickname", "value", "reason", "detail", "text", "texts", "labels", "comment_id"]
# Objects with the fields the endpoints read, holding any value.
REQUEST_OBJECTS = st.dictionaries(st.sampled_from(FIELDS), JSON_VALUES, max_size=4)
BODIES = st.one_of(
    REQUEST_OBJECTS.map(json.dumps), JSON_VALUES.map(json.dumps), st.binary(max_size=50)
)
SLOW_OK = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXTS, JSON_VALUES))
def test_comment_validator_cleans_or_explains(raw):
    try:
        body = clean_body(raw)
    except InvalidText as exc:
        assert exc.code and HANGUL.search(exc.message)
    else:
        assert body and body == body.strip() and len(body) <= MAX_BODY_LENGTH
    try:
        name = clean_nickname(raw)
    except InvalidText as exc:
        assert exc.code and HANGUL.search(exc.message)
    else:
        assert 2 <= len(name) <= 12


def assert_answered(response, ok: set[int]):
    """An expected success, or a 4xx in the one JSON error shape; never a 5xx."""
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code not in ok:
        assert 400 <= response.status_code < 500
        error = response.get_json()["error"]
        assert error["code"] and error["message"]


@pytest.fixture
def article_key(app) -> str:
    """An open article with one comment (id 1) to vote on and report."""
    client = app.test_client()
    with app.app_context():
        db.session.add(Article(key="prop", title="속성 시험"))
        db.session.commit()
    client.post("/api/v1/articles/prop/comments", json={"body": "첫 댓글", "nickname": "작성자"})
    return "prop"


@SLOW_OK
@given(body=BODIES)
def test_scoring_api_scores_or_refuses(app, body):
    key = getattr(app, "_prop_key", None) or new_key(app)
    app._prop_key = key
    response = app.test_client().post(
        "/api/v1/score", data=body, content_type="application/json", headers=bearer(key)
    )
    assert_answered(response, {200})
    if response.status_code == 200:
        results = response.get_json()["results"]
        assert results and all(0.0 <= r["toxicity"] <= 1.0 for r in results)


@SLOW_OK
@given(text=TEXTS)
def test_scoring_api_any_text(app, text):
    key = getattr(app, "_prop_key", None) or new_key(app)
    app._prop_key = key
    response = app.test_client().post("/api/v1/score", json={"text": text}, headers=bearer(key))
    assert_answered(response, {200})


@SLOW_OK
@given(endpoint=st.sampled_from(["comments", "vote", "report"]), body=BODIES)
def test_widget_endpoints_store_or_refuse(app, article_key, endpoint, body):
    path = {
        "comments": f"/api/v1/articles/{article_key}/comments",
        "vote": "/api/v1/comments/1/vote",
        "report": "/api/v1/comments/1/report",
    }[endpoint]
    client = app.test_client()
    response = client.post(path, data=body, content_type="application/json")
    assert_answered(response, {200, 201})
    # The article's list still reads after whatever was stored.
    assert client.get(f"/api/v1/articles/{article_key}/comments").status_code == 200


@SLOW_OK
@given(sort=TEXTS, cursor=TEXTS, key=TEXTS)
def test_comment_list_any_query(app, article_key, sort, cursor, key):
    client = app.test_client()
    listing = client.get(
        f"/api/v1/articles/{article_key}/comments",
        query_string={"sort": sort, "cursor": cursor},
    )
    assert_answered(listing, {200})
    # Any article key in the path (lone surrogates cannot be in a URL; they are replaced).
    safe_key = key.encode("utf-8", "replace").decode("utf-8").replace("\x00", "") or "x"
    assert_answered(client.get(f"/api/v1/articles/{safe_key}/comments"), {200})
