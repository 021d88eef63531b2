"""One error shape for the JSON API, and a session rollback after any server error."""

from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from .db import db

API_PREFIX = "/api/"

# Korean messages for the HTTP errors a reader's browser can run into.
_MESSAGES = {
    400: "요청이 올바르지 않습니다.",
    403: "허용되지 않은 요청입니다.",
    404: "찾을 수 없습니다.",
    405: "허용되지 않은 방식의 요청입니다.",
    413: "요청이 너무 큽니다.",
    415: "JSON 형식으로 보내 주세요.",
    429: "요청이 너무 잦습니다. 잠시 후 다시 시도해 주세요.",
    500: "서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요.",
}


def error_response(status: int, code: str, message: str | None = None):
    """The API's only error answer: ``{"error": {"code", "message"}}`` with the status."""
    body = {"error": {"code": code, "message": message or _MESSAGES.get(status, "")}}
    return jsonify(body), status


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
    return "<h1>500</h1><p>" + _MESSAGES[500] + "</p>", 500


def init_app(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(HTTPException, _handle_http_error)
    app.register_error_handler(500, _handle_server_error)
