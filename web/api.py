"""The widget's JSON API under /api/v1."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from . import comment_store, security
from .comment_store import CommentError
from .db import db
from .errors import UnreadableJson, error_response, request_json, too_many_requests_message
from .models import PENDING
from .readers import current_reader, ensure_reader

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def check_origin():
    """Refuse state changes sent from pages outside the allow-list."""
    if security.origin_refused():
        return error_response(
            403, "origin_not_allowed", _("허용되지 않은 사이트에서 온 요청입니다.")
        )
    return None


@bp.after_request
def cors(response):
    """CORS headers for allowed origins."""
    return security.add_cors_headers(response)


@bp.errorhandler(429)
def too_many(exc):
    """Posting, voting or reporting faster than the limits allow, and how long to wait."""
    comments = request.endpoint == "api.post_comment"
    message = too_many_requests_message(security.retry_after(), comments=comments)
    return error_response(429, "too_many_requests", message)


@bp.errorhandler(CommentError)
def comment_error(exc: CommentError):
    """A refused request: nothing of it is kept."""
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message)


def json_body() -> dict:
    """The request's JSON object; CommentError for anything else."""
    if not request.is_json:
        raise CommentError(415, "json_required", _("JSON 형식으로 보내 주세요."))
    try:
        data = request_json()
    except UnreadableJson:
        raise CommentError(400, "invalid_json", _("요청 내용을 읽을 수 없습니다.")) from None
    if not isinstance(data, dict):
        raise CommentError(422, "invalid_type", _("요청 본문은 JSON 객체여야 합니다."))
    return data


def check_strings(data: dict, *fields: str) -> None:
    """CommentError 422 invalid_type for a field sent as anything but text (null too), as the
    scoring API answers; a field left out is the rules' to refuse, with their own code."""
    for field in fields:
        if field in data and not isinstance(data[field], str):
            raise CommentError(
                422, "invalid_type", _("%(field)s은(는) 문자열이어야 합니다.", field=field)
            )


def comment_json(comment, viewer=None, vote: int = 0, reported: bool = False) -> dict:
    """A comment as the widget shows it to this viewer."""
    return comment.to_public_dict(viewer.id if viewer else None, vote, reported)


@bp.get("/articles/<path:key>/comments")
def list_comments(key: str):
    """A page of an article's comments: ?sort=newest|upvotes|downvotes&cursor=."""
    article = comment_store.find_article(key)
    viewer = current_reader()
    page = comment_store.list_comments(
        article,
        sort=request.args.get("sort", "newest"),
        cursor=request.args.get("cursor") or None,
        viewer=viewer,
    )
    return {
        "article": article.to_dict(),
        "own_pending": [comment_json(c, viewer) for c in page.own_pending],
        "comments": [
            comment_json(c, viewer, page.votes.get(c.id, 0), c.id in page.reported)
            for c in page.comments
        ],
        "next_cursor": page.next_cursor,
        "viewer": {"nickname": viewer.nickname if viewer else None},
    }


@bp.post("/articles/<path:key>/comments")
@security.comment_limit_per_reader
@security.comment_limit_per_ip
def post_comment(key: str):
    """Post a comment: {"body", "nickname" (new readers)} -> 201 with the stored comment."""
    data = json_body()
    check_strings(data, "body", "nickname")
    article = comment_store.find_article(key)
    reader = ensure_reader()
    comment = comment_store.post_comment(
        article, reader, data.get("body"), data.get("nickname"), request.remote_addr
    )
    return {
        "comment": comment_json(comment, reader),
        "status": "pending" if comment.status == PENDING else "published",
        "comment_count": article.comment_count,
    }, 201


@bp.post("/comments/<int:comment_id>/vote")
@security.action_limit
@security.action_limit_per_ip
def vote(comment_id: int):
    """Set the reader's vote: {"value": "up"|"down"|"none"}."""
    data = json_body()
    check_strings(data, "value")
    reader = ensure_reader()
    comment, value = comment_store.set_vote(comment_id, reader, data.get("value"))
    reported = bool(comment_store.reported_by(reader, [comment.id]))
    return {"comment": comment_json(comment, reader, value, reported)}


@bp.post("/comments/<int:comment_id>/report")
@security.action_limit
@security.action_limit_per_ip
def report(comment_id: int):
    """Report a comment: {"reason": "abuse"|"hate"|"sexual"|"spam"|"other", "detail"}."""
    data = json_body()
    check_strings(data, "reason", "detail")
    reader = ensure_reader()
    comment_store.report_comment(comment_id, reader, data.get("reason"), data.get("detail", ""))
    return {"reported": True, "message": _("신고가 접수되었습니다.")}, 201


def init_app(app) -> None:
    """Register the blueprint; its JSON requests are guarded by the origin check, not CSRF."""
    security.csrf.exempt(bp)
    app.register_blueprint(bp)
