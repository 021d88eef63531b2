"""``comment-mod retrain`` and ``comment-mod models``: the retrain loop from a terminal."""

from __future__ import annotations

import math

import click

from .cli_support import database_app, pad
from .model_records import FAILED, NOT_PROMOTED, PROMOTED


def _report_path(ctx, param, value):
    """Refuse a report file that is not .md or .html before any training starts."""
    from classifier.report import check_report_path

    if value is None:
        return None
    try:
        check_report_path(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _margin(ctx, param, value):
    """A gate margin: a finite number (below 0, the candidate must do better by that much);
    nan would make every comparison false and the gate's reasons nonsense."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"must be a finite number, not {value}")
    return value


def _echo_result(result) -> None:
    """What the retrain did, for the operator."""
    for note in result.notes:
        click.echo(note)
    click.echo(
        f"Trained {result.version} on {result.counts.get('examples', 0):,} examples "
        f"(serving: {result.serving_version})."
    )
    verdict = "passes" if result.gate_passed else "refuses it"
    click.echo(f"The gate {verdict}: " + ("; ".join(result.reasons) or "no reason given"))
    click.echo(f"Report: {result.report_path}")
    if result.promoted:
        click.echo(f"Promoted {result.version}; re-scored {result.rescored:,} waiting comments.")
    elif result.serving_changed_to is not None:
        click.echo(
            f"Not promoted: {result.serving_changed_to} was put in service while this retrain "
            f"ran; {result.version} is kept as a candidate (`comment-mod models rollback "
            f"{result.version}` serves it)."
        )
    elif result.stored:
        click.echo(f"Kept {result.version} as a version, not serving.")
    else:
        click.echo("Dry run: nothing stored.")


def _claim_run(app, run_id: int | None, dry_run: bool) -> tuple[str, int | None]:
    """Who started this retrain and the run it reports to.

    A run started from the page passes its id. A retrain typed in a terminal
    records a run of its own (so the page shows it and starts no second one),
    except a dry run, which changes nothing.
    """
    import os

    from .db import db
    from .ids import is_row_id
    from .model_records import RetrainRun
    from .model_store import started_by_cli
    from .retrain_runs import RunRefused, begin_run

    with app.app_context():
        if run_id is not None:
            run = db.session.get(RetrainRun, run_id) if is_row_id(run_id) else None
            if run is None:
                raise click.ClickException(f"no retrain run {run_id}")
            return run.started_by, run_id
        if dry_run:
            return started_by_cli(), None
        try:
            return started_by_cli(), begin_run(started_by_cli(), pid=os.getpid()).id
        except RunRefused:
            raise click.ClickException("a retrain is already running (see the 모델 page)") from None


@click.command("retrain")
@click.option("--force", is_flag=True, help="Promote even if the gate refuses the candidate.")
@click.option("--dry-run", is_flag=True, help="Train, compare and report only; store nothing.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    callback=_report_path,
    help="Report file (.md or .html).",
)
@click.option(
    "--f1-margin",
    type=float,
    callback=_margin,
    help="Largest toxic F1 drop allowed [RETRAIN_F1_MARGIN].",
)
@click.option(
    "--auc-margin", type=float, callback=_margin, help="Largest ROC-AUC drop allowed per category."
)
@click.option("--refresh-eval", is_flag=True, help="Freeze a new evaluation slice first.")
@click.option("--run-id", type=int, hidden=True, help="Write progress into this retrain run.")
def retrain_command(force, dry_run, report, f1_margin, auc_margin, refresh_eval, run_id):
    """Train on every label, compare with the serving model, promote if the gate passes."""
    from .model_store import ModelStoreError
    from .retrain import RetrainError, RetrainOptions, retrain
    from .retrain_runs import RunRecorder

    app = database_app()
    started_by, run_id = _claim_run(app, run_id, dry_run)
    recorder = RunRecorder(app, run_id) if run_id is not None else None
    options = RetrainOptions(
        started_by=started_by,
        force=force,
        dry_run=dry_run,
        refresh_eval=refresh_eval,
        report=report,
        f1_margin=f1_margin,
        auc_margin=auc_margin,
        progress_bars=not started_by.startswith("moderator:"),
    )

    def on_progress(stage: str, fraction: float) -> None:
        if recorder is not None:
            recorder(stage, fraction)

    try:
        result = retrain(app, options, on_progress)
    except (RetrainError, ModelStoreError, ValueError) as exc:
        if recorder is not None:
            recorder.line(f"실패: {exc}")
            recorder.finish(FAILED)
        raise click.ClickException(str(exc)) from None
    except BaseException:
        if recorder is not None:
            recorder.line("실패: 예기치 못한 오류 (서버 기록을 확인하세요)")
            recorder.finish(FAILED)
        raise
    _echo_result(result)
    if recorder is not None:
        recorder.line(
            f"{result.version}: {'승격됨' if result.promoted else '승격되지 않음'} "
            f"({'; '.join(result.reasons)})"
        )
        if result.serving_changed_to is not None:
            recorder.line(
                f"재학습 중에 모델 {result.serving_changed_to}(으)로 바뀌어(되돌리기) "
                f"승격하지 않았습니다. {result.version}은(는) 후보로 남습니다."
            )
        recorder.finish(PROMOTED if result.promoted else NOT_PROMOTED, result.version)


@click.group("models")
def models_group():
    """List model versions and roll back to an earlier one."""


@models_group.command("list")
def models_list():
    """Every version: status, when, by whom, toxic F1 on the evaluation set, examples."""
    from .model_store import ensure_initial_version, list_versions

    app = database_app()
    with app.app_context():
        ensure_initial_version(app)
        rows = list_versions()
    if not rows:
        click.echo("No model versions (train one: comment-mod train --out MODEL_PATH).")
        return
    click.echo(
        f"{'version':<26} {'status':<9} {'created':<16} {'by':<20} {'toxic F1':>8} {'examples':>9}"
    )
    for r in rows:
        f1 = f"{r.toxic_f1:.3f}" if r.toxic_f1 is not None else "-"
        examples = f"{r.examples:,}" if r.examples is not None else "-"
        click.echo(
            f"{r.version:<26} {r.status:<9} {r.created_at:%Y-%m-%d %H:%M} "
            f"{pad(r.created_by, 20, clip=True)} {f1:>8} {examples:>9}"
        )


@models_group.command("rollback")
@click.argument("version")
def models_rollback(version):
    """Serve VERSION again (running servers switch within MODEL_RELOAD_SECONDS)."""
    from .model_store import ModelStoreError, rollback_to
    from .rescoring import rescore_undecided

    app = database_app()
    with app.app_context():
        try:
            model = rollback_to(app, version)
        except ModelStoreError as exc:
            raise click.ClickException(str(exc)) from None
        rescored = rescore_undecided(model, app.config["RESCORE_BATCH"])
    click.echo(f"Model {version} is serving again; re-scored {rescored:,} waiting comments.")
