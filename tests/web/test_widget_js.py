"""The widget in a real browser: Debian's chromium driven by Playwright, headless."""

from __future__ import annotations

import re
import threading
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from werkzeug.serving import make_server

from web import comment_store
from web.db import db, utcnow
from web.models import Article, Comment, Reader, Vote
from web.text import body_length

from .conftest import make_app

pytestmark = pytest.mark.browser

TIMEOUT_MS = 5000
NETWORK_ERROR = "네트워크 오류가 발생했습니다. 잠시 후 다시 시도해 주세요."
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦: 7 code points
KOREAN_FLAG = "\U0001f1f0\U0001f1f7"  # 🇰🇷: two regional indicators


def news_site(environ, start_response):
    """A partner site's article page: its path is the article key, plus our one script tag."""
    key = environ["PATH_INFO"].rsplit("/", 1)[-1]
    page = f"""<!doctype html><html lang="ko"><head><meta charset="utf-8">
        <title>제휴 언론사 기사</title></head><body><h1>제휴 언론사 기사</h1>
        <script src="{news_site.comments_base}/embed.js" data-article-key="{key}"></script>
        </body></html>"""
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [page.encode("utf-8")]


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, tiny_model):
    """The app on a temporary SQLite file, served by werkzeug in a thread."""
    folder = tmp_path_factory.mktemp("browser")
    app = make_app(
        f"sqlite:///{folder / 'browser.sqlite3'}",
        folder,
        tiny_model,
        WTF_CSRF_ENABLED=True,
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    # A "news site" on another origin: a second server on loopback (Chromium does not let
    # a page from a public address load from a loopback one).
    news = make_server("127.0.0.1", 0, news_site, threaded=True)
    threading.Thread(target=news.serve_forever, daemon=True).start()
    app.config["NEWS_SITE"] = f"http://localhost:{news.server_port}"
    app.config["ALLOWED_ORIGINS"] = [app.config["NEWS_SITE"]]
    news_site.comments_base = app.config["BASE_URL"]
    yield app
    news.shutdown()
    server.shutdown()


@pytest.fixture
def reader_page(browser):
    """Open pages as a new reader (own cookies); page errors fail the test."""
    contexts, errors = [], []

    def open_page(url, javascript=True, bypass_csp=False, timezone_id=None, init_script=None):
        context = browser.new_context(
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            locale="ko-KR",
            timezone_id=timezone_id,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, errors


@pytest.fixture
def article(live_app):
    """A fresh article for each test; returns its comments page URL and key."""
    key = f"art-{uuid.uuid4().hex[:8]}"
    with live_app.app_context():
        db.session.add(Article(key=key, title="브라우저 시험 기사"))
        db.session.commit()
    return f"{live_app.config['BASE_URL']}/articles/{key}/comments", key


def seed(app, key, votes):
    """Comments on ``key`` oldest first with the given (up, down) counts; returns bodies."""
    bodies = []
    with app.app_context():
        reader = Reader(token=uuid.uuid4().hex, nickname="시드독자")
        db.session.add(reader)
        db.session.commit()
        target = comment_store.find_article(key)
        for i, (up, down) in enumerate(votes):
            body = f"{key} 시드 댓글 {i}"
            comment = comment_store.post_comment(target, reader, body)
            comment.upvotes, comment.downvotes = up, down
            bodies.append(body)
        db.session.commit()
    return bodies


def bodies_on(page):
    """Comment bodies in the order shown."""
    return page.locator(".cm-list .cm-body").all_inner_texts()


def post_from_page(page, body, nickname="브라우저독자"):
    """Type and submit a comment."""
    nick = page.locator(".cm-nick-input")
    if nick.count():
        nick.fill(nickname)
    page.locator(".cm-input").fill(body)
    page.locator(".cm-submit").click()


def test_counter_and_hard_limit(reader_page, article):
    page = reader_page(article[0])
    box, length = page.locator(".cm-input"), page.locator(".cm-len")
    assert length.inner_text() == "0"
    box.fill("안녕하세요")
    assert length.inner_text() == "5"
    box.fill("가" * 160)
    assert length.inner_text() == "150"
    assert len(box.input_value()) == 150
    # 150 syllables typed as 300 decomposed jamo count as 150, as on the server.
    box.fill(unicodedata.normalize("NFD", "한" * 150))
    assert length.inner_text() == "150"
    box.fill("😀" * 151)
    assert length.inner_text() == "150"
    assert page.locator(".cm-counter.is-full").count() == 1


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("가" * 148 + FAMILY, "가" * 148),  # not 👨 and a dangling zero-width joiner
        ("가" * 149 + KOREAN_FLAG, "가" * 149),  # not a lone 🇰
        ("가" * 143 + FAMILY, "가" * 143 + FAMILY),  # exactly 150
    ],
)
def test_limit_never_cuts_inside_a_character(reader_page, article, typed, kept):
    page = reader_page(article[0])
    box = page.locator(".cm-input")
    box.fill(typed)
    assert box.input_value() == kept
    assert page.locator(".cm-len").inner_text() == str(len(kept))


