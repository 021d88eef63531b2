"""Row ids from URLs, forms and query strings: beyond the id column is no such row, never a 500."""

from __future__ import annotations

import pytest

from web.ids import MAX_ROW_ID, is_row_id, parse_row_id

from .conftest import HUGE_IDS, add_moderator, log_in

# URL arguments that name a row, and the form each route is sent (unknown ones: none).
ID_ARGUMENTS = {"comment_id", "reader_id", "moderator_id", "article_id", "key_id"}
FORMS = {
    "moderation.ban": {"period": "forever"},
    "moderation.reject_all": {"reason": "spam"},
    "accounts.update": {"role": "admin"},
    "api_keys_page.revoke": {"confirm": "1"},
    "settings.article": {"comments_open": "0"},
}
JSON = {"api.vote": {"value": "up"}, "api.report": {"reason": "spam"}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_ROW_ID), MAX_ROW_ID),
        (str(MAX_ROW_ID + 1), None),
        ("99999999999999999999", None),
        ("9" * 5000, None),  # int() would refuse it (more digits than Python converts)
        ("0", None),
        ("-1", None),
        (" 1", None),
        ("1.0", None),
        ("²", None),  # a digit to str.isdigit(), not to int()
        ("٣", None),  # Arabic-Indic three: int() reads it, no form of ours sends it
        ("", None),
        (None, None),
    ],
)
def test_parse_row_id(text, expected):
    assert parse_row_id(text) == expected


def test_is_row_id():
    assert is_row_id(1) and is_row_id(MAX_ROW_ID)
    assert not any(is_row_id(n) for n in (0, -1, MAX_ROW_ID + 1, *HUGE_IDS))


@pytest.fixture
def admin(app):
    """An admin's client (admins reach every route)."""
    add_moderator(app, name="boss", role="admin")
    client = app.test_client()
    assert log_in(client, "boss").status_code == 303
    return client


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_every_route_with_an_id_answers_404_for_one_beyond_the_column(app, admin, huge):
    """Routes are enumerated: a new one with an id in its URL is covered too."""
    checked = []
    for rule in app.url_map.iter_rules():
        names = rule.arguments & ID_ARGUMENTS
        if not names:
            continue
        url = rule.build(dict.fromkeys(names, huge), append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = admin.open(
                url, method=method, data=FORMS.get(rule.endpoint), json=JSON.get(rule.endpoint)
            )
            assert response.status_code == 404, f"{method} {rule.rule}"
            if rule.endpoint in JSON:  # the widget's own answer, as for any unknown comment
                assert response.get_json()["error"]["code"] == "unknown_comment"
            checked.append(rule.endpoint)
    assert {"moderation.ban", "moderation.unban", "moderation.reject_all"} <= set(checked)
    assert len(checked) >= 9


@pytest.mark.parametrize("key", ["k\x002", "k\x01", "뉴스\x7f", "\x00"])
def test_every_route_with_an_article_key_answers_404_for_a_control_character(app, key):
    """No article key holds one (PostgreSQL refuses NUL in a query): a 404, not a 500."""
    client = app.test_client()
    checked = []
    for rule in app.url_map.iter_rules():
        if "key" not in rule.arguments or rule.endpoint.startswith("static"):
            continue
        url = rule.build({"key": key}, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            body = {"body": "글"}
            if rule.rule.startswith("/api/"):
                response = client.open(url, method=method, json=body)
                assert response.get_json()["error"]["code"] == "unknown_article"
            else:
                response = client.open(url, method=method, data=body)
            assert response.status_code == 404, f"{method} {rule.rule}"
            checked.append(rule.endpoint)
    assert len(checked) >= 5
