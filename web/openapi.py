"""The OpenAPI 3 document of everything under /api/v1, built from the app's settings."""

from __future__ import annotations

from classifier.labels import CATEGORIES

from .models import REPORT_REASONS
from .pagination import SORTS
from .text import MAX_BODY_LENGTH, MAX_NICKNAME_LENGTH, MIN_NICKNAME_LENGTH


def _ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    """A response (or request body) holding JSON of this schema."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _obj(properties: dict, required=None, **extra) -> dict:
    """An object schema; every property is required unless a list says otherwise."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }


ERROR = _json(_ref("Error"), 'An error: `{"error": {"code", "message"}}`.')
SPAN_OFFSET = "A Unicode code point offset into the text as sent."
KEYED = [{"apiKey": []}]

# Every code an endpoint can answer with, and when, listed in the document under
# x-error-codes and on the reference page. The scoring API's first:
ERROR_CODES = [
    (400, "invalid_json", "The body is not JSON."),
    (401, "missing_api_key", "No `Authorization: Bearer KEY` header."),
    (401, "invalid_api_key", "No key is known by that value."),
    (403, "revoked_api_key", "The key was revoked."),
    (404, "comment_not_found", "Feedback names a `comment_id` that does not exist."),
    (413, "request_entity_too_large", "The body is over the request size limit."),
    (413, "text_too_long", "A text is over the length limit."),
    (415, "json_required", "The body is not sent as `application/json`."),
    (422, "invalid_type", "A field has the wrong type, or the body is not an object."),
    (
        422,
        "missing_field",
        "Neither or both of `text` and `texts` (or `comment_id`), or no `labels`.",
    ),
    (422, "empty_list", "`texts` is empty."),
    (422, "too_many_texts", "More texts than one request may score."),
    (
        422,
        "empty_text",
        "Feedback's `text` is empty or blank (it would teach the model nothing; `/score` "
        "takes an empty text).",
    ),
    (422, "unknown_label", "A label that is not a category."),
    (
        429,
        "too_many_requests",
        "The key's rate limit is used up: wait `Retry-After` seconds (the message names the wait).",
    ),
    (500, "internal_error", "A fault of the server, never of the request."),
    (503, "model_unavailable", "The model could not be loaded."),
    (503, "unhealthy", "`/api/v1/health`: the model is not loaded or the database is unreachable."),
    (503, "database_unavailable", "The database did not answer: retry after `Retry-After`."),
]

# The comment widget's: a reader's cookie and an allowed Origin, no key.
WIDGET_ERROR_CODES = [
    (400, "invalid_json", "The body is not JSON."),
    (
        422,
        "invalid_type",
        "The body is JSON but not an object (`null`, a list), or a field of it is not a "
        "string (`body`, `nickname`, `value`, `reason`, `detail`; `null` included).",
    ),
    (400, "missing_body", "No `body`."),
    (400, "empty_body", "`body` is blank."),
    (400, "invisible_body", "`body` has only characters that print nothing."),
    (400, "body_too_long", f"`body` is over {MAX_BODY_LENGTH} characters."),
    (400, "missing_nickname", "A reader's first comment has no `nickname`."),
    (
        400,
        "invalid_nickname",
        f"`nickname` is not {MIN_NICKNAME_LENGTH} to {MAX_NICKNAME_LENGTH} visible characters.",
    ),
    (400, "invalid_sort", "`sort` is not one the list offers."),
    (400, "invalid_cursor", "`cursor` is not a `next_cursor` this list gave."),
    (400, "invalid_vote", "`value` is missing or not `up`, `down` or `none`."),
    (400, "invalid_reason", "`reason` is missing or not one of the report reasons."),
    (400, "invalid_detail", "`detail` is over 300 characters."),
    (403, "origin_not_allowed", "A change sent from a page outside `ALLOWED_ORIGINS`."),
    (403, "reader_banned", "The reader is banned: no comments, votes or reports."),
    (403, "own_comment", "Readers cannot vote on or report their own comments."),
    (403, "comments_closed", "The article no longer takes comments."),
    (404, "unknown_article", "No article has this key."),
    (404, "unknown_comment", "No such comment, or it is not shown to readers."),
    (404, "not_found", "The path names nothing (a comment id that is not a number)."),
    (409, "already_reported", "The reader has already reported this comment."),
    (413, "request_entity_too_large", "The body is over the request size limit."),
    (415, "json_required", "The body is not sent as `application/json`."),
    (
        429,
        "too_many_requests",
        "The reader or the address posts or votes too often: wait `Retry-After` seconds "
        "(the message names the wait).",
    ),
    (500, "internal_error", "A fault of the server, never of the request."),
    (503, "database_unavailable", "The database did not answer: retry after `Retry-After`."),
]