def test_limit_falls_back_to_code_points_without_segmenter(reader_page, article):
    page = reader_page(article[0], init_script="delete Intl.Segmenter;")
    assert page.evaluate("typeof Intl.Segmenter") == "undefined"
    box = page.locator(".cm-input")
    box.fill("가" * 149 + "😀😀")
    assert box.input_value() == "가" * 149 + "😀"  # whole code points, no lone surrogate
    assert page.locator(".cm-len").inner_text() == "150"


def paste(page, text):
    """Paste text at the caret of the comment box through the real clipboard."""
    page.context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=page.url.split("/articles/")[0]
    )
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.keyboard.press("Control+V")


def caret(page):
    """The comment box's selection as (start, end)."""
    box = page.locator(".cm-input")
    return tuple(box.evaluate("box => [box.selectionStart, box.selectionEnd]"))


def test_paste_over_the_limit_cuts_the_pasted_text_not_the_rest(reader_page, article):
    page = reader_page(article[0])
    box = page.locator(".cm-input")
    box.fill("앞부분 뒷부분")
    box.evaluate("box => box.setSelectionRange(3, 3)")  # after 앞부분
    paste(page, "나" * 200)
    expect(page.locator(".cm-len")).to_have_text("150")
    assert box.input_value() == "앞부분" + "나" * 143 + " 뒷부분"
    assert caret(page) == (146, 146)  # at the end of what was pasted
    # Replacing a selection: a cluster that would not fit is left out whole.
    box.fill("앞부분 뒷부분")
    box.evaluate("box => box.setSelectionRange(0, 3)")  # 앞부분 selected
    paste(page, "다" * 142 + FAMILY + "다")
    expect(page.locator(".cm-len")).to_have_text("146")
    assert box.input_value() == "다" * 142 + " 뒷부분"
    assert caret(page) == (142, 142)
    # Typing in the middle up to the limit, then past it: the extra text is what goes.
    box.evaluate("box => box.setSelectionRange(10, 10)")
    page.keyboard.insert_text("라마바사")
    full = "다" * 10 + "라마바사" + "다" * 132 + " 뒷부분"
    assert box.input_value() == full
    page.keyboard.insert_text("아자")
    assert box.input_value() == full
    assert caret(page) == (14, 14)
    assert page.locator(".cm-len").inner_text() == "150"


def test_post_without_reload(reader_page, article, live_app):
    url, key = article
    page = reader_page(url)
    assert page.locator(".cm-empty").is_visible()
    post_from_page(page, f"{key} 처음 쓰는 댓글", nickname="김브라우저")
    first = page.locator(".cm-list .cm-item").first
    first.locator(".cm-body").filter(has_text="처음 쓰는 댓글").wait_for()
    assert first.locator(".cm-nick").inner_text() == "김브라**"
    assert page.locator(".cm-title .cm-total").inner_text() == "1"
    assert page.locator(".cm-input").input_value() == ""
    assert page.locator(".cm-empty").is_hidden()
    assert page.locator(".cm-as").inner_text().startswith("김브라우저")
    assert page.url == url  # no navigation happened


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("   ", "댓글 내용을 입력해 주세요."),
        ("\u200b\u3164\u200b", "보이지 않는 문자만으로는 댓글을 쓸 수 없습니다."),
    ],
)
def test_bad_input_message_under_the_box(reader_page, article, body, message):
    page = reader_page(article[0])
    post_from_page(page, body)
    error = page.locator(".cm-form .cm-error")
    error.wait_for()
    assert error.inner_text() == message
    assert page.locator(".cm-list .cm-item").count() == 0


