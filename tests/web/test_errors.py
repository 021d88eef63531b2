"""HTTP errors: the API's JSON shape under /api/, a page in the reader's language elsewhere."""

from __future__ import annotations

import pytest
from flask import abort

from web.errors import too_many_requests_message, wait_phrase

from .conftest import add_moderator, log_in
from .test_api import assert_error
from .test_i18n import hangul_in

NEWS_SITE = "https://news.example.com"


@pytest.fixture
def database_url(tmp_path) -> str:
    """Error pages do not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'errors.sqlite3'}"


@pytest.fixture
def app(app_factory):
    """The app, a news site allowed to embed it, and a route that fails as it is told."""
    app = app_factory(ALLOWED_ORIGINS=[NEWS_SITE], EMBED_AUTO_CREATE=False)
    app.add_url_rule("/test-error/<int:status>", "test_error", lambda status: abort(status))
    return app


def assert_error_page(response, status: int, message: str):
    """A whole page of ours with this status and message, nothing of Werkzeug's English."""
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="ko">' in page
    assert f'<p class="cm-error">{message}</p>' in page
    assert "Werkzeug" not in page and "<title>" + str(status) not in page
    return page


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/articles/nope/comments", 404, "찾을 수 없습니다."),
        ("GET", "/static/nope.js", 404, "찾을 수 없습니다."),
        ("GET", "/no/such/page", 404, "찾을 수 없습니다."),
        ("POST", "/", 405, "허용되지 않은 방식의 요청입니다."),
    ],
)
def test_reader_errors_are_korean_pages(client, method, path, status, message):
    response = client.open(path, method=method)
    assert_error_page(response, status, message)
    if status == 405:
        assert "GET" in response.headers["Allow"]


def test_a_missing_embed_is_a_page_the_news_site_may_frame(client):
    response = client.get("/embed/nope")
    assert_error_page(response, 404, "찾을 수 없습니다.")
    assert f"frame-ancestors 'self' {NEWS_SITE}" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def assert_moderation_error_page(response, status: int, message: str):
    """A page of the moderation area with this status and message, and the way back."""
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'<p class="mq-error" role="alert">{message}</p>' in page
    assert 'href="/moderation/queue/held"' in page and "moderation.css" in page
    assert "Werkzeug" not in page
    return page


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/moderation/settings/", 403, "허용되지 않은 요청입니다."),
        ("/moderation/api-keys/", 403, "허용되지 않은 요청입니다."),
        ("/moderation/no/such/page", 404, "찾을 수 없습니다."),
        ("/moderation/decide", 405, "허용되지 않은 방식의 요청입니다."),
    ],
)
def test_a_moderator_gets_errors_inside_the_moderation_area(app, path, status, message):
    add_moderator(app)
    client = app.test_client()
    log_in(client)
    page = assert_moderation_error_page(client.get(path), status, message)
    assert '<html lang="ko">' in page
    assert 'class="mq-nav"' in page and "로그아웃" in page  # the area's navigation
    english = client.get(path, headers={"Accept-Language": "en"}).text
    assert "Back to the queue" in english and "Log out" in english
    assert not hangul_in(english), hangul_in(english)


def test_an_unknown_moderation_page_without_login_has_the_area_layout(client):
    page = assert_moderation_error_page(client.get("/moderation/nope"), 404, "찾을 수 없습니다.")
    assert 'class="mq-nav"' not in page  # nothing but the way to the login


def test_a_form_without_its_token_says_the_page_expired(app):
    add_moderator(app)
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/moderation/login", data={"name": "mod", "password": "x"})
    message = "페이지가 만료되었습니다. 새로고침한 뒤 다시 시도해 주세요."
    assert_moderation_error_page(response, 400, message)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "요청이 올바르지 않습니다."),
        (403, "허용되지 않은 요청입니다."),
        (404, "찾을 수 없습니다."),
        (405, "허용되지 않은 방식의 요청입니다."),
        (413, "요청이 너무 큽니다."),
        (429, "요청이 너무 잦습니다. 잠시 후 다시 시도해 주세요."),
        (418, "요청이 올바르지 않습니다."),  # any other client error
        (501, "서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."),
    ],
)
def test_every_http_error_is_a_korean_page(client, status, message):
    assert_error_page(client.get(f"/test-error/{status}"), status, message)


def test_a_body_too_large_for_a_form_is_a_korean_413(app, client, article):
    app.config["MAX_CONTENT_LENGTH"] = 100
    response = client.post(f"/articles/{article}/comments", data={"body": "가" * 200})
    assert_error_page(response, 413, "요청이 너무 큽니다.")


@pytest.mark.parametrize("path", ["/no/such/page", "/embed/nope", "/test-error/403"])
def test_error_pages_follow_the_interface_language(client, path):
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code in (403, 404)
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Not found." in page or "This request is not allowed." in page
    assert not hangul_in(page), hangul_in(page)


def test_api_errors_keep_their_json_shape(client):
    html = {"Accept": "text/html"}
    assert_error(client.get("/api/v1/nothing-here", headers=html), 404, "not_found")
    assert_error(client.post("/api/v1/health", headers=html), 405, "method_not_allowed")
    assert_error(client.get("/api/v1/nothing?lang=en"), 404, "not_found")


def test_a_client_asking_for_json_gets_json_anywhere(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert "Not found" not in assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("seconds", "korean", "english"),
    [
        (1, "1초 후에", "in 1 second"),
        (30, "30초 후에", "in 30 seconds"),
        (59, "59초 후에", "in 59 seconds"),
        (60, "1분 후에", "in 1 minute"),
        (61, "2분 후에", "in 2 minutes"),  # never less than Retry-After
        (120, "2분 후에", "in 2 minutes"),
        (3600, "60분 후에", "in 60 minutes"),
    ],
)
def test_the_wait_is_named_in_seconds_or_whole_minutes(app, seconds, korean, english):
    with app.test_request_context("/"):
        assert wait_phrase(seconds) == korean
    with app.test_request_context("/?lang=en"):
        assert wait_phrase(seconds) == english


def test_a_429_without_a_known_wait_keeps_the_plain_message(app):
    with app.test_request_context("/"):
        assert (
            too_many_requests_message(None) == "요청이 너무 잦습니다. 잠시 후 다시 시도해 주세요."
        )
        assert too_many_requests_message(None, comments=True) == (
            "댓글을 너무 자주 쓰고 있습니다. 잠시 후 다시 시도해 주세요."
        )
        assert (
            too_many_requests_message(30) == "요청이 너무 잦습니다. 30초 후에 다시 시도해 주세요."
        )
    with app.test_request_context("/?lang=en"):
        assert too_many_requests_message(120, comments=True) == (
            "You are commenting too often. Please try again in 2 minutes."
        )
