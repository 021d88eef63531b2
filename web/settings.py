"""The admins' settings page: thresholds, pre-moderation, word lists, articles open or closed."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from . import admin_audit, site_settings
from .auth import admin_required
from .db import db
from .models import Article

bp = Blueprint("settings", __name__, url_prefix="/moderation/settings")

# An article's on/off settings and the audit actions for turning each on and off.
ARTICLE_SWITCHES = {
    "comments_open": ("article_reopened", "article_closed"),
    "premoderated": ("premoderation_on", "premoderation_off"),
}
ARTICLES_SHOWN = 30


@bp.before_request
@admin_required
def require_admin():
    """Only admins get here."""


@bp.get("/", strict_slashes=False)  # answers without the slash too
def index():
    """The settings form and the articles."""
    return _page()


def _page(typed=None):
    """The page; ``typed``: a refused form's values, shown again for the admin to fix."""
    search = (request.args.get("article") or "").strip()[:200]
    query = sa.select(Article).order_by(Article.id.desc()).limit(ARTICLES_SHOWN)
    if search:
        query = query.where(sa.or_(Article.key.contains(search), Article.title.contains(search)))
    return render_template(
        "moderation/settings.html",
        settings=site_settings.current(fresh=True),
        typed=typed,
        articles=db.session.scalars(query),
        search=search,
    )


@bp.post("/")
def save():
    """Store the site-wide settings; a refused form comes back as typed, with why."""
    try:
        site_settings.save(current_user.id, request.form)
    except site_settings.SettingsError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _page(typed=request.form), 400
    flash(_("설정을 저장했습니다."))
    return redirect(url_for("settings.index"), code=303)


@bp.post("/articles/<id:article_id>")
def article(article_id: int):
    """Open or close an article's comments, or turn its pre-moderation on or off."""
    target = db.session.get(Article, article_id)
    if target is None:
        flash(_("존재하지 않는 기사입니다."), "error")
        return redirect(url_for("settings.index"), code=303)
    name = target.title or target.key
    for field, (turned_on, turned_off) in ARTICLE_SWITCHES.items():
        if request.form.get(field) not in ("0", "1"):
            continue
        before, after = getattr(target, field), request.form[field] == "1"
        if after != before:
            action = turned_on if after else turned_off
            admin_audit.record(current_user.id, action, name, before, after)
        setattr(target, field, after)
    db.session.commit()
    flash(_("%(article)s: 설정을 바꿨습니다.", article=name))
    return redirect(url_for("settings.index", article=request.form.get("search", "")), code=303)
