"""A gunicorn worker killed in the middle of a burst of comments: the others go on, nothing
half written.

The real server (``comment-mod serve``: gunicorn, 2 sync workers) runs in a subprocess
on a temporary instance folder. Readers post comments concurrently, each with a marker
of its own; one worker gets SIGKILL mid-burst. A sync worker serves one request at a
time, so the request it was serving fails at the connection level (reset or closed
without an answer): that is expected and is the only failure allowed. Its comment may
or may not have been committed; either way it is there at most once.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from .conftest import stop_server

ROOT = Path(__file__).resolve().parents[2]
PORTS = {"sqlite": 8210, "postgresql": 8211}
WORKERS = 2
POSTS = 40
CLIENTS = 6
KILL_AFTER = 10  # answers received before the kill


def request(port: int, method: str, path: str, payload=None, timeout=30):
    """(status, parsed JSON) from the server; a broken connection raises OSError or
    http.client.HTTPException (closed before or in the middle of the answer)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = json.dumps(payload) if payload is not None else None
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def worker_pids(master: int) -> list[int]:
    """The master's child processes (its workers)."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def wait_until_serving(server: subprocess.Popen, port: int) -> None:
    """Wait for every worker to be up (each loads the model before it serves)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, server.log_path.read_text(errors="replace")[-3000:]
        with contextlib.suppress(OSError):
            healthy = request(port, "GET", "/api/v1/health", timeout=5)[0] == 200
            if healthy and len(worker_pids(server.pid)) == WORKERS:
                time.sleep(1.0)  # the last worker's model load
                return
        time.sleep(0.3)
    pytest.fail("gunicorn did not come up within 90 s")


@pytest.fixture
def server(database_url, tmp_path, tiny_model, request):
    """``comment-mod serve`` with 2 workers on the test database; yields (process, port, url)."""
    port = PORTS[request.node.callspec.params["database_url"]]
    model_path = tmp_path / "instance" / "models" / "current.model"
    tiny_model.save(str(model_path))
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:  # an empty database, for the server's own migrations
        meta = sa.MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
    engine.dispose()
    env = {
        **os.environ,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
        "MODEL_PATH": str(model_path),
        "RATELIMIT_ENABLED": "0",
        "SPAM_REPEAT_LIMIT": "1000",
    }
    env.pop("SECRET_KEY", None)
    command = [sys.executable, "-c", "from web.cli import main; main()", "serve"]
    args = ["--port", str(port), "--workers", str(WORKERS), "--threads", "1"]
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        command + args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    process.log_path = tmp_path / "server.log"
    try:
        wait_until_serving(process, port)
        yield process, port, database_url
    finally:
        log.close()
        stop_server(process)


def test_killed_worker_loses_nothing_acknowledged(server):
    process, port, database_url = server
    answered = threading.Semaphore(0)
    killed_at = []

    def post_one(i: int):
        marker = f"m{i:03d}-{uuid.uuid4().hex[:10]}"
        payload = {"body": f"좋은 기사 감사합니다 {marker}", "nickname": f"독자{i}"}
        try:
            status, _ = request(port, "POST", "/api/v1/articles/demo/comments", payload)
            outcome = (marker, status, time.monotonic())
        except (OSError, http.client.HTTPException) as exc:  # the killed worker's connection,
            # reset, or closed between the answer's headers and its body
            outcome = (marker, type(exc).__name__, time.monotonic())
        answered.release()
        return outcome

    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(post_one, i) for i in range(POSTS)]
        for _ in range(KILL_AFTER):
            answered.acquire()
        victim = worker_pids(process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        killed_at.append(time.monotonic())
        outcomes = [f.result() for f in futures]

    acknowledged = {m for m, status, _ in outcomes if status == 201}
    failed = [(m, status) for m, status, _ in outcomes if status != 201]
    # Only what the killed worker was serving may fail, and only at the connection level.
    assert len(failed) <= 1, (failed, process.log_path.read_text(errors="replace")[-4000:])
    assert all(isinstance(status, str) for _, status in failed), failed
    # The other workers went on answering after the kill (more than KILL_AFTER answers may
    # have come before it: the kill waits for the test's thread to be scheduled).
    after_kill = sum(1 for _, s, t in outcomes if s == 201 and t > killed_at[0])
    assert after_kill >= (POSTS - KILL_AFTER) // 2, after_kill
    # The master replaced the worker, and the new one serves.
    deadline = time.monotonic() + 60
    while victim in worker_pids(process.pid) or len(worker_pids(process.pid)) < WORKERS:
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.3)
    status, _ = request(
        port, "POST", "/api/v1/articles/demo/comments", {"body": "이후", "nickname": "나중독자"}
    )
    assert status == 201

    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT body, author_id FROM comments WHERE body LIKE '좋은 기사 감사합니다 m%'"
            )
        ).all()
        markers = [body.rsplit(" ", 1)[1] for body, _ in rows]
        # Every acknowledged comment is there exactly once; nothing is there twice.
        assert len(markers) == len(set(markers))
        assert acknowledged <= set(markers)
        assert set(markers) - acknowledged <= {m for m, _ in failed}
        # No half-written records: each reader's row came with its comment, and the
        # article's count equals its visible comments.
        readers = conn.execute(sa.text("SELECT count(*) FROM readers")).scalar()
        comments = conn.execute(sa.text("SELECT count(*) FROM comments")).scalar()
        assert readers == comments == len(markers) + 1
        stored, visible = conn.execute(
            sa.text(
                "SELECT a.comment_count, (SELECT count(*) FROM comments c WHERE "
                "c.article_id = a.id AND c.status IN ('published', 'flagged')) "
                "FROM articles a WHERE a.key = 'demo'"
            )
        ).one()
        assert stored == visible
    engine.dispose()
