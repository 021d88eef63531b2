"""``comment-mod``: first-start preparation and the database helpers."""

from __future__ import annotations

import json

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
    assert runner.invoke(cli.main, ["article", "add", "k" * 256]).exit_code == 1
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
