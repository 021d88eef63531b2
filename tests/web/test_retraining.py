"""Retraining end to end: moderators' labels teach a new spelling to a running server,
wrong labels are refused by the gate, a killed retrain changes nothing.

To stay fast these train on an eighth of training_data/train (RETRAIN_BASE_DATA),
evaluate on training_data/heldout and the moderators' frozen slice.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

import classifier
from web import cli, create_app, model_store, retrain_runs
from web import moderation_service as service
from web.db import db, utcnow
from web.model_records import REFUSED, SERVING, RetrainRun
from web.models import Article, Comment, Moderator, Reader
from web.scoring import model_holder
from web.training_labels import freeze_eval_set

from .conftest import add_moderator, log_in, make_app

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT / "training_data" / "train"
HELDOUT = ROOT / "training_data" / "heldout"

# An invented evasion: 멍청이 with the vowel bent and 이 written as the digit 2.
SPELLING = "뭉청2"
TAUGHT = [
    f"{who} 완전 {SPELLING}{tail}"
    for who, tail in [
        ("기자", "네"),
        ("감독", " 아니냐"),
        ("이 사람", "인 듯"),
        ("저 의원", "이네"),
        ("댓글 쓴 사람", " 같음"),
        ("해설", "이다 진짜"),
        ("구단주", "네 ㅋㅋ"),
        ("시장", "인가"),
        ("작가", " 인정"),
        ("패널", "이었네"),
        ("사장", " 맞음"),
        ("앵커", "네 오늘"),
        ("심판", "이야"),
        ("교수", "처럼 말하네"),
        ("위원장", " 그 자체"),
    ]
]
# Never shown to the model: the spelling in sentences of their own.
PROBES = [
    f"오늘 발표한 사람 {SPELLING}",
    f"이번 감독 {SPELLING}",
    f"발표한 장관 {SPELLING} 인정",
    f"오늘 해설 {SPELLING}였음",
]


@pytest.fixture(scope="session")
def base_subset(tmp_path_factory) -> Path:
    """Every eighth line of each file of training_data/train."""
    folder = tmp_path_factory.mktemp("subset") / "train"
    folder.mkdir()
    for file in sorted(TRAIN.glob("*.jsonl")):
        lines = file.read_text(encoding="utf-8").splitlines()
        (folder / file.name).write_text("\n".join(lines[::8]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def subset_model_file(base_subset, tmp_path_factory) -> Path:
    """The serving model of these tests, trained on the subset."""
    path = tmp_path_factory.mktemp("serving") / "default.model"
    classifier.train(classifier.read_examples(base_subset)).save(path)
    return path


@pytest.fixture
def fresh_postgres_url(postgres_url):
    """A PostgreSQL database of the test's own, migrated by the server it starts."""
    url = sa.engine.make_url(postgres_url)
    url = url.set(database=f"{url.database}_e2e")
    admin = url.set(drivername="postgresql", database="test").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{url.database}"')
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


