"""The retrain report: both formats, the chart beside them, and escaped comments."""

import dataclasses
import html
import xml.etree.ElementTree as ET

import pytest

from classifier.comparison import ChangedDecision, compare
from classifier.report import write_report

EVIL = '<script>alert("x")</script> 이 | 기자\n새끼 | 뭐냐'


@pytest.fixture(scope="module")
def comparison(flipped_model, corpus_model, heldout):
    """A refused comparison, with a comment that tries to break out of its table cell."""
    result = compare(flipped_model, corpus_model, heldout)
    evil = ChangedDecision(EVIL, True, 0.91, 0.12, "moderator")
    return dataclasses.replace(result, changed=[evil] + result.changed)


TRAINING = {"examples": 6543, "sources": {"native": 6000, "moderator": 543}, "overridden": 17}


def _write(tmp_path, comparison, flipped_model, corpus_model, name):
    return write_report(
        comparison,
        tmp_path / name,
        candidate=flipped_model,
        serving=corpus_model,
        title="retrain <test>",
        training=TRAINING,
    )


def test_html_report_holds_both_models_the_chart_and_escaped_comments(
    tmp_path, comparison, flipped_model, corpus_model
):
    page = _write(tmp_path, comparison, flipped_model, corpus_model, "report.html")
    text = page.read_text(encoding="utf-8")
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "retrain &lt;test&gt;" in text
    assert "REFUSE" in text and html.escape(comparison.reasons[0]) in text
    for model, figures in (
        (flipped_model, comparison.candidate),
        (corpus_model, comparison.serving),
    ):
        assert model.version in text
        assert f"<td>{figures['toxic']['f1']:.3f}</td>" in text
        assert f"<td>{figures['categories']['insult']['roc_auc']:.3f}</td>" in text
    matrix = comparison.confusion()["serving"]
    assert f"<td>serving</td><td>{matrix['tp']}</td><td>{matrix['fn']}</td>" in text
    assert "<td>sources: moderator</td><td>543</td>" in text
    chart = tmp_path / "report-pr-curve.svg"
    assert f'src="{chart.name}"' in text
    svg = ET.parse(chart).getroot()
    assert svg.tag.endswith("svg")
    assert flipped_model.version in chart.read_text() and corpus_model.version in chart.read_text()


def test_markdown_report_tables_survive_pipes_and_newlines(
    tmp_path, comparison, flipped_model, corpus_model
):
    page = _write(tmp_path, comparison, flipped_model, corpus_model, "report.md")
    text = page.read_text(encoding="utf-8")
    [row] = [line for line in text.splitlines() if "alert" in line]
    assert row.count(" | ") == 3  # four cells: the comment's own pipes are escaped
    assert "이 \\| 기자 새끼 \\| 뭐냐" in row and "<script>" not in row
    assert "| toxic F1 |" in text
    assert "![precision-recall curve](report-pr-curve.svg)" in text
    assert (tmp_path / "report-pr-curve.svg").stat().st_size > 1000


def test_report_lists_the_features_that_weigh_most(
    tmp_path, comparison, flipped_model, corpus_model
):
    text = _write(tmp_path, comparison, flipped_model, corpus_model, "r.md").read_text()
    section = text.split("### hate")[1].split("###")[0]
    first_row = section.strip().splitlines()[2]
    best = []
    for model in (corpus_model, flipped_model):  # serving first, then the candidate
        weights = model.weights[:, 3]  # the hate head
        kind, _, name = model.featurizer.feature_names()[int(weights.argmax())].partition(":")
        shown = name.replace(" ", "␣")
        best.append(f'{"chars" if kind == "c" else "morpheme"} "{shown}" | {weights.max():.2f}')
    assert first_row == f"| {best[0]} | {best[1]} |"


def test_changed_comments_are_capped(tmp_path, comparison, flipped_model, corpus_model):
    assert len(comparison.changed) > 50
    text = _write(tmp_path, comparison, flipped_model, corpus_model, "r.md").read_text()
    table = text.split("Comments whose decision would change")[1]
    assert sum(line.startswith("| ") for line in table.splitlines()) == 1 + 50


def test_a_report_without_a_serving_model(tmp_path, sound_model, heldout):
    result = compare(sound_model, None, heldout)
    page = write_report(result, tmp_path / "first.html", candidate=sound_model)
    assert "PROMOTE" in page.read_text() and (tmp_path / "first-pr-curve.svg").exists()


def test_other_suffixes_are_refused(tmp_path, comparison, flipped_model):
    with pytest.raises(ValueError, match=".md or .html"):
        write_report(comparison, tmp_path / "report.pdf", candidate=flipped_model)
