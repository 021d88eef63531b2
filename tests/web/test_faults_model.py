"""The model file deleted or damaged while the app runs: comments accepted, health says why."""

from __future__ import annotations

import shutil

import sqlalchemy as sa

from web.db import db
from web.models import HOLD_MODEL_ERROR, Article, Comment
from web.scoring import model_holder

from .conftest import make_app


def post(client, body):
    """Post a comment as JSON to the test article as a new reader."""
    return client.post(
        "/api/v1/articles/model-fault/comments", json={"body": body, "nickname": "독자님"}
    )


def health(app):
    """(status code, model part) of the health answer."""
    response = app.test_client().get("/api/v1/health")
    return response.status_code, response.get_json()["model"]


def stored(app, body) -> Comment:
    """The stored comment with this body."""
    with app.app_context():
        return db.session.scalar(sa.select(Comment).where(Comment.body == body))


def corrupt(path) -> None:
    """Flip bytes in the middle of the pickled payload, keeping the size."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    path.write_bytes(bytes(data))


def test_model_file_damaged_then_deleted_then_restored(tmp_path, tiny_model):
    path = tmp_path / "current.model"
    tiny_model.save(str(path))
    good = tmp_path / "good.model"
    shutil.copy(path, good)
    app = make_app(f"sqlite:///{tmp_path / 'm.sqlite3'}", tmp_path, None, MODEL_PATH=str(path))
    with app.app_context():
        db.session.add(Article(key="model-fault", title="모델 장애"))
        db.session.commit()

    assert post(app.test_client(), "처음 댓글").status_code == 201
    assert stored(app, "처음 댓글").model_version == tiny_model.version
    assert health(app) == (200, {"ok": True, "loaded": True, "version": tiny_model.version})

    # Damaged under the running app: the model in memory still scores, health warns.
    corrupt(path)
    status, model = health(app)
    assert status == 503 and model["ok"] is False and model["loaded"] is True
    assert model["error"].startswith("artifact unreadable: ") and "checksum" in model["error"]
    assert post(app.test_client(), "손상 중 댓글").status_code == 201
    assert stored(app, "손상 중 댓글").model_version == tiny_model.version

    # The moment it is reloaded from the damaged file: comments are held, not refused.
    with app.app_context():
        model_holder().swap(None)
    response = post(app.test_client(), "다시 읽을 때 댓글")
    assert response.status_code == 201 and response.get_json()["status"] == "pending"
    held = stored(app, "다시 읽을 때 댓글")
    assert (held.status, held.hold_reason, held.model_version) == (
        "pending",
        HOLD_MODEL_ERROR,
        None,
    )
    status, model = health(app)
    assert status == 503 and model["loaded"] is False and "checksum" in model["error"]

    path.unlink()
    assert health(app)[1]["error"] == f"artifact missing: {path}"
    response = post(app.test_client(), "파일 없을 때 댓글")
    assert response.status_code == 201 and response.get_json()["status"] == "pending"
    assert stored(app, "파일 없을 때 댓글").hold_reason == HOLD_MODEL_ERROR

    shutil.copy(good, path)
    assert health(app) == (200, {"ok": True, "loaded": True, "version": tiny_model.version})
    assert post(app.test_client(), "복구 후 댓글").status_code == 201
    assert stored(app, "복구 후 댓글").status == "published"


def test_deleted_while_loaded_is_reported(tmp_path, tiny_model):
    path = tmp_path / "current.model"
    tiny_model.save(str(path))
    app = make_app(f"sqlite:///{tmp_path / 'm.sqlite3'}", tmp_path, None, MODEL_PATH=str(path))
    assert health(app)[0] == 200
    path.unlink()
    status, model = health(app)
    assert status == 503
    assert model == {
        "ok": False,
        "loaded": True,
        "version": tiny_model.version,
        "error": f"artifact missing: {path}",
    }
