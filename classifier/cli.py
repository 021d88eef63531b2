"""``comment-mod train | evaluate | score``: the model's commands."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import click

from .labels import CATEGORY_NAMES_KO

DEFAULT_MODEL = Path("instance") / "models" / "current.model"


def default_model_path() -> Path:
    """Where the serving model lives unless told otherwise (``MODEL_PATH``)."""
    return Path(os.environ.get("MODEL_PATH") or DEFAULT_MODEL)


def parse_data_option(value: str) -> tuple[Path, str]:
    """Split ``PATH[:FORMAT]``; the format defaults to ``native``."""
    from .readers import FORMATS

    path, sep, fmt = value.rpartition(":")
    if sep and path and fmt in FORMATS:
        return Path(path), fmt
    if sep and path and "/" not in fmt and "." not in fmt:
        raise click.BadParameter(f"unknown format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return Path(value), "native"


def _read(sources: list[tuple[Path, str]], strict: bool):
    from .readers import DataFormatError, read_examples

    examples = []
    for path, fmt in sources:
        try:
            part = read_examples(path, fmt, strict=strict, on_problem=_warn)
        except DataFormatError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"read {len(part):,} examples from {path} ({fmt})", err=True)
        examples.extend(part)
    return examples


def _warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


def _load(path: Path):
    from .artifact import ModelLoadError, load

    try:
        return load(path)
    except ModelLoadError as exc:
        raise click.ClickException(str(exc)) from None


def _data_options(required: bool):
    return click.option(
        "--data",
        "data",
        multiple=True,
        required=required,
        metavar="PATH[:FORMAT]",
        help="A file or folder; FORMAT is native (default), beep, unsmile or kmhas.",
    )


@click.command("train")
@_data_options(required=False)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help="Stop at the first malformed row.")
@click.option("--quiet", is_flag=True, help="No progress bars.")
def train_command(data, out, strict, quiet):
    """Train a model and write it to OUT (default data: training_data/train)."""
    from . import DEFAULT_TRAINING_DATA, train

    sources = [parse_data_option(d) for d in data] or [(DEFAULT_TRAINING_DATA, "native")]
    examples = _read(sources, strict)
    try:
        model = train(examples, progress=not quiet)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        model.save(out)
    except OSError as exc:
        raise click.ClickException(f"{out}: cannot write the model ({exc.strerror})") from None
    cv = model.metadata["evaluation"]["cross_validated"]["toxic"] or {}
    click.echo(
        f"model {model.version}: {model.metadata['data']['examples']:,} examples, "
        f"cross-validated toxic F1 {cv.get('f1', 0):.3f}, ROC-AUC {cv.get('roc_auc') or 0:.3f}"
    )
    click.echo(f"written to {out}")


@click.command("evaluate")
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=None)
@_data_options(required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.option("--strict", is_flag=True, help="Stop at the first malformed row.")
def evaluate_command(model_path, data, as_json, strict):
    """Measure a model on labelled data."""
    from .evaluation import evaluate

    model = _load(model_path or default_model_path())
    examples = _read([parse_data_option(d) for d in data], strict)
    if not examples:
        raise click.ClickException("no examples to evaluate on")
    report = evaluate(model, examples)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo(_table(report))


def _table(report: dict) -> str:
    keys = ("precision", "recall", "f1", "roc_auc", "average_precision", "threshold")
    rows = [("label", "n", *keys)]
    rows.append(("toxic", str(report["examples"]), *_cells(report["toxic"], keys)))
    for name, figures in report["categories"].items():
        rows.append((name, str(figures["examples"]), *_cells(figures, keys)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def _cells(figures: dict, keys) -> list[str]:
    return ["-" if figures.get(k) is None else f"{figures[k]:.3f}" for k in keys]


def _no_blank_texts(ctx, param, texts):
    """Refuse an argument with nothing in it (an unset shell variable, most likely)."""
    for number, text in enumerate(texts, 1):
        if not text.strip():
            raise click.BadParameter(f"argument {number} is empty: nothing to score")
    return texts


@click.command("score")
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.argument("texts", nargs=-1, callback=_no_blank_texts)
def score_command(model_path, as_json, texts):
    """Score TEXTS, or one comment a line from stdin (blank lines skipped)."""
    model = _load(model_path or default_model_path())
    lines = list(texts) or [line.rstrip("\r\n") for line in sys.stdin if line.strip()]
    if not lines:
        return
    for text, score in zip(lines, model.score(lines), strict=True):
        if as_json:
            flagged = score.toxicity >= model.thresholds["toxic"]
            record = {"text": text, **score.to_dict(), "flagged": flagged}
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(_describe(text, score))


def _describe(text: str, score) -> str:
    top = ", ".join(f"{CATEGORY_NAMES_KO[n]} {p:.2f}" for n, p in score.top_categories(2))
    marked, last = [], 0
    for span in score.spans:
        marked.append(text[last : span.start])
        marked.append(f"[{text[span.start : span.end]}]")
        last = span.end
    marked.append(text[last:])
    return f"{score.toxicity:.2f}  ({top})  {''.join(marked)}"


@click.group()
def main():
    """Moderation toolkit for Korean news comments."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")


main.add_command(train_command)
main.add_command(evaluate_command)
main.add_command(score_command)
