"""Fixtures for the web app: an app on SQLite and on PostgreSQL, a tiny real model."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from contextlib import contextmanager

import psycopg
import pytest
import sqlalchemy as sa

import classifier
from classifier.types import Example
from web import create_app
from web.db import db
from web.models import Article, Reader
from web.scoring import model_holder

DEFAULT_TEST_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/comment_mod_test"
TEST_REDIS_URL = "redis://127.0.0.1:6379/3"
# Ids no row can have: one past PostgreSQL's INTEGER, and QA's, past SQLite's 64 bits.
HUGE_IDS = (2**31, 99999999999999999999)

# Enough for the model to tell the two kinds apart; its quality is tested on branch main.
CLEAN = [
    "좋은 기사 감사합니다",
    "정리가 잘 되어 있네요",
    "도서관 연장 운영 찬성합니다",
    "유익한 정보 고맙습니다",
    "다음 기사도 기대할게요",
    "우리 동네에도 생기면 좋겠어요",
    "예산을 잘 살펴봤으면 합니다",
    "주말에도 열어 주세요",
    "기자님 수고하셨습니다",
    "좋은 정책이라고 생각합니다",
    "내용이 알차네요",
    "퇴근 후에 가 봐야겠어요",
]
TOXIC = [
    "이 바보 멍청이야",
    "꺼져 병신아",
    "미친놈 아니야 이거",
    "기자 수준 진짜 쓰레기네",
    "닥쳐 멍청한 놈",
    "개새끼 같은 소리 하네",
    "병신 같은 기사",
    "멍청이들만 찬성하겠지",
    "쓰레기 같은 놈들",
    "미친 바보 기자",
    "꺼져라 쓰레기야",
    "닥치고 있어 병신",
]


def tiny_examples() -> list[Example]:
    """A couple of dozen labelled comments written for the tests."""
    return [Example(text=t, toxic=False, categories={"insult": False}) for t in CLEAN] + [
        Example(text=t, toxic=True, categories={"insult": True}) for t in TOXIC
    ]


@pytest.fixture(scope="session")
def tiny_model():
    """A real classifier trained on the examples above, once per test session."""
    return classifier.train(tiny_examples(), progress=False)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL database of this test session's own, dropped at the end.

    The database named by TEST_DATABASE_URL gets a suffix with the process id, so
    that test runs of other branches on the same server (whose tables may point at
    ours) neither break nor are broken by this one.

    Unreachable PostgreSQL skips the PostgreSQL half of the suite on a laptop,
    but fails it when CI is set: there it must run.
    """
    base = sa.engine.make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL))
    url = base.set(database=f"{base.database}_{os.getpid()}")
    admin = url.set(drivername="postgresql", database="test").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{url.database}"')
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL unreachable at {url.host}:{url.port}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_server():
    """A client of the loopback Redis (``TEST_REDIS_URL``) that the rate-limit tests
    share counters through, their keys prefixed per test. Unreachable Redis skips those
    tests on a laptop and fails them in CI."""
    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url(TEST_REDIS_URL, socket_timeout=2)
    try:
        server.ping()
    except redis.exceptions.ConnectionError as exc:
        message = f"Redis unreachable at {TEST_REDIS_URL}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return server


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Each server-side test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def make_app(database_url: str, tmp_path, model=None, **config):
    """An app on the given database with fresh tables and, if given, a model in place."""
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "MODEL_PATH": str(tmp_path / "no-model.joblib"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Publish everything unless a test sets its own thresholds.
        "HOLD_THRESHOLD": 1.0,
        "REVIEW_THRESHOLD": 1.0,
    }
    settings.update(config)
    app = create_app(settings)
    with app.app_context():
        db.drop_all()
        db.create_all()
        if model is not None:
            model_holder().swap(model)
    return app


@pytest.fixture
def app_factory(database_url, tmp_path, tiny_model):
    """Build apps with extra settings; each is torn down after the test."""
    apps = []

    def build(model="tiny", **config):
        app = make_app(database_url, tmp_path, tiny_model if model == "tiny" else model, **config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    """The app with default test settings."""
    return app_factory()


@pytest.fixture
def client(app):
    """A test client with its own cookie jar (one reader)."""
    return app.test_client()


@pytest.fixture
def article(app):
    """An open article keyed "news-1"."""
    with app.app_context():
        db.session.add(Article(key="news-1", title="테스트 기사"))
        db.session.commit()
    return "news-1"


def add_reader(app, nickname="독자", banned=False, token=None) -> int:
    """Store a reader and return its id."""
    with app.app_context():
        reader = Reader(token=token or os.urandom(8).hex(), nickname=nickname, banned=banned)
        db.session.add(reader)
        db.session.commit()
        return reader.id


MODERATOR_PASSWORD = "correct horse battery"


def add_moderator(app, name="mod", role="moderator", password=MODERATOR_PASSWORD, active=True):
    """Store a moderator account and return its id."""
    from web.models import Moderator

    with app.app_context():
        moderator = Moderator(name=name, role=role, active=active)
        moderator.set_password(password)
        db.session.add(moderator)
        db.session.commit()
        return moderator.id


def log_in(client, name="mod", password=MODERATOR_PASSWORD):
    """Log a test client in through the form; returns the response."""
    return client.post("/moderation/login", data={"name": name, "password": password})


@pytest.fixture
def mod_client(app):
    """A test client logged in as moderator "mod"."""
    add_moderator(app)
    client = app.test_client()
    assert log_in(client).status_code == 303
    return client


@contextmanager
def served(app):
    """Serve the app with werkzeug in a thread, its address in ``BASE_URL``."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app
    finally:
        server.shutdown()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the session."""
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@contextmanager
def recorded_statements(app):
    """The SQL statements the app's engine runs inside the block, in a list."""
    statements = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def stop_server(process) -> None:
    """Stop a server started as a child process: SIGTERM, then SIGKILL after 20 s."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
