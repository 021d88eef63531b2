"""Write a retrain report, Markdown or HTML, with a precision-recall chart beside it.

The report is built once as a list of blocks (headings, paragraphs, tables, lists,
the chart) and rendered by one of two small renderers, so both formats say the same
thing. Everything that comes from comments is escaped by the renderer.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from .comparison import Comparison
from .labels import CATEGORIES

MAX_CHANGED = 50
TOP_FEATURES = 10


def write_report(
    comparison: Comparison,
    path: str | Path,
    *,
    candidate,
    serving=None,
    title: str | None = None,
    training: dict | None = None,
) -> Path:
    """Write the report to ``path`` (``.md`` or ``.html``) and its chart next to it.

    Raises ``ValueError`` for any other suffix.
    """
    path = check_report_path(path)
    render = {".md": _markdown, ".html": _html}[path.suffix.lower()]
    path.parent.mkdir(parents=True, exist_ok=True)
    chart = path.with_name(f"{path.stem}-pr-curve.svg")
    chart.write_bytes(pr_chart(comparison))
    blocks = report_blocks(comparison, candidate, serving, title, training, chart)
    path.write_text(render(blocks), encoding="utf-8")
    return path


def check_report_path(path: str | Path) -> Path:
    """``path`` as a Path; ValueError unless it names a .md or .html file."""
    path = Path(path)
    if path.suffix.lower() not in (".md", ".html"):
        raise ValueError(f"a report is written as .md or .html, not {path.suffix or path.name!r}")
    return path


def pr_chart(comparison: Comparison) -> bytes:
    """Both models' precision-recall curves on the toxic label, as an SVG chart."""
    import pygal

    chart = pygal.XY(
        title="Precision-recall, toxic",
        x_title="recall",
        y_title="precision",
        range=(0, 1),
        xrange=(0, 1),
        show_dots=False,
        width=640,
        height=420,
        disable_xml_declaration=False,
    )
    models = [("candidate", comparison.candidate_scores)]
    if comparison.serving_scores is not None:
        models.append(("serving", comparison.serving_scores))
    for name, scores in models:
        chart.add(f"{name} {scores.version}", scores.pr_curve(comparison.labels))
    return chart.render()


