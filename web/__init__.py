"""The comment section web app."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import Config, instance_secret_key


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then the environment, then the test overrides."""
    # INSTANCE_PATH moves the instance folder (SQLite file, model cache, reports).
    instance_path = os.environ.get("INSTANCE_PATH", "").strip()
    instance_path = os.path.abspath(instance_path) if instance_path else None
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(Config().as_dict())
    if test_config is not None:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        path = os.path.join(app.instance_path, "comment_mod.sqlite3")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if not app.config["MODEL_PATH"]:
        app.config["MODEL_PATH"] = os.path.join(app.instance_path, "models", "current.model")
    if app.config.get("PROXY_COUNT"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=1)

    from . import (
        accounts,
        api,
        api_docs,
        api_keys_page,
        auth,
        dashboard,
        db,
        demo,
        errors,
        i18n,
        ids,
        models_page,
        moderation,
        scoring,
        scoring_api,
        security,
        settings,
        widget,
    )
    from .policy import Thresholds

    Thresholds.from_config(app.config)  # refuse to start with thresholds out of order

    i18n.init_app(app)
    ids.init_app(app)  # before the blueprints whose routes use <id:...>
    db.init_app(app)
    scoring.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    api.init_app(app)
    scoring_api.init_app(app)
    api_docs.init_app(app)
    app.register_blueprint(widget.bp)
    app.register_blueprint(demo.bp)
    auth.init_app(app)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(api_keys_page.bp)
    app.register_blueprint(models_page.bp)
    return app
