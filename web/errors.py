"""One error shape for the JSON API, Korean error pages elsewhere, and a session rollback
after any server error."""

from __future__ import annotations

import logging
import math
import re

import sqlalchemy as sa
from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

from . import i18n, security
from .db import db

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
MODERATION_PREFIX = "/moderation/"

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
    503: _l("일시적으로 댓글 서비스를 이용할 수 없습니다. 잠시 후 다시 시도해 주세요."),
}

# Every message the app shows a reader or moderator for an error, in one place.
MESSAGES = {
    "database_unavailable": _MESSAGES[503],
    "form_expired": _l("페이지가 만료되었습니다. 새로고침한 뒤 다시 시도해 주세요."),
    "login_required": _l("로그인이 필요합니다."),
    "too_many_requests": _MESSAGES[429],
    "too_many_comments": _l("댓글을 너무 자주 쓰고 있습니다. 잠시 후 다시 시도해 주세요."),
}


def wait_phrase(seconds: int) -> str:
    """How long to wait, for a sentence: 30초 후에, or whole minutes (rounded up) from 60 s."""
    if seconds < 60:
        return ngettext("%(num)d초 후에", "%(num)d초 후에", seconds)
    return ngettext("%(num)d분 후에", "%(num)d분 후에", math.ceil(seconds / 60))


def too_many_requests_message(seconds: int | None, comments: bool = False) -> str:
    """A 429's message: the wait it names is the answer's Retry-After, when one is known.

    ``comments``: the reader is posting comments too often (rather than voting, reporting
    or calling the API).
    """
    if seconds is None:
        return str(MESSAGES["too_many_comments" if comments else "too_many_requests"])
    wait = wait_phrase(seconds)
    if comments:
        return gettext("댓글을 너무 자주 쓰고 있습니다. %(wait)s 다시 시도해 주세요.", wait=wait)
    return gettext("요청이 너무 잦습니다. %(wait)s 다시 시도해 주세요.", wait=wait)


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


class UnreadableJson(Exception):
    """The request body is not JSON, or holds text no column can store."""


def request_json():
    """The request's parsed JSON (``null`` is None); UnreadableJson when it cannot be read
    or holds unstorable text.

    JSON nested deeper than the parser's recursion limit raises RecursionError, which a
    client must not turn into a 500.
    """
    try:
        data = request.get_json()
    except (BadRequest, RecursionError):
        raise UnreadableJson from None
    if _has_unstorable_text(data):
        raise UnreadableJson
    return data


def _code_for(exc: HTTPException) -> str:
    """A snake_case code from an HTTP error's name: Not Found -> not_found."""
    return (exc.name or "error").lower().replace(" ", "_").replace("-", "_")


def _handle_http_error(exc: HTTPException):
    """JSON for the API (and clients asking for JSON), a Korean page for everyone else."""
    if exc.code is None or exc.code < 400:
        return exc
    # A refusal of the limiter says how long to wait.
    too_many = too_many_requests_message(security.retry_after()) if exc.code == 429 else None
    if wants_json():
        return error_response(exc.code, _code_for(exc), too_many)
    if isinstance(exc, CSRFError):  # a form without a valid token, on a page of its own
        message = MESSAGES["form_expired"]
    else:
        fallback = _MESSAGES[500] if exc.code >= 500 else _MESSAGES[400]
        message = too_many or _MESSAGES.get(exc.code, fallback)
    if exc.code < 500 and (request.path + "/").startswith(MODERATION_PREFIX):  # /moderation too
        response = moderation_message_page(message)
    else:
        response = message_page(message)
    # What the status needs besides the page: Allow on a 405, WWW-Authenticate on a 401.
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response, exc.code


def message_page(message):
    """A page holding one message, rendered straight from the template: context
    processors (the logged-in user) would ask the database, which may be what failed."""
    template = current_app.jinja_env.get_template("message.html")
    return current_app.make_response(template.render(message=message, **i18n.template_globals()))


def moderation_message_page(message):
    """A page of the moderation area holding one message, with its navigation and a link
    back to the queue; the plain page if the database, asked who is logged in, fails."""
    try:
        return current_app.make_response(
            render_template("moderation/message.html", message=message)
        )
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return message_page(message)


def _handle_server_error(exc):
    """Undo the half-done transaction, then answer as the path expects."""
    db.session.rollback()
    if request.path.startswith(API_PREFIX):
        return error_response(500, "internal_error")
    return "<h1>500</h1><p>" + str(_MESSAGES[500]) + "</p>", 500


def wants_json() -> bool:
    """Whether the client reads JSON here: the API, a .json path, or an Accept asking for it."""
    if request.path.startswith(API_PREFIX) or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _handle_database_unavailable(exc: sa.exc.SQLAlchemyError):
    """The database is down, unreachable or locked: 503 and when to retry, never a 500.

    Nothing of the request was committed (the transaction is rolled back), so a
    client that retries later posts its comment once.
    """
    logger.error("database unavailable: %s", exc.__class__.__name__, exc_info=exc)
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:  # the connection is gone; the pool replaces it
        db.session.close()
    retry = str(current_app.config.get("DATABASE_RETRY_AFTER", 5))
    message = MESSAGES["database_unavailable"]
    if wants_json():
        response, status = error_response(503, "database_unavailable", message)
    else:
        response, status = message_page(message), 503
    response.headers["Retry-After"] = retry
    response.headers["Cache-Control"] = "no-store"
    return response, status


def init_app(app: Flask) -> None:
    """Install the handlers."""
    app.register_error_handler(HTTPException, _handle_http_error)
    # OperationalError: refused or dropped connections, SQLite's "database is locked";
    # InterfaceError: a connection closed under us; TimeoutError: no pooled connection.
    for error in (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError):
        app.register_error_handler(error, _handle_database_unavailable)
    app.register_error_handler(500, _handle_server_error)