def test_counter_counts_the_text_as_stored(reader_page, article):
    page = reader_page(article[0])
    box, length = page.locator(".cm-input"), page.locator(".cm-len")
    box.fill("가" + "\n" * 148 + "나")  # stored as 가, one empty line, 나
    assert length.inner_text() == "4"
    # The same count as the server's, whatever the blank lines and ends are made of.
    for text in ("  안녕\n\u3164\n \n하세요  \n\n", "\u3000\x1c가\n\u200b\n\n\ufeff나\u2028"):
        box.fill(text)
        assert length.inner_text() == str(body_length(text))
    # Blank lines beyond one are not counted, so they are not cut off at 150 either.
    box.fill("가" * 150 + "\n\n\n")
    assert length.inner_text() == "150"
    assert box.input_value() == "가" * 150 + "\n\n\n"
    box.fill("가" * 149 + "\n\n\n나나")  # 153 as stored: what would pass the limit is cut
    assert length.inner_text() == "149"
    assert box.input_value() == "가" * 149 + "\n\n\n"


def test_blank_lines_are_posted_as_one(reader_page, article):
    page = reader_page(article[0])
    post_from_page(page, "가" + "\n" * 148 + "나")
    body = page.locator(".cm-list .cm-item").first.locator(".cm-body")
    expect(body).to_have_text("가\n\n나")
    assert body.bounding_box()["height"] < 100  # three lines, not 3,000 pixels
    page.reload()
    assert page.locator(".cm-list .cm-body").first.inner_text() == "가\n\n나"


OWN_NOTE = "자신의 댓글은 찬성/반대하거나 신고할 수 없습니다."


def assert_own_buttons_disabled(item):
    """A reader's own comment: 찬성, 반대 and 신고 disabled, each saying why."""
    buttons = item.locator(".cm-vote, .cm-report")
    expect(buttons).to_have_count(3)
    for button in buttons.all():
        expect(button).to_be_disabled()
        expect(button).to_have_accessible_description(OWN_NOTE)


def test_own_comments_offer_no_votes_or_reports(reader_page, article, live_app):
    url, key = article
    seed(live_app, key, [(0, 0)])
    page = reader_page(url)
    post_from_page(page, f"{key} 내 댓글")
    expect(page.locator(".cm-list .cm-item")).to_have_count(2)
    assert_own_buttons_disabled(page.locator(".cm-list .cm-item").first)  # drawn by the script
    page.reload()
    item = page.locator(".cm-list .cm-item").first
    assert_own_buttons_disabled(item)  # drawn by the server
    # Someone else's comment takes votes and reports, with nothing to explain.
    other = page.locator(".cm-list .cm-item").nth(1)
    for button in other.locator(".cm-vote, .cm-report").all():
        expect(button).to_be_enabled()
        expect(button).to_have_accessible_description("")
    # Should a vote be sent all the same, the server's refusal is shown under it.
    item.locator(".cm-up").evaluate("button => { button.disabled = false; }")
    item.locator(".cm-up").click()
    expect(item.locator(".cm-item-msg")).to_have_text(
        "자신의 댓글에는 찬성/반대를 누를 수 없습니다."
    )
    assert item.locator(".cm-up .cm-n").inner_text() == "0"
    page.locator(".cm-sort", has_text="찬성순").click()  # the script draws the list again
    expect(page.locator(".cm-sort.is-active")).to_have_text("찬성순")
    assert_own_buttons_disabled(page.locator(".cm-item", has_text="내 댓글"))


