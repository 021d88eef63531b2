"""Alembic environment: migrations run on the Flask app's own engine and metadata."""

from alembic import context
from flask import current_app


def _migrate():
    """The Flask-Migrate extension of the current app."""
    return current_app.extensions["migrate"]


def run_offline() -> None:
    """Write the SQL instead of running it (``flask db upgrade --sql``)."""
    migrate = _migrate()
    context.configure(
        url=migrate.db.engine.url.render_as_string(hide_password=False),
        target_metadata=migrate.db.metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on a connection of the app's engine."""
    migrate = _migrate()
    with migrate.db.engine.connect() as connection:
        # Batch mode lets later migrations alter SQLite tables, which lack ALTER COLUMN.
        options = {"render_as_batch": True, "compare_type": True, **migrate.configure_args}
        context.configure(connection=connection, target_metadata=migrate.db.metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
