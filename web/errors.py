"""One error shape for the JSON API, and a session rollback after any server error."""

from __future__ import annotations

import re

from flask import Flask, jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from .db import db

API_PREFIX = "/api/"

# Messages for the HTTP errors a reader's browser can run into (translated per request).
_MESSAGES = {
    400: _l("요청이 올바르지 않습니다."),
    403: _l("허용되지 않은 요청입니다."),
    404: _l("찾을 수 없습니다."),
    405: _l("허용되지 않은 방식의 요청입니다."),
    413: _l("요청이 너무 큽니다."),
    415: _l("JSON 형식으로 보내 주세요."),
    429: _l("요청이 너무 잦습니다. 잠시 후 다시 시도해 주세요."),
    500: _l("서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."),
}


def error_response(status: int, code: str, message: str | None = None):
    """The API's only error answer: ``{"error": {"code", "message"}}`` with the status."""
    body = {"error": {"code": code, "message": str(message or _MESSAGES.get(status, ""))}}
    return jsonify(body), status


# NUL cannot be stored in PostgreSQL text and a lone surrogate cannot be encoded to
# UTF-8 at all: JSON can carry both (as escapes), no real text needs them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _has_unstorable_text(value) -> bool:
    """Whether any string (key or value) in parsed JSON holds NUL or a lone surrogate."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_unstorable_text(k) or _has_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_unstorable_text(v) for v in value)
    return False


def request_json():
    """The request's parsed JSON, or None when it cannot be read or holds unstorable text.

    Flask's silent parsing only covers ValueError; JSON nested deeper than the
    parser's recursion limit raises RecursionError, which a client must not turn
    into a 500.
    """
    try:
        data = request.get_json(silent=True)
        return None if _has_unstorable_text(data) else data
    except RecursionError:
        return None


def _code_for(exc: HTTPException) -> str:
    """A snake_case code from an HTTP error's name: Not Found -> not_found."""
    return (exc.name or "error").lower().replace(" ", "_").replace("-", "_")


def _handle_http_error(exc: HTTPException):
    """API paths answer in JSON; other pages keep Flask's HTML error pages."""
    if request.path.startswith(API_PREFIX) and exc.code is not None:
        return error_response(exc.code, _code_for(exc))
    return exc


def _handle_server_error(exc):
    """Undo the half-done transaction, then answer as the path expects."""
    db.session.rollback()
    if request.path.startswith(API_PREFIX):
        return error_response(500, "internal_error")
    return "<h1>500</h1><p>" + str(_MESSAGES[500]) + "</p>", 500


def init_app(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(500, _handle_server_error)
