"""The interface language: Korean by default, English by choice or by the browser's wish."""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from babel.messages import mofile, pofile
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from werkzeug.serving import make_server

import classifier
import web
from classifier.comparison import compare
from classifier.types import Example
from web import admin_audit, comment_store, model_store, moderator_session, retrain_runs
from web.db import db, utcnow
from web.model_records import RetrainRun
from web.models import Article, Reader
from web.widget import korean_datetime, relative_time

from .conftest import add_moderator, log_in, make_app, tiny_examples

TRANSLATIONS = Path(web.__file__).parent / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
ROOT = Path(web.__file__).parent.parent

HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# The switch names Korean in Korean on purpose: that link is not chrome to translate.
KOREAN_LINK = re.compile(r'<a lang="ko"[^>]*>[^<]*</a>')


@pytest.fixture
def database_url(tmp_path) -> str:
    """Language does not depend on the database: SQLite only, to keep these tests quick."""
    return f"sqlite:///{tmp_path / 'i18n.sqlite3'}"


@pytest.fixture
def story(app) -> str:
    """An article whose user content (title, comments) is ASCII, so any Hangul is chrome."""
    with app.app_context():
        db.session.add(Article(key="story-1", title="City library opens late"))
        db.session.commit()
    return "story-1"


def hangul_in(html: str) -> list[str]:
    """The Hangul runs left in a page once the Korean switch link is taken out."""
    return re.findall(
        r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3][^<>\"]*", KOREAN_LINK.sub("", html)
    )


def post(client, key, body="Nice reporting", nickname="reader1", **headers):
    """Post a comment through the JSON API."""
    return client.post(
        f"/api/v1/articles/{key}/comments",
        json={"body": body, "nickname": nickname},
        headers=headers,
    )


def _flat(value):
    """A message id or string as a hashable value (plural ones come as lists from .mo)."""
    return value if isinstance(value, str) else tuple(value)


def test_korean_is_the_default(client, story):
    html = client.get(f"/articles/{story}/comments").get_data(as_text=True)
    assert '<html lang="ko">' in html
    assert "최신순" in html and "Newest" not in html


def test_lang_parameter_gives_english_and_is_remembered(client, story):
    post(client, story)
    response = client.get(f"/articles/{story}/comments?lang=en")
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Newest" in html and "Most liked" in html and "Write a comment" in html
    assert hangul_in(html) == []
    assert "cm_lang=en" in response.headers["Set-Cookie"]
    assert {"Accept-Language", "Cookie"} <= set(response.vary)
    again = client.get(f"/articles/{story}/comments").get_data(as_text=True)
    assert '<html lang="en">' in again
    back = client.get(f"/articles/{story}/comments?lang=ko").get_data(as_text=True)
    assert '<html lang="ko">' in back and "최신순" in back


def test_accept_language_picks_a_supported_locale(client, story):
    url = f"/articles/{story}/comments"
    english = client.get(url, headers={"Accept-Language": "fr-FR,en-US;q=0.8"})
    assert '<html lang="en">' in english.get_data(as_text=True)
    unknown = client.get(url, headers={"Accept-Language": "fr-FR,de;q=0.8"})
    assert '<html lang="ko">' in unknown.get_data(as_text=True)
    explicit = client.get(url + "?lang=ko", headers={"Accept-Language": "en"})
    assert '<html lang="ko">' in explicit.get_data(as_text=True)


def test_default_locale_setting(app_factory, story):
    app = app_factory(DEFAULT_LOCALE="en")
    with app.app_context():
        db.session.add(Article(key="story-2", title="Another story"))
        db.session.commit()
    html = app.test_client().get("/articles/story-2/comments").get_data(as_text=True)
    assert '<html lang="en">' in html
    with pytest.raises(ValueError, match="DEFAULT_LOCALE"):
        app_factory(DEFAULT_LOCALE="fr")


def test_english_widget_in_the_embed(client, story):
    post(client, story)
    html = client.get(f"/embed/{story}?lang=en").get_data(as_text=True)
    assert "See all comments" in html and "Report" in html and "Like" in html
    assert hangul_in(html) == []


