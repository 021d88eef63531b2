"""Posting policy, sort orders and cursors, and vote counts under concurrency."""

from __future__ import annotations

import logging
import threading

import pytest
import sqlalchemy as sa

from web import comment_store
from web.db import db
from web.models import Article, Comment, Reader, Vote
from web.scoring import model_holder

from .conftest import add_reader


class BrokenModel:
    """A model whose scoring fails, as a corrupt or incompatible one would."""

    version = "broken"

    def score(self, texts):
        raise RuntimeError("weights are garbage")


def post_as(app, reader_id, key, body):
    """Post through the store as a stored reader; returns the comment id and status."""
    with app.app_context():
        reader = db.session.get(Reader, reader_id)
        article = comment_store.find_article(key)
        comment = comment_store.post_comment(article, reader, body, ip="10.0.0.1")
        return comment.id, comment.status


def statuses(app):
    """Every comment's status by body."""
    with app.app_context():
        return dict(db.session.execute(sa.select(Comment.body, Comment.status)).all())


def test_thresholds_decide_the_status(app_factory, tiny_model):
    app = app_factory(HOLD_THRESHOLD=0.9, REVIEW_THRESHOLD=0.4)
    with app.app_context():
        db.session.add(Article(key="a"))
        db.session.commit()
        (low, high) = tiny_model.score(["좋은 기사 감사합니다", "꺼져 병신아 멍청이"])
    reader = add_reader(app)
    post_as(app, reader, "a", "좋은 기사 감사합니다")
    post_as(app, reader, "a", "꺼져 병신아 멍청이")
    result = statuses(app)
    expected_low = "published" if low.toxicity < 0.4 else "flagged"
    assert result["좋은 기사 감사합니다"] == expected_low
    assert high.toxicity >= 0.9, "the tiny model should be sure of this one"
    assert result["꺼져 병신아 멍청이"] == "pending"


@pytest.mark.parametrize(
    ("hold", "review", "status"),
    [(0.0, 0.0, "pending"), (1.0, 0.0, "flagged"), (1.0, 1.0, "published")],
)
def test_each_band(app_factory, hold, review, status):
    app = app_factory(HOLD_THRESHOLD=hold, REVIEW_THRESHOLD=review)
    with app.app_context():
        db.session.add(Article(key="a"))
        db.session.commit()
    _, got = post_as(app, add_reader(app), "a", "평범한 댓글입니다")
    assert got == status
    with app.app_context():
        count = db.session.scalar(sa.select(Article.comment_count))
        assert count == (0 if status == "pending" else 1)


@pytest.mark.parametrize("model", [BrokenModel(), None])
def test_model_failure_holds_the_comment_and_logs(app_factory, caplog, model):
    app = app_factory(model=model)  # None: nothing at MODEL_PATH to load
    with app.app_context():
        db.session.add(Article(key="a"))
        db.session.commit()
    with caplog.at_level(logging.ERROR, logger="web.comment_store"):
        _, status = post_as(app, add_reader(app), "a", "점수를 못 매겨도 남아야 하는 댓글")
    assert status == "pending"
    assert "could not score" in caplog.text
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment))
        assert comment.hold_reason == "model_error"
        assert comment.toxicity is None


def test_repeated_body_is_held_as_spam(app, article):
    reader = add_reader(app)
    results = [
        post_as(app, reader, article, "광고 보고 가세요!! 010-0000-0000")[1] for _ in range(3)
    ]
    assert results == ["published", "published", "pending"]
    # Spacing and case do not make it new.
    _, status = post_as(app, reader, article, "광고  보고 가세요!!  010-0000-0000 ")
    assert status == "pending"
    with app.app_context():
        reasons = db.session.scalars(sa.select(Comment.hold_reason).order_by(Comment.id))
        assert list(reasons) == [None, None, "spam", "spam"]


def test_repeat_from_same_address_with_new_cookie_is_caught(app, article):
    for _ in range(2):
        post_as(app, add_reader(app), article, "도배 댓글")
    _, status = post_as(app, add_reader(app), article, "도배 댓글")
    assert status == "pending"


def make_comments(app, key, votes):
    """One comment per (up, down) pair, oldest first; returns their ids."""
    ids = []
    with app.app_context():
        article = comment_store.find_article(key)
        reader = db.session.get(Reader, add_reader(app))
        for i, (up, down) in enumerate(votes):
            comment = comment_store.post_comment(article, reader, f"댓글 {i}")
            comment.upvotes, comment.downvotes = up, down
            ids.append(comment.id)
        db.session.commit()
    return ids


def page_ids(app, key, sort, cursor=None, limit=2, viewer_id=None):
    """Ids on one page and the next cursor."""
    with app.app_context():
        viewer = db.session.get(Reader, viewer_id) if viewer_id else None
        page = comment_store.list_comments(
            comment_store.find_article(key), sort, cursor, viewer, limit=limit
        )
        return [c.id for c in page.comments], page.next_cursor