def test_posting_from_the_keyboard_keeps_the_focus_and_says_so(reader_page, article):
    url, key = article
    page = reader_page(url)
    nick, box, submit = (
        page.locator(".cm-nick-input"),
        page.locator(".cm-input"),
        page.locator(".cm-submit"),
    )
    announced = page.locator(".cm-announce")
    expect(announced).to_have_attribute("role", "status")
    # Nothing written: the error is read out and the focus is back in the box.
    submit.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".cm-form .cm-error")).to_have_text("댓글 내용을 입력해 주세요.")
    expect(box).to_be_focused()
    # A comment but no nickname: back to the nickname field.
    page.keyboard.type(f"{key} 키보드로 쓴 댓글")
    page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".cm-form .cm-error")).to_have_text("닉네임을 입력해 주세요.")
    expect(nick).to_be_focused()
    page.keyboard.type("키보드독자")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".cm-list .cm-item")).to_have_count(1)
    expect(announced).to_have_text("댓글이 등록되었습니다.")
    expect(box).to_be_focused()  # emptied, for the next comment, though the field was replaced
    assert box.input_value() == ""
    page.keyboard.type(f"{key} 둘째 댓글")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".cm-list .cm-item")).to_have_count(2)
    expect(box).to_be_focused()
    assert page.evaluate("document.activeElement.className") == "cm-input"


def listen_to(page, selector):
    """Record every text a live region is given, in window.said."""
    page.locator(selector).evaluate(
        """region => {
            window.said = [];
            new MutationObserver(() => {
                if (region.textContent) window.said.push(region.textContent);
            }).observe(region, { childList: true, characterData: true, subtree: true });
        }"""
    )


def test_counter_describes_the_box_and_is_read_only_near_the_limit(reader_page, article):
    page = reader_page(article[0])
    box = page.locator(".cm-input")
    expect(box).to_have_accessible_description("글자 수 0 / 150")
    listen_to(page, ".cm-announce")
    box.fill("가" * 130)
    box.press("End")
    page.keyboard.type("나" * 12, delay=150)  # 142: eight left
    expect(box).to_have_accessible_description("글자 수 142 / 150")
    page.keyboard.type("다" * 10, delay=150)  # the last eight fit, then the limit
    expect(page.locator(".cm-len")).to_have_text("150")
    page.wait_for_timeout(300)
    # Once on the way in, once at the limit: not at every key.
    assert page.evaluate("window.said") == ["10자 남았습니다.", "최대 글자 수에 도달했습니다."]
    page.keyboard.press("Backspace")
    page.keyboard.type("라")
    page.wait_for_timeout(300)
    assert page.evaluate("window.said")[2:] == ["최대 글자 수에 도달했습니다."]


def test_banned_reader_is_told_why(reader_page, article, live_app):
    url, key = article
    seed(live_app, key, [(0, 0)])
    page = reader_page(url)
    item = page.locator(".cm-list .cm-item").first
    item.locator(".cm-up").click()
    expect(item.locator(".cm-up .cm-n")).to_have_text("1")
    with live_app.app_context():
        comment_id = int(item.get_attribute("data-id"))
        voter = db.session.scalar(sa.select(Vote.reader_id).where(Vote.comment_id == comment_id))
        db.session.execute(
            sa.update(Reader)
            .where(Reader.id == voter)
            .values(banned=True, banned_until=utcnow() + timedelta(days=1))
        )
        db.session.commit()
    item.locator(".cm-down").click()
    expect(item.locator(".cm-item-msg")).to_have_text(
        "이용이 제한된 사용자는 찬성/반대를 누를 수 없습니다."
    )
    assert item.locator(".cm-up .cm-n").inner_text() == "1"
    item.locator(".cm-report").click()
    panel = page.locator(".cm-report-panel")
    panel.get_by_label("기타").check()
    panel.locator(".cm-report-send").click()
    expect(panel.locator(".cm-report-msg")).to_have_text(
        "이용이 제한된 사용자는 신고할 수 없습니다."
    )


