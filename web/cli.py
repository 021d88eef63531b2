"""``comment-mod``: the model's commands plus serving and database helpers."""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

import click
import sqlalchemy as sa

from classifier.cli import main as model_commands

from .cli_support import database_app, pad, upgrade_database
from .retrain_cli import models_group, retrain_command

logger = logging.getLogger(__name__)


def serving_model_path() -> Path | None:
    """The model the comment section serves (the serving version in the database), or
    None when there is no database or no version yet."""
    from . import create_app, model_store

    app = create_app()
    try:
        with app.app_context():
            return model_store.serving_file(app.instance_path)
    except (sa.exc.SQLAlchemyError, model_store.ModelStoreError) as exc:
        logger.info("no serving model version (%s); using MODEL_PATH", exc)
        return None


def scores_with_the_serving_model(command: click.Command) -> click.Command:
    """The model command with ``--model`` defaulting to the model the site serves, so
    that after a retrain or a rollback it scores as the comment section does."""
    callback = command.callback

    @functools.wraps(callback)
    def run(model_path, **kwargs):
        return callback(model_path=model_path or serving_model_path(), **kwargs)

    return click.Command(command.name, params=command.params, callback=run, help=command.help)


# The model's commands (train, evaluate, score) plus the web app's below.
main = click.Group(
    "comment-mod",
    commands={
        name: scores_with_the_serving_model(c) if name in ("score", "evaluate") else c
        for name, c in model_commands.commands.items()
    },
    callback=model_commands.callback,
    help=model_commands.help,
)


main.add_command(retrain_command)
main.add_command(models_group)


def ensure_model(app, echo=click.echo) -> bool:
    """Train and save the default model if MODEL_PATH holds none; False if there is none."""
    import classifier

    path = app.config["MODEL_PATH"]
    if os.path.exists(path):
        return True
    data = classifier.DEFAULT_TRAINING_DATA
    if not os.path.isdir(data):
        echo(
            f"No model at {path} and no training data at {data}: comments will be held "
            "for review until a model is trained (comment-mod train --out MODEL_PATH)."
        )
        return False
    echo(f"No model at {path}: training the default model from {data} ...")
    examples = classifier.read_examples(data)
    model = classifier.train(examples, progress=True)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    model.save(path)
    echo(f"Trained model {model.version} on {len(examples):,} examples, saved to {path}")
    return True


def register_model(app, echo=click.echo) -> None:
    """Make the MODEL_PATH model the first stored version when there is none."""
    from .model_store import ensure_initial_version

    with app.app_context():
        row = ensure_initial_version(app)
    if row is not None:
        echo(f"Model {row.version} is the first model version (comment-mod models list).")


def prepare(app, echo=click.echo) -> None:
    """Everything a first start needs: schema, model, demo article."""
    from .demo import ensure_demo_article

    upgrade_database(app)
    ensure_model(app, echo)
    register_model(app, echo)
    with app.app_context():
        _, created = ensure_demo_article()
    if created:
        echo("Created the demo article.")


