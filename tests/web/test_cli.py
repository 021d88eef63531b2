"""``comment-mod``: first-start preparation and the database helpers."""

from __future__ import annotations

import json
import unicodedata

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import classifier
from web import cli
from web.db import db
from web.models import Article

from .conftest import CLEAN, TOXIC


@pytest.fixture
def env(monkeypatch, tmp_path, database_url):
    """Point the app at a fresh database and an empty model path through the environment."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "models" / "current.model"))
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    from web import create_app

    app = create_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()
    return tmp_path


@pytest.fixture
def small_corpus(tmp_path, monkeypatch):
    """A native-format training folder, standing in for training_data/train."""
    folder = tmp_path / "train"
    folder.mkdir()
    rows = [{"text": t, "labels": []} for t in CLEAN] + [
        {"text": t, "labels": ["insult"]} for t in TOXIC
    ]
    (folder / "small.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    monkeypatch.setattr(classifier, "DEFAULT_TRAINING_DATA", folder)
    return folder


def test_first_start_creates_database_model_and_demo(env, small_corpus):
    from web import create_app

    app = create_app()
    said = []
    cli.prepare(app, echo=said.append)
    text = "\n".join(said)
    assert "training the default model" in text
    assert "Created the demo article." in text
    assert (env / "models" / "current.model").exists()
    with app.app_context():
        assert db.session.scalar(sa.select(Article.key)) == "demo"
        db.engine.dispose()

    again = []
    cli.prepare(create_app(), echo=again.append)
    assert again == []  # nothing to do the second time


def test_missing_training_data_is_said_not_fatal(env, monkeypatch, tmp_path):
    monkeypatch.setattr(classifier, "DEFAULT_TRAINING_DATA", tmp_path / "nowhere")
    from web import create_app

    said = []
    assert cli.ensure_model(create_app(), echo=said.append) is False
    assert "held for review" in said[0]


def test_article_commands(env):
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init-db"]).exit_code == 0
    result = runner.invoke(cli.main, ["article", "add", "k-1", "--title", "제목"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(cli.main, ["article", "add", "k-1"]).exit_code == 1
    for url in ("javascript:alert(1)", "data:text/html,x", "news.example/a"):
        refused = runner.invoke(cli.main, ["article", "add", "k-2", "--url", url])
        assert refused.exit_code == 1 and "http(s) address" in refused.output, refused.output
    added = runner.invoke(cli.main, ["article", "add", "k-3", "--url", "https://news.example/a"])
    assert added.exit_code == 0, added.output
    assert (
        runner.invoke(cli.main, ["article", "add", "k" * 256]).exit_code == 2
    )  # a usage error, as for any bad key
    assert runner.invoke(cli.main, ["article", "close", "k-1"]).exit_code == 0
    assert runner.invoke(cli.main, ["article", "close", "nope"]).exit_code == 1
    from web import create_app

    app = create_app()
    with app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.key == "k-1"))
        assert (article.key, article.title, article.comments_open) == ("k-1", "제목", False)
        stored = {a.key: a.url for a in db.session.scalars(sa.select(Article))}
        assert stored == {"k-1": None, "k-3": "https://news.example/a"}
        db.engine.dispose()


def test_model_commands_are_there():
    result = CliRunner().invoke(cli.main, ["--help"])
    for name in ("serve", "train", "evaluate", "score", "init-db", "article"):
        assert name in result.output


def test_create_moderator(env):
    from web import create_app
    from web.models import Moderator

    runner = CliRunner()
    result = runner.invoke(
        cli.main, ["create-moderator", "kim", "--admin"], input="a long password\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert "Created admin kim" in result.output and "a long password" not in result.output
    app = create_app()
    with app.app_context():
        kim = db.session.scalar(sa.select(Moderator).where(Moderator.name == "kim"))
        assert kim.is_admin and kim.check_password("a long password")
        assert kim.password_hash.startswith("scrypt:")
        db.engine.dispose()
    again = runner.invoke(cli.main, ["create-moderator", "kim"], input="another one!\n" * 2)
    assert again.exit_code == 1 and "already exists" in again.output
    short = runner.invoke(cli.main, ["create-moderator", "lee"], input="short\n" * 2)
    assert short.exit_code == 1 and "at least 10" in short.output


def test_api_key_commands(env):
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init-db"]).exit_code == 0
    result = runner.invoke(cli.main, ["create-api-key", "news-site"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("cm_") and len(key) > 40
    assert runner.invoke(cli.main, ["create-api-key", "news-site"]).exit_code == 1

    from web import create_app
    from web.api_keys import hash_key
    from web.models import ApiKey

    app = create_app()
    with app.app_context():
        record = db.session.scalar(sa.select(ApiKey))
        assert record.key_hash == hash_key(key)
        db.engine.dispose()
    listing = runner.invoke(cli.main, ["api-keys", "list"]).output
    assert "news-site" in listing and "active" in listing and key not in listing

    assert runner.invoke(cli.main, ["api-keys", "revoke", "nope"]).exit_code == 1
    result = runner.invoke(cli.main, ["api-keys", "revoke", "99999999999999999999"])
    assert result.exit_code == 1 and "no API key" in result.output
    result = runner.invoke(cli.main, ["api-keys", "revoke", str(record.id)])
    assert result.exit_code == 0 and "Revoked" in result.output
    assert "already" in runner.invoke(cli.main, ["api-keys", "revoke", "news-site"]).output
    assert "revoked" in runner.invoke(cli.main, ["api-keys", "list"]).output


def test_export_feedback_writes_training_data(env, tmp_path):
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init-db"]).exit_code == 0
    from web import create_app
    from web.api_keys import create_api_key
    from web.models import FeedbackLabel

    app = create_app()
    with app.app_context():
        record, _ = create_api_key("partner")
        db.session.add(FeedbackLabel(text="이 바보야", labels=["insult"], api_key_id=record.id))
        db.session.commit()
        db.engine.dispose()
    out = tmp_path / "feedback" / "api.jsonl"
    out.parent.mkdir()
    result = runner.invoke(cli.main, ["export-feedback", str(out)])
    assert result.exit_code == 0, result.output
    (example,) = classifier.read_examples(out.parent)
    assert example.text == "이 바보야" and example.toxic


def refused(result, exit_code: int = 1) -> str:
    """The output of a command that refused with a message, not with a traceback."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.output


