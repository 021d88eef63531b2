"""Admins manage the scoring API's keys in the page: list, create (shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from . import api_keys
from .auth import admin_required
from .db import db
from .models import ApiKey

bp = Blueprint("api_keys_page", __name__, url_prefix="/moderation/api-keys")


@bp.before_request
@admin_required
def require_admin():
    """Only admins get here."""


def _page(new_key: str | None = None, new_name: str = ""):
    """The list of keys, with a just-created key shown once."""
    return render_template(
        "moderation/api_keys.html",
        keys=api_keys.list_api_keys(),
        new_key=new_key,
        new_name=new_name,
    )


@bp.get("/", strict_slashes=False)  # answers without the slash too
def index():
    """Every key, oldest first."""
    return _page()


@bp.post("/")
def create():
    """Make a key and show it this once; only its hash is kept."""
    name = (request.form.get("name") or "").strip()
    if not name or len(name) > 100:
        flash(_("키 이름은 1자에서 100자까지입니다."), "error")
    elif api_keys.key_named(name) is not None:
        flash(_("이미 있는 키 이름입니다."), "error")
    else:
        _record, key = api_keys.create_api_key(name, moderator_id=current_user.id)
        # Rendered, not redirected: the key must not travel through the session cookie.
        return _page(new_key=key, new_name=name)
    return redirect(url_for("api_keys_page.index"), code=303)


@bp.post("/<id:key_id>/revoke")
def revoke(key_id: int):
    """Revoke a key once the admin has ticked the confirmation."""
    record = db.session.get(ApiKey, key_id)
    if record is None:
        flash(_("존재하지 않는 키입니다."), "error")
    elif request.form.get("confirm") != "1":
        flash(_("폐기하려면 확인란을 선택해 주세요."), "error")
    elif api_keys.revoke_api_key(record, moderator_id=current_user.id):
        flash(
            _("%(name)s 키를 폐기했습니다. 이 키로 보낸 요청은 이제 거절됩니다.", name=record.name)
        )
    else:
        flash(_("%(name)s 키는 이미 폐기되었습니다.", name=record.name))
    return redirect(url_for("api_keys_page.index"), code=303)
