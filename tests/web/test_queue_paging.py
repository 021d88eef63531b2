"""Cursor paging of the moderation queues: stable while comments arrive and are decided."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
import sqlalchemy as sa

from web import moderation_queue as mq
from web import pagination
from web.db import db
from web.models import Article, Comment, Reader

from .conftest import add_moderator, log_in

HOLD = 0.5
# Ties on purpose (equal scores, equal distances to the hold threshold) and unscored ones.
TOXICITIES = [0.9, 0.7, None, 0.3, 0.7, 0.5, 0.9, 0.1, None, 0.5, 0.65, 0.35, 0.7, 0.2]
QUEUES = {  # queue -> the columns that put a comment in it
    "held": {"status": "pending"},
    "review": {"status": "flagged"},
    "reported": {"status": "published", "report_count": 2},
    "all": {"status": "rejected"},  # with the status filter below
}
FILTERS = {"all": mq.Filters(status="rejected")}


def add_comments(app, toxicities, **columns) -> list[int]:
    """Store comments with these scores (and columns) on one article; returns their ids."""
    with app.app_context():
        article = db.session.scalar(sa.select(Article).where(Article.key == "paging"))
        if article is None:
            article = Article(key="paging", title="쪽 나누기")
            db.session.add(article)
        reader = Reader(token=uuid.uuid4().hex, nickname="독자")
        db.session.add(reader)
        db.session.flush()
        comments = [
            Comment(
                article_id=article.id,
                author_id=reader.id,
                nickname="독자",
                body=f"댓글 {i} {t}",
                body_hash=f"{i:064x}",
                toxicity=t,
                **columns,
            )
            for i, t in enumerate(toxicities)
        ]
        db.session.add_all(comments)
        db.session.commit()
        return [c.id for c in comments]


def expected_order(rows, sort, hold=HOLD) -> list[int]:
    """The order the queue promises, computed here from (id, toxicity) pairs."""
    if sort == "newest":
        return [i for i, _ in sorted(rows, key=lambda r: -r[0])]
    if sort == "toxicity":
        return [i for i, _ in sorted(rows, key=lambda r: (-(2.0 if r[1] is None else r[1]), -r[0]))]
    distance = {i: abs((hold if t is None else t) - hold) for i, t in rows}
    return sorted(distance, key=lambda i: (distance[i], -i))


def walk(app, queue, sort, per_page=3, between=None) -> list[int]:
    """Every id the queue shows, page after page; ``between(page_number)`` runs between pages."""
    seen, cursor = [], None
    with app.app_context():
        while True:
            page = mq.list_queue(queue, sort, cursor, per_page, HOLD, FILTERS.get(queue))
            seen += [c.id for c in page.comments]
            if page.next_cursor is None:
                return seen
            if between is not None:
                between(page.page)
            cursor = mq.QueueCursor.decode(page.next_cursor, queue, sort)
            db.session.expire_all()


@pytest.mark.parametrize("sort", list(mq.SORTS))
@pytest.mark.parametrize("queue", list(QUEUES))
def test_every_queue_pages_in_its_order(app, queue, sort):
    ids = add_comments(app, TOXICITIES, **QUEUES[queue])
    add_comments(app, [0.6, 0.4], status="published")  # in no queue but 전체 without filter
    rows = list(zip(ids, TOXICITIES, strict=True))
    assert walk(app, queue, sort) == expected_order(rows, sort)


@pytest.mark.parametrize("sort", list(mq.SORTS))
def test_arrivals_and_decisions_between_pages_neither_repeat_nor_skip(app, sort):
    ids = add_comments(app, TOXICITIES, status="pending")
    order = expected_order(list(zip(ids, TOXICITIES, strict=True)), sort)
    shown_first = order[:3]
    decided = {shown_first[0], order[7]}  # one already shown, one still to come

    def meanwhile(page_number):
        if page_number == 1:
            add_comments(app, [0.95, 0.5, None, 0.1], status="pending")  # new arrivals
            with app.app_context():
                db.session.execute(
                    sa.update(Comment).where(Comment.id.in_(decided)).values(status="rejected")
                )
                db.session.commit()

    seen = walk(app, "held", sort, between=meanwhile)
    assert len(seen) == len(set(seen)), "a comment was shown twice"
    # Every comment that waited all along and was not decided is shown, in order.
    assert [i for i in seen if i in ids] == [
        i for i in order if i not in decided or i in shown_first
    ]


def test_uncertain_order_keeps_its_threshold_across_pages(app):
    ids = add_comments(app, TOXICITIES, status="pending")
    with app.app_context():
        first = mq.list_queue("held", "uncertain", None, 4, HOLD)
        cursor = mq.QueueCursor.decode(first.next_cursor, "held", "uncertain")
        # The admin moves the threshold: the pages already begun keep the old one.
        rest = mq.list_queue("held", "uncertain", cursor, 100, 0.9)
    seen = [c.id for c in first.comments + rest.comments]
    assert seen == expected_order(list(zip(ids, TOXICITIES, strict=True)), "uncertain")


def test_cursors_are_signed_and_bound_to_their_list(app):
    add_comments(app, TOXICITIES, status="pending")
    with app.app_context():
        cursor = mq.list_queue("held", "toxicity", None, 3, HOLD).next_cursor
        assert mq.QueueCursor.decode(cursor, "held", "toxicity").page == 1
        for other in [("held", "newest"), ("review", "toxicity")]:
            with pytest.raises(pagination.BadCursor):
                mq.QueueCursor.decode(cursor, *other)
        payload, _, signature = cursor.rpartition(".")
        forged = payload.replace(payload[2], "A" if payload[2] != "A" else "B", 1)
        for bad in [forged + "." + signature, cursor[:-2], "", "x.y", "%%%", "a" * 5000]:
            with pytest.raises(pagination.BadCursor):
                mq.QueueCursor.decode(bad, "held", "toxicity")
        # Signed by this server but not holding a cursor's values.
        for values in [
            [1, 2],
            ["held", "toxicity", "x", None, 0.5, 1],
            ["held", "toxicity", 1, "a", 0.5, 1],
        ]:
            odd = pagination.encode_signed_cursor(values, app.secret_key, mq.CURSOR_SALT)
            with pytest.raises(pagination.BadCursor):
                mq.QueueCursor.decode(odd, "held", "toxicity")


def test_page_links_follow_cursors_and_bad_ones_show_the_first_page(app_factory):
    app = app_factory(QUEUE_PER_PAGE=4)
    ids = add_comments(app, TOXICITIES, status="pending")
    add_moderator(app)
    client = app.test_client()
    log_in(client)
    url, seen, pages = "/moderation/queue/held?sort=toxicity", [], 0
    while url:
        page = client.get(url).text
        pages += 1
        seen += [int(i) for i in re.findall(r'class="mq-card [^"]*" data-id="(\d+)"', page)]
        assert f"{pages} 쪽" in page
        link = re.search(r'href="([^"]+)" class="mq-next"', page)
        url = unescape(link.group(1)) if link else None
    assert seen == expected_order(list(zip(ids, TOXICITIES, strict=True)), "toxicity")
    assert pages == 4
    for bad in ["nonsense", "eyJ.abc", "%FF%FE", "a" * 3000]:
        response = client.get(f"/moderation/queue/held?sort=toxicity&cursor={bad}")
        assert response.status_code == 200
        assert "목록 위치가 올바르지 않아 첫 쪽을 보여 드립니다." in response.text
        assert "1 쪽" in response.text
    # A cursor of another sort is refused the same way, not misread.
    first = client.get("/moderation/queue/held?sort=newest").text
    newest_cursor = unescape(re.search(r'cursor=([^"&]+)', first).group(1))
    response = client.get(f"/moderation/queue/held?sort=toxicity&cursor={newest_cursor}")
    assert "목록 위치가 올바르지 않아" in response.text