def print_urls(host: str, port: int, echo=click.echo) -> None:
    """Where to look once the server is up."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    echo(f"Demo article:   {base}/")
    echo(f"All comments:   {base}/articles/demo/comments")
    echo(f"Comments API:   {base}/api/v1/articles/demo/comments")
    echo(f"API reference:  {base}/api/v1/docs")
    echo(f'Embed script:   <script src="{base}/embed.js" data-article-key="KEY"></script>')


@main.command("serve")
@click.option("--host", envvar="HOST", default="127.0.0.1", show_default=True, show_envvar=True)
@click.option(
    "--port",
    envvar="PORT",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    show_envvar=True,
)
@click.option(
    "--workers",
    envvar="WEB_CONCURRENCY",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    show_envvar=True,
    help="gunicorn worker processes.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Threads per worker.",
)
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader.")
def serve_command(host, port, workers, threads, dev):
    """Start the comment section (gunicorn; --dev for Flask's reloader)."""
    from . import create_app

    app = create_app()
    # With the reloader on, the watching parent prepares; its child only serves.
    if not (dev and os.environ.get("WERKZEUG_RUN_MAIN")):
        prepare(app)
        print_urls(host, port)
    if dev:
        app.run(host=host, port=port, debug=True, use_reloader=True)
        return
    from .serving import run_gunicorn

    run_gunicorn(host, port, workers, threads, app.instance_path)


@main.command("init-db")
def init_db_command():
    """Create the database or migrate it to the newest schema."""
    app = database_app()
    register_model(app)
    click.echo(f"Database ready: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")


@main.group("article")
def article_group():
    """Manage articles' comment sections."""


def _article_key(ctx, param, value):
    """KEY by the rules every new article's key follows (those of an embed's too)."""
    from .models import Article

    if not Article.key_is_valid(value):
        raise click.BadParameter(
            "must be 1 to 255 characters, not only spaces, without control characters"
        )
    return value


def _fits_column(ctx, param, value):
    """Refuse a value longer than the article's column holds."""
    from .models import Article

    limit = Article.__table__.c[param.name].type.length
    if value is not None and len(value) > limit:
        raise click.BadParameter(f"at most {limit:,} characters")
    return value


@article_group.command("add")
@click.argument("key", callback=_article_key)
@click.option("--title", default="", callback=_fits_column, help="The article's headline.")
@click.option(
    "--url",
    default=None,
    callback=_fits_column,
    help="The article's address on the news site (http or https).",
)
def article_add(key, title, url):
    """Open a comment section for article KEY (1 to 255 characters, not only spaces)."""
    from .db import db
    from .models import Article
    from .safe_urls import web_page

    if url is not None and web_page(url) is None:
        raise click.ClickException(f"--url {url!r}: not an http(s) address")
    app = database_app()
    with app.app_context():
        if db.session.scalar(sa.select(Article).where(Article.key == key)):
            raise click.ClickException(f"article {key!r} already exists")
        db.session.add(Article(key=key, title=title, url=url or None))
        db.session.commit()
    click.echo(f"Added article {key}")


def _set_open(key: str, is_open: bool) -> None:
    """Open or close an article's comments."""
    from . import admin_audit
    from .db import db
    from .models import Article

    app = database_app()
    with app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.key == key))
        if article is None:
            raise click.ClickException(f"no article {key!r}")
        if article.comments_open != is_open:
            action = "article_reopened" if is_open else "article_closed"
            admin_audit.record(None, action, article.title or key, article.comments_open, is_open)
        article.comments_open = is_open
        db.session.commit()
    click.echo(f"Comments on {key} are now {'open' if is_open else 'closed'}")


@article_group.command("close")
@click.argument("key")
def article_close(key):
    """Stop new comments on article KEY."""
    _set_open(key, False)


@article_group.command("open")
@click.argument("key")
def article_open(key):
    """Allow comments on article KEY again."""
    _set_open(key, True)


def _moderator_name(ctx, param, value):
    """NAME as it is stored (NFKC), refused if too long or holding invisible characters."""
    from .accounts import clean_name, name_problem

    name = clean_name(value)
    if name_problem(name):
        raise click.BadParameter(
            "must be 1 to 64 characters, none of them invisible or control characters"
        )
    return name


