"""The moderators' pages: the queues, the actions on comments and authors, the audit log."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from . import admin_audit, date_filters, pagination, safe_urls, site_settings
from . import moderation_queue as mq
from . import moderation_service as service
from .auth import login_manager
from .db import db, utcnow
from .ids import parse_row_id
from .models import ACTIONS, REJECT_REASONS, REPORT_REASONS, Decision, Moderator
from .policy import score_level

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

CATEGORY_LABELS = REJECT_REASONS
ACTION_LABELS = {
    "approve": _l("승인"),
    "reject": _l("거절"),
    "ban": _l("정지"),
    "unban": _l("정지 해제"),
}
BAN_PERIODS = {"1": _l("1일"), "7": _l("7일"), "30": _l("30일"), "forever": _l("영구")}
AUDIT_PER_PAGE = 50
HOLD_REASON_LABELS = {
    "spam": _l("반복 게시로 보류됨"),
    "premoderation": _l("사전 검토로 보류됨"),
    "word_list": _l("보류 단어가 있어 보류됨"),
}


@bp.before_request
def require_login():
    """Nothing here is reachable without logging in."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


@bp.after_request
def no_store(response):
    """Moderation pages hold unpublished comments: no cache keeps a copy."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.context_processor
def labels():
    """Korean names the templates show."""
    return {
        "queues": mq.QUEUES,
        "category_labels": CATEGORY_LABELS,
        "report_labels": REPORT_REASONS,
        "status_labels": mq.STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "ban_periods": BAN_PERIODS,
        "hold_reasons": HOLD_REASON_LABELS,
        "date_limits": (date_filters.FIRST_DAY.isoformat(), date_filters.LAST_DAY.isoformat()),
    }


@bp.get("/", strict_slashes=False)  # answers without the slash too
def index():
    """The held queue is where the day starts."""
    return redirect(url_for("moderation.queue", name="held"))


def _page_number() -> int:
    """The ?page= number, 1 when missing or nonsense."""
    try:
        return max(1, min(int(request.args.get("page", 1)), 10_000))
    except ValueError:
        return 1


@bp.get("/queue/<name>")
def queue(name: str):
    """One queue, a page of cards."""
    if name not in mq.QUEUES:
        return redirect(url_for("moderation.queue", name="held"))
    sort = request.args.get("sort") if request.args.get("sort") in mq.SORTS else "newest"
    filters = mq.Filters()
    if name == "all":
        filters = mq.Filters.from_args(request.args, date_filters.from_request(request.args))
    config = current_app.config
    thresholds = site_settings.current().thresholds
    hold = thresholds.hold
    cursor = None
    if request.args.get("cursor"):
        try:
            cursor = mq.QueueCursor.decode(request.args["cursor"], name, sort)
        except pagination.BadCursor:
            flash(_("목록 위치가 올바르지 않아 첫 쪽을 보여 드립니다."), "error")
    page = mq.list_queue(name, sort, cursor, config["QUEUE_PER_PAGE"], hold, filters)
    return render_template(
        "moderation/queue.html",
        name=name,
        sort=sort,
        sorts=mq.SORTS,
        filters=filters,
        result=page,
        counts=mq.queue_counts(),
        newest_id=mq.newest_id(),
        thresholds=thresholds,
        score_level=score_level,
        poll_seconds=config["QUEUE_POLL_SECONDS"],
        here=request.full_path.rstrip("?"),
        highlighted=mq.highlighted,
    )


@bp.get("/counts.json")
def counts():
    """Queue sizes and the newest comment's id, for the page's arrival notice."""
    return jsonify(counts=mq.queue_counts(), newest_id=mq.newest_id())


def _back() -> str:
    """Where the form came from, if it is a moderation page."""
    target = safe_urls.local_path(request.form.get("next"), "/moderation/")
    return target or url_for("moderation.queue", name="held")


@bp.errorhandler(service.ModerationError)
def refused(exc: service.ModerationError):
    """An action that cannot be done: nothing of it is kept, and the moderator is told why."""
    db.session.rollback()
    flash(exc.message, "error")
    return redirect(_back(), code=303)


def _comment_ids() -> list[int]:
    """The comment ids a form names, ignoring anything that is not a number.

    Raises ModerationError 404 for a number no comment can have (0, or beyond the id column).
    """
    values = [v for v in request.form.getlist("comment_id") if v.isascii() and v.isdigit()]
    ids = [parse_row_id(v) for v in values]
    if None in ids:
        raise service.ModerationError(_("존재하지 않는 댓글입니다."), 404)
    return ids


def _seen(ids: list[int]) -> dict[int, str]:
    """What the moderator's page showed of each comment (the cards' ``seen-<id>`` fields)."""
    return {i: request.form[f"seen-{i}"] for i in ids if f"seen-{i}" in request.form}


@bp.post("/decide")
def decide():
    """Approve or reject one comment or a selection, as the moderator's page showed them.

    Comments decided by someone else since the page was shown are left alone and
    counted in the message (nothing at all is done when that is all of them).
    """
    action = request.form.get("action")
    ids = _comment_ids()
    if action == "approve":
        done = service.approve(current_user, ids, seen=_seen(ids))
        flash(
            ngettext(
                "%(num)d개 댓글을 승인했습니다.",
                "%(num)d개 댓글을 승인했습니다.",
                len(done.decided),
            )
        )
    elif action == "reject":
        reason = request.form.get("reason", "")
        done = service.reject(current_user, ids, reason, seen=_seen(ids))
        flash(
            ngettext(
                "%(num)d개 댓글을 거절했습니다 (%(reason)s).",
                "%(num)d개 댓글을 거절했습니다 (%(reason)s).",
                len(done.decided),
                reason=CATEGORY_LABELS[reason],
            )
        )
    else:
        flash(_("알 수 없는 작업입니다."), "error")
        return redirect(_back(), code=303)
    if done.skipped:
        flash(
            ngettext(
                "그사이 다른 운영자가 결정한 %(num)d개는 그대로 두었습니다.",
                "그사이 다른 운영자가 결정한 %(num)d개는 그대로 두었습니다.",
                done.skipped,
            ),
            "error",
        )
    return redirect(_back(), code=303)


@bp.post("/undo")
def undo():
    """Take back the moderator's last action, saying what could not be taken back."""
    undone = service.undo_last(current_user)
    if not undone.decisions:
        flash(
            ngettext(
                "되돌리지 못했습니다: 그 뒤에 다른 운영자가 다시 결정한 댓글입니다.",
                "되돌리지 못했습니다: %(num)d개 댓글 모두 그 뒤에 다른 운영자가 다시 결정했습니다.",
                undone.skipped,
            ),
            "error",
        )
        return redirect(_back(), code=303)
    flash(_("마지막 작업을 되돌렸습니다 (%(count)d건).", count=len(undone.decisions)))
    if undone.skipped:
        flash(
            ngettext(
                "그 뒤에 다른 운영자가 다시 결정한 %(num)d건은 그대로 두었습니다.",
                "그 뒤에 다른 운영자가 다시 결정한 %(num)d건은 그대로 두었습니다.",
                undone.skipped,
            ),
            "error",
        )
    return redirect(_back(), code=303)


