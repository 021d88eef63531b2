"""Model versions: storage, atomic promotion, hot reload, rollback, re-scoring, the 모델 page."""

from __future__ import annotations

import json
import os
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import classifier
from classifier.types import Example
from web import cli, comment_store, model_store, retrain, retrain_runs
from web import moderation_service as service
from web.db import db, utcnow
from web.model_records import FAILED, RUNNING, SERVING, ModelVersion, RetrainRun
from web.models import (
    FLAGGED,
    HOLD_PREMODERATION,
    HOLD_TOXICITY,
    HOLD_WORD,
    PENDING,
    PUBLISHED,
    REJECTED,
    Article,
    Comment,
    Moderator,
    Reader,
    SiteSetting,
)
from web.rescoring import rescore_undecided
from web.scoring import model_holder

from .conftest import CLEAN, TOXIC, add_moderator, add_reader, log_in, make_app, tiny_examples


@pytest.fixture(scope="session")
def flipped_model():
    """A real model trained with the tiny examples' labels the wrong way round."""
    return classifier.train(
        [Example(e.text, not e.toxic, {"insult": not e.toxic}) for e in tiny_examples()]
    )


@pytest.fixture
def versioned_app(database_url, tmp_path, tiny_model, monkeypatch):
    """An app whose MODEL_PATH holds the tiny model, registered as the first version."""
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    path = tmp_path / "default.model"
    tiny_model.save(path)
    app = make_app(
        database_url,
        tmp_path,
        MODEL_PATH=str(path),
        MODEL_RELOAD_SECONDS=0.0,
        HOLD_THRESHOLD=0.85,
        REVIEW_THRESHOLD=0.5,
    )
    with app.app_context():
        assert model_store.ensure_initial_version(app) is not None
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def add_candidate(app, model, tmp_path) -> ModelVersion:
    """Store a model as a candidate version."""
    path = tmp_path / f"{model.version}.model"
    model.save(path)
    with app.app_context():
        return model_store.add_version(path.read_bytes(), model.version, created_by="test")


def serving_version(app) -> str | None:
    """The version the database says serves."""
    with app.app_context():
        pointer = model_store.serving_pointer()
        return pointer.version if pointer else None


def wait_for_version(app, version: str, seconds: float = 10.0) -> str:
    """Ask the holder (as requests do) until it serves ``version``; returns what it serves."""
    deadline = time.monotonic() + seconds
    with app.app_context():
        while True:
            served = model_holder().get().version
            if served == version or time.monotonic() > deadline:
                return served
            time.sleep(0.05)


def test_default_model_becomes_the_first_serving_version(versioned_app, tiny_model, tmp_path):
    with versioned_app.app_context():
        (row,) = model_store.list_versions()
        assert (row.version, row.status, row.created_by) == (tiny_model.version, SERVING, "install")
        data = (tmp_path / "default.model").read_bytes()
        assert (row.sha256, row.size) == (model_store.sha256_of(data), len(data))
        cached = model_store.cache_path(versioned_app.instance_path, row.version)
        assert cached.read_bytes() == data
        assert model_store.ensure_initial_version(versioned_app) is None  # only once
        assert model_holder().get().version == tiny_model.version


def test_promotion_is_picked_up_by_a_running_holder(
    versioned_app, tiny_model, flipped_model, tmp_path
):
    with versioned_app.app_context():
        assert model_holder().get().version == tiny_model.version
    add_candidate(versioned_app, flipped_model, tmp_path)
    with versioned_app.app_context():
        model_store.promote(versioned_app, flipped_model.version)
        statuses = dict(
            db.session.execute(sa.select(ModelVersion.version, ModelVersion.status)).all()
        )
    assert statuses == {tiny_model.version: "retired", flipped_model.version: SERVING}
    assert wait_for_version(versioned_app, flipped_model.version) == flipped_model.version


def test_a_second_host_loads_the_artifact_from_the_database(versioned_app, flipped_model, tmp_path):
    """Another host has no file on disk: it fetches the bytes, checks them and caches them."""
    add_candidate(versioned_app, flipped_model, tmp_path)
    with versioned_app.app_context():
        model_store.promote(versioned_app, flipped_model.version)
        pointer = model_store.serving_pointer()
        other_instance = tmp_path / "other-host"
        model = model_store.load_version(str(other_instance), pointer)
    assert model.version == flipped_model.version
    cached = model_store.cache_path(str(other_instance), pointer.version)
    assert model_store.sha256_of(cached.read_bytes()) == pointer.sha256