def _error_codes(codes: list[tuple[int, str, str]]) -> list[dict]:
    """Error codes as the document lists them."""
    return [{"status": s, "code": code, "description": when} for s, code, when in codes]


def _schemas(max_texts: int, max_length: int) -> dict:
    """The component schemas."""
    text = {"type": "string", "maxLength": max_length}
    categories = _obj({c: {"type": "number", "minimum": 0, "maximum": 1} for c in CATEGORIES})
    nullable_str = {"type": ["string", "null"]}
    return {
        "Error": _obj(
            {
                "error": _obj(
                    {
                        "code": {"type": "string", "description": "Stable, snake_case."},
                        "message": {
                            "type": "string",
                            "description": "For people: Korean, or English if asked.",
                        },
                    }
                )
            }
        ),
        "ScoreRequest": {
            "oneOf": [
                _obj({"text": text}, additionalProperties=False),
                _obj(
                    {
                        "texts": {
                            "type": "array",
                            "items": text,
                            "minItems": 1,
                            "maxItems": max_texts,
                        }
                    },
                    additionalProperties=False,
                ),
            ]
        },
        "Span": _obj(
            {
                "start": {"type": "integer", "minimum": 0, "description": SPAN_OFFSET},
                "end": {"type": "integer", "minimum": 0, "description": SPAN_OFFSET},
                "category": {"type": "string", "enum": list(CATEGORIES)},
                "weight": {"type": "number"},
            },
            description=(
                "A part of the text that weighs towards a category: `text[start:end]`, "
                "counted in Unicode code points of the text as sent (not UTF-16 units: "
                'in JavaScript take `Array.from(text).slice(start, end).join("")`).'
            ),
        ),
        "Result": _obj(
            {
                "toxicity": {"type": "number", "minimum": 0, "maximum": 1},
                "flagged": {"type": "boolean", "description": "decision is not publish"},
                "decision": {"type": "string", "enum": ["hold", "review", "publish"]},
                "categories": categories,
                "spans": {"type": "array", "items": _ref("Span")},
            }
        ),
        "ScoreResponse": _obj(
            {
                "model_version": {"type": "string"},
                "results": {"type": "array", "items": _ref("Result")},
            }
        ),
        "FeedbackRequest": _obj(
            {
                "text": {
                    **text,
                    "minLength": 1,
                    "description": "Not empty or blank (422 `empty_text`).",
                },
                "comment_id": {"type": "integer"},
                "labels": {
                    "type": "array",
                    "items": {"type": "string", "enum": list(CATEGORIES)},
                    "description": "The categories the text belongs to; `[]` for a clean text.",
                },
            },
            required=["labels"],
            description="Exactly one of `text` or `comment_id`.",
        ),
        "Feedback": _obj(
            {
                "id": {"type": "integer"},
                "labels": {"type": "array", "items": {"type": "string"}},
                "comment_id": {"type": ["integer", "null"]},
                "created_at": {"type": "string", "format": "date-time"},
            },
            additionalProperties=False,
            description="The stored label. The text is not sent back: a comment named by "
            "`comment_id` may be one readers cannot see.",
        ),
        "Health": _obj(
            {
                "status": {"type": "string", "enum": ["ok"]},
                "model": _obj({"loaded": {"type": "boolean"}, "version": nullable_str}),
                "database": _obj({"reachable": {"type": "boolean"}}),
            }
        ),
        "Article": _obj(
            {
                "key": {"type": "string"},
                "title": {"type": "string"},
                "url": nullable_str,
                "comments_open": {"type": "boolean"},
                "comment_count": {"type": "integer"},
            }
        ),
        "Comment": _obj(
            {
                "id": {"type": "integer"},
                "nickname": {"type": "string", "description": "Masked: 김철*"},
                "body": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "upvotes": {"type": "integer"},
                "downvotes": {"type": "integer"},
                "mine": {"type": "boolean"},
                "pending": {"type": "boolean"},
                "my_vote": {"type": "string", "enum": ["up", "down", "none"]},
                "reported": {
                    "type": "boolean",
                    "description": "The viewer has reported it (a reader reports a comment once)",
                },
            }
        ),
        "CommentPage": _obj(
            {
                "article": _ref("Article"),
                "own_pending": {"type": "array", "items": _ref("Comment")},
                "comments": {"type": "array", "items": _ref("Comment")},
                "next_cursor": nullable_str,
                "viewer": _obj({"nickname": nullable_str}),
            }
        ),
    }


