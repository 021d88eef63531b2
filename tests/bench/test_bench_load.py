"""The load test's core, run briefly against real gunicorn on SQLite and on PostgreSQL.

This keeps bench/bench_load.py from rotting: a few readers for a few seconds, and
every invariant it checks must hold.
"""

from __future__ import annotations

import os

import psycopg
import pytest

from tests.web.conftest import tiny_examples


@pytest.fixture(scope="module")
def model_path(tmp_path_factory) -> str:
    """The tests' tiny real model, saved where the server can load it."""
    import classifier

    path = tmp_path_factory.mktemp("model") / "tiny.model"
    classifier.train(tiny_examples(), progress=False).save(str(path))
    return str(path)


def postgres_reachable(admin_url: str) -> None:
    """Skip without PostgreSQL on a laptop; fail in CI, where it must be there."""
    try:
        psycopg.connect(admin_url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        message = f"PostgreSQL unreachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_short_load_keeps_every_invariant(kind, model_path):
    import bench_load

    options = bench_load.LoadOptions(readers=5, seconds=5, articles=1, think=0.05, warm_up_posts=3)
    if kind == "postgres":
        postgres_reachable(options.pg_admin)
    report = bench_load.run_database(kind, model_path, options)

    failed = [c for c in report["checks"] if not c["ok"]]
    assert not failed, failed
    assert not report["server_errors"], report["server_errors"]
    kinds = report["figures"]["kinds"]
    for kind_name in ("list newest", "post", "vote", "mod queue"):
        assert kinds.get(kind_name, {}).get("requests", 0) > 0, (kind_name, sorted(kinds))
    assert report["posts"].get("published", 0) + report["posts"].get("pending", 0) > 0
    assert report["figures"]["overall"]["p50_ms"] > 0
