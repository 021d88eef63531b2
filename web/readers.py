"""Who the reader is: a random token in the signed session cookie, a row once they act."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import g, session
from sqlalchemy.dialects import postgresql, sqlite

from .db import db, utcnow
from .models import Reader

SESSION_KEY = "reader"
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def reader_token(create: bool = False) -> str | None:
    """The reader's token from the cookie, minting one when asked to."""
    token = session.get(SESSION_KEY)
    if token is None and create:
        token = secrets.token_hex(16)
        session[SESSION_KEY] = token
        session.permanent = True
    return token


def current_reader() -> Reader | None:
    """The reader's row, or None for someone who has not yet commented, voted or reported."""
    if "reader" not in g:
        token = reader_token()
        g.reader = (
            db.session.scalar(sa.select(Reader).where(Reader.token == token)) if token else None
        )
    return g.reader


def ensure_reader() -> Reader:
    """The reader's row, added to the session (not yet committed) if they are new."""
    reader = current_reader()
    if reader is None:
        token = reader_token(create=True)
        # Two first actions of one new reader may race to add the row: whichever comes
        # second adds nothing and finds the other's (it is rolled back with a failed action).
        insert = _INSERTS[db.session.get_bind().dialect.name](Reader)
        db.session.execute(
            insert.values(token=token, banned=False, created_at=utcnow()).on_conflict_do_nothing(
                index_elements=[Reader.token]
            )
        )
        reader = db.session.scalar(sa.select(Reader).where(Reader.token == token))
        g.reader = reader
    return reader