@bp.post("/authors/<id:reader_id>/ban")
def ban(reader_id: int):
    """Ban an author for a period or for good."""
    period = request.form.get("period", "forever")
    until = None if period not in ("1", "7", "30") else utcnow() + timedelta(days=int(period))
    comment_ids = _comment_ids()  # the comment the ban was decided on, if any
    service.ban(
        current_user,
        reader_id,
        until,
        note=request.form.get("note", ""),
        comment_id=comment_ids[0] if comment_ids else None,
    )
    flash(_("작성자를 정지했습니다 (%(period)s).", period=BAN_PERIODS.get(period, _("영구"))))
    return redirect(_back(), code=303)


@bp.post("/authors/<id:reader_id>/unban")
def unban(reader_id: int):
    """Lift an author's ban."""
    service.unban(current_user, reader_id)
    flash(_("작성자의 정지를 해제했습니다."))
    return redirect(_back(), code=303)


@bp.post("/authors/<id:reader_id>/reject-all")
def reject_all(reader_id: int):
    """Reject every comment of an author."""
    count = service.reject_all_by_author(current_user, reader_id, request.form.get("reason", ""))
    flash(
        ngettext(
            "작성자의 댓글 %(num)d개를 거절했습니다.",
            "작성자의 댓글 %(num)d개를 거절했습니다.",
            count,
        )
    )
    return redirect(_back(), code=303)


