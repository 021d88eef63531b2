"""The demo article at /: a news page laid out like a Korean portal's, with our comments."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, render_template

from .db import db
from .models import Article
from .widget import remember_sort, section_context

bp = Blueprint("demo", __name__)

DEMO_KEY = "demo"
DEMO_TITLE = "동네 도서관, 밤 11시까지 문 연다…직장인 '퇴근 후 독서' 늘어"
KST = timezone(timedelta(hours=9), "KST")


def ensure_demo_article() -> tuple[Article, bool]:
    """The demo article, created if missing; also says whether it was created."""
    article = db.session.scalar(db.select(Article).where(Article.key == DEMO_KEY))
    if article is not None:
        return article, False
    article = Article(key=DEMO_KEY, title=DEMO_TITLE)
    db.session.add(article)
    db.session.commit()
    return article, True


@bp.get("/")
def article_page():
    """The demo article and its comment section."""
    article, _ = ensure_demo_article()
    published = datetime(2026, 11, 24, 9, 12, tzinfo=KST)
    context = section_context(article, "inline")
    context.update(
        headline=DEMO_TITLE,
        published=published,
        modified=published + timedelta(minutes=48),
    )
    return remember_sort(current_app.make_response(render_template("demo_article.html", **context)))