def test_a_damaged_cache_file_is_replaced_from_the_database(versioned_app, tiny_model):
    with versioned_app.app_context():
        pointer = model_store.serving_pointer()
    cached = model_store.cache_path(versioned_app.instance_path, pointer.version)
    cached.write_bytes(cached.read_bytes()[:1000])
    with versioned_app.app_context():
        model = model_store.load_version(versioned_app.instance_path, pointer)
    assert model.version == tiny_model.version
    assert model_store.sha256_of(cached.read_bytes()) == pointer.sha256


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_corrupt_candidate_is_refused_and_the_old_model_keeps_serving(
    versioned_app, tiny_model, flipped_model, tmp_path, damage
):
    path = tmp_path / "candidate.model"
    flipped_model.save(path)
    data = path.read_bytes()
    data = data[: len(data) // 2] if damage == "truncated" else data[:200] + os.urandom(len(data))
    with versioned_app.app_context():
        model_store.add_version(data, flipped_model.version, created_by="test")
        with pytest.raises(model_store.ModelStoreError):
            model_store.promote(versioned_app, flipped_model.version)
        db.session.rollback()
    assert serving_version(versioned_app) == tiny_model.version
    with versioned_app.app_context():
        assert model_holder().get().version == tiny_model.version


def test_bytes_that_fail_their_checksum_are_never_loaded(versioned_app, flipped_model, tmp_path):
    row = add_candidate(versioned_app, flipped_model, tmp_path)
    with versioned_app.app_context():
        db.session.execute(
            sa.update(ModelVersion).where(ModelVersion.id == row.id).values(sha256="0" * 64)
        )
        db.session.commit()
        model_store.cache_path(versioned_app.instance_path, row.version).unlink(missing_ok=True)
        with pytest.raises(model_store.ModelStoreError, match="checksum"):
            model_store.promote(versioned_app, row.version)


def test_a_serving_version_that_fails_to_load_leaves_the_old_model(
    versioned_app, tiny_model, flipped_model, tmp_path
):
    """Even a row marked serving behind the store's back cannot take a worker down."""
    with versioned_app.app_context():
        assert model_holder().get().version == tiny_model.version
    path = tmp_path / "bad.model"
    flipped_model.save(path)
    bad = path.read_bytes()[:-100]  # cut short
    with versioned_app.app_context():
        model_store.add_version(bad, flipped_model.version, created_by="test")
        db.session.execute(sa.update(ModelVersion).values(status="retired"))
        db.session.execute(
            sa.update(ModelVersion)
            .where(ModelVersion.version == flipped_model.version)
            .values(status=SERVING)
        )
        db.session.commit()
    assert wait_for_version(versioned_app, flipped_model.version, seconds=2) == tiny_model.version
    with versioned_app.app_context():
        score, version = model_holder().score("좋은 기사 감사합니다")
    assert version == tiny_model.version and 0 <= score.toxicity <= 1


def _comment(app, body, status, moderator_id=None, reason=None):
    """Post a comment through the store; optionally have a moderator decide it."""
    reader_id = add_reader(app)
    with app.app_context():
        article = db.session.scalar(sa.select(Article)) or Article(key="news-1", title="기사")
        db.session.add(article)
        db.session.commit()
        comment = comment_store.post_comment(article, db.session.get(Reader, reader_id), body)
        assert comment.status == status, (body, comment.toxicity)
        if moderator_id is not None:
            moderator = db.session.get(Moderator, moderator_id)
            if reason:
                service.reject(moderator, [comment.id], reason)
            else:
                service.approve(moderator, [comment.id])
        return comment.id


def test_rescoring_updates_undecided_comments_and_never_decided_ones(
    versioned_app, tiny_model, flipped_model
):
    mod = add_moderator(versioned_app)
    waiting = _comment(versioned_app, TOXIC[1], PENDING)
    rejected = _comment(versioned_app, TOXIC[4], PENDING, mod, "insult")
    approved = _comment(versioned_app, TOXIC[6], PENDING, mod)
    with versioned_app.app_context():
        before = {c.id: (c.status, c.toxicity) for c in db.session.scalars(sa.select(Comment))}
        count = rescore_undecided(flipped_model)
        after = {c.id: c for c in db.session.scalars(sa.select(Comment))}
    assert count == 1
    assert after[waiting].model_version == flipped_model.version
    assert after[waiting].toxicity < 0.5 and after[waiting].status == PUBLISHED
    assert (after[rejected].status, after[rejected].toxicity) == (REJECTED, before[rejected][1])
    assert (after[approved].status, after[approved].toxicity) == (PUBLISHED, before[approved][1])
    assert after[rejected].model_version == after[approved].model_version == tiny_model.version


def test_rescoring_keeps_the_holds_that_are_not_the_models(versioned_app, flipped_model):
    """A held toxic comment the new model finds clean still waits for pre-moderation or a
    hold word; one that was already out is not taken back for them."""
    with versioned_app.app_context():
        db.session.add(SiteSetting(key="hold_words", value=["금지어"]))
        db.session.add(Article(key="premod", premoderated=True))
        db.session.add_all([Article(key="open"), Article(key="later")])
        db.session.commit()

    def post(key, body, expected=(PENDING, HOLD_TOXICITY)):
        reader_id = add_reader(versioned_app)
        with versioned_app.app_context():
            article = comment_store.find_article(key)
            comment = comment_store.post_comment(article, db.session.get(Reader, reader_id), body)
            assert (comment.status, comment.hold_reason) == expected, body
            return comment.id

    premoderated = post("premod", f"{TOXIC[1]} 사전검토 우회 시험")
    worded = post("open", f"{TOXIC[1]} 금지어 우회 시험")
    plain = post("open", TOXIC[1])
    clean_premoderated = post("premod", CLEAN[0], (PENDING, HOLD_PREMODERATION))
    clean_worded = post("open", f"{CLEAN[0]} 금지어", (PENDING, HOLD_WORD))
    flagged = post("later", f"{TOXIC[2]} 금지어")
    with versioned_app.app_context():
        # Out for review before its article was pre-moderated and the word was added.
        db.session.get(Comment, flagged).status = FLAGGED
        db.session.scalar(sa.select(Article).where(Article.key == "later")).premoderated = True
        db.session.commit()
        rescore_undecided(flipped_model)
        after = {c.id: c for c in db.session.scalars(sa.select(Comment))}
        assert all(c.model_version == flipped_model.version for c in after.values())
        decided = {i: (c.status, c.hold_reason) for i, c in after.items()}
    assert decided[premoderated] == (PENDING, HOLD_PREMODERATION)
    assert decided[worded] == (PENDING, HOLD_WORD)
    assert decided[plain] == (PUBLISHED, None)
    assert decided[clean_premoderated] == (PENDING, HOLD_PREMODERATION)
    assert decided[clean_worded] == (PENDING, HOLD_WORD)
    assert decided[flagged] == (PUBLISHED, None)


def command_line_serving(app, model, tmp_path, monkeypatch) -> CliRunner:
    """A runner for the command line, pointed at ``app`` once ``model`` serves there."""
    add_candidate(app, model, tmp_path)
    with app.app_context():
        model_store.promote(app, model.version)
    use_app_settings(app, monkeypatch)
    return CliRunner()


def test_models_list_and_rollback_commands(
    versioned_app, tiny_model, flipped_model, tmp_path, monkeypatch
):
    runner = command_line_serving(versioned_app, flipped_model, tmp_path, monkeypatch)
    listed = runner.invoke(cli.main, ["models", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[1].startswith(flipped_model.version) and "serving" in lines[1]
    assert lines[2].startswith(tiny_model.version) and "retired" in lines[2]
    unknown = runner.invoke(cli.main, ["models", "rollback", "19990101-000000-deadbeef"])
    assert unknown.exit_code != 0 and "no model version" in unknown.output
    back = runner.invoke(cli.main, ["models", "rollback", tiny_model.version])
    assert back.exit_code == 0, back.output
    assert serving_version(versioned_app) == tiny_model.version
    assert wait_for_version(versioned_app, tiny_model.version) == tiny_model.version
    again = runner.invoke(cli.main, ["models", "rollback", tiny_model.version])
    assert again.exit_code != 0 and "already serving" in again.output


def test_score_and_evaluate_use_the_serving_version_by_default(
    versioned_app, tiny_model, flipped_model, tmp_path, monkeypatch
):
    runner = command_line_serving(versioned_app, flipped_model, tmp_path, monkeypatch)

    def toxicity(*options) -> float:
        result = runner.invoke(cli.main, ["score", "--json", *options, TOXIC[0]])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["toxicity"]

    served = flipped_model.score([TOXIC[0]])[0].toxicity
    assert toxicity() == pytest.approx(served, abs=1e-4)  # printed to 4 places
    # MODEL_PATH still holds the first model; --model still picks any file.
    first = tiny_model.score([TOXIC[0]])[0].toxicity
    assert toxicity("--model", versioned_app.config["MODEL_PATH"]) == pytest.approx(first, abs=1e-4)
    assert abs(served - first) > 0.1
    data = tmp_path / "labelled.jsonl"
    data.write_text(
        "".join(
            json.dumps({"text": t, "labels": ["insult"] if t in TOXIC else []}, ensure_ascii=False)
            + "\n"
            for t in CLEAN[:4] + TOXIC[:4]
        ),
        encoding="utf-8",
    )
    evaluated = runner.invoke(cli.main, ["evaluate", "--data", str(data), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    assert json.loads(evaluated.stdout)["toxic"]["roc_auc"] < 0.5, evaluated.output  # flipped


def test_the_models_page_needs_a_login(versioned_app):
    response = versioned_app.test_client().get("/moderation/models/")
    assert response.status_code == 302 and "/moderation/login" in response.headers["Location"]
    answer = versioned_app.test_client().get("/moderation/models/run.json")
    assert answer.status_code == 401 and answer.json["error"]["code"]


def test_moderators_see_the_page_but_cannot_start_or_roll_back(
    versioned_app, tiny_model, flipped_model, tmp_path
):
    add_candidate(versioned_app, flipped_model, tmp_path)
    add_moderator(versioned_app)
    client = versioned_app.test_client()
    log_in(client)
    page = client.get("/moderation/models/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert tiny_model.version in html and flipped_model.version in html and "사용 중" in html
    assert "지금 재학습" not in html and "되돌리기" not in html
    assert client.post("/moderation/models/retrain").status_code == 403
    assert client.post(f"/moderation/models/{flipped_model.version}/rollback").status_code == 403
    assert serving_version(versioned_app) == tiny_model.version
    with versioned_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RetrainRun)) == 0


def test_the_models_page_shows_times_in_the_display_zone(versioned_app, flipped_model, tmp_path):
    add_candidate(versioned_app, flipped_model, tmp_path)
    add_moderator(versioned_app)
    with versioned_app.app_context():
        for version in db.session.scalars(sa.select(ModelVersion)):
            version.created_at = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # 01:30 KST, 21st
            if version.status == SERVING:
                version.promoted_at = datetime(2026, 12, 8, 1, 12, tzinfo=UTC)
        db.session.commit()
    client = versioned_app.test_client()
    log_in(client)
    html = client.get("/moderation/models/").get_data(as_text=True)
    assert "2026.12.08. 오전 10:12부터 사용" in html
    shown = '<time datetime="2026-11-20T16:30:00+00:00">2026.11.21. 오전 1:30</time>'
    assert html.count(shown) == 2


def test_admins_roll_back_from_the_page(versioned_app, tiny_model, flipped_model, tmp_path):
    add_candidate(versioned_app, flipped_model, tmp_path)
    add_moderator(versioned_app, name="boss", role="admin")
    client = versioned_app.test_client()
    log_in(client, "boss")
    assert "지금 재학습" in client.get("/moderation/models/").get_data(as_text=True)
    response = client.post(f"/moderation/models/{flipped_model.version}/rollback")
    assert response.status_code == 303
    assert serving_version(versioned_app) == flipped_model.version
    refused = client.post(
        f"/moderation/models/{flipped_model.version}/rollback", follow_redirects=True
    )
    assert "되돌릴 수 없습니다" in refused.get_data(as_text=True)


def test_a_finished_run_shows_how_it_ended_not_its_last_stage(versioned_app):
    with versioned_app.app_context():
        run = retrain_runs.begin_run("cli:root")
        run.status, run.stage, run.progress = "promoted", "rescoring", 1.0
        run.finished_at = utcnow()
        run.log = "v1: 승격됨 (" + "toxic F1 0.900 -> 0.901, " * 20 + ")"
        db.session.commit()
    add_moderator(versioned_app, name="boss", role="admin")
    client = versioned_app.test_client()
    log_in(client, "boss")
    html = client.get("/moderation/models/").get_data(as_text=True)
    assert "승격됨" in html
    assert "대기 댓글 다시 채점 중" not in html and "<progress" not in html
    assert 'class="mq-log"' in html  # the log is kept, in a box that wraps its lines


def test_the_rollback_form_needs_its_csrf_token(
    database_url, tmp_path, tiny_model, flipped_model, monkeypatch
):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    path = tmp_path / "default.model"
    tiny_model.save(path)
    app = make_app(database_url, tmp_path, MODEL_PATH=str(path), WTF_CSRF_ENABLED=True)
    with app.app_context():
        model_store.ensure_initial_version(app)
    add_candidate(app, flipped_model, tmp_path)
    add_moderator(app, name="boss", role="admin")
    client = app.test_client()
    page = client.get("/moderation/login")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/moderation/login",
        data={"name": "boss", "password": "correct horse battery", "csrf_token": token},
    )
    response = client.post(f"/moderation/models/{flipped_model.version}/rollback")
    assert response.status_code == 303
    assert serving_version(app) == tiny_model.version
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def use_app_settings(app, monkeypatch) -> None:
    """Point the command line at the app's database and model."""
    monkeypatch.setenv("DATABASE_URL", app.config["SQLALCHEMY_DATABASE_URI"])
    monkeypatch.setenv("MODEL_PATH", app.config["MODEL_PATH"])
    monkeypatch.setenv("SECRET_KEY", "cli-test")


def test_two_starts_at_the_same_instant_let_one_run_in(versioned_app, monkeypatch):
    """Both starts check before either inserts: the database's index refuses the second."""
    with versioned_app.app_context():
        first = retrain_runs.begin_run("moderator:one", pid=os.getpid())
        # The second start's check ran before the first run was committed: it saw none.
        monkeypatch.setattr(retrain_runs, "current_run", lambda: None)
        with pytest.raises(retrain_runs.RunRefused):
            retrain_runs.begin_run("moderator:two", pid=os.getpid())
        runs = db.session.scalars(sa.select(RetrainRun)).all()
        assert [(r.id, r.status) for r in runs] == [(first.id, RUNNING)]


def test_one_run_at_a_time_and_a_dead_run_is_marked_failed(versioned_app, monkeypatch):
    use_app_settings(versioned_app, monkeypatch)
    with versioned_app.app_context():
        run = RetrainRun(started_by="test", host=socket.gethostname(), pid=os.getpid())
        db.session.add(run)
        db.session.commit()
        with pytest.raises(retrain_runs.RunRefused):
            retrain_runs.start_run(versioned_app, "moderator:boss")
        typed = CliRunner().invoke(cli.main, ["retrain"])
        assert typed.exit_code != 0 and "already running" in typed.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RetrainRun)) == 1
        # A process id that cannot exist: the run died without saying so.
        run.pid = 2**22 + 1
        db.session.commit()
        assert retrain_runs.current_run() is None
        db.session.refresh(run)
        assert run.status == FAILED and run.finished_at is not None
        assert retrain_runs.latest_run().status != RUNNING
        # On another host the process cannot be seen: a run is given up after hours.
        elsewhere = RetrainRun(started_by="test", host="other-host", pid=1)
        db.session.add(elsewhere)
        db.session.commit()
        assert retrain_runs.current_run().id == elsewhere.id
        elsewhere.started_at = utcnow() - timedelta(hours=7)
        db.session.commit()
        assert retrain_runs.current_run() is None
        assert db.session.get(RetrainRun, elsewhere.id).status == FAILED


def native_folder(folder: Path, suffix: str = "") -> Path:
    """The tiny examples (each text with ``suffix``) as a native-format folder."""
    folder.mkdir()
    rows = [{"text": t + suffix, "labels": []} for t in CLEAN] + [
        {"text": t + suffix, "labels": ["insult"]} for t in TOXIC
    ]
    (folder / "tiny.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    return folder


def retrain_on_tiny_corpus(app, tmp_path, monkeypatch) -> None:
    """Retrains on the tiny examples (seconds), evaluated on the same sentences reworded."""
    use_app_settings(app, monkeypatch)
    monkeypatch.setenv("RETRAIN_BASE_DATA", str(native_folder(tmp_path / "train")))
    monkeypatch.setenv("EVAL_BASE_DATA", str(native_folder(tmp_path / "eval", " 정말로")))


def test_dry_run_reports_but_stores_nothing_and_force_promotes(
    versioned_app, tiny_model, tmp_path, monkeypatch
):
    retrain_on_tiny_corpus(versioned_app, tmp_path, monkeypatch)
    runner = CliRunner()
    report = tmp_path / "dry.html"
    dry = runner.invoke(cli.main, ["retrain", "--dry-run", "--report", str(report)])
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing stored." in dry.output
    assert report.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert serving_version(versioned_app) == tiny_model.version
    with versioned_app.app_context():
        assert len(model_store.list_versions()) == 1
    forced = runner.invoke(cli.main, ["retrain", "--force", "--f1-margin", "-1"])
    assert forced.exit_code == 0, forced.output
    assert "The gate refuses it" in forced.output and "Promoted" in forced.output
    with versioned_app.app_context():
        newest = model_store.list_versions()[0]
        assert newest.status == SERVING and newest.verdict == {
            "promote": False,
            "forced": True,
            "reasons": newest.verdict["reasons"],
        }
        assert os.path.exists(newest.report_path)
        run = retrain_runs.latest_run()  # a typed retrain shows on the page too
        assert (run.status, run.version, run.started_by) == (
            "promoted",
            newest.version,
            newest.created_by,
        )


def test_a_rollback_made_while_a_retrain_runs_is_not_undone_by_it(
    versioned_app, tiny_model, flipped_model, tmp_path, monkeypatch
):
    retrain_on_tiny_corpus(versioned_app, tmp_path, monkeypatch)
    add_candidate(versioned_app, flipped_model, tmp_path)
    compare = retrain.compare

    def rolled_back_meanwhile(*args, **kwargs):
        """An admin rolls back while the candidate is being measured."""
        with versioned_app.app_context():
            model_store.rollback_to(versioned_app, flipped_model.version)
        return compare(*args, **kwargs)

    monkeypatch.setattr(retrain, "compare", rolled_back_meanwhile)
    result = CliRunner().invoke(cli.main, ["retrain", "--force"])
    assert result.exit_code == 0, result.output
    assert f"Not promoted: {flipped_model.version} was put in service" in result.output
    assert serving_version(versioned_app) == flipped_model.version
    with versioned_app.app_context():
        newest = model_store.list_versions()[0]
        assert newest.version not in (tiny_model.version, flipped_model.version)
        assert newest.status == "candidate"
        run = retrain_runs.latest_run()
        assert (run.status, run.version) == ("not_promoted", newest.version)
        assert f"모델 {flipped_model.version}(으)로 바뀌어" in run.log


@pytest.mark.datasets
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL: the e2e test
def test_configured_datasets_join_training_and_evaluation(
    versioned_app, datasets_dir, tmp_path, monkeypatch
):
    retrain_on_tiny_corpus(versioned_app, tmp_path, monkeypatch)
    runner = CliRunner()
    monkeypatch.setenv("RETRAIN_DATASETS", "nope:/nowhere")
    bad = runner.invoke(cli.main, ["retrain"])
    assert bad.exit_code != 0 and "RETRAIN_DATASETS" in bad.output and "nope" in bad.output
    beep_dev = datasets_dir / "korean-hate-speech" / "dev.tsv"
    unsmile_valid = datasets_dir / "unsmile" / "unsmile_valid_v1.0.tsv"
    monkeypatch.setenv("RETRAIN_DATASETS", f"beep:{beep_dev}")
    monkeypatch.setenv("EVAL_DATASETS", f"unsmile:{unsmile_valid}")
    result = runner.invoke(cli.main, ["retrain", "--f1-margin", "1", "--auc-margin", "1"])
    assert result.exit_code == 0, result.output
    with versioned_app.app_context():
        newest = model_store.list_versions()[0]
    assert newest.status == SERVING
    read = newest.counts["read"]
    assert read["beep"] == len(classifier.read_examples(beep_dev, "beep"))
    assert newest.counts["eval_fingerprints"] == {
        str(unsmile_valid): model_store.sha256_of(unsmile_valid.read_bytes())
    }
    assert newest.metrics["candidate"]["examples"] > 3000  # unsmile's dev set was measured on