def test_database_commands_bring_a_fresh_database_up_to_date(env):
    # No init-db first: each command migrates the empty database as serve does.
    runner = CliRunner()
    out = env / "feedback.jsonl"
    for args in (
        ["api-keys", "list"],
        ["create-api-key", "partner"],
        ["export-feedback", str(out)],
        ["article", "add", "k-1"],
        ["article", "close", "k-1"],
        ["article", "open", "k-1"],
        ["models", "list"],
        ["init-db"],
    ):
        result = runner.invoke(cli.main, args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    assert out.read_text(encoding="utf-8") == ""


def test_retrain_on_a_fresh_database_is_refused_with_a_message(env):
    output = refused(CliRunner().invoke(cli.main, ["retrain", "--dry-run"]))
    assert output.startswith("Error: ") and len(output.strip().splitlines()) == 1


def test_an_unreachable_database_is_one_line(env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://someone:secret@127.0.0.1:1/none")
    output = refused(CliRunner().invoke(cli.main, ["api-keys", "list"]))
    assert "cannot use the database" in output and "secret" not in output
    assert len(output.strip().splitlines()) == 1


def test_export_feedback_to_a_missing_folder_is_one_line(env):
    result = CliRunner().invoke(cli.main, ["export-feedback", str(env / "nowhere" / "out.jsonl")])
    output = refused(result)
    assert "cannot write" in output and len(output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "environment", "option"),
    [
        (["--port", "99999"], {}, "--port"),
        (["--port", "0"], {}, "--port"),
        ([], {"PORT": "abc"}, "--port"),
        (["--workers", "0"], {}, "--workers"),
        ([], {"WEB_CONCURRENCY": "0"}, "--workers"),
        (["--threads", "0"], {}, "--threads"),
    ],
)
def test_serve_refuses_bad_numbers_before_starting(env, monkeypatch, args, environment, option):
    def must_not_start(*args, **kwargs):
        raise AssertionError("serve went on with a bad number")

    monkeypatch.setattr(cli, "prepare", must_not_start)
    result = CliRunner().invoke(cli.main, ["serve", *args], env=environment)
    assert f"Invalid value for '{option}'" in refused(result, exit_code=2)


def test_serve_help_shows_plain_defaults():
    output = CliRunner().invoke(cli.main, ["serve", "--help"]).output
    assert "default: 127.0.0.1" in output and "default: 8000" in output
    assert "(127.0.0.1)" not in output and "(8000)" not in output


def test_retrain_refuses_a_report_name_before_any_work(env):
    from web import create_app
    from web.model_records import RetrainRun

    runner = CliRunner()
    assert runner.invoke(cli.main, ["init-db"]).exit_code == 0
    result = runner.invoke(cli.main, ["retrain", "--report", str(env / "r.txt")])
    assert ".md or .html" in refused(result, exit_code=2)
    for margin in ("nan", "inf", "-inf"):
        result = runner.invoke(cli.main, ["retrain", "--f1-margin", margin])
        assert "Invalid value for '--f1-margin'" in refused(result, exit_code=2)
    app = create_app()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RetrainRun.id))) == 0  # none begun
        db.engine.dispose()


