"""Every route from the app's url_map: who may reach it, and what guards its state changes.

Routes are enumerated, not listed by hand: a new route is covered by the strictest
rule (login required; CSRF token required for state changes) until it is named in
one of the allow-lists below, with the reason.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from web import comment_store
from web.db import db
from web.models import Article, Comment, Moderator, Reader

from .conftest import add_moderator, log_in


@pytest.fixture
def database_url(tmp_path) -> str:
    """These rules do not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Anyone may use these: the reader's side, the public API and docs, the login itself.
PUBLIC = {
    "static",
    "demo.article_page",
    "widget.full_page",
    "widget.post_form",
    "widget.embed",
    "widget.embed_script",
    "api.list_comments",
    "api.post_comment",
    "api.vote",
    "api.report",
    "api_docs.reference",
    "api_docs.openapi_json",
    "scoring_api.health",
    "scoring_api.ping",
    "auth.login_form",
    "auth.login",
    "auth.logout",  # ends a session; without one there is nothing to end
}
# Guarded by an API key instead of a login (callers are other systems, not browsers).
API_KEY = {"scoring_api.score", "scoring_api.feedback"}
# The widget's JSON endpoints carry the reader's cookie but no CSRF token (they are
# called from news sites' pages): a browser sends Origin with them, and any origin not
# allowed is refused.
ORIGIN_CHECKED = {"api.post_comment", "api.vote", "api.report"}
# Blueprints only admins may use; everything else under /moderation is for every moderator.
ADMIN_BLUEPRINTS = {"settings", "accounts", "api_keys_page"}
# Admin-only actions on pages every moderator may see.
ADMIN_ENDPOINTS = {"models_page.start_retrain", "models_page.rollback"}

CSRF_REFUSALS = ("The CSRF token is missing", "페이지가 만료되었습니다")


@pytest.fixture
def app(app_factory):
    """Rows for every URL argument: article, comment, reader and moderator number 1."""
    app = app_factory()
    with app.app_context():
        article = Article(key="news-1", title="기사")
        reader = Reader(token="reader-1", nickname="독자")
        db.session.add_all([article, reader])
        db.session.commit()
        comment_store.post_comment(article, reader, "본문")
    add_moderator(app, name="admin", role="admin")
    add_moderator(app, name="mod")
    return app


def rules(app, methods=None):
    """(rule, method) for every route and method (HEAD and OPTIONS aside)."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if methods is None or method in methods:
                yield rule, method


def url_for_rule(rule) -> str:
    """A concrete URL for the rule, with existing rows for its arguments."""
    values = {
        "key": "news-1",
        "filename": "comments.css",
        "name": "held",
        "comment_id": 1,
        "reader_id": 1,
        "moderator_id": 1,
        "article_id": 1,
        "key_id": 1,
        "version": "v1",
    }
    return rule.build({arg: values[arg] for arg in rule.arguments}, append_unknown=False)[1]


def logged_in(app, name):
    """A test client logged in as this moderator (CSRF is off in the test app)."""
    client = app.test_client()
    assert log_in(client, name=name).status_code == 303
    return client


def test_allow_lists_name_real_routes(app):
    endpoints = {rule.endpoint for rule, _ in rules(app)}
    assert endpoints >= PUBLIC | API_KEY | ORIGIN_CHECKED
    assert {e.split(".")[0] for e in endpoints} >= ADMIN_BLUEPRINTS
    assert endpoints >= ADMIN_ENDPOINTS


def test_anonymous_is_refused_everywhere_but_public_routes(app):
    client = app.test_client()
    checked = 0
    for rule, method in rules(app):
        if rule.endpoint in PUBLIC | API_KEY:
            continue
        response = client.open(url_for_rule(rule), method=method)
        where = f"{method} {rule.rule}"
        if rule.rule.endswith(".json"):
            assert response.status_code == 401, where
            assert response.get_json()["error"]["code"] == "login_required", where
        else:
            assert response.status_code == 302, where
            assert response.location.startswith("/moderation/login?next="), where
        checked += 1
    assert checked >= 15  # the queue, audit, dashboard, settings, accounts and their actions
    with app.app_context():  # and nothing was done
        assert db.session.scalar(sa.select(Comment.status)) == "published"


def test_api_key_routes_refuse_calls_without_a_key(app):
    client = app.test_client()
    for rule, method in rules(app):
        if rule.endpoint in API_KEY:
            response = client.open(url_for_rule(rule), method=method, json={"text": "안녕"})
            assert response.status_code == 401, rule.rule
            assert response.get_json()["error"]["code"], rule.rule


def test_moderators_get_403_on_every_admin_page(app):
    moderator, admin = logged_in(app, "mod"), logged_in(app, "admin")
    admin_routes = 0
    for rule, method in rules(app):
        if not rule.rule.startswith("/moderation") or rule.endpoint in PUBLIC:
            continue
        url, where = url_for_rule(rule), f"{method} {rule.rule}"
        if rule.endpoint.split(".")[0] in ADMIN_BLUEPRINTS or rule.endpoint in ADMIN_ENDPOINTS:
            assert moderator.open(url, method=method).status_code == 403, where
            admin_routes += 1
            if method == "GET":
                assert admin.open(url, method=method).status_code == 200, where
        elif method == "GET":
            # Not an admin page: a moderator gets it (a chart name that does not exist is 404).
            assert moderator.open(url, method=method).status_code in {200, 302, 404}, where
    assert admin_routes >= 5
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Moderator)) == 2


def test_every_state_change_needs_a_csrf_token(app):
    """Forms without a token are refused: 400, or back to the page with the Korean notice."""
    admin = logged_in(app, "admin")
    app.config["WTF_CSRF_ENABLED"] = True
    checked = []
    for rule, method in rules(app, UNSAFE):
        if rule.endpoint in API_KEY | ORIGIN_CHECKED:
            continue
        response = admin.open(url_for_rule(rule), method=method, data={}, follow_redirects=True)
        text = response.get_data(as_text=True)
        assert any(r in text for r in CSRF_REFUSALS), f"{method} {rule.rule} took no token"
        checked.append(rule.endpoint)
    assert "widget.post_form" in checked and "auth.login" in checked and len(checked) >= 12
    with app.app_context():
        assert db.session.scalar(sa.select(Comment.status)) == "published"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1


def test_cookie_carrying_json_endpoints_refuse_foreign_origins(app):
    reader = app.test_client()
    reader.get("/api/v1/articles/news-1/comments")
    for rule, method in rules(app, UNSAFE):
        if rule.endpoint not in ORIGIN_CHECKED:
            continue
        payload = {"body": "남의 사이트에서", "nickname": "독자님", "value": "up", "reason": "spam"}
        for header in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/x"}):
            response = reader.open(url_for_rule(rule), method=method, json=payload, headers=header)
            assert response.status_code == 403, (rule.rule, header)
            assert response.get_json()["error"]["code"] == "origin_not_allowed"
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1
        assert db.session.scalar(sa.select(Comment.upvotes + Comment.report_count)) == 0