def _scoring_paths() -> dict:
    """The keyed scoring API and the open health and ping."""
    return {
        "/api/v1/score": {
            "post": {
                "tags": ["scoring"],
                "summary": "Score one text or up to 100",
                "description": (
                    "One result per text, in order. `decision` applies the site's "
                    "current settings as a posted comment gets them: the hold and review "
                    "thresholds (applied to the toxicity or, when it is higher, the "
                    "likeliest category's probability), the words that always hold a "
                    "comment, and the words "
                    "never counted (blanked before scoring). A text over the length limit is "
                    "413 `text_too_long`; more texts than allowed is 422 `too_many_texts`. "
                    "An empty text is scored like any other (a low toxicity, no spans): "
                    "harmless, unlike an empty text sent as feedback."
                ),
                "security": KEYED,
                "requestBody": {"required": True, **_json(_ref("ScoreRequest"), "Texts")},
                "responses": {
                    "200": _json(_ref("ScoreResponse"), "The scores"),
                    "default": ERROR,
                },
            }
        },
        "/api/v1/feedback": {
            "post": {
                "tags": ["scoring"],
                "summary": "Send the labels you believe right, for the next training",
                "description": (
                    "The text, or the stored comment `comment_id` names, is kept as a "
                    "training label with the key that sent it. An empty or blank `text` is "
                    "422 `empty_text`: as a label it would teach the model nothing (scoring "
                    "one is allowed)."
                ),
                "security": KEYED,
                "requestBody": {"required": True, **_json(_ref("FeedbackRequest"), "Labels")},
                "responses": {
                    "201": _json(_obj({"feedback": _ref("Feedback")}), "Stored"),
                    "default": ERROR,
                },
            }
        },
        "/api/v1/health": {
            "get": {
                "tags": ["operations"],
                "summary": "Model loaded and database reachable (503 otherwise)",
                "security": [],
                "responses": {"200": _json(_ref("Health"), "Ready"), "default": ERROR},
            }
        },
        "/api/v1/ping": {
            "get": {
                "tags": ["operations"],
                "summary": "A no-op answer (the framework's own speed)",
                "security": [],
                "responses": {
                    "200": _json(_obj({"ok": {"type": "boolean"}}), "Up"),
                    "default": ERROR,
                },
            }
        },
    }


