"""The comment section as server-rendered HTML: embedded, full page, and the no-script form."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError

from . import comment_store, i18n, pagination, safe_urls, security
from .comment_store import CommentError
from .db import db, utcnow
from .errors import too_many_requests_message
from .models import REPORT_REASONS, Article
from .readers import current_reader, ensure_reader, reader_token
from .text import MAX_BODY_LENGTH, body_length, mask_nickname

bp = Blueprint("widget", __name__)

SORT_COOKIE = "cm_sort"
EMBED_LANGUAGES_SLOT = '/* languages */ { "default": "", "titles": {} }'
SORT_LABELS = {"newest": _l("최신순"), "upvotes": _l("찬성순"), "downvotes": _l("반대순")}
# Relative times, shared by the template filter and the script (through its catalog).
RELATIVE_TIMES = {
    "minutes_ago": i18n.plural_msgid("%(num)d분 전", "%(num)d분 전"),
    "hours_ago": i18n.plural_msgid("%(num)d시간 전", "%(num)d시간 전"),
    "days_ago": i18n.plural_msgid("%(num)d일 전", "%(num)d일 전"),
}
# What widget.js writes or says itself; the template's own strings reach it translated.
SCRIPT_MESSAGES = {
    "just_now": _l("방금 전"),
    "date_pattern": _l("yyyy.MM.dd."),
    "network_error": _l("네트워크 오류가 발생했습니다. 잠시 후 다시 시도해 주세요."),
    "choose_reason": _l("신고 사유를 선택해 주세요."),
    "posting_as": _l("<strong>%(name)s</strong> 님"),
    "reported": _l("신고됨"),
    "posted": _l("댓글이 등록되었습니다."),
    "held": _l("댓글이 검토 후 게시됩니다."),
    "limit_reached": _l("최대 글자 수에 도달했습니다."),
}
SCRIPT_PLURALS = {
    **RELATIVE_TIMES,
    "characters_left": i18n.plural_msgid("%(num)d자 남았습니다.", "%(num)d자 남았습니다."),
}


@bp.app_template_filter("reltime")
def relative_time(moment: datetime, now: datetime | None = None) -> str:
    """Time since a moment the way Korean portals write it: 방금 전, 5분 전, 2024.03.01."""
    seconds = ((now or utcnow()) - moment).total_seconds()
    if seconds < 60:
        return _("방금 전")
    if seconds < 3600:
        return ngettext(*RELATIVE_TIMES["minutes_ago"], int(seconds // 60))
    if seconds < 86400:
        return ngettext(*RELATIVE_TIMES["hours_ago"], int(seconds // 3600))
    if seconds < 7 * 86400:
        return ngettext(*RELATIVE_TIMES["days_ago"], int(seconds // 86400))
    return i18n.format_day(moment)


@bp.app_template_filter("kdate")
def korean_datetime(moment: datetime) -> str:
    """A byline time as Korean news sites print it, in DISPLAY_TIMEZONE: 2026.11.24. 오전 9:12."""
    moment = i18n.local_time(moment)
    day, hour, minute = i18n.format_day(moment), moment.hour % 12 or 12, moment.minute
    if moment.hour < 12:
        return _("%(day)s 오전 %(hour)d:%(minute)02d", day=day, hour=hour, minute=minute)
    return _("%(day)s 오후 %(hour)d:%(minute)02d", day=day, hour=hour, minute=minute)


@bp.app_template_filter("mask")
def mask(nickname: str) -> str:
    """A nickname with its second half hidden."""
    return mask_nickname(nickname)


@bp.app_template_filter("bodylen")
def bodylen(text: str) -> int:
    """Length as the 150-character limit counts it."""
    return body_length(text)


def chosen_sort() -> str:
    """The sort asked for in the URL, else the one remembered in the cookie, else newest."""
    for candidate in (request.args.get("sort"), request.cookies.get(SORT_COOKIE)):
        if candidate in pagination.SORTS:
            return candidate
    return pagination.DEFAULT_SORT


def section_context(article: Article, mode: str, error: dict | None = None) -> dict:
    """Everything the comment section template needs; ``mode`` is inline, embed or page.

    The visitor gets their reader token now, with the page: otherwise two first actions
    sent at once (a double-click on 찬성) would each make up a reader and count twice.
    """
    reader_token(create=True)
    viewer = current_reader()
    sort = chosen_sort()
    cursor = request.args.get("cursor") or None
    try:
        page = comment_store.list_comments(article, sort=sort, cursor=cursor, viewer=viewer)
    except CommentError:
        page = comment_store.list_comments(article, sort=sort, viewer=viewer)
    return {
        "article": article,
        # Rows stored before links were checked may hold a link no page should follow.
        "article_link": safe_urls.web_page(article.url),
        "page": page,
        "sort": sort,
        "sorts": SORT_LABELS,
        "viewer": viewer,
        "mode": mode,
        "max_length": MAX_BODY_LENGTH,
        "report_reasons": REPORT_REASONS,
        "error": error,
        "here": request.full_path.rstrip("?"),
        "script_messages": i18n.js_catalog(SCRIPT_MESSAGES, SCRIPT_PLURALS),
        "time_zone": current_app.config["DISPLAY_TIMEZONE"],
    }


def remember_sort(response):
    """Keep a sort chosen in the URL for the next visit."""
    sort = request.args.get("sort")
    if sort in pagination.SORTS:
        response.set_cookie(
            SORT_COOKIE,
            sort,
            max_age=365 * 86400,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=False,
        )
    return response


@bp.get("/articles/<article_key:key>/comments")
def full_page(key: str):
    """All of an article's comments on a page of their own."""
    article = _article_or_404(key)
    return remember_sort(
        current_app.make_response(
            render_template("comments_page.html", **section_context(article, "page"))
        )
    )


