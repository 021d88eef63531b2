"""Who the reader is: a random token in the signed session cookie, a row once they act."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask import g, session

from .db import db
from .models import Reader

SESSION_KEY = "reader"


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
        reader = Reader(token=reader_token(create=True))
        db.session.add(reader)
        g.reader = reader
    return reader
