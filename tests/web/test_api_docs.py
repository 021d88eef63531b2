"""The OpenAPI document, the reference page, and a schemathesis run against both."""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from web.api_keys import create_api_key
from web.db import db
from web.models import Article

from .test_scoring_api import bearer


def test_openapi_lists_every_api_route(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule.endswith(("openapi.json", "/docs")):
            continue
        path = rule.rule.replace("<path:key>", "{key}").replace("<int:comment_id>", "{comment_id}")
        served |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


def test_openapi_reflects_the_configured_limits(app_factory):
    app = app_factory(API_MAX_TEXTS=7, API_MAX_TEXT_LENGTH=50)
    schemas = app.test_client().get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    one, many = schemas["ScoreRequest"]["oneOf"]
    assert many["properties"]["texts"]["maxItems"] == 7
    assert one["properties"]["text"]["maxLength"] == 50


def test_reference_page_is_rendered_from_the_document(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    for fragment in ("POST /api/v1/score", "GET /api/v1/health", "/api/v1/articles/{key}/comments"):
        assert fragment in page
    assert "Authorization: Bearer KEY" in page
    assert "<script" not in page


@pytest.fixture
def api_schema(app):
    """The served document, bound to the app, with a key and an article to find."""
    with app.app_context():
        _, key = create_api_key("schemathesis")
        db.session.add(Article(key="news-1", title="기사"))
        db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema.api_key = key
    return schema


def test_api_answers_within_its_schema(api_schema):
    """No 5xx and no answer outside the document, for requests in and out of the schema."""
    headers = bearer(api_schema.api_key)
    operations = [found.ok() for found in api_schema.get_all_operations()]
    for operation, mode in itertools.product(operations, GenerationMode):
        raw = operation.definition.raw
        if mode == GenerationMode.NEGATIVE and not (
            raw.get("parameters") or raw.get("requestBody")
        ):
            continue  # nothing a client sends can be out of the schema

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def answers_within_schema(case):
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        answers_within_schema()
