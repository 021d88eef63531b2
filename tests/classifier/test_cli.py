import json

import pytest
from click.testing import CliRunner

from classifier.cli import main


@pytest.fixture(scope="module")
def model_file(corpus_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "m.model"
    corpus_model.save(path)
    return path


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


def test_train_writes_a_model_that_scores(run, tmp_path):
    out = tmp_path / "small.model"
    data = tmp_path / "small.jsonl"
    rows = [{"text": f"정말 좋은 기사 {i}번째 감사합니다", "labels": []} for i in range(8)]
    rows += [{"text": f"이 병신 새끼 {i}번 꺼져", "labels": ["profanity"]} for i in range(8)]
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = run("train", "--data", f"{data}:native", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert out.exists() and "written to" in result.output
    result = run("score", "--model", out, "--json", "좋은 기사네요")
    assert result.exit_code == 0
    assert 0 <= json.loads(result.output)["toxicity"] <= 1


def test_evaluate_json_has_the_documented_keys(run, model_file, fixtures_dir):
    result = run(
        "evaluate",
        "--model",
        model_file,
        "--data",
        f"{fixtures_dir}/kmhas_sample.tsv:kmhas",
        "--json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["examples"] == 10
    keys = {"precision", "recall", "f1", "roc_auc", "average_precision", "threshold"}
    assert keys <= set(report["toxic"])
    assert set(report["categories"]) <= {"hate", "profanity"}
    for figures in report["categories"].values():
        assert keys <= set(figures)


def test_evaluate_prints_a_table(run, model_file, fixtures_dir):
    result = run(
        "evaluate", "--model", model_file, "--data", f"{fixtures_dir}/kmhas_sample.tsv:kmhas"
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split()[:3] == ["label", "n", "precision"]


def test_score_reads_stdin_one_comment_a_line(run, model_file):
    result = run("score", "--model", model_file, "--json", input="좋은 아침\nㅅㅂ 뭐야\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in lines] == ["좋은 아침", "ㅅㅂ 뭐야"]
    assert all({"toxicity", "categories", "spans", "flagged"} <= set(r) for r in lines)


def test_score_skips_blank_lines_of_stdin(run, model_file):
    result = run("score", "--model", model_file, "--json", input="\n\n안녕\n   \n\t\r\n반가워\r\n")
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in lines] == ["안녕", "반가워"]


def test_score_of_blank_stdin_prints_nothing(run, model_file):
    result = run("score", "--model", model_file, input="\n \n")
    assert result.exit_code == 0
    assert result.stdout == ""


@pytest.mark.parametrize("args", [[""], ["좋은 기사", "  "]])
def test_score_refuses_an_empty_argument_in_one_line(run, model_file, args):
    result = run("score", "--model", model_file, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    position = len(args)
    assert f"argument {position} is empty: nothing to score" in result.stderr
    assert "Traceback" not in result.output


def test_score_marks_spans_in_plain_output(run, model_file):
    result = run("score", "--model", model_file, "아 씨@발 진짜 병신같네")
    assert result.exit_code == 0
    assert "[" in result.stdout and "]" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--data", "/nonexistent/x.jsonl", "--out", "/tmp/x.model"], "no such file"),
        (["train", "--data", "training_data:csv", "--out", "/tmp/x.model"], "unknown format"),
        (["score", "--model", "/nonexistent.model", "글"], "cannot read the model file"),
    ],
)
def test_errors_are_one_clear_line(run, args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_an_unwritable_output_is_one_clear_line(run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("train", "--quiet", "--out", blocker / "m.model")
    assert result.exit_code == 1
    assert "cannot write the model" in result.output and "Traceback" not in result.output


def test_text_that_is_not_utf8_is_one_clear_line(run, tmp_path):
    data = tmp_path / "latin1.jsonl"
    data.write_bytes('{"text": "caf\xe9", "labels": []}\n'.encode("latin-1"))
    result = run("train", "--data", data, "--out", tmp_path / "m.model")
    assert result.exit_code == 1
    assert "not UTF-8" in result.output and "Traceback" not in result.output


def test_a_damaged_model_is_one_clear_line(run, model_file, tmp_path):
    bad = tmp_path / "bad.model"
    bad.write_bytes(model_file.read_bytes()[:-10])
    result = run("score", "--model", bad, "글")
    assert result.exit_code == 1
    assert "truncated" in result.output and "Traceback" not in result.output
