"""The database handle, its SQLite settings and the schema migrations."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")


class Base(DeclarativeBase):
    """Declarative base with constraint names Alembic can refer to on both databases."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


# Objects stay readable after commit: a view that just stored a comment can answer
# with it without reloading it from the database.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(directory=MIGRATIONS_DIR)


class UTCDateTime(sa.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no zone, so without this the same column would come back
    naive there and aware on PostgreSQL.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Convert to UTC before storing; naive values are taken to be UTC already."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        """Attach UTC to what SQLite gives back."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _set_sqlite_pragmas(dbapi_connection, _record):
    """WAL lets readers run beside the one writer; SQLite leaves foreign keys off unless asked."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _engine_options(app: Flask) -> None:
    """Bound the waits: for another SQLite writer, or for a PostgreSQL server to answer.

    A request that cannot get the database within DATABASE_TIMEOUT fails and is
    answered 503, instead of holding a worker while the database is away.
    """
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    timeout = app.config.get("DATABASE_TIMEOUT", 5.0)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    if uri.startswith("sqlite"):
        connect_args.setdefault("timeout", timeout)
        connect_args.setdefault("check_same_thread", False)
    elif uri.startswith("postgresql"):
        # libpq counts whole seconds and treats below 2 as 2.
        connect_args.setdefault("connect_timeout", max(2, round(timeout)))
        options.setdefault("pool_timeout", timeout)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def init_app(app: Flask) -> None:
    """Bind the database and migrations to the app."""
    _engine_options(app)
    db.init_app(app)
    migrate.init_app(app, db)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and not sa.event.contains(
            engine, "connect", _set_sqlite_pragmas
        ):
            sa.event.listen(engine, "connect", _set_sqlite_pragmas)


def locked_comments(ids) -> list:
    """The comments with these ids, in id order, locked until the transaction ends and
    read afresh, so that what another transaction committed meanwhile is seen.

    PostgreSQL locks the rows with FOR UPDATE; SQLite takes its write lock with a
    no-op UPDATE before reading, as ``lock_comment_row`` does.
    """
    from .models import Comment

    query = sa.select(Comment).where(Comment.id.in_(ids)).order_by(Comment.id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    else:
        db.session.execute(
            sa.update(Comment)
            .where(Comment.id.in_(ids))
            .values(upvotes=Comment.upvotes)
            .execution_options(synchronize_session=False)
        )
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def lock_comment_row(comment_id: int) -> None:
    """Serialize writers on one comment until the transaction ends.

    PostgreSQL locks the row with FOR UPDATE. SQLite has no row locks, so a
    no-op UPDATE takes the database write lock before anything is read: the
    reads that follow then see every earlier committed vote.
    """
    from .models import Comment

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Comment.id).where(Comment.id == comment_id).with_for_update())
    else:
        db.session.execute(
            sa.update(Comment)
            .where(Comment.id == comment_id)
            .values(upvotes=Comment.upvotes)
            .execution_options(synchronize_session=False)
        )