def test_api_error_messages_are_translated_codes_are_not(client, story):
    english = post(client, story, body="   ", **{"Accept-Language": "en"})
    assert english.status_code == 400
    assert english.get_json()["error"] == {
        "code": "empty_body",
        "message": "Please write your comment.",
    }
    korean = post(client, story, body="   ")
    assert korean.get_json()["error"]["code"] == "empty_body"
    assert korean.get_json()["error"]["message"] == "댓글 내용을 입력해 주세요."
    too_long = post(client, story, body="x" * 151, **{"Accept-Language": "en"})
    message = too_long.get_json()["error"]["message"]
    assert message == "Comments can be at most 150 characters long (this one is 151)."
    missing = client.get("/api/v1/articles/nope/comments?lang=en").get_json()["error"]
    assert missing == {"code": "unknown_article", "message": "This article does not exist."}


def test_nickname_stays_escaped_inside_a_translated_sentence(client, story):
    post(client, story, nickname="<b>x</b>")
    html = client.get(f"/articles/{story}/comments?lang=en").get_data(as_text=True)
    assert "Posting as <strong>&lt;b&gt;x&lt;/b&gt;</strong>" in html


def test_login_page_in_english(client):
    page = client.get("/moderation/login?lang=en").get_data(as_text=True)
    assert "Moderator login" in page and "Password" in page
    assert hangul_in(page) == []
    refused = client.post("/moderation/login", data={"name": "nobody", "password": "x" * 12})
    assert "The username or password is incorrect." in refused.get_data(as_text=True)


def test_queue_and_moderation_pages_in_english(app, story):
    post(app.test_client(), story, body="First comment")
    post(app.test_client(), story, body="Second comment", nickname="reader2")
    add_moderator(app, role="admin")
    client = app.test_client()
    client.get("/moderation/login?lang=en")  # the choice, remembered by the cookie
    assert log_in(client).status_code == 303
    for url in (
        "/moderation/queue/all",
        "/moderation/queue/held",
        "/moderation/audit",
        "/moderation/dashboard/",
        "/moderation/moderators/",
        "/moderation/settings/",
    ):
        page = client.get(url).get_data(as_text=True)
        assert '<html lang="en">' in page, url
        assert hangul_in(page) == [], url
    queue = client.get("/moderation/queue/all").get_data(as_text=True)
    assert "1 comment" in queue and "Approve" in queue
    lost = client.get("/moderation/queue/all?cursor=bad").get_data(as_text=True)
    assert "The list position was not valid" in lost and hangul_in(lost) == []
    ids = re.findall(r'data-id="(\d+)"', queue)
    done = client.post("/moderation/decide", data={"action": "approve", "comment_id": ids})
    assert done.status_code == 303
    assert "Approved 2 comments." in client.get("/moderation/audit").get_data(as_text=True)
    chart = client.get("/moderation/dashboard/daily.svg").get_data(as_text=True)
    assert "Comments per day (last 30 days)" in chart and not HANGUL.search(chart)


def english_admin(app):
    """A client logged in as an admin who chose English."""
    add_moderator(app, name="boss", role="admin")
    client = app.test_client()
    client.get("/moderation/login?lang=en")
    assert log_in(client, "boss").status_code == 303
    return client


def english_page(client, url, **kwargs) -> str:
    """A page (after redirects), checked to be English with no Hangul left."""
    response = client.get(url, **kwargs) if not kwargs.get("data") else client.post(url, **kwargs)
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html, url
    assert hangul_in(html) == [], url
    return html


def test_admin_change_log_in_english(app):
    client = english_admin(app)
    with app.app_context():
        admin_audit.record(None, "setting_changed", "premoderate_all", False, True)
        admin_audit.record(None, "setting_changed", "hold_words", ["spam"], [])
        admin_audit.record(None, "article_closed", "story-1")
        admin_audit.record(None, "moderator_changed", "kim", "moderator", "admin")
        admin_audit.record(None, "moderator_created", "lee", after="관리자")  # an older row
        db.session.commit()
    html = english_page(client, "/moderation/audit/admin")
    assert '<td class="mq-audit-body">Moderator</td>' in html
    assert html.count('<td class="mq-audit-body">Admin</td>') == 2
    assert "Admin change log" in html and "Site-wide pre-moderation" in html
    assert "Command line (CLI)" in html and "Comments closed on an article" in html
    assert '<td class="mq-audit-body">On</td>' in html and "(none)" in html
    assert "Before" in html and "After" in html
    empty = english_page(client, "/moderation/audit/admin?action=api_key_revoked")
    assert "No changes recorded." in empty


