"""One retrain: gather the labels, train a candidate, compare it with the serving model
on the fixed evaluation set, write the report, store the version, promote if the gate
passes (or when forced) and re-score the comments still waiting.

Nothing points at the candidate until it is stored in full and checked (see
web/model_store.py): a run killed at any step leaves the old model serving.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

import classifier
from classifier.comparison import compare
from classifier.label_sources import combine
from classifier.report import write_report

from . import model_store, training_labels
from .db import db
from .model_records import CANDIDATE, REFUSED
from .rescoring import rescore_undecided

DEFAULT_EVAL_DATA = Path(classifier.DEFAULT_TRAINING_DATA).parent / "heldout"


class RetrainError(Exception):
    """A retrain that cannot start or finish; the message says why."""


@dataclass
class RetrainOptions:
    """What the operator asked for."""

    started_by: str
    force: bool = False
    dry_run: bool = False
    refresh_eval: bool = False
    report: str | None = None
    f1_margin: float | None = None
    auc_margin: float | None = None
    progress_bars: bool = False


@dataclass
class RetrainResult:
    """What a retrain did."""

    version: str
    serving_version: str
    promoted: bool
    gate_passed: bool
    reasons: list[str]
    report_path: str
    counts: dict
    eval_examples: int
    rescored: int = 0
    stored: bool = False
    # The version an admin put in service while this retrain ran, when one did.
    serving_changed_to: str | None = None
    notes: list[str] = field(default_factory=list)


def _silent(stage: str, fraction: float) -> None:
    """Progress goes nowhere."""


def base_data(app: Flask) -> Path:
    """Our own corpus the model always learns from."""
    return Path(app.config["RETRAIN_BASE_DATA"] or classifier.DEFAULT_TRAINING_DATA)


def _datasets(app: Flask, key: str) -> list[training_labels.DatasetSpec]:
    """The datasets a setting names; RetrainError for a bad setting."""
    try:
        return training_labels.parse_datasets(app.config[key])
    except ValueError as exc:
        raise RetrainError(f"{key}: {exc}") from None


def evaluation_set(app: Flask, options: RetrainOptions, decisions, notes) -> tuple[list, dict]:
    """The moderators' frozen slice plus our held-out corpus and the configured dev sets,
    and the dev sets' fingerprints."""
    config = app.config
    fraction, limit = config["EVAL_FRACTION"], config["EVAL_MAX_LABELS"]
    if options.dry_run:  # a dry run changes nothing stored: it shows what would be frozen
        stored = training_labels.stored_eval_examples()
        if not stored or options.refresh_eval:
            chosen = training_labels.eval_slice(decisions, fraction, limit)
            stored = training_labels.moderator_examples(chosen)
    else:
        training_labels.freeze_eval_set(fraction, limit, refresh=options.refresh_eval)
        stored = training_labels.stored_eval_examples()
    examples = list(stored)
    eval_base = config.get("EVAL_BASE_DATA") or DEFAULT_EVAL_DATA
    if Path(eval_base).exists():
        examples += classifier.read_examples(eval_base)
    fingerprints = {}
    for spec in _datasets(app, "EVAL_DATASETS"):
        examples += spec.read()
        fingerprints[str(spec.path)] = spec.fingerprint()
    notes.append(f"evaluation set: {len(stored)} moderator labels, {len(examples)} examples in all")
    return examples, fingerprints


def training_set(app: Flask, decisions, eval_examples) -> tuple[list, dict]:
    """Our corpus and the datasets, overridden by API feedback, then by moderators."""
    datasets = [classifier.read_examples(base_data(app))]
    datasets += [spec.read() for spec in _datasets(app, "RETRAIN_DATASETS")]
    overrides = training_labels.feedback_examples() + training_labels.moderator_examples(decisions)
    # The evaluation set's texts are left out: no model is measured on what it learned.
    return combine(datasets, overrides, exclude=eval_examples)


def _note_changed_dev_sets(serving_version: str, fingerprints: dict, notes: list) -> None:
    """Say when a configured dev set differs from the one the serving model was measured on."""
    row = model_store.find_version(serving_version)
    before = ((row.counts or {}) if row else {}).get("eval_fingerprints") or {}
    for path, digest in fingerprints.items():
        if path in before and before[path] != digest:
            notes.append(f"note: the dev set {path} changed since {serving_version} was measured")


