"""Production serving: gunicorn run in-process, each worker building its own app."""

from __future__ import annotations

import logging
import os

from gunicorn.app.base import BaseApplication
from gunicorn.config import Config

logger = logging.getLogger(__name__)


class CommentModServer(BaseApplication):
    """A gunicorn application whose workers call ``create_app`` themselves."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        """Hand our options to gunicorn."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Build the app in the worker and make the model ready before the first comment."""
        from . import create_app
        from .scoring import ModelUnavailable, model_holder

        app = create_app()
        with app.app_context():
            holder = model_holder()
            try:
                # One text scored builds the tokenizer too, which takes seconds: not while
                # the first comment holds the database's write lock.
                holder.score("준비")
            except ModelUnavailable as exc:
                logger.error("serving without a model, comments will be held: %s", exc)
            # Follow promotions even while no request comes (started here, after the fork).
            holder.start_watching()
        return app


def run_gunicorn(host: str, port: int, workers: int, threads: int, instance_path: str) -> None:
    """Serve until stopped."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "accesslog": "-",
        "worker_tmp_dir": "/dev/shm",
    }
    # gunicorn 25.1+ listens for gunicornc on a control socket, by default one per user
    # ($HOME/.gunicorn/gunicorn.ctl) that a second server on the host would take over.
    if "control_socket" in Config().settings:
        options["control_socket"] = os.path.join(instance_path, "gunicorn.ctl")
    CommentModServer(options).run()