def test_api_keys_page_in_english(app):
    client = english_admin(app)
    assert "No API keys yet." in english_page(client, "/moderation/api-keys/")
    created = client.post("/moderation/api-keys/", data={"name": "newsroom"})
    html = created.get_data(as_text=True)
    assert hangul_in(html) == []
    assert "Created the key <b>newsroom</b>." in html and "Authorization: Bearer KEY" in html
    key_id = re.search(r"/api-keys/(\d+)/revoke", html).group(1)
    url = f"/moderation/api-keys/{key_id}/revoke"
    unconfirmed = english_page(client, url, data={"x": "1"}, follow_redirects=True)
    assert "Tick the confirmation box to revoke the key." in unconfirmed
    revoked = english_page(client, url, data={"confirm": "1"}, follow_redirects=True)
    assert "Revoked the key newsroom." in revoked and "Revoked (" in revoked
    taken = english_page(
        client, "/moderation/api-keys/", data={"name": "newsroom"}, follow_redirects=True
    )
    assert "A key with this name already exists." in taken


def test_models_page_in_english(tmp_path, tiny_model, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    path = tmp_path / "default.model"
    tiny_model.save(path)
    app = make_app(f"sqlite:///{tmp_path / 'models.sqlite3'}", tmp_path, MODEL_PATH=str(path))
    with app.app_context():
        assert model_store.ensure_initial_version(app) is not None
        # A run in progress in this very process, so that it counts as alive.
        db.session.add(RetrainRun(started_by="test", pid=os.getpid(), stage="fitting"))
        db.session.commit()
    client = english_admin(app)
    html = english_page(client, "/moderation/models/")
    assert f"Serving model <code>{tiny_model.version}</code>" in html
    assert "Running · Training" in html and "Version history" in html and "Serving" in html
    run = client.get("/moderation/models/run.json").get_json()["run"]
    assert (run["status_label"], run["stage_label"]) == ("Running", "Training")
    refused = english_page(
        client, "/moderation/models/retrain", data={"x": "1"}, follow_redirects=True
    )
    assert "A retrain is already running (#1, test)." in refused
    unknown = english_page(
        client, "/moderation/models/nope/rollback", data={"x": "1"}, follow_redirects=True
    )
    assert "Cannot roll back:" in unknown
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_models_page_reasons_and_run_log_in_english(tmp_path, tiny_model, monkeypatch):
    """The gate's reasons (stored in English) and a run's log lines (in Korean) follow the UI."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    flipped = classifier.train(
        [Example(e.text, not e.toxic, {"insult": not e.toxic}) for e in tiny_examples()]
    )
    comparison = compare(flipped, tiny_model, tiny_examples())
    assert not comparison.promote
    app = make_app(f"sqlite:///{tmp_path / 'models.sqlite3'}", tmp_path)
    with app.app_context():
        for version, reasons in (
            ("v-refused", comparison.reasons),
            ("v-first", compare(tiny_model, None, tiny_examples()).reasons),
        ):
            verdict = {"promote": False, "forced": False, "reasons": reasons}
            model_store.add_version(b"x", version, created_by="test", verdict=verdict)
        run = retrain_runs.begin_run("test")
        run.status, run.finished_at = "not_promoted", utcnow()
        run.log = "\n".join(
            [f"v-refused: 승격되지 않음 ({'; '.join(comparison.reasons)})", "실패: disk full"]
        )
        db.session.commit()
    client = english_admin(app)
    html = english_page(client, "/moderation/models/")
    assert "<li>Toxic F1 " in html and "margin 0.01: fell by more, refused</li>" in html
    assert "<li>No model was serving: the candidate is promoted.</li>" in html
    assert "v-refused: Not promoted (Toxic F1 " in html and "Failed: disk full" in html
    log = client.get("/moderation/models/run.json").get_json()["run"]["log"]
    assert log.startswith("v-refused: Not promoted (Toxic F1") and not HANGUL.search(log)
    korean = client.get("/moderation/models/?lang=ko").get_data(as_text=True)
    assert "허용 폭 0.01: 그보다 더 떨어져 거부</li>" in korean and "margin" not in korean
    assert "<li>사용 중인 모델이 없어 후보를 승격합니다.</li>" in korean
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_expired_login_notice_in_english(app):
    client = english_admin(app)
    with client.session_transaction() as session:
        session[moderator_session.SEEN_AT] -= app.config["MODERATOR_IDLE_MINUTES"] * 60 + 1
    answer = client.get("/moderation/counts.json")
    assert answer.status_code == 401
    assert answer.get_json()["error"]["message"].startswith("You were logged out")
    page = english_page(client, "/moderation/queue/held", follow_redirects=True)
    assert "Please log in again." in page


def test_plural_forms_and_dates(app):
    now = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)  # 00:30 the next day in Seoul
    with app.test_request_context("/?lang=en"):
        assert relative_time(now - timedelta(minutes=1), now) == "1 minute ago"
        assert relative_time(now - timedelta(minutes=3), now) == "3 minutes ago"
        assert relative_time(now - timedelta(hours=1), now) == "1 hour ago"
        assert relative_time(now - timedelta(days=2), now) == "2 days ago"
        assert relative_time(now - timedelta(days=30), now) == "Oct 26, 2026"
        assert korean_datetime(now) == "Nov 25, 2026, 12:30 AM"
    with app.test_request_context("/"):
        assert relative_time(now - timedelta(minutes=1), now) == "1분 전"
        assert korean_datetime(now) == "2026.11.25. 오전 12:30"


def test_display_timezone_setting(app_factory):
    now = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    with app_factory(DISPLAY_TIMEZONE="UTC").test_request_context("/"):
        assert korean_datetime(now) == "2026.11.24. 오후 3:30"
        assert relative_time(now - timedelta(days=30), now) == "2026.10.25."
    with app_factory(DISPLAY_TIMEZONE="America/New_York").test_request_context("/"):
        assert korean_datetime(now) == "2026.11.24. 오전 10:30"
    for zone in ("KST", "Asia", "/etc/passwd"):
        with pytest.raises(ValueError, match="DISPLAY_TIMEZONE"):
            app_factory(DISPLAY_TIMEZONE=zone)


def test_every_message_has_an_english_translation():
    catalog = pofile.read_po(EN_PO.open("rb"))
    assert len(catalog) > 50
    for message in catalog:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        strings = message.string if message.pluralizable else (message.string,)
        assert all(s.strip() for s in strings), message.id
        assert not any(HANGUL.search(s) for s in strings), message.id


def test_compiled_catalog_matches_the_po_file():
    """The committed .mo is what `pybabel compile` makes of the committed .po."""

    def messages(catalog):
        return {_flat(m.id): _flat(m.string) for m in catalog if m.id}

    compiled = mofile.read_mo(EN_MO.open("rb"))
    assert messages(compiled) == messages(pofile.read_po(EN_PO.open("rb")))


def test_catalog_holds_every_marked_string():
    """The .po file was updated after the last change to a marked string."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {
        **{name: None for name in ("_", "gettext", "_l", "lazy_gettext")},
        "ngettext": (1, 2),
        "plural_msgid": (1, 2),
        "pgettext": ((1, "c"), 2),
        "lazy_pgettext": ((1, "c"), 2),
    }
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add((_context, message[0] if isinstance(message, tuple) else message))
    catalog = {
        (m.context, m.id[0] if m.pluralizable else m.id) for m in pofile.read_po(EN_PO.open("rb"))
    }
    assert found - catalog == set()


