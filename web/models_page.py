"""The 모델 page: the serving model, its history, background retrains and rollback."""

from __future__ import annotations

import os
import re

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from . import model_store, retrain_runs
from .auth import admin_required
from .db import db
from .models import REJECT_REASONS
from .moderation import require_login
from .rescoring import rescore_undecided

bp = Blueprint("models_page", __name__, url_prefix="/moderation/models")
bp.before_request(require_login)

STATUS_LABELS = {
    "candidate": lazy_pgettext("model status", "후보"),
    "serving": lazy_pgettext("model status", "사용 중"),
    "retired": lazy_pgettext("model status", "이전"),
    "refused": lazy_pgettext("model status", "거부됨"),
}
RUN_LABELS = {
    "running": _l("진행 중"),
    "promoted": _l("승격됨"),
    "not_promoted": _l("승격되지 않음"),
    "failed": _l("실패"),
}
# The gate's reasons as classifier/comparison.py words them, in English, kept with each
# version: the page shows them in its own language, and one it cannot read as stored.
NO_SERVING_MODEL = "no model is serving: the candidate is promoted"
GATE_CHECK = re.compile(
    r"(?P<name>\w+) (?P<figure>F1|ROC-AUC) (?P<old>[-\d.]+) -> (?P<new>[-\d.]+) "
    r"\((?P<change>[-+][\d.]+)\), margin (?P<margin>[-+\w.]+): (?P<verdict>ok|refused)\b.*"
)
# The lines a run writes into its log (in Korean, the source language), as the page shows them.
RUN_OUTCOME = re.compile(r"(?P<version>\S+): (?P<outcome>승격됨|승격되지 않음) \((?P<reasons>.*)\)")
RUN_FAILED = re.compile(r"실패: (?P<error>.*)")
RUN_NOT_STARTED = re.compile(r"시작하지 못했습니다: (?P<error>.*)")
RUN_LINES = {
    "실패: 예기치 못한 오류 (서버 기록을 확인하세요)": _l(
        "실패: 예기치 못한 오류 (서버 기록을 확인하세요)"
    ),
    "프로세스가 중간에 종료되었습니다.": _l("프로세스가 중간에 종료되었습니다."),
}
STAGE_LABELS = {
    "": _l("준비 중"),
    "reading labels": _l("라벨 읽는 중"),
    "analysing": _l("형태소 분석 중"),
    "vectorizing": _l("특징 만드는 중"),
    "fitting": _l("학습 중"),
    "scoring candidate": _l("평가 세트로 새 모델 채점 중"),
    "scoring serving": _l("평가 세트로 기존 모델 채점 중"),
    "promoting": _l("승격 중"),
    "rescoring": _l("대기 댓글 다시 채점 중"),
}


def figure_label(name: str, figure: str) -> str:
    """A figure the gate compares: 유해 F1, 유해 ROC-AUC, 모욕/비하 ROC-AUC."""
    if name == "toxic":
        return _("유해 F1") if figure == "F1" else _("유해 ROC-AUC")
    return f"{REJECT_REASONS.get(name, name)} {figure}"


def gate_reason(reason: str) -> str:
    """One of the gate's reasons in the page's language."""
    if reason == NO_SERVING_MODEL:
        return _("사용 중인 모델이 없어 후보를 승격합니다.")
    check = GATE_CHECK.fullmatch(reason)
    if check is None:
        return reason
    figures = {**check.groupdict(), "figure": figure_label(check["name"], check["figure"])}
    if check["verdict"] == "ok":
        return _("%(figure)s %(old)s → %(new)s (%(change)s), 허용 폭 %(margin)s: 통과", **figures)
    return _(
        "%(figure)s %(old)s → %(new)s (%(change)s), 허용 폭 %(margin)s: 그보다 더 떨어져 거부",
        **figures,
    )


def run_log(log: str) -> str:
    """A run's log with the lines the run wrote itself in the page's language."""
    return "\n".join(_run_line(line) for line in log.split("\n"))


