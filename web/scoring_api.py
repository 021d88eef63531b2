"""The scoring API under /api/v1 for other systems: score, feedback, health."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, request
from flask_babel import format_number
from flask_babel import gettext as _

from classifier.labels import CATEGORIES

from . import key_rate_limit, security, site_settings
from .api_keys import ApiError, authenticated_key, require_api_key
from .db import db
from .errors import UnreadableJson, error_response, request_json
from .ids import is_row_id
from .models import FLAGGED, PENDING, Comment, FeedbackLabel
from .policy import Thresholds, decide
from .scoring import ModelUnavailable, artifact_problem, model_holder

bp = Blueprint("scoring_api", __name__, url_prefix="/api/v1")

# The site policy's statuses as the API names them.
DECISIONS = {PENDING: "hold", FLAGGED: "review"}


bp.after_request(key_rate_limit.add_headers)  # X-RateLimit-* on every keyed answer


@bp.errorhandler(ApiError)
def api_error(exc: ApiError):
    """A refused request in the one error shape, with any headers it needs."""
    db.session.rollback()
    response, status = error_response(exc.status, exc.code, exc.message)
    response.headers.update(exc.headers)
    return response, status


@bp.errorhandler(ModelUnavailable)
def model_unavailable(exc: ModelUnavailable):
    """No model to score with: the client may retry later."""
    current_app.logger.error("scoring API without a model: %s", exc)
    return error_response(503, "model_unavailable", _("모델을 불러오지 못했습니다."))


def json_object() -> dict:
    """The request's JSON object; ApiError for a wrong media type, bad JSON or a non-object."""
    if not request.is_json:
        raise ApiError(415, "json_required", _("JSON 형식(application/json)으로 보내 주세요."))
    try:
        data = request_json()
    except UnreadableJson:
        raise ApiError(400, "invalid_json", _("요청 본문이 올바른 JSON이 아닙니다.")) from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_type", _("요청 본문은 JSON 객체여야 합니다."))
    return data


def check_text(value, field: str) -> str:
    """One text to score: a string no longer than the limit."""
    if not isinstance(value, str):
        raise ApiError(422, "invalid_type", _("%(field)s은(는) 문자열이어야 합니다.", field=field))
    limit = current_app.config["API_MAX_TEXT_LENGTH"]
    if len(value) > limit:
        message = _(
            "%(field)s이(가) %(limit)s자를 넘습니다.", field=field, limit=format_number(limit)
        )
        raise ApiError(413, "text_too_long", message)
    return value


def texts_from(data: dict) -> list[str]:
    """The texts of a score request: exactly one of "text" or "texts"."""
    if ("text" in data) == ("texts" in data):
        raise ApiError(422, "missing_field", _('"text"나 "texts" 중 하나만 보내 주세요.'))
    if "text" in data:
        return [check_text(data["text"], "text")]
    texts = data["texts"]
    if not isinstance(texts, list):
        raise ApiError(422, "invalid_type", _("texts는 문자열의 목록이어야 합니다."))
    if not texts:
        raise ApiError(422, "empty_list", _("texts가 비어 있습니다."))
    limit = current_app.config["API_MAX_TEXTS"]
    if len(texts) > limit:
        raise ApiError(
            422, "too_many_texts", _("한 번에 %(limit)d개까지 보낼 수 있습니다.", limit=limit)
        )
    return [check_text(t, f"texts[{i}]") for i, t in enumerate(texts)]


def result_json(score, thresholds: Thresholds, held_for_words: bool = False) -> dict:
    """One text's answer: the model's scores and the site's decision."""
    status, _ = decide(score.toxicity, thresholds, score.categories)
    decision = "hold" if held_for_words else DECISIONS.get(status, "publish")
    return {**score.to_dict(), "flagged": decision != "publish", "decision": decision}