@main.command("create-moderator")
@click.argument("name", callback=_moderator_name)
@click.option("--admin", is_flag=True, help="May also manage accounts and settings.")
@click.password_option(help="Asked for when not given (twice, hidden).")
def create_moderator(name, admin, password):
    """Add a moderator account NAME; only a scrypt hash of the password is stored.

    NAME is stored NFKC-normalized; a name that differs from an account's only in case,
    width or invisible characters is refused.
    """
    from . import admin_audit
    from .accounts import MIN_PASSWORD_LENGTH, look_alike
    from .db import db
    from .models import ADMIN, MODERATOR, Moderator

    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"the password must be at least {MIN_PASSWORD_LENGTH} characters"
        )
    app = database_app()
    with app.app_context():
        existing = look_alike(name)
        if existing is not None:
            raise click.ClickException(
                f"moderator {existing!r} already exists ({name!r} differs from it only in "
                "case, width or invisible characters)"
                if existing != name
                else f"moderator {name!r} already exists"
            )
        moderator = Moderator(name=name, role=ADMIN if admin else MODERATOR)
        moderator.set_password(password)
        db.session.add(moderator)
        admin_audit.record(None, "moderator_created", name, after=moderator.role)
        db.session.commit()
    click.echo(f"Created {'admin' if admin else 'moderator'} {name}")


@main.command("create-api-key")
@click.argument("name")
def create_api_key_command(name):
    """Create an API key called NAME and print it (only this once)."""
    from .api_keys import create_api_key

    app = database_app()
    with app.app_context():
        try:
            record, key = create_api_key(name)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Created API key {record.name} (id {record.id}). Keep it now, it is not stored:")
    click.echo(key)


@main.group("api-keys")
def api_keys_group():
    """List and revoke the scoring API's keys."""


@api_keys_group.command("list")
def api_keys_list():
    """Every key: id, name, created, revoked."""
    from .api_keys import list_api_keys

    app = database_app()
    with app.app_context():
        records = list_api_keys()
    if not records:
        click.echo("No API keys (comment-mod create-api-key NAME).")
    for r in records:
        revoked = f"revoked {r.revoked_at:%Y-%m-%d %H:%M}" if r.revoked else "active"
        click.echo(
            f"{r.id:>4}  {pad(r.name, 30)}  created {r.created_at:%Y-%m-%d %H:%M}  {revoked}"
        )


@api_keys_group.command("revoke")
@click.argument("name_or_id")
@click.option("--id", "by_id", is_flag=True, help="NAME_OR_ID is the key's id.")
@click.option("--name", "by_name", is_flag=True, help="NAME_OR_ID is the key's name.")
def api_keys_revoke(name_or_id, by_id, by_name):
    """Revoke the key called NAME_OR_ID, or with that id: it stops working at once.

    When NAME_OR_ID is one key's name and another key's id, nothing is revoked until
    --name or --id says which is meant.
    """
    from .api_keys import key_named, key_with_id, revoke_api_key

    if by_id and by_name:
        raise click.UsageError("give --id or --name, not both")
    app = database_app()
    with app.app_context():
        named = None if by_id else key_named(name_or_id)
        numbered = None if by_name else key_with_id(name_or_id)
        if named is not None and numbered is not None and named.id != numbered.id:
            raise click.ClickException(
                f"{name_or_id!r} is the name of key {named.id} and the id of key "
                f"{numbered.name!r}: add --name or --id to say which to revoke"
            )
        record = named or numbered
        if record is None:
            raise click.ClickException(f"no API key {name_or_id!r}")
        changed = revoke_api_key(record)
    click.echo(
        f"Revoked API key {record.name}" if changed else f"{record.name} was already revoked"
    )


@main.command("export-feedback")
@click.argument("out", type=click.Path(dir_okay=False, writable=True))
def export_feedback_command(out):
    """Write the feedback labels sent through the API as training data (native JSONL)."""
    import json

    from .db import db
    from .models import FeedbackLabel

    app = database_app()
    with app.app_context():
        rows = db.session.scalars(sa.select(FeedbackLabel).order_by(FeedbackLabel.id))
        lines = [json.dumps({"text": r.text, "labels": r.labels}, ensure_ascii=False) for r in rows]
    try:
        with open(out, "w", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in lines)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    click.echo(f"Wrote {len(lines):,} feedback labels to {out}")


if __name__ == "__main__":
    main()
