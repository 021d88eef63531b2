"""The API's OpenAPI document and a reference page rendered from it."""

from __future__ import annotations

import json
import re

from flask import Blueprint, current_app, render_template
from markupsafe import Markup, escape

from .openapi import openapi_document

bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")
REF_PREFIX = "#/components/schemas/"
_CODE_SPAN = re.compile(r"`([^`]+)`")


@bp.app_template_filter("code_spans")
def code_spans(text: str | None) -> Markup:
    """Text with its `code` spans as <code> elements and everything else escaped."""
    text = str(text or "")
    parts, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        parts += [escape(text[last : match.start()]), Markup("<code>%s</code>") % match[1]]
        last = match.end()
    return Markup("").join([*parts, escape(text[last:])])


def schema_text(schema: dict | None) -> str:
    """A schema as indented JSON for the page."""
    return json.dumps(schema, ensure_ascii=False, indent=2) if schema else ""


def ref_name(schema: dict) -> str | None:
    """The component a schema refers to, if it is a reference."""
    ref = schema.get("$ref", "")
    return ref.removeprefix(REF_PREFIX) if ref.startswith(REF_PREFIX) else None


def type_html(schema: dict) -> Markup:
    """A schema's type in a few words, with links to the components it names."""
    name = ref_name(schema)
    if name:
        return Markup('<a href="#schema-{0}"><code>{0}</code></a>').format(name)
    if "oneOf" in schema:
        return Markup(" or ").join(type_html(s) for s in schema["oneOf"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return Markup(" or ").join(escape(k) for k in kind)
    if kind == "array":
        return Markup("array of ") + type_html(schema.get("items", {}))
    if "format" in schema:
        return escape(f"{kind} ({schema['format']})")
    return escape(kind)


def _bounds(low, high, unit: str) -> str | None:
    """Limits in words: '1 to 100 items', 'at most 5000 characters', 'at least 0'."""
    unit = f" {unit}" if unit else ""
    if low is not None and high is not None:
        return f"{low} to {high}{unit}"
    if high is not None:
        return f"at most {high}{unit}"
    if low is not None:
        return f"at least {low}{unit}"
    return None


def notes_html(schema: dict) -> Markup:
    """A schema's description, then its limits in brackets: values, ranges, lengths, counts."""
    notes = limits_html(schema)
    if not schema.get("description"):
        return notes
    description = code_spans(schema["description"])
    return description + Markup(" (%s)") % notes if notes else description


def limits_html(schema: dict) -> Markup:
    """What a schema allows, in words: its values, range, length, item count."""
    notes = []
    if "enum" in schema:
        values = Markup(", ").join(Markup("<code>%s</code>") % v for v in schema["enum"])
        notes.append(Markup("one of ") + values)
    for limits in (
        _bounds(schema.get("minimum"), schema.get("maximum"), ""),
        _bounds(schema.get("minLength"), schema.get("maxLength"), "characters"),
        _bounds(schema.get("minItems"), schema.get("maxItems"), "items"),
    ):
        if limits:
            notes.append(escape(limits))
    if schema.get("additionalProperties") is False:
        notes.append(escape("no other properties"))
    items = schema.get("items", {})
    if schema.get("type") == "array" and not ref_name(items):
        each = notes_html(items)
        if each:
            notes.append(Markup("each ") + each)
    return Markup("; ").join(notes)


def fields(schema: dict, prefix: str = "") -> list[dict]:
    """An object schema's properties as table rows; nested objects' properties follow as a.b."""
    required = set(schema.get("required", []))
    rows = []
    for name, prop in schema.get("properties", {}).items():
        path = prefix + name
        rows.append(
            {
                "name": path,
                "type": type_html(prop),
                "required": name in required,
                "notes": notes_html(prop),
            }
        )
        if "properties" in prop:
            rows += fields(prop, path + ".")
        elif "properties" in prop.get("items", {}):
            rows += fields(prop["items"], path + "[].")
    return rows


def schema_view(schema: dict | None, components: dict) -> dict | None:
    """What the page shows of a schema: the component it names, its notes, and the fields of
    each alternative (one unless it is a oneOf), a reference followed one level."""
    if not schema:
        return None
    name = ref_name(schema)
    if name:
        schema = components[name]
    alternatives = schema.get("oneOf", [schema])
    return {
        "name": name,
        "notes": notes_html(schema),
        "variants": [
            {"type": type_html(alt), "notes": notes_html(alt), "fields": fields(alt)}
            for alt in alternatives
        ],
    }


def _json_schema(holder: dict) -> dict | None:
    """The JSON schema of a request body or response."""
    return holder.get("content", {}).get("application/json", {}).get("schema")


def operations(document: dict) -> list[dict]:
    """Each path and method of the document, flattened for the template."""
    components = document["components"]["schemas"]
    found = []
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            found.append(
                {
                    "id": f"{method}-{path}".replace("/", "-").strip("-"),
                    "method": method.upper(),
                    "path": path,
                    "op": op,
                    "keyed": op.get("security", document.get("security")) != [],
                    "parameters": [
                        {
                            **p,
                            "type": type_html(p["schema"]),
                            "notes": notes_html(
                                {"description": p.get("description"), **p["schema"]}
                            ),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": schema_view(_json_schema(op.get("requestBody", {})), components),
                    "responses": {
                        status: schema_view(_json_schema(r), components)
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
    components = document["components"]["schemas"]
    schemas = {
        name: {"view": schema_view(s, components), "json": schema_text(s)}
        for name, s in components.items()
    }
    return render_template(
        "api_docs.html",
        doc=document,
        operations=operations(document),
        schemas=schemas,
        error_codes=document["x-error-codes"],
    )


def init_app(app) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