def _widget_paths() -> dict:
    """The comment widget's endpoints: a reader's cookie and an allowed Origin, no key."""
    key = {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}
    comment_id = {"name": "comment_id", "in": "path", "required": True}
    comment_id["schema"] = {"type": "integer", "minimum": 0}
    widget = {"tags": ["widget"], "security": []}
    comment = _obj({"comment": _ref("Comment")})
    return {
        "/api/v1/articles/{key}/comments": {
            "get": {
                **widget,
                "summary": "A page of an article's comments",
                "parameters": [
                    key,
                    {
                        "name": "sort",
                        "in": "query",
                        "schema": {"type": "string", "enum": list(SORTS)},
                    },
                    {
                        "name": "cursor",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "next_cursor of the previous page",
                    },
                ],
                "responses": {"200": _json(_ref("CommentPage"), "The page"), "default": ERROR},
            },
            "post": {
                **widget,
                "summary": "Post a comment (nickname needed on a reader's first)",
                "parameters": [key],
                "requestBody": {
                    "required": True,
                    **_json(
                        _obj(
                            {"body": {"type": "string"}, "nickname": {"type": "string"}},
                            required=["body"],
                        ),
                        "The comment",
                    ),
                },
                "responses": {
                    "201": _json(
                        _obj(
                            {
                                "comment": _ref("Comment"),
                                "status": {"type": "string", "enum": ["published", "pending"]},
                                "comment_count": {"type": "integer"},
                            }
                        ),
                        "Posted",
                    ),
                    "default": ERROR,
                },
            },
        },
        "/api/v1/comments/{comment_id}/vote": {
            "post": {
                **widget,
                "summary": "Set the reader's vote",
                "parameters": [comment_id],
                "requestBody": {
                    "required": True,
                    **_json(
                        _obj({"value": {"type": "string", "enum": ["up", "down", "none"]}}),
                        "The vote",
                    ),
                },
                "responses": {"200": _json(comment, "The comment now"), "default": ERROR},
            }
        },
        "/api/v1/comments/{comment_id}/report": {
            "post": {
                **widget,
                "summary": "Report a comment",
                "parameters": [comment_id],
                "requestBody": {
                    "required": True,
                    **_json(
                        _obj(
                            {
                                "reason": {"type": "string", "enum": list(REPORT_REASONS)},
                                "detail": {"type": "string", "maxLength": 300},
                            },
                            required=["reason"],
                        ),
                        "The report",
                    ),
                },
                "responses": {
                    "201": _json(
                        _obj({"reported": {"type": "boolean"}, "message": {"type": "string"}}),
                        "Reported",
                    ),
                    "default": ERROR,
                },
            }
        },
    }


def openapi_document(config) -> dict:
    """The whole document, with the limits the app is configured with."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "comment-mod API",
            "version": "1",
            "description": (
                "Scoring for Korean comments, and the comment widget's JSON endpoints. "
                'Every error is `{"error": {"code", "message"}}` with its HTTP status; '
                "keyed endpoints take `Authorization: Bearer KEY` (comment-mod create-api-key) "
                f"and are limited to {config['API_KEY_RATE_LIMIT']} per key (429 with "
                "Retry-After; other answers carry X-RateLimit-* alone). Request bodies over "
                f"{config['MAX_CONTENT_LENGTH']:,} bytes are 413; a body that is not JSON is "
                "400 `invalid_json`, and JSON that is not an object (`null`, a list) 422 "
                "`invalid_type`, on every endpoint that takes one. Every code, and when it "
                "is answered, is listed under `x-error-codes`."
            ),
        },
        "x-error-codes": {
            "scoring": _error_codes(ERROR_CODES),
            "widget": _error_codes(WIDGET_ERROR_CODES),
        },
        "paths": {**_scoring_paths(), **_widget_paths()},
        "components": {
            "schemas": _schemas(config["API_MAX_TEXTS"], config["API_MAX_TEXT_LENGTH"]),
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
        },
        "security": KEYED,
    }
