import sqlalchemy as sa
from flask import session

from web import readers
from web.db import db
from web.models import Reader


def test_a_new_reader_gets_one_row(app):
    with app.test_request_context():
        reader = readers.ensure_reader()
        assert reader.id is not None and reader.token == session[readers.SESSION_KEY]
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reader)) == 1


def test_a_row_added_by_a_racing_request_is_found_not_duplicated(app, monkeypatch):
    token = "a" * 32
    with app.test_request_context():
        db.session.add(Reader(token=token))
        db.session.commit()
    with app.test_request_context():
        session[readers.SESSION_KEY] = token
        # As if the other request committed the row just after this one looked.
        monkeypatch.setattr(readers, "current_reader", lambda: None)
        reader = readers.ensure_reader()
        db.session.commit()
        assert reader.token == token
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reader)) == 1