def test_sort_tabs_and_reload(reader_page, article, live_app):
    url, key = article
    oldest, popular, disliked, newest = seed(live_app, key, [(2, 0), (9, 1), (2, 7), (0, 0)])
    page = reader_page(url)
    assert bodies_on(page) == [newest, disliked, popular, oldest]

    page.locator(".cm-sort", has_text="찬성순").click()
    expect(page.locator(".cm-list .cm-body")).to_have_text([popular, disliked, oldest, newest])

    page.locator(".cm-sort", has_text="반대순").click()
    expect(page.locator(".cm-list .cm-body")).to_have_text([disliked, popular, newest, oldest])

    page.reload()
    assert page.locator(".cm-sort.is-active").inner_text() == "반대순"
    assert bodies_on(page) == [disliked, popular, newest, oldest]


def test_vote_cancel_and_switch(reader_page, article, live_app):
    url, key = article
    seed(live_app, key, [(0, 0)])
    page = reader_page(url)
    up, down = page.locator(".cm-up"), page.locator(".cm-down")

    def state():
        return (
            up.locator(".cm-n").inner_text(),
            down.locator(".cm-n").inner_text(),
            up.get_attribute("aria-pressed"),
            down.get_attribute("aria-pressed"),
        )

    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    assert state() == ("1", "0", "true", "false")
    up.click()  # a second click cancels
    expect(up).to_have_attribute("aria-pressed", "false")
    assert state() == ("0", "0", "false", "false")
    up.click()
    expect(up.locator(".cm-n")).to_have_text("1")
    down.click()  # switching moves the vote
    expect(down).to_have_attribute("aria-pressed", "true")
    assert state() == ("0", "1", "false", "true")

    page.reload()
    assert state() == ("0", "1", "false", "true")


def test_report_with_reason(reader_page, article, live_app):
    url, key = article
    seed(live_app, key, [(0, 0), (0, 0)])
    page = reader_page(url)
    item = page.locator(".cm-item").first
    item.locator(".cm-report").click()
    panel = page.locator(".cm-report-panel")
    assert panel.is_visible()
    for reason in ("욕설/비하", "혐오/차별", "음란", "광고/도배", "기타"):
        assert panel.get_by_label(reason).count() == 1
    message = panel.locator(".cm-report-msg")
    panel.locator(".cm-report-send").click()
    expect(message).to_have_text("신고 사유를 선택해 주세요.")
    panel.get_by_label("혐오/차별").check()
    panel.locator(".cm-report-send").click()
    # Done: the panel closes, the comment says so and cannot be reported again.
    expect(panel).to_be_hidden()
    expect(item.locator(".cm-item-msg")).to_have_text("신고가 접수되었습니다.")
    expect(page.locator(".cm-announce")).to_have_text("신고가 접수되었습니다.")
    expect(item.locator(".cm-report")).to_have_text("신고됨")
    expect(item.locator(".cm-report")).to_be_disabled()
    expect(page.locator(".cm-item").nth(1).locator(".cm-report")).to_be_enabled()
    # Still marked when the script draws the list again.
    page.locator(".cm-sort", has_text="찬성순").click()
    expect(page.locator(".cm-sort.is-active")).to_have_text("찬성순")
    reported = page.locator(".cm-item", has=page.locator(".cm-report:disabled"))
    expect(reported).to_have_count(1)
    expect(reported.locator(".cm-report")).to_have_text("신고됨")


