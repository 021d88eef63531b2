"""Each worker's cache of the admins' settings: changes reach scoring decisions in time."""

from __future__ import annotations

import time

import pytest

from web import site_settings
from web.db import db
from web.models import SiteSetting

from .conftest import TOXIC, add_moderator, recorded_statements
from .test_scoring_api import bearer, new_key


@pytest.fixture
def database_url(tmp_path) -> str:
    """The cache does not depend on the database: SQLite only."""
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def decision(client, key) -> str:
    """The API's decision on a toxic text under the thresholds in force."""
    response = client.post("/api/v1/score", json={"text": TOXIC[0]}, headers=bearer(key))
    assert response.status_code == 200, response.text
    return response.get_json()["results"][0]["decision"]


def save_elsewhere(app, **values) -> None:
    """Store settings as another worker's save would: this worker's cache is not told."""
    with app.app_context():
        for key, value in values.items():
            db.session.merge(SiteSetting(key=key, value=value))
        db.session.commit()


def test_a_change_saved_by_another_worker_applies_after_the_cache_time(app_factory):
    app = app_factory(SITE_SETTINGS_CACHE_SECONDS=0.3)
    client, key = app.test_client(), new_key(app)
    assert decision(client, key) == "publish"
    save_elsewhere(app, hold_threshold=0.0, review_threshold=0.0)
    time.sleep(0.4)
    assert decision(client, key) == "hold"


def test_settings_read_are_trusted_for_the_cache_time(app_factory):
    app = app_factory(SITE_SETTINGS_CACHE_SECONDS=60)
    client, key = app.test_client(), new_key(app)
    assert decision(client, key) == "publish"
    save_elsewhere(app, hold_threshold=0.0, review_threshold=0.0)
    assert decision(client, key) == "publish"


def test_a_change_saved_in_this_worker_applies_at_once(app_factory):
    app = app_factory(SITE_SETTINGS_CACHE_SECONDS=60)
    client, key = app.test_client(), new_key(app)
    admin = add_moderator(app, name="admin", role="admin")
    assert decision(client, key) == "publish"
    with app.test_request_context():
        site_settings.save(admin, {"hold_threshold": "0.0", "review_threshold": "0.0"})
    assert decision(client, key) == "hold"


def test_without_a_cache_every_request_reads_the_database(app_factory):
    app = app_factory(SITE_SETTINGS_CACHE_SECONDS=0)
    client, key = app.test_client(), new_key(app)
    assert decision(client, key) == "publish"
    save_elsewhere(app, review_threshold=0.0)
    assert decision(client, key) == "review"


def test_the_settings_page_shows_what_is_stored(app_factory):
    app = app_factory(SITE_SETTINGS_CACHE_SECONDS=60)
    with app.test_request_context():
        assert site_settings.current().thresholds.hold == 1.0
    save_elsewhere(app, hold_threshold=0.7, review_threshold=0.2)
    with app.test_request_context():
        assert site_settings.current().thresholds.hold == 1.0
        assert site_settings.current(fresh=True).thresholds.hold == 0.7


def test_scoring_reads_the_settings_once_per_cache_time(app_factory):
    app = app_factory(SITE_SETTINGS_CACHE_SECONDS=60, API_KEY_CACHE_SECONDS=60)
    client, key = app.test_client(), new_key(app)
    with recorded_statements(app) as statements:
        for _ in range(5):
            decision(client, key)
    reads = [s for s in statements if "site_settings" in s]
    assert len(reads) == 1, statements