@bp.post("/score")
@require_api_key
def score():
    """Score {"text"} or {"texts": [...]}: one result per text, in order.

    The site's settings apply as they do to a posted comment: never-counted words are
    blanked before scoring, and a hold word makes the decision "hold".
    """
    texts = texts_from(json_object())
    settings = site_settings.current()  # as an admin last set them
    scores, version = model_holder().score_many([settings.mask_allowed(t) for t in texts])
    return {
        "model_version": version,
        "results": [
            result_json(s, settings.thresholds, settings.holds_for_words(t))
            for s, t in zip(scores, texts, strict=True)
        ],
    }


def labels_from(data: dict) -> list[str]:
    """The labels a feedback request believes right: known category names, maybe none."""
    if "labels" not in data:
        raise ApiError(422, "missing_field", _('"labels"가 필요합니다 (깨끗한 글이면 []).'))
    labels = data["labels"]
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise ApiError(422, "invalid_type", _("labels는 문자열의 목록이어야 합니다."))
    unknown = sorted(set(labels) - set(CATEGORIES))
    if unknown:
        raise ApiError(
            422,
            "unknown_label",
            _(
                "알 수 없는 분류: %(unknown)s (가능: %(known)s)",
                unknown=", ".join(unknown),
                known=", ".join(CATEGORIES),
            ),
        )
    return [c for c in CATEGORIES if c in labels]


def feedback_target(data: dict) -> tuple[str, int | None]:
    """The text the feedback is about, from "text" or from the stored comment "comment_id"."""
    if ("text" in data) == ("comment_id" in data):
        raise ApiError(422, "missing_field", _('"text"나 "comment_id" 중 하나만 보내 주세요.'))
    if "text" in data:
        text = check_text(data["text"], "text")
        if not text.strip():
            raise ApiError(422, "empty_text", _("text가 비어 있습니다."))
        return text, None
    comment_id = data["comment_id"]
    if not isinstance(comment_id, int) or isinstance(comment_id, bool):
        raise ApiError(422, "invalid_type", _("comment_id는 정수여야 합니다."))
    body = None
    if is_row_id(comment_id):
        body = db.session.scalar(sa.select(Comment.body).where(Comment.id == comment_id))
    if body is None:
        raise ApiError(404, "comment_not_found", _("댓글 %(id)s이(가) 없습니다.", id=comment_id))
    return body, comment_id


@bp.post("/feedback")
@require_api_key
def feedback():
    """Store the labels a caller believes right for a text or comment, for retraining."""
    data = json_object()
    text, comment_id = feedback_target(data)
    labels = labels_from(data)
    record = FeedbackLabel(
        text=text, labels=labels, comment_id=comment_id, api_key_id=authenticated_key().id
    )
    db.session.add(record)
    db.session.commit()
    return {"feedback": record.to_dict()}, 201


def model_health() -> dict:
    """The model's state for the health check: ok, loaded, version, and what is wrong."""
    holder = model_holder()
    try:
        loaded = holder.get()
    except ModelUnavailable as exc:
        problem = artifact_problem(holder.path) or str(exc)
        return {"ok": False, "loaded": False, "version": None, "error": problem}
    # The model in memory still scores, but a restart or reload would fail.
    problem = holder.artifact_problem()
    state = {"ok": problem is None, "loaded": True, "version": loaded.version}
    if problem:
        state["error"] = problem
    return state


@bp.get("/health")
def health():
    """For load balancers: 200 when the model is whole and the database answers, else 503."""
    problems = []
    model = model_health()
    if not model["ok"]:
        problems.append("model")
    database = {"reachable": True}
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        database = {"reachable": False}
        problems.append("database")
    if problems:
        message = _("사용할 수 없음: %(problems)s", problems=", ".join(problems))
        error = {"code": "unhealthy", "message": message}
        return {"error": error, "model": model, "database": database}, 503
    return {"status": "ok", "model": model, "database": database}


@bp.get("/ping")
def ping():
    """A no-op answer: the framework's own speed, for the benchmark."""
    return {"ok": True}


def init_app(app) -> None:
    """Register the blueprint: keyed calls carry no cookie, so CSRF does not apply, and
    its one rate limit is counted by require_api_key, so Flask-Limiter's pass is skipped."""
    security.csrf.exempt(bp)
    security.skip_limiter_pass(app, bp.name)
    app.register_blueprint(bp)