def script_catalog(html: str) -> dict:
    """The JSON catalog the comment section hands to widget.js."""
    match = re.search(r'data-messages="([^"]*)"', html)
    return json.loads(unescape(match.group(1)))


def test_script_catalog_reaches_the_page(client, story):
    english = script_catalog(client.get(f"/embed/{story}?lang=en").get_data(as_text=True))
    assert english["just_now"] == "just now"
    assert english["minutes_ago"] == {"one": "%(num)d minute ago", "other": "%(num)d minutes ago"}
    assert english["network_error"].startswith("A network error")
    assert english["posting_as"] == "Posting as <strong>%(name)s</strong>"
    assert english["date_pattern"] == "MMM d, yyyy"
    assert english["reported"] == "Reported"
    assert english["held"] == "Your comment will appear once it has been reviewed."
    assert english["characters_left"] == {
        "one": "%(num)d character left.",
        "other": "%(num)d characters left.",
    }
    korean = script_catalog(client.get(f"/embed/{story}").get_data(as_text=True))
    assert korean["minutes_ago"] == {"other": "%(num)d분 전"}
    assert korean["date_pattern"] == "yyyy.MM.dd."
    assert not HANGUL.search((ROOT / "web" / "static" / "widget.js").read_text())


def test_embed_script_carries_the_frame_titles(client, story):
    source = client.get("/embed.js").get_data(as_text=True)
    languages = json.loads(re.search(r"var LANGUAGES = (\{.*\});", source).group(1))
    assert languages == {"default": "ko", "titles": {"ko": "댓글", "en": "Comments"}}
    embed = client.get(f"/embed/{story}?lang=en")
    assert embed.status_code == 200
    assert "cm_lang" not in embed.headers.get("Set-Cookie", "")  # the site chose, not the reader


