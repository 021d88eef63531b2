"""The system under load: a fresh database, its schema and accounts, and gunicorn started by
``comment-mod serve`` as an operator would start it."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PORTS = range(8300, 8400)

# The product's limits would turn most of the load into 429s (every reader here shares
# one address, and a reader may post once every 10 seconds): they are raised, not switched
# off, so the limiter's own cost is part of what is measured.
RAISED_LIMITS = {
    "COMMENT_LIMIT_PER_READER": "10000 per minute",
    "COMMENT_LIMIT_PER_IP": "1000000 per minute",
    "ACTION_LIMIT_PER_READER": "10000 per minute",
    "ACTION_LIMIT_PER_IP": "1000000 per minute",
    "LOGIN_LIMIT": "1000 per minute",
}


@contextmanager
def postgres_database(admin_url: str = DEFAULT_PG_ADMIN):
    """A new, empty PostgreSQL database for one run, dropped afterwards; yields its URL."""
    admin = sa.engine.make_url(admin_url)
    plain = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"comment_mod_load_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(plain, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = admin.set(drivername="postgresql+psycopg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(plain, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def sqlite_database():
    """A SQLite file in a temporary instance folder, removed afterwards; yields its URL."""
    with tempfile.TemporaryDirectory(prefix="comment-mod-load-") as folder:
        yield f"sqlite:///{folder}/comment_mod.sqlite3"


def database_version(url: str) -> str:
    """The server's version string, for the report."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                return "PostgreSQL " + conn.exec_driver_sql("SHOW server_version").scalar()
            return "SQLite " + conn.exec_driver_sql("SELECT sqlite_version()").scalar()
    finally:
        engine.dispose()


def prepare_database(url: str, model_path: str, articles: list[str], moderator: tuple[str, str]):
    """Bring the schema to the newest migration and add the articles and the moderator."""
    from web import create_app
    from web.cli import upgrade_database
    from web.db import db
    from web.models import Article, Moderator

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "MODEL_PATH": model_path, "SECRET_KEY": "prepare"}
    )
    upgrade_database(app)
    with app.app_context():
        for number, key in enumerate(articles, 1):
            db.session.add(Article(key=key, title=f"부하 시험 기사 {number}"))
        name, password = moderator
        account = Moderator(name=name, role="moderator")
        account.set_password(password)
        db.session.add(account)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def free_port() -> int:
    """A loopback port in this benchmark's range that nothing listens on."""
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def server_environment(url: str, model_path: str, secret: str, extra: dict | None = None) -> dict:
    """The environment ``comment-mod serve`` runs with: the database, the model, raised limits."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        MODEL_PATH=model_path,
        SECRET_KEY=secret,
        RATELIMIT_ENABLED="1",
        **RAISED_LIMITS,
    )
    env.update(extra or {})
    return env


@contextmanager
def gunicorn_server(
    url: str,
    model_path: str,
    log_path: Path,
    secret: str,
    workers: int = 2,
    threads: int = 4,
    extra_env: dict | None = None,
    ready_article: str = "demo",
):
    """``comment-mod serve`` on a free loopback port until the block ends; yields the base URL.

    The server is stopped with SIGQUIT (gunicorn's quick stop: every request has been
    answered by then), or killed with its workers if it has not stopped after 30 seconds.
    """
    port = free_port()
    command = [sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_environment(url, model_path, secret, extra_env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(process, f"{base_url}/api/v1/articles/{ready_article}/comments", log_path)
        yield base_url
    finally:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_ready(process, probe_url: str, log_path: Path, timeout: float = 180) -> None:
    """Wait for the server to answer 200; RuntimeError with its log if it dies or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n{tail(log_path)}")
        try:
            if httpx.get(probe_url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{tail(log_path)}")


def tail(path: Path, lines: int = 40) -> str:
    """The end of a log file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def server_errors(log_path: Path) -> list[str]:
    """Tracebacks and error lines the server logged (gunicorn's access lines excluded)."""
    found = []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if "Traceback" in line or "[ERROR]" in line or "[CRITICAL]" in line:
            found.append(line.strip())
    return found
