"""The load test's modules import each other as scripts do: bench/ goes on the path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="session", autouse=True)
def bench_on_path():
    """Let ``import bench_load`` and its siblings work as they do when run from bench/."""
    sys.path.insert(0, str(BENCH))
    yield
    sys.path.remove(str(BENCH))