def free_port() -> int:
    """A port of this helper's range (8100-8199) nobody listens on."""
    for port in range(8100 + os.getpid() % 50, 8200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8100-8199")


def retrain_settings(monkeypatch, tmp_path, database_url, model_file, base_subset) -> dict:
    """Point the app, the CLI and any process they start at one database and folder."""
    model_path = tmp_path / "models" / "current.model"
    model_path.parent.mkdir(parents=True, exist_ok=True)
    model_path.write_bytes(model_file.read_bytes())
    env = {
        "DATABASE_URL": database_url,
        "MODEL_PATH": str(model_path),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "retrain-test",
        "RETRAIN_BASE_DATA": str(base_subset),
        "MODEL_RELOAD_SECONDS": "1",
        "RATELIMIT_ENABLED": "0",
        "HOLD_THRESHOLD": "0.85",
        "REVIEW_THRESHOLD": "0.5",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def wait_until(check, seconds: float, every: float = 0.2):
    """Call ``check`` until it returns something true or time runs out; returns its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


class HealthWatch(threading.Thread):
    """Asks a server's health endpoint without pause and keeps every answer.

    Each request opens its own connection, so that every worker gets some: a
    kept-alive connection would stay with one worker.
    """

    def __init__(self, base: str):
        super().__init__(daemon=True)
        self.base, self.answers, self.stopped = base, [], threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                r = httpx.get(
                    f"{self.base}/api/v1/health", headers={"Connection": "close"}, timeout=5
                )
                version = r.json().get("model", {}).get("version")
                self.answers.append((time.monotonic(), r.status_code, version))
            except httpx.HTTPError as exc:
                self.answers.append((time.monotonic(), repr(exc), None))
            time.sleep(0.02)


def score_probes(base: str, key: str) -> tuple[str, list[float]]:
    """The running server's model version and toxicity of the probes, via the scoring API."""
    r = httpx.post(
        f"{base}/api/v1/score",
        json={"texts": PROBES},
        headers={"Authorization": f"Bearer {key}", "Connection": "close"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r.json()["model_version"], [x["toxicity"] for x in r.json()["results"]]


@pytest.fixture
def server(fresh_postgres_url, tmp_path, subset_model_file, base_subset, monkeypatch):
    """Real gunicorn, two workers, on a fresh database; yields (base URL, env)."""
    env = retrain_settings(
        monkeypatch, tmp_path, fresh_postgres_url, subset_model_file, base_subset
    )
    port = free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return process.poll() is not None

    wait_until(up, 90, every=0.5)
    assert process.poll() is None, (tmp_path / "server.log").read_text(errors="replace")
    yield base, env
    os.killpg(process.pid, signal.SIGQUIT)  # gunicorn's quick shutdown
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    log.close()


def test_moderators_labels_teach_a_running_server_a_new_spelling(server, tmp_path):
    base, env = server
    app = create_app({"WTF_CSRF_ENABLED": False})
    from web.api_keys import create_api_key

    with app.app_context():
        _, key = create_api_key("retrain-test")
        serving_before = model_store.serving_pointer().version
    version, before = score_probes(base, key)
    assert version == serving_before
    assert max(before) < 0.5, f"the serving model already knows {SPELLING}: {before}"

    client = app.test_client()
    ids = []
    for body in TAUGHT:
        r = client.post("/api/v1/articles/demo/comments", json={"body": body, "nickname": "독자"})
        assert r.status_code == 201, r.get_data(as_text=True)
        ids.append(r.get_json()["comment"]["id"])
    held = client.post(
        "/api/v1/articles/demo/comments", json={"body": "꺼져 병신아 기자 수준 쓰레기네"}
    )
    assert held.get_json()["status"] == "pending"
    mod_id = add_moderator(app, name="mod")
    with app.app_context():
        service.reject(db.session.get(Moderator, mod_id), ids, "insult")

    watch = HealthWatch(base)
    watch.start()
    report = tmp_path / "report.md"
    result = CliRunner().invoke(cli.main, ["retrain", "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "Promoted" in result.output, result.output
    promoted_at = time.monotonic()
    with app.app_context():
        new_version = model_store.serving_pointer().version
    assert new_version != serving_before

    def all_workers_switched():
        recent = [a for a in watch.answers if a[0] > promoted_at][-30:]
        return len(recent) == 30 and all(v == new_version for _, _, v in recent)

    switched = wait_until(all_workers_switched, 15)
    watch.stopped.set()
    watch.join(10)
    assert switched, watch.answers[-10:]
    assert all(status == 200 for _, status, _ in watch.answers), [
        a for a in watch.answers if a[1] != 200
    ][:5]
    first_new = min(t for t, _, v in watch.answers if v == new_version)
    assert first_new - promoted_at < 10

    answers = [score_probes(base, key) for _ in range(10)]
    assert {version for version, _ in answers} == {new_version}
    after = answers[0][1]
    assert sum(after) / len(after) > sum(before) / len(before) + 0.15, (before, after)
    assert report.exists() and report.read_text(encoding="utf-8").strip()
    with app.app_context():
        comments = {c.id: c for c in db.session.scalars(sa.select(Comment))}
    waiting = comments[held.get_json()["comment"]["id"]]
    assert waiting.model_version == new_version  # re-scored after the promotion
    assert {comments[i].model_version for i in ids} == {serving_before}  # decided: untouched
    assert {comments[i].status for i in ids} == {"rejected"}
    page_client = app.test_client()
    log_in(page_client, "mod")
    page = page_client.get("/moderation/models/").get_data(as_text=True)
    assert f'data-version="{new_version}"' in page and "유해 F1" in page
    with app.app_context():
        row = model_store.find_version(new_version)
        assert row.status == SERVING and row.created_by.startswith("cli:")
        assert row.verdict["promote"] is True
        # The newest fifth of the labels is the frozen evaluation slice, kept out of training.
        assert row.counts["excluded"] == 3, row.counts
        assert row.counts["kept"]["moderator"] == len(TAUGHT) - 3, row.counts


def _insert_comments(app, bodies: list[str]) -> list[int]:
    """Comments as the widget stores them, quickly (scores do not matter here)."""
    with app.app_context():
        reader = Reader(token=os.urandom(8).hex(), nickname="독자")
        db.session.add(reader)
        db.session.flush()
        article = Article(key=f"a-{os.urandom(4).hex()}", title="기사")
        db.session.add(article)
        db.session.flush()
        comments = [
            Comment(
                article_id=article.id,
                author_id=reader.id,
                nickname="독자",
                body=body,
                body_hash=os.urandom(16).hex(),
                status="pending",
                created_at=utcnow(),
            )
            for body in bodies
        ]
        db.session.add_all(comments)
        db.session.commit()
        return [c.id for c in comments]


def _native(folder: Path, toxic: bool) -> list[str]:
    """Texts of a native-format folder that are (or are not) labelled abusive."""
    texts = []
    for file in sorted(folder.glob("*.jsonl")):
        for line in file.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if bool(row.get("labels")) == toxic:
                texts.append(row["text"])
    return texts


def test_wrong_labels_make_a_worse_candidate_and_the_gate_refuses_it(
    tmp_path, subset_model_file, base_subset, monkeypatch
):
    """Moderators approve abusive comments en masse; the page's retrain refuses the result."""
    url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    retrain_settings(monkeypatch, tmp_path, url, subset_model_file, base_subset)
    app = make_app(url, tmp_path, model=None, **_config_from_env())
    with app.app_context():
        serving = model_store.ensure_initial_version(app).version
    mod_id = add_moderator(app, name="mod")
    add_moderator(app, name="boss", role="admin")
    good_toxic = _insert_comments(app, _native(HELDOUT, True)[:10])
    good_clean = _insert_comments(app, _native(HELDOUT, False)[:10])
    with app.app_context():
        mod = db.session.get(Moderator, mod_id)
        service.reject(mod, good_toxic, "insult")
        service.approve(mod, good_clean)
        assert freeze_eval_set(app.config["EVAL_FRACTION"], app.config["EVAL_MAX_LABELS"]) == 4
    abusive = _native(base_subset, True)
    wrong = _insert_comments(app, abusive[: len(abusive) * 3 // 4])
    with app.app_context():
        service.approve(db.session.get(Moderator, mod_id), wrong)

    client = app.test_client()
    log_in(client, "boss")
    assert client.post("/moderation/models/retrain").status_code == 303
    second = client.post("/moderation/models/retrain", follow_redirects=True)
    assert "이미 재학습이 진행 중입니다" in second.get_data(as_text=True)

    def finished():
        run = client.get("/moderation/models/run.json").get_json()["run"]
        return run if run["status"] != "running" else None

    run = wait_until(finished, 240, every=1)
    log_file = Path(app.instance_path) / "retrain-1.log"
    assert run, log_file.read_text(errors="replace")[-3000:]
    assert run["status"] == "not_promoted", (run, log_file.read_text(errors="replace")[-3000:])
    assert run["started_by"] == "moderator:boss" and run["progress"] > 0.8
    with app.app_context():
        assert model_store.serving_pointer().version == serving
        row = model_store.find_version(run["version"])
        assert row.status == REFUSED and row.verdict["promote"] is False
        assert row.created_by == "moderator:boss"
        assert any("toxic" in reason for reason in row.verdict["reasons"]), row.verdict
        assert row.metrics["candidate"]["toxic"]["f1"] < row.metrics["serving"]["toxic"]["f1"]
        assert model_holder().get().version == serving
    page = client.get("/moderation/models/").get_data(as_text=True)
    assert "거부됨" in page and run["version"] in page
    report = client.get(f"/moderation/models/reports/{run['version']}.md")
    assert report.status_code == 200 and "toxic" in report.get_data(as_text=True)
    assert f'href="/moderation/models/reports/{run["version"]}.md"' in page
    assert client.get("/moderation/models/reports/..%2Fsecret_key").status_code == 404


def _config_from_env() -> dict:
    """The retrain settings make_app would otherwise reset."""
    return {
        "MODEL_PATH": os.environ["MODEL_PATH"],
        "RETRAIN_BASE_DATA": os.environ["RETRAIN_BASE_DATA"],
        "HOLD_THRESHOLD": 0.85,
        "REVIEW_THRESHOLD": 0.5,
        "MODEL_RELOAD_SECONDS": 0.0,
    }


def test_a_retrain_killed_half_way_leaves_the_serving_model(
    postgres_url, tmp_path, subset_model_file, base_subset, monkeypatch
):
    retrain_settings(monkeypatch, tmp_path, postgres_url, subset_model_file, base_subset)
    app = make_app(postgres_url, tmp_path, model=None, **_config_from_env())
    with app.app_context():
        serving = model_store.ensure_initial_version(app).version
        run = retrain_runs.start_run(app, "moderator:boss")
        run_id, pid = run.id, run.pid

    def training():
        with app.app_context():
            row = db.session.get(RetrainRun, run_id)
            db.session.refresh(row)
            return row.stage in ("analysing", "vectorizing", "fitting")

    assert wait_until(training, 120), (
        Path(app.instance_path) / f"retrain-{run_id}.log"
    ).read_text()
    os.killpg(pid, signal.SIGKILL)
    assert wait_until(lambda: not Path(f"/proc/{pid}").exists() or _zombie(pid), 10)
    with app.app_context():
        assert retrain_runs.current_run() is None
        assert db.session.get(RetrainRun, run_id).status == "failed"
        assert [v.version for v in model_store.list_versions()] == [serving]
        assert model_store.serving_pointer().version == serving
        model_holder().swap(None)
        assert model_holder().get().version == serving
    models = Path(app.instance_path) / "models"
    assert sorted(p.name for p in models.iterdir()) == [f"{serving}.model"]


def _zombie(pid: int) -> bool:
    """Whether a process has ended but was not reaped yet."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True