@bp.get("/embed/<article_key:key>")
def embed(key: str):
    """The comment section alone, for an iframe on a news site."""
    # First, so that a 404 page too shows inside the news site's frame.
    g.frame_ancestors = security.frame_ancestors()
    article = db.session.scalar(db.select(Article).where(Article.key == key))
    if article is None:
        article = _create_for_embedder(key)
    return remember_sort(
        current_app.make_response(
            render_template("embed.html", **section_context(article, "embed"))
        )
    )


@bp.get("/embed.js")
def embed_script():
    """The one script a news site adds to its page, with the iframe's title in each language."""
    path = Path(current_app.static_folder, "embed.js")
    languages = {"default": current_app.config["DEFAULT_LOCALE"], "titles": i18n.frame_titles()}
    source = path.read_text(encoding="utf-8").replace(EMBED_LANGUAGES_SLOT, json.dumps(languages))
    response = current_app.response_class(source, mimetype="text/javascript")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.post("/articles/<article_key:key>/comments")
@security.comment_limit_per_reader
@security.comment_limit_per_ip
def post_form(key: str):
    """The no-script way to post: the form, then back to the page it came from."""
    article = _article_or_404(key)
    back = _safe_next(request.form.get("next"), article)
    reader = ensure_reader()
    try:
        comment_store.post_comment(
            article,
            reader,
            request.form.get("body"),
            request.form.get("nickname"),
            request.remote_addr,
        )
    except CommentError as exc:
        db.session.rollback()
        g.pop("reader", None)
        return _form_error(article, exc.status, exc.message)
    return redirect(back, code=303)


@bp.errorhandler(CSRFError)
def csrf_error(exc):
    """An expired or missing form token."""
    return _error_page(400, _("페이지가 만료되었습니다. 새로고침한 뒤 다시 시도해 주세요."))


@bp.errorhandler(429)
def too_many(exc):
    """Posting faster than the limits allow: the form again, saying how long to wait."""
    return _error_page(429, too_many_requests_message(security.retry_after(), comments=True))


def _error_page(status: int, message: str):
    """Re-show the form with the message, or a bare page when there is no article."""
    key = (request.view_args or {}).get("key")
    article = db.session.scalar(db.select(Article).where(Article.key == key)) if key else None
    if article is None:
        return render_template("message.html", message=message), status
    return _form_error(article, status, message)


def _form_error(article: Article, status: int, message: str):
    """The full comment page with the message under the box and what was typed kept."""
    error = {
        "message": message,
        "body": request.form.get("body", ""),
        "nickname": request.form.get("nickname", ""),
    }
    context = section_context(article, "page", error=error)
    return render_template("comments_page.html", **context), status


def _article_or_404(key: str) -> Article:
    """The article, or a 404 page."""
    article = db.session.scalar(db.select(Article).where(Article.key == key))
    if article is None:
        abort(404)
    return article


def _create_for_embedder(key: str) -> Article:
    """Open a comment section for a new article of an allowed site; 404 for anyone else.

    The article keeps its ``url`` only if it is a page of an allowed site: a client that
    is not a browser can send any Referer, and the full page links to that address.
    """
    origin = security.request_origin()
    allowed = current_app.config["ALLOWED_ORIGINS"]
    if (
        not current_app.config["EMBED_AUTO_CREATE"]
        or origin not in allowed
        or not Article.key_is_valid(key)
    ):
        abort(404)
    # A headline is one line of text; PostgreSQL cannot store a NUL at all.
    title = "".join(c for c in request.args.get("title", "") if unicodedata.category(c) != "Cc")
    title = title.strip()[:300]
    url = request.args.get("url") or ""
    on_site = len(url) <= 1000 and safe_urls.on_origins(url, allowed)
    article = Article(key=key, title=title, url=url if on_site else None)
    db.session.add(article)
    db.session.commit()
    return article


def _safe_next(target: str | None, article: Article) -> str:
    """A path on this site to go back to; anything else becomes the article's comment page."""
    return safe_urls.local_path(target) or url_for("widget.full_page", key=article.key)