def all_pages(app, key, sort, limit=2):
    """Every id in order, following cursors."""
    ids, cursor = page_ids(app, key, sort, limit=limit)
    while cursor:
        more, cursor = page_ids(app, key, sort, cursor, limit=limit)
        ids += more
    return ids


def test_sort_orders_break_ties_by_newest(app, article):
    a, b, c, d, e = make_comments(app, article, [(3, 0), (5, 1), (3, 4), (0, 4), (0, 0)])
    assert all_pages(app, article, "newest") == [e, d, c, b, a]
    assert all_pages(app, article, "upvotes") == [b, c, a, e, d]
    assert all_pages(app, article, "downvotes") == [d, c, b, e, a]


def test_cursor_is_stable_while_comments_arrive(app, article):
    ids = make_comments(app, article, [(0, 0)] * 5)
    first, cursor = page_ids(app, article, "newest")
    assert first == ids[:-3:-1]
    make_comments(app, article, [(0, 0)] * 3)  # newer comments arrive
    second, cursor = page_ids(app, article, "newest", cursor)
    assert second == [ids[2], ids[1]]
    third, cursor = page_ids(app, article, "newest", cursor)
    assert (third, cursor) == ([ids[0]], None)


def test_cursor_of_one_sort_is_refused_by_another(app, article):
    make_comments(app, article, [(0, 0)] * 3)
    _, cursor = page_ids(app, article, "upvotes")
    with pytest.raises(comment_store.CommentError) as info, app.app_context():
        comment_store.list_comments(comment_store.find_article(article), "newest", cursor)
    assert info.value.code == "invalid_cursor"


def test_held_comment_is_shown_only_to_its_author(app_factory):
    app = app_factory(HOLD_THRESHOLD=0.0, REVIEW_THRESHOLD=0.0)
    with app.app_context():
        db.session.add(Article(key="a"))
        db.session.commit()
    author, other = add_reader(app), add_reader(app)
    post_as(app, author, "a", "검토가 필요한 댓글")
    with app.app_context():
        article = comment_store.find_article("a")
        mine = comment_store.list_comments(article, viewer=db.session.get(Reader, author))
        theirs = comment_store.list_comments(article, viewer=db.session.get(Reader, other))
        anonymous = comment_store.list_comments(article)
        assert [c.body for c in mine.own_pending] == ["검토가 필요한 댓글"]
        assert mine.comments == theirs.comments == anonymous.comments == []
        assert theirs.own_pending == anonymous.own_pending == []


def test_set_status_keeps_the_count(app, article):
    (comment_id,) = make_comments(app, article, [(0, 0)])
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment_store.set_status(comment, "rejected")
        db.session.commit()
        assert db.session.scalar(sa.select(Article.comment_count)) == 0
        comment_store.set_status(comment, "flagged", "toxicity")
        db.session.commit()
        assert db.session.scalar(sa.select(Article.comment_count)) == 1


def test_vote_counts_equal_votes_under_concurrency(app, article):
    """Many readers flip their votes at once; the counts still match the vote rows."""
    (comment_id,) = make_comments(app, article, [(0, 0)])
    readers = [add_reader(app, nickname=f"r{i}") for i in range(8)]
    sequence = ["up", "down", "up", "none", "down", "up", "up", "down"]
    errors = []
    start = threading.Barrier(len(readers))

    def run(reader_id):
        try:
            with app.app_context():
                reader = db.session.get(Reader, reader_id)
                start.wait()
                for choice in sequence:
                    comment_store.set_vote(comment_id, reader, choice)
                db.session.remove()
        except Exception as exc:  # reported below, with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        ups = db.session.scalar(sa.select(sa.func.count()).where(Vote.value == 1))
        downs = db.session.scalar(sa.select(sa.func.count()).where(Vote.value == -1))
        assert (comment.upvotes, comment.downvotes) == (ups, downs) == (0, len(readers))


def test_same_reader_racing_on_one_comment(app, article):
    """Two tabs of one reader clicking at once cannot count a vote twice."""
    (comment_id,) = make_comments(app, article, [(0, 0)])
    reader_id = add_reader(app)
    errors = []
    start = threading.Barrier(4)

    def run(choice):
        try:
            with app.app_context():
                reader = db.session.get(Reader, reader_id)
                start.wait()
                for _ in range(10):
                    comment_store.set_vote(comment_id, reader, choice)
                db.session.remove()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(c,)) for c in ("up", "up", "none", "down")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        votes = list(db.session.scalars(sa.select(Vote.value)))
        assert len(votes) <= 1
        assert comment.upvotes == votes.count(1)
        assert comment.downvotes == votes.count(-1)


def test_model_holder_is_swappable(app, tiny_model, article):
    class Constant:
        version = "constant-1"

        def score(self, texts):
            return tiny_model.score(texts)

    with app.app_context():
        model_holder().swap(Constant())
    post_as(app, add_reader(app), article, "교체된 모델로 채점")
    with app.app_context():
        assert db.session.scalar(sa.select(Comment.model_version)) == "constant-1"
