"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATASETS_ENV = "COMMENT_MOD_DATASETS"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The public datasets folder named by ``COMMENT_MOD_DATASETS``.

    Skips where it is not set, except in CI, where a missing folder is a failure.
    """
    value = os.environ.get(DATASETS_ENV)
    folder = Path(value) if value else None
    if folder is None or not (folder / "unsmile").is_dir():
        reason = (
            f"the public datasets are not available: set {DATASETS_ENV} to the folder "
            "holding korean-hate-speech/ and unsmile/ (../shared/datasets)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return folder


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Small data files written for the tests."""
    return FIXTURES