def test_reporting_from_the_keyboard_keeps_the_focus_and_says_so(reader_page, article, live_app):
    url, key = article
    seed(live_app, key, [(0, 0)])
    page = reader_page(url)
    item, button = page.locator(".cm-item"), page.locator(".cm-item .cm-report")
    button.focus()
    page.keyboard.press("Enter")
    reasons = page.get_by_role("group", name="신고 사유를 선택해 주세요")
    expect(reasons).to_be_visible()
    expect(reasons.get_by_role("radio")).to_have_count(5)
    expect(reasons.get_by_label("욕설/비하")).to_be_focused()
    page.keyboard.press("Tab")  # to 취소
    page.keyboard.press("Enter")
    expect(reasons).to_be_hidden()
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(reasons.get_by_label("욕설/비하")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(reasons.get_by_label("혐오/차별")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # to 신고하기
    page.keyboard.press("Enter")
    expect(button).to_have_text("신고됨")
    expect(item).to_be_focused()  # not the page: 신고됨 is disabled, its comment holds it
    expect(page.locator(".cm-announce")).to_have_text("신고가 접수되었습니다.")


def report_from_page(page, item, reason="기타"):
    """Report a comment through its 신고 button and the panel; wait for the mark."""
    panel = page.locator(".cm-report-panel")
    item.locator(".cm-report").click()
    panel.get_by_label(reason).check()
    panel.locator(".cm-report-send").click()
    expect(item.locator(".cm-report")).to_have_text("신고됨")


def assert_only_marked(page, bodies):
    """The comments with these bodies, and no others, show 신고됨, disabled."""
    marked = page.locator(".cm-item.is-reported")
    expect(marked.locator(".cm-body")).to_have_text(bodies)
    for i in range(marked.count()):
        expect(marked.nth(i).locator(".cm-report")).to_have_text("신고됨")
        expect(marked.nth(i).locator(".cm-report")).to_be_disabled()
    expect(page.locator(".cm-item:not(.is-reported) .cm-report:disabled")).to_have_count(0)
    expect(page.locator(".cm-item:not(.is-reported) .cm-report")).to_have_text(
        ["신고"] * page.locator(".cm-item:not(.is-reported)").count()
    )


def test_reported_mark_survives_a_reload(reader_page, article, live_app):
    url, key = article
    bodies = seed(live_app, key, [(0, 0)] * 22)[::-1]  # newest first: 20, then 2 more
    page = reader_page(url)
    report_from_page(page, page.locator(".cm-item", has_text=bodies[1]))
    page.locator(".cm-more").click()
    expect(page.locator(".cm-item")).to_have_count(22)
    report_from_page(page, page.locator(".cm-item", has_text=bodies[21]))

    page.reload()  # the server's page marks the first one from the start
    assert_only_marked(page, [bodies[1]])
    page.locator(".cm-more").click()  # the list's JSON marks the one on the next page
    expect(page.locator(".cm-item")).to_have_count(22)
    assert_only_marked(page, [bodies[1], bodies[21]])
    page.locator(".cm-sort", has_text="반대순").click()  # so does every sort
    expect(page.locator(".cm-sort.is-active")).to_have_text("반대순")
    expect(page.locator(".cm-item")).to_have_count(20)
    assert_only_marked(page, [bodies[1]])
    page.locator(".cm-more").click()
    expect(page.locator(".cm-item")).to_have_count(22)
    assert_only_marked(page, [bodies[1], bodies[21]])


def test_report_from_a_tab_opened_before_marks_the_comment(reader_page, article, live_app):
    url, key = article
    seed(live_app, key, [(0, 0)])
    first = reader_page(url)
    second = first.context.new_page()  # the same reader, in a tab loaded before the report
    second.goto(url)
    report_from_page(first, first.locator(".cm-item"))
    panel = second.locator(".cm-report-panel")
    second.locator(".cm-item .cm-report").click()
    panel.get_by_label("음란").check()
    panel.locator(".cm-report-send").click()
    expect(panel).to_be_hidden()
    expect(second.locator(".cm-item .cm-item-msg")).to_have_text("이미 신고한 댓글입니다.")
    expect(second.locator(".cm-item .cm-report")).to_have_text("신고됨")
    expect(second.locator(".cm-item .cm-report")).to_be_disabled()


def test_report_failure_keeps_the_panel_for_another_try(reader_page, article, live_app):
    url, key = article
    seed(live_app, key, [(0, 0)])
    page = reader_page(url)
    page.route(re.compile(r"/report\b"), lambda route: route.abort())
    page.locator(".cm-item .cm-report").click()
    panel = page.locator(".cm-report-panel")
    panel.get_by_label("기타").check()
    panel.locator(".cm-report-send").click()
    expect(panel.locator(".cm-report-msg")).to_have_text(NETWORK_ERROR)
    expect(panel.locator(".cm-report-send")).to_be_enabled()
    page.unroute(re.compile(r"/report\b"))
    panel.locator(".cm-report-send").click()
    expect(panel).to_be_hidden()
    expect(page.locator(".cm-item .cm-report")).to_have_text("신고됨")


def test_vote_error_is_cleared_by_the_next_vote(reader_page, article, live_app):
    url, key = article
    seed(live_app, key, [(0, 0)])
    page = reader_page(url)
    up, note = page.locator(".cm-up"), page.locator(".cm-item .cm-item-msg")
    page.route(re.compile(r"/vote\b"), lambda route: route.abort())
    up.click()
    expect(note).to_have_text(NETWORK_ERROR)
    assert up.get_attribute("aria-pressed") == "false"
    page.unroute(re.compile(r"/vote\b"))
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(note).to_have_count(0)


LIST_API = re.compile(r"/api/v1/articles/[^?]+/comments\?")


def test_failed_sort_switch_keeps_the_tab_and_says_so(reader_page, article, live_app):
    url, key = article
    oldest, popular = seed(live_app, key, [(0, 0), (5, 0)])
    page = reader_page(url)
    error, active = page.locator(".cm-sort-error"), page.locator(".cm-sort.is-active")
    page.route(LIST_API, lambda route: route.abort())
    page.locator(".cm-sort", has_text="찬성순").click()
    expect(error).to_have_text(NETWORK_ERROR)
    assert active.inner_text() == "최신순"
    assert page.locator(".cm-sort[aria-current]").inner_text() == "최신순"
    assert bodies_on(page) == [popular, oldest]
    assert "cm_sort" not in page.evaluate("document.cookie")
    page.unroute(LIST_API)
    page.locator(".cm-sort", has_text="찬성순").click()
    expect(active).to_have_text("찬성순")
    expect(error).to_be_hidden()
    expect(page.locator(".cm-list .cm-body")).to_have_text([popular, oldest])


def test_failed_more_says_so_and_can_be_retried(reader_page, article, live_app):
    url, key = article
    bodies = seed(live_app, key, [(0, 0)] * 25)
    page = reader_page(url)
    more, error = page.locator(".cm-more"), page.locator(".cm-more-error")
    page.route(LIST_API, lambda route: route.abort())
    more.click()
    expect(error).to_have_text(NETWORK_ERROR)
    assert more.is_visible()
    assert len(bodies_on(page)) == 20
    page.unroute(LIST_API)
    more.click()
    expect(page.locator(".cm-list .cm-body")).to_have_text(bodies[::-1])
    expect(error).to_be_hidden()
    expect(more).to_be_hidden()


def test_more_loads_next_page_stably(reader_page, article, live_app):
    url, key = article
    bodies = seed(live_app, key, [(0, 0)] * 25)
    page = reader_page(url)
    assert bodies_on(page) == bodies[::-1][:20]
    seed(live_app, key, [(0, 0)] * 2)  # new comments arrive while the reader scrolls
    page.locator(".cm-more").click()
    expect(page.locator(".cm-list .cm-body")).to_have_text(bodies[::-1])
    assert page.locator(".cm-more").is_hidden()


@pytest.mark.parametrize(
    ("browser_zone", "lang", "shown"),
    [
        ("Asia/Seoul", "ko", "2025.11.21."),
        ("America/Los_Angeles", "ko", "2025.11.21."),
        ("America/Los_Angeles", "en", "Nov 21, 2025"),
    ],
)
def test_dates_drawn_by_the_script_are_in_the_display_zone(
    reader_page, article, live_app, browser_zone, lang, shown
):
    url, key = article
    seed(live_app, key, [(0, 0)])
    with live_app.app_context():
        comment = db.session.scalar(db.select(Comment).where(Comment.body.startswith(key)))
        comment.created_at = datetime(2025, 11, 20, 16, 30, tzinfo=UTC)  # 01:30 on the 21st, KST
        db.session.commit()
    page = reader_page(f"{url}?lang={lang}", timezone_id=browser_zone)
    time = page.locator(".cm-list .cm-time")
    assert time.inner_text() == shown  # drawn by the server
    time.evaluate("node => { node.textContent = ''; }")
    page.locator(".cm-sort", has_text="찬성순" if lang == "ko" else "Most liked").click()
    expect(time).to_have_text(shown)  # drawn again by widget.js


def test_held_comment_shows_pending_notice_to_author_only(reader_page, article, live_app):
    url, key = article
    page = reader_page(url)
    spam = f"{key} 같은 말 반복 광고"
    for _ in range(3):  # the third identical comment is held as spam
        before = page.locator(".cm-item").count()
        post_from_page(page, spam)
        expect(page.locator(".cm-item")).to_have_count(before + 1)
    held = page.locator(".cm-item.is-pending")
    assert held.count() == 1
    expect(page.locator(".cm-announce")).to_have_text("댓글이 검토 후 게시됩니다.")
    assert held.locator(".cm-pending-note").inner_text() == "검토 중인 댓글입니다"
    page.reload()
    assert page.locator(".cm-item.is-pending .cm-pending-note").is_visible()
    other = reader_page(url)
    assert other.locator(".cm-item").count() == 2
    assert other.locator(".cm-item.is-pending").count() == 0


def test_html_and_script_stay_inert(reader_page, article):
    url, key = article
    # Without the page's CSP, so escaping alone is what keeps the payloads inert.
    page = reader_page(url, bypass_csp=True)
    payloads = [
        '<img src=x onerror="window.__pwned=1">',
        "<script>window.__pwned=2</script>",
    ]
    for payload in payloads:
        post_from_page(page, payload)
        page.locator(".cm-body", has_text=payload).wait_for()
    assert page.evaluate("window.__pwned") is None
    page.reload()
    assert page.evaluate("window.__pwned") is None
    assert page.locator(".cm-list img").count() == 0
    assert sorted(bodies_on(page)) == sorted(payloads)


def test_reading_and_posting_without_javascript(reader_page, article, live_app):
    url, key = article
    seed(live_app, key, [(3, 0)])
    page = reader_page(url, javascript=False)
    assert page.locator(".cm-body").first.inner_text() == f"{key} 시드 댓글 0"
    page.locator(".cm-sort", has_text="찬성순").click()
    assert "sort=upvotes" in page.url
    page.locator(".cm-nick-input").fill("무스크립트")
    page.locator(".cm-input").fill(f"{key} 스크립트 없이 쓴 댓글")
    page.locator(".cm-submit").click()
    page.locator(".cm-body", has_text="스크립트 없이 쓴 댓글").wait_for()


def test_embed_on_a_news_site(browser, live_app):
    site = live_app.config["NEWS_SITE"]
    key = f"embed-{uuid.uuid4().hex[:8]}"
    context = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"{site}/news/{key}")
        frame = page.frame_locator("iframe[title='댓글']")
        frame.locator(".cm-title").wait_for()
        assert frame.locator(".cm-empty").is_visible()
        # The iframe grows to its content (min-height is 360px) through postMessage.
        page.wait_for_function("document.querySelector('iframe').offsetHeight > 400")
    finally:
        context.close()
    with live_app.app_context():
        created = comment_store.find_article(key)
        assert created.title == "제휴 언론사 기사"
        assert created.url == f"{site}/news/{key}"


def test_demo_article_page(reader_page, live_app):
    page = reader_page(live_app.config["BASE_URL"] + "/")
    assert page.locator("h1.news-title").inner_text().startswith("동네 도서관")
    assert "김하늘 기자" in page.locator(".news-byline").inner_text()
    dates = page.locator(".news-dates").inner_text()
    assert "입력" in dates and "수정" in dates
    page.locator(".share-copy").click()
    assert page.locator(".share-toast").inner_text() in (
        "주소가 복사되었습니다.",
        "주소를 복사하지 못했습니다.",
    )
    assert page.locator("#comments .cm-title").is_visible()
    assert page.locator(".cm-all").inner_text().endswith("개의 댓글 전체보기 ›")
