"""Settings from the environment."""

from __future__ import annotations

import pytest

from web.config import Config, normalize_database_url
from web.policy import Thresholds


def test_defaults(monkeypatch):
    for name in (
        "HOLD_THRESHOLD",
        "REVIEW_THRESHOLD",
        "ALLOWED_ORIGINS",
        "REDIS_URL",
        "DISPLAY_TIMEZONE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    config = Config()
    assert (config.HOLD_THRESHOLD, config.REVIEW_THRESHOLD) == (0.85, 0.5)
    assert config.ALLOWED_ORIGINS == []
    assert config.RATELIMIT_STORAGE_URI == "memory://"
    assert config.DISPLAY_TIMEZONE == "Asia/Seoul"


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("HOLD_THRESHOLD", "0.9")
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    config = Config()
    assert config.HOLD_THRESHOLD == 0.9
    assert config.ALLOWED_ORIGINS == ["https://a.example", "https://b.example"]
    assert config.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"


def test_bad_number_is_an_error(monkeypatch):
    monkeypatch.setenv("REVIEW_THRESHOLD", "high")
    with pytest.raises(ValueError, match="REVIEW_THRESHOLD"):
        Config()


def test_postgres_urls_use_psycopg3():
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x") == "sqlite:///x"


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        Thresholds(hold=0.4, review=0.6)


def test_instance_secret_key_is_private_and_stable(tmp_path):
    import stat

    from web.config import instance_secret_key

    key = instance_secret_key(str(tmp_path))
    assert instance_secret_key(str(tmp_path)) == key
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