def retrain(app: Flask, options: RetrainOptions, on_progress=_silent) -> RetrainResult:
    """Run a whole retrain in the app's context; raises RetrainError."""
    with app.app_context():
        return _retrain(app, options, on_progress)


def _retrain(app: Flask, options: RetrainOptions, on_progress) -> RetrainResult:
    config, notes = app.config, []
    model_store.ensure_initial_version(app)
    pointer = model_store.serving_pointer()
    if pointer is None:
        raise RetrainError(
            "no model is serving: run `comment-mod init-db` with a model at MODEL_PATH"
        )
    on_progress("reading labels", 0.0)
    serving = model_store.load_version(app.instance_path, pointer)
    decisions = training_labels.latest_decisions()
    eval_examples, fingerprints = evaluation_set(app, options, decisions, notes)
    _note_changed_dev_sets(pointer.version, fingerprints, notes)
    if not eval_examples:
        raise RetrainError("the evaluation set is empty: no moderator labels and no EVAL_DATASETS")
    examples, counts = training_set(app, decisions, eval_examples)
    db.session.rollback()  # end the read transaction before the long training
    on_progress("reading labels", 1.0)
    candidate = classifier.train(examples, progress=options.progress_bars, on_progress=on_progress)
    f1_margin, auc_margin = options.f1_margin, options.auc_margin
    comparison = compare(
        candidate,
        serving,
        eval_examples,
        f1_margin=config["RETRAIN_F1_MARGIN"] if f1_margin is None else f1_margin,
        auc_margin=config["RETRAIN_AUC_MARGIN"] if auc_margin is None else auc_margin,
        on_progress=on_progress,
    )
    report_path = Path(
        options.report or Path(app.instance_path) / "reports" / f"{candidate.version}.md"
    )
    training = {**counts, "eval_fingerprints": fingerprints}
    write_report(comparison, report_path, candidate=candidate, serving=serving, training=training)
    result = RetrainResult(
        version=candidate.version,
        serving_version=serving.version,
        promoted=False,
        gate_passed=bool(comparison.promote),
        reasons=list(comparison.reasons),
        report_path=str(report_path),
        counts=counts,
        eval_examples=len(eval_examples),
        notes=notes,
    )
    if options.dry_run:
        return result
    _store(app, candidate, comparison, options, result, training)
    if comparison.promote or options.force:
        on_progress("promoting", 0.0)
        try:
            model = model_store.promote(app, candidate.version, replacing=pointer.version)
        except model_store.ServingChanged as exc:
            # A rollback (or another promotion) since this run began wins: the candidate
            # was measured against a model that no longer serves. It stays a candidate.
            result.serving_changed_to = exc.now or ""
            notes.append(f"not promoted: {exc}; {candidate.version} is kept as a candidate")
            return result
        result.promoted = True
        on_progress("rescoring", 0.0)
        result.rescored = rescore_undecided(model, config["RESCORE_BATCH"])
        on_progress("rescoring", 1.0)
    return result


def stored_figures(comparison) -> dict:
    """The comparison's figures kept with the version (curves and texts stay in the report)."""
    figures = comparison.to_dict(max_changed=0)
    for bulky in ("pr_curve", "changed"):
        figures.pop(bulky, None)
    return figures


def _store(app, candidate, comparison, options, result, training) -> None:
    """Write the candidate's artifact to this host's cache and its row to the database."""
    path = model_store.cache_path(app.instance_path, candidate.version)
    candidate.save(path)  # whole file to a temporary name, then renamed
    passed = comparison.promote or options.force
    model_store.add_version(
        path.read_bytes(),
        candidate.version,
        created_by=options.started_by,
        status=CANDIDATE if passed else REFUSED,
        metrics=stored_figures(comparison),
        verdict={
            "promote": bool(comparison.promote),
            "forced": options.force,
            "reasons": result.reasons,
        },
        counts=training,
        report_path=result.report_path,
    )
    result.stored = True
