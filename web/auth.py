"""Moderators' login and logout, roles, and the login throttle."""

from __future__ import annotations

import hmac
import secrets
from functools import cache, wraps

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, login_url, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from . import moderator_session, safe_urls, security
from .db import db, utcnow
from .errors import MESSAGES, error_response, wait_phrase, wants_json
from .ids import parse_row_id
from .models import Moderator

bp = Blueprint("auth", __name__, url_prefix="/moderation")
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = MESSAGES["login_required"]
login_manager.localize_callback = str  # the lazy message in the request's language
login_manager.session_protection = "strong"


@cache
def _dummy_hash() -> str:
    """A hash to check against when the name is unknown: a wrong name costs as much time."""
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


@login_manager.user_loader
def load_moderator(session_id: str) -> Moderator | None:
    """The logged-in moderator for Flask-Login: still active, within the time limits, and
    with the password they logged in with (``Moderator.get_id``); else the login ends."""
    if not moderator_session.still_valid():
        return None
    moderator_id, _, mark = session_id.partition(":")
    row_id = parse_row_id(moderator_id)
    moderator = db.session.get(Moderator, row_id) if row_id else None
    if (
        moderator is None
        or not moderator.active
        or not hmac.compare_digest(mark.encode(), moderator.password_mark.encode())
    ):
        moderator_session.end()
        return None
    return moderator


@login_manager.unauthorized_handler
def ask_to_log_in():
    """401 JSON for the page's JSON calls; for pages, the login page with why, then back to
    the page (for a form sent, the page it was sent from)."""
    json_call = wants_json()
    # A JSON call leaves the notice for the login page the script then goes to.
    expired = moderator_session.expired(consume=not json_call)
    message = str(moderator_session.EXPIRED_MESSAGE if expired else login_manager.login_message)
    if json_call:
        code = "session_expired" if expired else "login_required"
        return error_response(401, code, message)
    flash(message, "error" if expired else "message")
    next_url = request.url
    if request.method not in ("GET", "HEAD"):
        # An action's own address answers only its form (a GET there is a 405): after
        # logging in, the moderator goes back to the page the form was on, to do it again.
        next_url = safe_urls.same_site_path(request.referrer, "/moderation/")
        next_url = next_url or url_for("moderation.queue", name="held")
        flash(_("방금 한 작업은 처리되지 않았습니다. 로그인한 뒤 다시 해 주세요."), "error")
    return redirect(login_url(login_manager.login_view, next_url=next_url))


def admin_required(view):
    """Only admins may use the view (after login_required)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _failed(response) -> bool:
    """Only failed logins count against the throttle."""
    return response.status_code == 401


login_limit = security.limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT"],
    scope="moderator-login",
    key_func=security.ip_key,
    deduct_when=_failed,
)


def find_moderator(name: str) -> Moderator | None:
    """The account with this name."""
    return db.session.scalar(sa.select(Moderator).where(Moderator.name == name))


def _safe_next(target: str | None) -> str:
    """A path under /moderation/ to go to after login; anything else means the queue."""
    return safe_urls.local_path(target, "/moderation/") or url_for("moderation.index")


@bp.get("/login")
def login_form():
    """The login page."""
    if current_user.is_authenticated:
        return redirect(url_for("moderation.index"))
    return render_template("moderation/login.html", next=request.args.get("next", ""))


@bp.post("/login")
@login_limit
def login():
    """Check the name and password; 401 and the form again when they do not match."""
    name = (request.form.get("name") or "").strip()
    password = request.form.get("password") or ""
    moderator = find_moderator(name) if name else None
    if moderator is None or not moderator.active:
        check_password_hash(_dummy_hash(), password)
        moderator = None
    elif not moderator.check_password(password):
        moderator = None
    if moderator is None:
        message = _("아이디 또는 비밀번호가 올바르지 않습니다.")
        page = render_template(
            "moderation/login.html", error=message, name=name, next=request.form.get("next", "")
        )
        return page, 401
    moderator.last_login_at = utcnow()
    db.session.commit()
    login_user(moderator)
    moderator_session.start()
    return redirect(_safe_next(request.form.get("next")), code=303)


@bp.post("/logout")
def logout():
    """End the moderator's session."""
    logout_user()
    moderator_session.end()
    flash(_("로그아웃했습니다."))
    return redirect(url_for("auth.login_form"), code=303)


@bp.errorhandler(429)
def too_many_logins(exc):
    """Too many failed logins from one address."""
    seconds = security.retry_after()
    if seconds is None:
        message = _("로그인 시도가 너무 많습니다. 잠시 후 다시 시도해 주세요.")
    else:
        message = _(
            "로그인 시도가 너무 많습니다. %(wait)s 다시 시도해 주세요.",
            wait=wait_phrase(seconds),
        )
    return render_template("moderation/login.html", error=message, next=""), 429


def init_app(app) -> None:
    """Bind Flask-Login and the blueprint."""
    login_manager.init_app(app)
    app.register_blueprint(bp)
