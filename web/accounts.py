"""Admins manage moderator accounts: add, change role, deactivate, reset a password."""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from . import admin_audit
from .auth import admin_required
from .db import db
from .models import ROLE_LABELS, ROLES, Moderator
from .text import is_invisible

bp = Blueprint("accounts", __name__, url_prefix="/moderation/moderators")

MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 64
NAME_PROBLEMS = {
    "length": _l("아이디는 1자에서 64자까지입니다."),
    "characters": _l("아이디에 쓸 수 없는 문자가 있습니다."),
}


@bp.before_request
@admin_required
def require_admin():
    """Only admins get here."""


@bp.get("/", strict_slashes=False)  # answers without the slash too
def index():
    """Every account."""
    moderators = db.session.scalars(sa.select(Moderator).order_by(Moderator.name))
    return render_template(
        "moderation/moderators.html", moderators=moderators, role_labels=ROLE_LABELS
    )


def _password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("비밀번호는 %(min)d자 이상이어야 합니다.", min=MIN_PASSWORD_LENGTH)
    return None


def clean_name(raw: str) -> str:
    """A new account's name as stored: NFKC (full-width letters become plain ones), runs
    of whitespace made one space, both ends trimmed."""
    return " ".join(unicodedata.normalize("NFKC", raw).split())


def _look(name: str) -> str:
    """What names that look alike on a page share: the cleaned name case-folded, with
    invisible characters dropped (older accounts were stored as typed)."""
    folded = clean_name(name).casefold()
    return "".join(c for c in folded if c == " " or not is_invisible(c))


def name_problem(name: str) -> str | None:
    """Why a cleaned name cannot be an account's: ``"length"``, or ``"characters"`` for
    invisible or control ones; None when it can."""
    if not 0 < len(name) <= MAX_NAME_LENGTH:
        return "length"
    if any(is_invisible(c) and c != " " for c in name):
        return "characters"
    return None


def look_alike(name: str) -> str | None:
    """The account name that ``name`` differs from only in case, width or invisible
    characters (or not at all), or None."""
    look = _look(name)
    # Moderators are a handful: compared in Python, as SQL's lower() differs per database.
    names = db.session.scalars(sa.select(Moderator.name))
    return next((other for other in names if _look(other) == look), None)


@bp.post("/")
def create():
    """Add an account."""
    name = clean_name(request.form.get("name") or "")
    password = request.form.get("password") or ""
    role = request.form.get("role") if request.form.get("role") in ROLES else "moderator"
    problem = _password_problem(password)
    refused = name_problem(name)
    if refused:
        problem = str(NAME_PROBLEMS[refused])
    elif look_alike(name) is not None:
        problem = _("이미 있는 아이디입니다.")
    if problem:
        flash(problem, "error")
    else:
        moderator = Moderator(name=name, role=role)
        moderator.set_password(password)
        db.session.add(moderator)
        admin_audit.record(current_user.id, "moderator_created", name, after=role)
        db.session.commit()
        flash(_("%(name)s 계정을 만들었습니다.", name=name))
    return redirect(url_for("accounts.index"), code=303)


@bp.post("/<id:moderator_id>")
def update(moderator_id: int):
    """Change an account's role, activity or password; an admin cannot lock themself out."""
    moderator = db.session.get(Moderator, moderator_id)
    if moderator is None:
        flash(_("존재하지 않는 계정입니다."), "error")
        return redirect(url_for("accounts.index"), code=303)
    role = request.form.get("role")
    active = request.form.get("active")
    password = request.form.get("password") or ""
    if moderator.id == current_user.id and (role == "moderator" or active == "0"):
        flash(_("자기 계정의 권한은 낮추거나 정지할 수 없습니다."), "error")
        return redirect(url_for("accounts.index"), code=303)
    if password:
        problem = _password_problem(password)
        if problem:
            flash(problem, "error")
            return redirect(url_for("accounts.index"), code=303)
        moderator.set_password(password)
        admin_audit.record(current_user.id, "password_reset", moderator.name)
    if role in ROLES and role != moderator.role:
        admin_audit.record(
            current_user.id, "moderator_changed", moderator.name, moderator.role, role
        )
        moderator.role = role
    if active in ("0", "1") and (active == "1") != moderator.active:
        moderator.active = active == "1"
        action = "moderator_enabled" if moderator.active else "moderator_disabled"
        admin_audit.record(
            current_user.id, action, moderator.name, not moderator.active, moderator.active
        )
    db.session.commit()
    if password and moderator.id == current_user.id:
        login_user(moderator)  # the new password ends the other logins, not this one
    flash(_("%(name)s 계정을 바꿨습니다.", name=moderator.name))
    return redirect(url_for("accounts.index"), code=303)