@bp.get("/authors/<id:reader_id>")
def author(reader_id: int):
    """An author's comments, newest first (the 전체 queue filtered by author)."""
    return redirect(url_for("moderation.queue", name="all", author_id=reader_id))


@bp.get("/audit")
def audit():
    """Every decision, newest first, with filters by moderator, action, label and date."""
    query = sa.select(Decision).options(sa.orm.selectinload(Decision.moderator))
    moderator_name = (request.args.get("moderator") or "").strip()
    action = request.args.get("action") or ""
    reason = request.args.get("reason") or ""
    dates = date_filters.from_request(request.args)
    if moderator_name:
        query = query.join(Moderator).where(Moderator.name == moderator_name)
    if action in ACTIONS:
        query = query.where(Decision.action == action)
    if reason in REJECT_REASONS:
        query = query.where(Decision.reason == reason)
    if dates.start:
        query = query.where(Decision.created_at >= dates.start)
    if dates.end:
        query = query.where(Decision.created_at < dates.end)
    page = _page_number()
    rows = list(
        db.session.scalars(
            query.order_by(Decision.id.desc())
            .offset((page - 1) * AUDIT_PER_PAGE)
            .limit(AUDIT_PER_PAGE + 1)
        )
    )
    args = {
        k: v
        for k, v in {
            "moderator": moderator_name,
            "action": action,
            "reason": reason,
            "date_from": dates.date_from,
            "date_to": dates.date_to,
        }.items()
        if v
    }
    return render_template(
        "moderation/audit.html",
        decisions=rows[:AUDIT_PER_PAGE],
        has_next=len(rows) > AUDIT_PER_PAGE,
        page=page,
        args=args,
        moderators=db.session.scalars(sa.select(Moderator.name).order_by(Moderator.name)),
        here=request.full_path.rstrip("?"),
    )


@bp.get("/audit/admin")
def admin_audit_log():
    """Admins' changes (settings, articles, accounts, API keys), newest first, with filters."""
    dates = date_filters.from_request(request.args)
    filters = admin_audit.EventFilters(
        moderator=(request.args.get("moderator") or "").strip(),
        action=request.args.get("action") or "",
        dates=dates,
    )
    page = _page_number()
    events, has_next = admin_audit.list_events(filters, page)
    shown = {**request.args.to_dict(), "date_from": dates.date_from, "date_to": dates.date_to}
    args = {k: v for k, v in shown.items() if k != "page" and v}
    return render_template(
        "moderation/audit_admin.html",
        events=events,
        has_next=has_next,
        page=page,
        args=args,
        admin_actions=admin_audit.ACTION_LABELS,
        setting_labels=admin_audit.SETTING_LABELS,
        shown_value=admin_audit.shown_value,
        moderators=db.session.scalars(sa.select(Moderator.name).order_by(Moderator.name)),
    )


@bp.errorhandler(CSRFError)
def csrf_error(exc):
    """An expired or missing form token: back to the page with a message."""
    flash(_("페이지가 만료되었습니다. 새로고침한 뒤 다시 시도해 주세요."), "error")
    return redirect(_back(), code=303)
