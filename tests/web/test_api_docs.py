"""The OpenAPI document, the reference page, and a schemathesis run against both."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from web import api_docs
from web.api_keys import create_api_key
from web.db import db
from web.models import Article
from web.openapi import openapi_document

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


def test_reference_page_shows_each_schemas_properties(app_factory):
    page = app_factory(API_MAX_TEXTS=7).test_client().get("/api/v1/docs").text
    assert '{"$ref"' not in page.split('id="schemas"')[0]  # bodies are tables, not references
    for name in ("ScoreRequest", "ScoreResponse", "Result", "Span", "FeedbackRequest", "Comment"):
        assert f'<section id="schema-{name}">' in page
    for prop in ("texts", "model_version", "categories.profanity", "error.code", "next_cursor"):
        assert f"<code>{prop}</code>" in page
    assert 'array of <a href="#schema-Result"><code>Result</code></a>' in page
    assert "1 to 7 items; each at most 5000 characters" in page
    assert "one of <code>newest</code>, <code>upvotes</code>, <code>downvotes</code>" in page


def test_a_stored_feedback_is_documented_without_its_text(app):
    feedback = openapi_document(app.config)["components"]["schemas"]["Feedback"]
    assert set(feedback["properties"]) == {"id", "labels", "comment_id", "created_at"}
    assert feedback["additionalProperties"] is False  # schemathesis fails an answer with more


def test_schema_fields_say_what_is_required_and_follow_nested_objects(app):
    schemas = openapi_document(app.config)["components"]["schemas"]
    feedback = {f["name"]: f for f in api_docs.fields(schemas["FeedbackRequest"])}
    assert [name for name, f in feedback.items() if f["required"]] == ["labels"]
    assert "<code>[]</code> for a clean text" in feedback["labels"]["notes"]
    health = [f["name"] for f in api_docs.fields(schemas["Health"])]
    assert health == [
        "status",
        "model",
        "model.loaded",
        "model.version",
        "database",
        "database.reachable",
    ]
    view = api_docs.schema_view({"$ref": "#/components/schemas/ScoreRequest"}, schemas)
    assert view["name"] == "ScoreRequest"
    assert [[f["name"] for f in v["fields"]] for v in view["variants"]] == [["text"], ["texts"]]


def test_docs_say_what_span_offsets_count_and_where_empty_texts_differ(client):
    document = client.get("/api/v1/openapi.json").get_json()
    span = document["components"]["schemas"]["Span"]
    for field in ("start", "end"):
        assert "code point" in span["properties"][field]["description"]
    assert 'Array.from(text).slice(start, end).join("")' in span["description"]
    assert "An empty text is scored" in document["paths"]["/api/v1/score"]["post"]["description"]
    feedback = document["paths"]["/api/v1/feedback"]["post"]["description"]
    assert "`empty_text`" in feedback
    page = client.get("/api/v1/docs").text
    section = page.split('<section id="schema-Span">')[1].split("</section>")[0]
    assert "Unicode code points of the text as sent" in section
    assert "<code>Array.from(text).slice(start, end).join(&#34;&#34;)</code>" in section


def test_code_spans_become_code_and_everything_else_is_escaped():
    rendered = api_docs.code_spans("413 `text_too_long` <b>x</b> `a<b>` & one ` left")
    assert rendered == (
        "413 <code>text_too_long</code> &lt;b&gt;x&lt;/b&gt; <code>a&lt;b&gt;</code> "
        "&amp; one ` left"
    )


def test_reference_page_shows_no_backticks(client):
    page = client.get("/api/v1/docs").text
    assert "413 <code>text_too_long</code>" in page
    assert "`" not in re.sub(r"<pre>.*?</pre>", "", page, flags=re.S)


WEB = Path(__file__).parents[2] / "web"
RAISED_CODE = re.compile(
    r'(?:Error|InvalidText|error_response)\(\s*(?:\d+,\s*)?"(\w+)"|"code": "(\w+)"'
)


def raised_codes(*modules: str) -> set[str]:
    """The error codes written out in these modules of web/."""
    found = set()
    for module in modules:
        found |= {a or b for a, b in RAISED_CODE.findall((WEB / module).read_text())}
    return found


@pytest.mark.parametrize(
    ("section", "modules"),
    [
        ("scoring", ["scoring_api.py", "api_keys.py", "errors.py"]),
        ("widget", ["api.py", "comment_store.py", "text.py", "errors.py"]),
    ],
)
def test_reference_page_lists_every_error_code(client, section, modules):
    codes = raised_codes(*modules)
    assert "database_unavailable" in codes  # the pattern finds them
    page = client.get("/api/v1/docs").text
    table = page.split(f'<section id="errors-{section}">')[1].split("</section>")[0]
    listed = set(re.findall(r"<td><code>(\w+)</code></td>", table))
    assert codes <= listed
    document = client.get("/api/v1/openapi.json").get_json()
    assert {e["code"] for e in document["x-error-codes"][section]} == listed


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
