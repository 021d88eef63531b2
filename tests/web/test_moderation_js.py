"""The moderation queue in a real browser: login, keys, bulk reject, ban, inert HTML."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from web import comment_store, model_store
from web.db import db
from web.models import Article, Comment, Decision, Moderator, Reader

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
    page.wait_for_load_state()  # the keyboard script (deferred) is in place
    yield page
    context.close()
    assert not errors, errors


def statuses(app, ids):
    """The comments' statuses, in the order of the ids."""
    with app.app_context():
        db.session.expire_all()
        return [db.session.get(Comment, i).status for i in ids]


def reasons(app, ids):
    """The reason of each comment's latest decision, in the order of the ids."""
    with app.app_context():
        return [
            db.session.scalar(
                sa.select(Decision.reason)
                .where(Decision.comment_id == i)
                .order_by(Decision.id.desc())
                .limit(1)
            )
            for i in ids
        ]


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

    # x selects two cards; with a selection, 6 bulk-rejects it as 광고/도배 (the 6th reason).
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator(".mq-card.is-selected")).to_have_count(2)
    with page.expect_navigation():
        page.keyboard.press("6")
    assert statuses(queue_app, [held[3], held[2]]) == ["rejected", "rejected"]
    assert reasons(queue_app, [held[3], held[2]]) == ["spam", "spam"]
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

    # r rejects the current card with the model's top category (the tiny model knows "insult").
    page.keyboard.press("k")
    expect(cards.first).to_have_class("mq-card mq-status-pending is-current")
    with page.expect_navigation():
        page.keyboard.press("r")
    assert statuses(queue_app, [held[1]]) == ["rejected"]
    assert reasons(queue_app, [held[1]]) == ["insult"]

    # ? shows the keys, including the ones for a selection.
    page.keyboard.press("?")
    expect(page.locator("#mq-help")).to_be_visible()
    expect(page.locator("#mq-help")).to_contain_text("일괄 승인")
    page.keyboard.press("Escape")
    expect(page.locator("#mq-help")).to_be_hidden()


def test_keyboard_on_a_selection(held, queue_app, moderator_page):
    page = moderator_page
    cards = page.locator(".mq-card")
    expect(cards).to_have_count(5)
    expect(cards.first).to_have_class("mq-card mq-status-pending is-current")

    # Escape drops the selection; a then approves only the current card.
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator(".mq-card.is-selected")).to_have_count(2)
    page.keyboard.press("Escape")
    expect(page.locator(".mq-card.is-selected")).to_have_count(0)

    # Three selected, a approves the three and nothing else.
    page.keyboard.press("k")
    for key in ("x", "j", "x", "j", "x"):
        page.keyboard.press(key)
    expect(page.locator(".mq-card.is-selected")).to_have_count(3)
    with page.expect_navigation():
        page.keyboard.press("a")
    assert statuses(queue_app, held) == ["pending", "pending"] + ["published"] * 3
    expect(page.locator(".mq-flash")).to_contain_text("3개 댓글을 승인했습니다.")

    # r on a selection rejects it with the reason chosen in the bulk form.
    expect(cards).to_have_count(2)
    page.locator(".mq-bulk-reason").select_option("threat")
    cards.first.locator(".mq-body").click()  # back to the cards, the first one current
    expect(cards.first).to_have_class("mq-card mq-status-pending is-current")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    with page.expect_navigation():
        page.keyboard.press("r")
    assert statuses(queue_app, held[:2]) == ["rejected", "rejected"]
    assert reasons(queue_app, held[:2]) == ["threat", "threat"]


def test_a_second_moderator_on_a_stale_page_is_told(held, queue_app, moderator_page, browser):
    """mod approves a card; mod2, whose page still shows it held, rejects it: refused."""
    with queue_app.app_context():
        if db.session.scalar(sa.select(Moderator).where(Moderator.name == "mod2")) is None:
            add_moderator(queue_app, name="mod2")
    context = browser.new_context(locale="ko-KR")
    context.set_default_timeout(TIMEOUT_MS)
    late = context.new_page()
    late.goto(queue_app.config["BASE_URL"] + "/moderation/login?next=/moderation/queue/held")
    late.get_by_label("아이디").fill("mod2")
    late.get_by_label("비밀번호").fill(MODERATOR_PASSWORD)
    late.get_by_role("button", name="로그인").click()
    expect(late.locator(".mq-card")).to_have_count(5)

    page = moderator_page
    with page.expect_navigation():
        page.keyboard.press("a")  # the newest card
    assert statuses(queue_app, [held[4]]) == ["published"]

    stale_card = late.locator(f'.mq-card[data-id="{held[4]}"]')
    with late.expect_navigation():
        stale_card.locator(".mq-reject-insult").click()
    expect(late.locator(".mq-flash")).to_contain_text("그사이 다른 운영자가 결정한 댓글입니다.")
    assert statuses(queue_app, [held[4]]) == ["published"]
    expect(late.locator(".mq-card")).to_have_count(4)  # the page now shows what is held
    context.close()

    # Nothing overrode the approval: undo takes it back and says so.
    with page.expect_navigation():
        page.keyboard.press("u")
    expect(page.locator(".mq-flash")).to_contain_text("마지막 작업을 되돌렸습니다 (1건).")
    assert statuses(queue_app, [held[4]]) == ["pending"]


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