def test_retrain_for_a_run_that_does_not_exist(env):
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init-db"]).exit_code == 0
    for run_id in ("7", "99999999999999999999"):
        output = refused(runner.invoke(cli.main, ["retrain", "--run-id", run_id]))
        assert f"no retrain run {run_id}" in output


@pytest.mark.parametrize("key", ["", "   ", "k" * 256, "a\tb"])
def test_article_add_refuses_bad_keys(env, key):
    runner = CliRunner()
    output = refused(runner.invoke(cli.main, ["article", "add", key]), exit_code=2)
    assert "Invalid value for 'KEY'" in output
    assert runner.invoke(cli.main, ["article", "add", "k" * 255]).exit_code == 0
    from web import create_app

    app = create_app()
    with app.app_context():
        assert list(db.session.scalars(sa.select(Article.key))) == ["k" * 255]
        db.engine.dispose()


def test_article_add_refuses_what_the_columns_cannot_hold(env):
    runner = CliRunner()
    result = runner.invoke(cli.main, ["article", "add", "k-1", "--title", "제" * 301])
    assert "'--title': at most 300 characters" in refused(result, exit_code=2)
    result = runner.invoke(cli.main, ["article", "add", "k-1", "--url", "h" * 1001])
    assert "'--url': at most 1,000 characters" in refused(result, exit_code=2)


def test_api_keys_list_aligns_korean_names(env):
    runner = CliRunner()
    for name in ("뉴스사", "news-site"):
        assert runner.invoke(cli.main, ["create-api-key", name]).exit_code == 0
    lines = runner.invoke(cli.main, ["api-keys", "list"]).output.splitlines()

    def width(text):
        return sum(2 if unicodedata.east_asian_width(c) == "W" else 1 for c in text)

    # Hangul takes two columns in a terminal: "created" lines up on every line.
    starts = {width(line[: line.index("created")]) for line in lines}
    assert len(lines) == 2 and len(starts) == 1


def test_a_numeric_key_name_is_a_name(env):
    runner = CliRunner()
    assert runner.invoke(cli.main, ["create-api-key", "dev1"]).exit_code == 0  # id 1
    result = runner.invoke(cli.main, ["create-api-key", "1"])
    assert result.exit_code == 0 and "Created API key 1 (id 2)" in result.output
    assert runner.invoke(cli.main, ["create-api-key", "1"]).exit_code == 1  # a name twice

    # "1" is key 2's name and key 1's id: refused until --name or --id says which.
    output = refused(runner.invoke(cli.main, ["api-keys", "revoke", "1"]))
    assert "--name or --id" in output
    assert "active" in runner.invoke(cli.main, ["api-keys", "list"]).output.splitlines()[0]
    both = runner.invoke(cli.main, ["api-keys", "revoke", "--id", "--name", "1"])
    refused(both, exit_code=2)
    assert (
        "Revoked API key 1" in runner.invoke(cli.main, ["api-keys", "revoke", "--name", "1"]).output
    )
    assert (
        "Revoked API key dev1"
        in runner.invoke(cli.main, ["api-keys", "revoke", "--id", "1"]).output
    )
    # Unambiguous arguments need neither.
    assert runner.invoke(cli.main, ["create-api-key", "prod"]).exit_code == 0  # id 3
    assert "Revoked API key prod" in runner.invoke(cli.main, ["api-keys", "revoke", "3"]).output
    result = runner.invoke(cli.main, ["api-keys", "revoke", "--id", "prod"])
    assert "no API key 'prod'" in refused(result)


@pytest.mark.parametrize(
    ("name", "taken"),
    [("Kim", True), ("ｋｉｍ", True), (" kim ", True), ("kim\u200b", False), ("k\u3164im", False)],
)
def test_create_moderator_refuses_names_that_look_like_another(env, name, taken):
    runner = CliRunner()
    password = "--password=a long password"
    assert runner.invoke(cli.main, ["create-moderator", "kim", password]).exit_code == 0
    result = runner.invoke(cli.main, ["create-moderator", name, password])
    if taken:
        assert "moderator 'kim' already exists" in refused(result)
    else:
        assert "Invalid value for 'NAME'" in refused(result, exit_code=2)


def test_create_moderator_stores_the_nfkc_name(env):
    from web import create_app
    from web.models import Moderator

    result = CliRunner().invoke(cli.main, ["create-moderator", "ｌｅｅ", "--password=long enough!"])
    assert result.exit_code == 0 and "Created moderator lee" in result.output
    app = create_app()
    with app.app_context():
        assert list(db.session.scalars(sa.select(Moderator.name))) == ["lee"]
        db.engine.dispose()
