"""The moderation queue in a real browser: login, keys, bulk reject, ban, inert HTML."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from web import comment_store
from web.db import db
from web.models import Article, Comment, Reader

from .conftest import MODERATOR_PASSWORD, add_moderator, make_app, served
from .test_widget_js import TIMEOUT_MS

pytestmark = pytest.mark.browser

HOSTILE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> 꺼져 병신아'


@pytest.fixture(scope="module")
def queue_app(tmp_path_factory, tiny_model):
    """The app with CSRF on and toxic comments held, served by werkzeug in a thread."""
    folder = tmp_path_factory.mktemp("queue-browser")
    app = make_app(
        f"sqlite:///{folder / 'queue.sqlite3'}",
        folder,
        tiny_model,
        WTF_CSRF_ENABLED=True,
        HOLD_THRESHOLD=0.5,
        REVIEW_THRESHOLD=0.3,
    )
    add_moderator(app)
    with served(app):
        yield app


@pytest.fixture
def held(queue_app):
    """A fresh article with five held comments by five authors; returns their ids, oldest first."""
    key = f"q-{uuid.uuid4().hex[:8]}"
    bodies = ["꺼져 병신아", "미친놈 아니야 이거", "닥쳐 멍청한 놈", "쓰레기 같은 놈들", HOSTILE]
    ids = []
    with queue_app.app_context():
        db.session.execute(sa.update(Comment).values(status="rejected"))  # an empty queue
        article = Article(key=key, title="큐 시험 기사")
        db.session.add(article)
        db.session.commit()
        for i, body in enumerate(bodies):
            reader = Reader(token=uuid.uuid4().hex, nickname=f"작성자{i}")
            db.session.add(reader)
            db.session.commit()
            comment = comment_store.post_comment(article, reader, body)
            assert comment.status == "pending"
            ids.append(comment.id)
    return ids


@pytest.fixture
def moderator_page(browser, queue_app):
    """A logged-in moderator's page on the held queue; page errors fail the test."""
    context = browser.new_context(locale="ko-KR")
    context.set_default_timeout(TIMEOUT_MS)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(queue_app.config["BASE_URL"] + "/moderation/queue/held")
    expect(page).to_have_url(
        f"{queue_app.config['BASE_URL']}/moderation/login?next=%2Fmoderation%2Fqueue%2Fheld"
    )
    page.get_by_label("아이디").fill("mod")
    page.get_by_label("비밀번호").fill(MODERATOR_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page).to_have_url(queue_app.config["BASE_URL"] + "/moderation/queue/held")
    yield page
    context.close()
    assert not errors, errors


def statuses(app, ids):
    """The comments' statuses, in the order of the ids."""
    with app.app_context():
        db.session.expire_all()
        return [db.session.get(Comment, i).status for i in ids]


def test_keyboard_bulk_and_ban(held, queue_app, moderator_page):
    page = moderator_page
    cards = page.locator(".mq-card")
    expect(cards).to_have_count(5)
    expect(cards.first).to_have_class("mq-card mq-status-pending is-current")

    # The hostile comment is shown as text and nothing in it ran.
    hostile = page.locator(f'.mq-card[data-id="{held[4]}"] .mq-body')
    assert "<script>window.pwned = 1</script>" in hostile.inner_text()
    assert hostile.locator("img, script").count() == 0
    assert page.evaluate("window.pwned") is None

    # Newest first: a approves the first card; the page reloads with the rest.
    with page.expect_navigation():
        page.keyboard.press("a")
    expect(cards).to_have_count(4)
    assert statuses(queue_app, [held[4]]) == ["published"]
    assert page.evaluate("window.pwned") is None

    # j moves down, 3 rejects with the third reason (혐오/차별); k goes back up.
    page.keyboard.press("j")
    expect(cards.nth(1)).to_have_class("mq-card mq-status-pending is-current")
    with page.expect_navigation():
        page.keyboard.press("3")
    assert statuses(queue_app, [held[2]]) == ["rejected"]
    expect(cards).to_have_count(3)
    expect(cards.nth(1)).to_have_class("mq-card mq-status-pending is-current")
    page.keyboard.press("k")
    expect(cards.nth(0)).to_have_class("mq-card mq-status-pending is-current")

    # u undoes the last action.
    with page.expect_navigation():
        page.keyboard.press("u")
    assert statuses(queue_app, [held[2]]) == ["pending"]
    expect(cards).to_have_count(4)

    # x selects two cards, then a bulk reject as 광고/도배.
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator(".mq-card.is-selected")).to_have_count(2)
    page.locator(".mq-bulk-reason").select_option("spam")
    with page.expect_navigation():
        page.locator(".mq-bulk-reject").click()
    assert statuses(queue_app, [held[3], held[2]]) == ["rejected", "rejected"]
    expect(page.locator(".mq-flash")).to_contain_text("2개 댓글을 거절했습니다 (광고/도배).")
    expect(cards).to_have_count(2)

    # Ban the author of the next card for seven days.
    card = cards.first
    card.locator(".mq-author-actions summary").click()
    card.locator(".mq-ban select").select_option("7")
    with page.expect_navigation():
        card.locator(".mq-ban-button").click()
    with queue_app.app_context():
        author = db.session.get(Comment, held[1]).author_id
        assert db.session.get(Reader, author).is_banned()
    expect(page.locator(".mq-flash")).to_contain_text("작성자를 정지했습니다 (7일).")

    # ? shows the keys.
    page.keyboard.press("?")
    expect(page.locator("#mq-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#mq-help")).to_be_hidden()


def test_notice_when_new_comments_arrive(held, queue_app, moderator_page):
    page = moderator_page
    queue_app.config["QUEUE_POLL_SECONDS"] = 1
    try:
        page.reload()
        notice = page.locator("#mq-notice")
        expect(notice).to_be_hidden()
        with queue_app.app_context():
            article = db.session.scalar(sa.select(Article).order_by(Article.id.desc()))
            reader = Reader(token=uuid.uuid4().hex, nickname="늦은작성자")
            db.session.add(reader)
            db.session.commit()
            comment_store.post_comment(article, reader, "닥치고 있어 병신")
        expect(notice).to_be_visible()
        expect(page.locator('.mq-count[data-queue="held"]')).to_have_text("6")
        assert page.locator(".mq-card").count() == 5  # the moderator's page did not move
    finally:
        queue_app.config["QUEUE_POLL_SECONDS"] = 30


def test_dashboard_draws_its_charts(held, queue_app, moderator_page):
    page = moderator_page
    page.get_by_role("link", name="대시보드").click()
    charts = page.locator("img.mq-chart")
    expect(charts).to_have_count(5)
    for i in range(5):
        expect(charts.nth(i)).to_have_js_property("complete", True)
        assert charts.nth(i).evaluate("img => img.naturalWidth") > 0