def _run_line(line: str) -> str:
    """One line of a run's log in the page's language; one of another kind as it is."""
    if line in RUN_LINES:
        return str(RUN_LINES[line])
    outcome = RUN_OUTCOME.fullmatch(line)
    if outcome:
        status = "promoted" if outcome["outcome"] == "승격됨" else "not_promoted"
        reasons = "; ".join(gate_reason(r) for r in outcome["reasons"].split("; "))
        return f"{outcome['version']}: {RUN_LABELS[status]} ({reasons})"
    failed = RUN_FAILED.fullmatch(line)
    if failed:
        return _("실패: %(error)s", error=failed["error"])
    not_started = RUN_NOT_STARTED.fullmatch(line)
    if not_started:
        return _("시작하지 못했습니다: %(error)s", error=not_started["error"])
    return line


def reports_dir() -> str:
    """Where retrain reports are written on this host."""
    return os.path.join(current_app.instance_path, "reports")


def report_name(version) -> str | None:
    """The file name of a version's report when it sits in this host's reports folder."""
    path = version.report_path
    if path and os.path.dirname(os.path.abspath(path)) == reports_dir() and os.path.exists(path):
        return os.path.basename(path)
    return None


@bp.get("/", strict_slashes=False)  # answers without the slash too
def index():
    """The serving model, every version, the latest retrain run."""
    model_store.ensure_initial_version(current_app)
    versions = model_store.list_versions()
    return render_template(
        "moderation/models.html",
        versions=versions,
        serving=next((v for v in versions if v.status == "serving"), None),
        run=retrain_runs.latest_run(),
        status_labels=STATUS_LABELS,
        run_labels=RUN_LABELS,
        stage_labels=STAGE_LABELS,
        category_labels=REJECT_REASONS,
        report_name=report_name,
        gate_reason=gate_reason,
        run_log=run_log,
    )


@bp.get("/run.json")
def run_status():
    """The latest run's progress, for the page's polling."""
    run = retrain_runs.latest_run()
    if run is None:
        return {"run": None}
    data = run.to_dict()
    data["status_label"] = str(RUN_LABELS[run.status])
    data["stage_label"] = str(STAGE_LABELS.get(run.stage, run.stage))
    data["log"] = run_log(run.log)
    return {"run": data}


@bp.post("/retrain")
@admin_required
def start_retrain():
    """Start a retrain in the background (admins)."""
    try:
        run = retrain_runs.start_run(current_app, f"moderator:{current_user.name}")
    except retrain_runs.RunRefused as exc:
        flash(str(exc), "error")
    else:
        flash(_("재학습을 시작했습니다 (#%(id)s).", id=run.id))
    return redirect(url_for("models_page.index"), code=303)


@bp.post("/<version>/rollback")
@admin_required
def rollback(version: str):
    """Serve an earlier version again (admins); waiting comments are scored again."""
    try:
        model = model_store.rollback_to(current_app, version)
    except model_store.ModelStoreError as exc:
        db.session.rollback()
        flash(_("되돌릴 수 없습니다: %(reason)s", reason=exc), "error")
        return redirect(url_for("models_page.index"), code=303)
    count = rescore_undecided(model, current_app.config["RESCORE_BATCH"])
    flash(
        ngettext(
            "모델 %(version)s(으)로 되돌렸습니다. 대기 댓글 %(num)d개를 다시 채점했습니다.",
            "모델 %(version)s(으)로 되돌렸습니다. 대기 댓글 %(num)d개를 다시 채점했습니다.",
            count,
            version=version,
        )
    )
    return redirect(url_for("models_page.index"), code=303)


@bp.errorhandler(CSRFError)
def expired_form(exc):
    """A form without a valid token: nothing is started, the admin is asked to reload."""
    flash(_("페이지가 만료되었습니다. 새로고침한 뒤 다시 시도해 주세요."), "error")
    return redirect(url_for("models_page.index"), code=303)


@bp.get("/reports/<path:name>")
def report(name: str):
    """A report file (or its picture) written on this host."""
    mimetype = "text/plain" if name.endswith(".md") else None
    return send_from_directory(reports_dir(), name, mimetype=mimetype)
