"""``comment-mod serve``'s gunicorn: two servers on one host keep to themselves."""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import stop_server

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(instance: Path, port: int, home: Path, model):
    """``comment-mod serve`` on its own instance folder (SQLite, a tiny model), one worker."""
    model.save(str(instance / "models" / "current.model"))
    env = {**os.environ, "INSTANCE_PATH": str(instance), "HOME": str(home)}
    for name in ("DATABASE_URL", "MODEL_PATH", "SECRET_KEY", "XDG_RUNTIME_DIR"):
        env.pop(name, None)
    command = [sys.executable, "-m", "web", "serve", "--port", str(port), "--workers", "1"]
    log_path = instance.parent / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process, log_path
        finally:
            stop_server(process)


def wait_for_socket(path: Path, process, log_path: Path) -> None:
    """Wait until the server listens on its control socket."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
        if path.exists():
            return
        time.sleep(0.3)
    pytest.fail(f"no control socket at {path} within 90 s")


def test_each_server_has_its_control_socket_in_its_instance_folder(tmp_path, tiny_model):
    client = pytest.importorskip("gunicorn.ctl.client", reason="gunicorn before 25.1")
    home = tmp_path / "home"
    home.mkdir()
    servers = {}
    with contextlib.ExitStack() as stack:
        for name in ("first", "second"):
            instance = tmp_path / name
            (instance / "models").mkdir(parents=True)
            port = free_port()
            process, log_path = stack.enter_context(serving(instance, port, home, tiny_model))
            wait_for_socket(instance / "gunicorn.ctl", process, log_path)
            servers[name] = (instance / "gunicorn.ctl", port, process)
        for path, port, process in servers.values():
            assert stat.S_ISSOCK(path.stat().st_mode)
            with client.ControlClient(str(path), timeout=10) as control:
                assert control.send_command("show all")["arbiter"]["pid"] == process.pid
                listeners = control.send_command("show listeners")["listeners"]
                assert [entry["address"] for entry in listeners] == [f"http://127.0.0.1:{port}"]
        assert not (home / ".gunicorn").exists()