def _figure(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def figures_table(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """The toxic figures and each category's ROC-AUC and F1, models side by side."""
    models = [("candidate", comparison.candidate)]
    if comparison.serving is not None:
        models.insert(0, ("serving", comparison.serving))
    headers = ["figure"] + [name for name, _ in models]
    rows = []
    for key, label in [
        ("precision", "toxic precision"),
        ("recall", "toxic recall"),
        ("f1", "toxic F1"),
        ("roc_auc", "toxic ROC-AUC"),
        ("average_precision", "toxic PR-AUC (average precision)"),
        ("threshold", "toxic threshold"),
    ]:
        rows.append([label] + [_figure(figures["toxic"][key]) for _, figures in models])
    for name in CATEGORIES:
        for key, label in [("roc_auc", "ROC-AUC"), ("f1", "F1")]:
            cells = [_figure(figures["categories"].get(name, {}).get(key)) for _, figures in models]
            rows.append([f"{name} {label}"] + cells)
    return headers, rows


def confusion_table(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """Each model's confusion matrix on the toxic label, as rows."""
    headers = ["model", "toxic called toxic", "toxic missed", "clean called toxic", "clean passed"]
    rows = []
    for name, matrix in comparison.confusion().items():
        if matrix is not None:
            rows.append([name] + [str(matrix[k]) for k in ("tp", "fn", "fp", "tn")])
    return headers, rows


def readable_feature(name: str) -> str:
    """``c: 시발`` -> ``chars "␣시발"``; ``m:시발`` -> ``morpheme "시발"``."""
    kind, _, text = name.partition(":")
    if kind == "c":
        return f'chars "{text.replace(" ", "␣")}"'
    return f'morpheme "{text}"'


def top_features(model, n: int = TOP_FEATURES) -> dict[str, list[tuple[str, float]]]:
    """The features that raise each head's score most, by weight, for learned heads."""
    names = model.featurizer.feature_names()
    heads = ("toxic",) + CATEGORIES
    out = {}
    for k, head in enumerate(heads):
        weights = np.asarray(model.weights[:, k], dtype=float)
        if not np.any(weights):
            continue  # too few examples: this head predicts its prior
        best = np.argsort(-weights)[:n]
        out[head] = [(readable_feature(names[i]), float(weights[i])) for i in best]
    return out


def report_blocks(comparison, candidate, serving, title, training, chart: Path) -> list[tuple]:
    """The report's content, independent of its format."""
    verdict = "PROMOTE" if comparison.promote else "REFUSE"
    serving_version = serving.version if serving is not None else "none"
    blocks = [
        ("h1", title or f"Retrain report: {candidate.version}"),
        ("p", f"Candidate {candidate.version}, serving {serving_version}."),
        ("h2", f"Verdict: {verdict}"),
        ("list", list(comparison.reasons)),
        ("h2", "Figures on the evaluation set"),
        ("p", f"{comparison.candidate['examples']} examples, each model at its own thresholds."),
        ("table", *figures_table(comparison)),
        ("h2", "Confusion matrix (toxic)"),
        ("table", *confusion_table(comparison)),
        ("h2", "Precision-recall curve (toxic)"),
        ("image", chart),
    ]
    if training:
        blocks += [("h2", "Training data"), ("table", *_training_table(training))]
    blocks.append(("h2", "Features that weigh most"))
    models = [("serving", serving), ("candidate", candidate)]
    models = [(label, top_features(model)) for label, model in models if model is not None]
    for head in ("toxic",) + CATEGORIES:
        columns = [(label, tops.get(head, [])) for label, tops in models]
        if not any(features for _, features in columns):
            continue
        headers = [h for label, _ in columns for h in (label, "weight")]
        rows = [
            [
                cell
                for _, features in columns
                for cell in (
                    (features[k][0], f"{features[k][1]:.2f}") if k < len(features) else ("", "")
                )
            ]
            for k in range(max(len(f) for _, f in columns))
        ]
        blocks += [("h3", head), ("table", headers, rows)]
    changed = comparison.changed
    blocks.append(("h2", f"Comments whose decision would change ({len(changed)})"))
    if len(changed) > MAX_CHANGED:
        blocks.append(("p", f"The {MAX_CHANGED} whose score moves most are shown."))
    rows = [
        [c.text, "toxic" if c.label else "clean", f"{c.serving:.3f}", f"{c.candidate:.3f}"]
        for c in changed[:MAX_CHANGED]
    ]
    blocks.append(("table", ["comment", "label", "serving", "candidate"], rows))
    return blocks


def _training_table(training: dict) -> tuple[list[str], list[list[str]]]:
    rows = []
    for key, value in training.items():
        if isinstance(value, dict):
            rows += [[f"{key}: {k}", str(v)] for k, v in value.items()]
        else:
            rows.append([str(key), str(value)])
    return ["count", "value"], rows


def _md_cell(text: str) -> str:
    """A Markdown table cell that no comment text can break out of."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;")
    return " ".join(text.replace("|", "\\|").split())


def _markdown(blocks: list[tuple]) -> str:
    out = []
    for kind, *content in blocks:
        if kind in ("h1", "h2", "h3"):
            out.append(f"{'#' * int(kind[1])} {_md_cell(content[0])}\n")
        elif kind == "p":
            out.append(_md_cell(content[0]) + "\n")
        elif kind == "list":
            out.append("\n".join(f"- {_md_cell(item)}" for item in content[0]) + "\n")
        elif kind == "table":
            headers, rows = content
            lines = ["| " + " | ".join(_md_cell(h) for h in headers) + " |"]
            lines.append("|" + "---|" * len(headers))
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            out.append("\n".join(lines) + "\n")
        elif kind == "image":
            out.append(f"![precision-recall curve]({content[0].name})\n")
    return "\n".join(out)


def _html(blocks: list[tuple]) -> str:
    e = html.escape
    body = []
    for kind, *content in blocks:
        if kind in ("h1", "h2", "h3"):
            body.append(f"<{kind}>{e(content[0])}</{kind}>")
        elif kind == "p":
            body.append(f"<p>{e(content[0])}</p>")
        elif kind == "list":
            body.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in content[0]) + "</ul>")
        elif kind == "table":
            headers, rows = content
            head = "".join(f"<th>{e(h)}</th>" for h in headers)
            cells = "".join(
                "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>")
        elif kind == "image":
            name = e(content[0].name)
            body.append(f'<p><img src="{name}" alt="precision-recall curve" width="640"></p>')
    title = e(blocks[0][1])
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
    )
    return (
        f'<!doctype html>\n<html lang="ko"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
