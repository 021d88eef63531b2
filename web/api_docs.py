"""The API's OpenAPI document and a reference page rendered from it."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, render_template

from .openapi import openapi_document

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")


def schema_text(schema: dict | None) -> str:
    """A schema as indented JSON for the page."""
    return json.dumps(schema, ensure_ascii=False, indent=2) if schema else ""


def operations(document: dict) -> list[dict]:
    """Each path and method of the document, flattened for the template."""
    found = []
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            found.append(
                {
                    "id": f"{method}-{path}".replace("/", "-").strip("-"),
                    "method": method.upper(),
                    "path": path,
                    "op": op,
                    "keyed": op.get("security", document.get("security")) != [],
                    "body": schema_text(body.get("schema")),
                    "responses": {
                        status: schema_text(
                            r.get("content", {}).get("application/json", {}).get("schema")
                        )
                        for status, r in op["responses"].items()
                    },
                }
            )
    return found


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 document."""
    return openapi_document(current_app.config)


@bp.get("/docs")
def reference():
    """The human-readable reference, generated from the same document."""
    document = openapi_document(current_app.config)
    schemas = {name: schema_text(s) for name, s in document["components"]["schemas"].items()}
    return render_template(
        "api_docs.html", doc=document, operations=operations(document), schemas=schemas
    )


def init_app(app) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