def korean_news_page(environ, start_response):
    """A Korean partner article that asks for the English comment section (data-lang)."""
    page = f"""<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>t</title>
        </head><body><script src="{korean_news_page.base}/embed.js" data-article-key="story-1"
        data-lang="en"></script></body></html>"""
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [page.encode("utf-8")]


@pytest.fixture
def live_english(tmp_path, tiny_model):
    """The app served on loopback with one article and an old comment, plus a news site."""
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite3'}", tmp_path, tiny_model)
    with app.app_context():
        db.session.add(Article(key="story-1", title="City library opens late"))
        reader = Reader(token="t" * 16, nickname="seedreader")
        db.session.add(reader)
        db.session.commit()
        comment = comment_store.post_comment(
            comment_store.find_article("story-1"), reader, "Old comment"
        )
        comment.created_at = utcnow() - timedelta(minutes=3)
        db.session.commit()
    servers = [make_server("127.0.0.1", 0, app, threaded=True)]
    korean_news_page.base = f"http://127.0.0.1:{servers[0].server_port}"
    servers.append(make_server("127.0.0.1", 0, korean_news_page, threaded=True))
    app.config["ALLOWED_ORIGINS"] = [f"http://localhost:{servers[1].server_port}"]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield korean_news_page.base, app.config["ALLOWED_ORIGINS"][0]
    for server in servers:
        server.shutdown()


@pytest.mark.browser
def test_english_widget_in_a_real_browser(browser, live_english):
    base, news_site = live_english
    context = browser.new_context(locale="ko-KR")  # the choice beats the browser's language
    context.set_default_timeout(5000)
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{base}/articles/story-1/comments?lang=en")
        page.locator(".cm-sort[data-sort=upvotes]").click()  # re-rendered by the script
        page.locator(".cm-list .cm-time", has_text="3 minutes ago").wait_for()
        page.locator(".cm-submit").click()  # nothing typed: the API's message, in English
        page.locator(".cm-error", has_text="Please write your comment.").wait_for()
        page.locator(".cm-nick-input").fill("reader9")
        page.locator(".cm-input").fill("Hello")
        assert page.locator(".cm-counter").inner_text() == "5 / 150"
        page.locator(".cm-submit").click()
        page.locator(".cm-as", has_text="Posting as reader9").wait_for()
        page.locator(".cm-list .cm-time", has_text="just now").wait_for()
        assert page.locator(".cm-item .cm-report").first.is_disabled()  # one's own comment
        page.locator(".cm-item", has_text="Old comment").locator(".cm-report").click()
        page.locator(".cm-report-send").click()
        notice = page.locator(".cm-report-msg")
        notice.wait_for()
        assert notice.inner_text() == "Please choose a reason for the report."
        assert not HANGUL.search(page.locator(".cm").inner_text().replace("한국어", ""))

        page.goto(f"{news_site}/news")
        frame = page.frame_locator("iframe[title='Comments']")
        frame.locator(".cm-title", has_text="Comments").wait_for()
    finally:
        context.close()
    assert errors == []