def test_an_expired_login_sends_the_page_to_login(held, queue_app, moderator_page):
    page = moderator_page
    queue_app.config.update(QUEUE_POLL_SECONDS=1, MODERATOR_IDLE_MINUTES=0.05)
    try:
        page.reload()
        expect(page.locator(".mq-card")).to_have_count(5)
        # The arrival poll is no activity: after 3 idle seconds it is refused, and the
        # page reloads onto the login form, which says why.
        expect(page).to_have_url(re.compile(r"/moderation/login\?next="), timeout=10_000)
        expect(page.locator(".mq-flash")).to_contain_text("다시 로그인해 주세요")
    finally:
        queue_app.config.update(QUEUE_POLL_SECONDS=30, MODERATOR_IDLE_MINUTES=60)


# The texts of these elements that a line break cuts (one text node on two lines).
BROKEN_LABELS = """selector => [...document.querySelectorAll(selector)].flatMap(el => {
  const texts = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const broken = [];
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (lines.size > 1) broken.push(node.textContent.trim());
  }
  return broken;
})"""
LABELS = ".mq-top a, .mq-link, .mq-who, .mq-tab, .mq-sort, .mq-badge, .mq-score span, .mq-audit th"


def test_pages_fit_a_phone(held, queue_app, moderator_page):
    """At 375 px nothing widens the page and no label or header breaks inside a word."""
    page = moderator_page
    page.set_viewport_size({"width": 375, "height": 800})
    base = queue_app.config["BASE_URL"]
    for path in ("/moderation/queue/held", "/moderation/audit", "/moderation/dashboard/"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") == 375, path
        assert page.evaluate(BROKEN_LABELS, LABELS) == [], path
    page.goto(base + "/api/v1/docs")
    assert page.evaluate("document.documentElement.scrollWidth") == 375


@pytest.fixture(scope="module")
def queue_admin(queue_app):
    """An admin's account on the queue app; returns its name."""
    add_moderator(queue_app, name="boss", role="admin")
    return "boss"


def admin_page(browser, app, name, width):
    """A new browser page logged in as the admin ``name``, ``width`` pixels wide."""
    context = browser.new_context(locale="ko-KR", viewport={"width": width, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(app.config["BASE_URL"] + "/moderation/login")
    page.get_by_label("아이디").fill(name)
    page.get_by_label("비밀번호").fill(MODERATOR_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page).not_to_have_url(re.compile("/login"))
    return page


# A refused candidate's verdict as the gate words it, a path outside the reports folder.
GATE_REASONS = [
    f"{name} 0.912 -> 0.874 (-0.038), margin 0.01: refused, falls more than 0.01"
    for name in ("toxic F1", "toxic ROC-AUC", "insult ROC-AUC", "profanity ROC-AUC")
]


@pytest.mark.parametrize("width", [1280, 375])
def test_the_model_versions_fit_the_page(browser, queue_app, queue_admin, width):
    """The version table fits its box, rollback button included, without scrolling it."""
    with queue_app.app_context():
        if model_store.find_version("20261208-041822-486924c0") is None:
            for version, status in (
                ("20261208-041822-486924c0", "candidate"),
                ("20261207-2", "retired"),
            ):
                model_store.add_version(
                    b"model",
                    version,
                    created_by="moderator:" + "관리자계정이름이긴사람",
                    status=status,
                    verdict={"promote": False, "forced": False, "reasons": GATE_REASONS},
                    report_path="/var/lib/comment-mod/instance/reports/" + "x" * 60 + ".md",
                )
    page = admin_page(browser, queue_app, queue_admin, width)
    page.goto(queue_app.config["BASE_URL"] + "/moderation/models/")
    table = page.locator(".mq-versions")
    box = page.locator(".mq-scroll").bounding_box()
    assert page.evaluate("document.documentElement.scrollWidth") == width
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    buttons = page.get_by_role("button", name="이 버전으로 되돌리기")
    expect(buttons).to_have_count(2)
    for button in buttons.all():
        shown = button.bounding_box()
        assert box["x"] <= shown["x"] and shown["x"] + shown["width"] <= box["x"] + box["width"]
    assert page.evaluate(BROKEN_LABELS, LABELS) == []
    page.context.close()


def test_a_new_api_key_fits_a_phone(browser, queue_app, queue_admin):
    page = admin_page(browser, queue_app, queue_admin, 375)
    page.goto(queue_app.config["BASE_URL"] + "/moderation/api-keys/")
    page.get_by_label("이름 (누가 쓰는 키인지)").fill(f"phone-{uuid.uuid4().hex[:6]}")
    page.get_by_role("button", name="만들기").click()
    key = page.locator(".mq-key-value")
    expect(key).to_be_visible()
    box = key.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") == 375
    page.context.close()
