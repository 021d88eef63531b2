"""The moderators' dashboard: charts of the traffic, the model and the decisions (pygal SVG)."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_babel import gettext as _

from . import i18n
from .db import db, utcnow
from .models import (
    APPROVE,
    HOLD_TOXICITY,
    PENDING,
    REJECT,
    REJECT_REASONS,
    Comment,
    Decision,
)
from .moderation import require_login
from .moderation_queue import STATUS_LABELS

bp = Blueprint("dashboard", __name__, url_prefix="/moderation/dashboard")
bp.before_request(require_login)

DAYS = 30
BINS = 10
COLORS = ("#0f6fde", "#e09b00", "#e0323c", "#12803f", "#73737c", "#8e44ad")
FONTS = '"Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans CJK KR", sans-serif'
# An SVG shown with <img> runs no script; this header says so again.
SVG_HEADERS = {
    "Content-Type": "image/svg+xml; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
    ),
    "Cache-Control": "private, max-age=60",
}


def comments_per_day() -> list[tuple[str, int]]:
    """Comments posted on each of the last DAYS days of DISPLAY_TIMEZONE, oldest first."""
    today = i18n.local_time(utcnow()).date()
    days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS + 1)]
    # Each day's first moment in that zone: the database compares them with UTC times.
    starts = [datetime.combine(day, time(), i18n.display_zone()) for day in days]
    index = sa.case(
        *((Comment.created_at < start, i) for i, start in enumerate(starts[1:])), else_=DAYS
    )
    posted = (
        sa.select(index.label("day"))
        .where(Comment.created_at >= starts[0], Comment.created_at < starts[-1])
        .subquery()
    )
    rows = db.session.execute(sa.select(posted.c.day, sa.func.count()).group_by(posted.c.day))
    counts = dict(rows.all())
    return [(day.isoformat(), counts.get(i, 0)) for i, day in enumerate(days[:DAYS])]


def status_shares() -> dict[str, int]:
    """How many comments are in each status."""
    rows = db.session.execute(sa.select(Comment.status, sa.func.count()).group_by(Comment.status))
    return dict(rows.all())


def rejections_per_category() -> dict[str, int]:
    """Standing rejections by reason."""
    rows = db.session.execute(
        sa.select(Decision.reason, sa.func.count())
        .where(Decision.action == REJECT, Decision.undone_at.is_(None))
        .group_by(Decision.reason)
    )
    return dict(rows.all())


def hold_outcomes() -> dict[str, int]:
    """Comments the model held that moderators approved (it was wrong) or rejected (right).

    Only holds for the score count: a comment held for pre-moderation, a hold word, as
    a repeat or because the model failed was not the model's judgement. A decided
    comment keeps its hold reason.
    """
    rows = db.session.execute(
        sa.select(Decision.action, sa.func.count())
        .join(Comment, Comment.id == Decision.comment_id)
        .where(
            Decision.status_before == PENDING,
            Comment.hold_reason == HOLD_TOXICITY,
            Decision.action.in_((APPROVE, REJECT)),
            Decision.undone_at.is_(None),
        )
        .group_by(Decision.action)
    )
    return dict(rows.all())


def score_histogram() -> list[int]:
    """Scored comments in BINS equal bins of toxicity, in one pass."""
    columns = []
    for i in range(BINS):
        low, high = i / BINS, (i + 1) / BINS
        upper = Comment.toxicity <= high if i == BINS - 1 else Comment.toxicity < high
        columns.append(sa.func.sum(sa.case((sa.and_(Comment.toxicity >= low, upper), 1), else_=0)))
    row = db.session.execute(sa.select(*columns)).one()
    return [int(v or 0) for v in row]


def count_ticks(counts) -> list[int]:
    """Whole-number axis ticks for counts: 0 to at least the largest, 1, 2 or 5 times 10^k apart."""
    top = max(max(counts, default=0), 1)
    steps = (m * 10**k for k in itertools.count() for m in (1, 2, 5))
    step = next(s for s in steps if top <= 10 * s)
    return list(range(0, -(-top // step) * step + 1, step))


def _chart(kind: str, title: str, **options):
    """A pygal chart in the house style, with no JavaScript (pygal loads on first use)."""
    import pygal
    from pygal.style import Style

    style = Style(background="#ffffff", plot_background="#ffffff", font_family=FONTS, colors=COLORS)
    return getattr(pygal, kind)(
        title=title, style=style, js=[], width=640, height=320, print_values=False, **options
    )


def render_chart(name: str) -> bytes:
    """One chart as SVG; KeyError for an unknown name."""
    if name == "daily":
        data = comments_per_day()
        counts = [n for _, n in data]
        chart = _chart(
            "Bar",
            _("일별 댓글 수 (최근 30일)"),
            show_legend=False,
            x_label_rotation=45,
            y_labels=count_ticks(counts),
        )
        chart.x_labels = [d[5:] for d, _ in data]
        chart.add(_("댓글"), counts)
    elif name == "status":
        shares = status_shares()
        chart = _chart("Pie", _("댓글 상태 비율"), inner_radius=0.4)
        for status, label in STATUS_LABELS.items():
            chart.add(str(label), shares.get(status, 0))
    elif name == "categories":
        rejected = rejections_per_category()
        counts = [rejected.get(key, 0) for key in REJECT_REASONS]
        chart = _chart(
            "HorizontalBar", _("유형별 거절 수"), show_legend=False, y_labels=count_ticks(counts)
        )
        chart.x_labels = [str(label) for label in REJECT_REASONS.values()]
        chart.add(_("거절"), counts)
    elif name == "agreement":
        outcomes = hold_outcomes()
        chart = _chart("Pie", _("보류 판단: 관리자 결정"))
        chart.add(_("거절 (모델과 같음)"), outcomes.get(REJECT, 0))
        chart.add(_("승인 (모델과 다름)"), outcomes.get(APPROVE, 0))
    elif name == "scores":
        counts = score_histogram()
        chart = _chart("Bar", _("유해도 분포"), show_legend=False, y_labels=count_ticks(counts))
        chart.x_labels = [f"{i / BINS:.1f}" for i in range(BINS)]
        chart.add(_("댓글"), counts)
    else:
        raise KeyError(name)
    return chart.render()


@bp.get("/", strict_slashes=False)  # answers without the slash too
def index():
    """The dashboard page: the charts and the figures behind them."""
    outcomes = hold_outcomes()
    decided = sum(outcomes.values())
    return render_template(
        "moderation/dashboard.html",
        shares=status_shares(),
        agreement=(outcomes.get(REJECT, 0) / decided) if decided else None,
        decided=decided,
        status_labels=STATUS_LABELS,
    )


@bp.get("/<name>.svg")
def chart(name: str):
    """One chart as an SVG image."""
    try:
        svg = render_chart(name)
    except KeyError:
        abort(404)
    return svg, 200, SVG_HEADERS
