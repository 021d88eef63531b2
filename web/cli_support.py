"""What the ``comment-mod`` commands share: an app with its schema up to date, padded text."""

from __future__ import annotations

import contextlib
import unicodedata

import click
import sqlalchemy as sa


@contextlib.contextmanager
def _database_errors(app):
    """Turn a database that cannot be reached or opened into one line, no traceback."""
    try:
        yield
    except sa.exc.OperationalError as exc:
        url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        reason = str(exc.orig or exc).strip().splitlines()[0]
        where = url.render_as_string(hide_password=True)
        raise click.ClickException(f"cannot use the database {where}: {reason}") from None


def upgrade_database(app) -> None:
    """Create the database or bring it to the newest schema.

    Raises ``click.ClickException`` when the database cannot be reached or opened.
    """
    from flask_migrate import upgrade

    from .db import MIGRATIONS_DIR

    with _database_errors(app), app.app_context():
        upgrade(directory=MIGRATIONS_DIR)


def _built_without_migrations(app) -> bool:
    """Whether the database has tables but no migration record (``db.create_all``, as the
    tests build theirs): migrating it would only try to create its tables again."""
    from .db import db

    with _database_errors(app), app.app_context():
        tables = sa.inspect(db.engine).get_table_names()
    return bool(tables) and "alembic_version" not in tables


def database_app():
    """The app as the environment configures it, its database created or migrated first
    (as ``serve`` does), so that no command meets a missing or older schema."""
    from . import create_app

    app = create_app()
    if not _built_without_migrations(app):
        upgrade_database(app)
    return app


def display_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: East Asian wide characters (Hangul, CJK)
    take two, combining marks and invisible format characters none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Cf", "Mn", "Me"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int, clip: bool = False) -> str:
    """``text`` left-aligned in ``width`` terminal columns; longer text is cut to fit when
    ``clip``, else left whole."""
    if clip:
        while display_width(text) > width:
            text = text[:-1]
    return text + " " * max(0, width - display_width(text))
