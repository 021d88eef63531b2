"""XSS payloads as comments and nicknames stay inert text, checked in a real browser.

Pages: the comment page (server-rendered, then re-rendered by the widget's script from
JSON), a comment posted through the widget, the moderation queue and the audit log.
The browser ignores the Content-Security-Policy here (``bypass_csp``): the policy is a
second wall; these tests check the first one, the escaping.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from web import comment_store
from web import moderation_service as service
from web.db import db
from web.models import Article, Moderator, Reader
from web.text import mask_nickname

from .conftest import MODERATOR_PASSWORD, add_moderator, add_reader, make_app, served
from .test_widget_js import TIMEOUT_MS

pytestmark = pytest.mark.browser

# Each would run script, add an element or an event handler if it were markup.
PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<script>alert(1)</script> 좋은 기사네요",
    "<ScRiPt>window.__xss=1</sCrIpT> 대소문자 섞기",
    '<img src=x onerror="window.__xss=1" data-xss>',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg onload=alert(1) data-xss>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)" data-xss>기사 원문 보기</a>',
    '<iframe src="javascript:alert(1)" data-xss></iframe>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1) data-xss>",
    '" onmouseover="alert(1)" data-xss="',
    "' autofocus onfocus='alert(1)' data-xss='",
    "<body onload=alert(1)>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)//",
    "<<script>alert(1);//<</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "<details open ontoggle=alert(1) data-xss>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1) data-xss>",
    '<object data="javascript:alert(1)" data-xss>',
    "<style>body{display:none}</style>기사 잘 봤습니다",
    "기자님 <b data-xss>굵게</b> 감사합니다",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "{{7*7}} ${alert(1)} <%= 7*7 %>",
    '<div style="background:url(javascript:alert(1))" data-xss>',
    "<marquee onstart=alert(1) data-xss>속보</marquee>",
    '<video><source onerror="alert(1)" data-xss></video>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "＜script＞alert(1)＜/script＞ 전각 괄호",
]
# Nicknames are 2 to 12 characters.
NICKNAMES = [
    "<b>닉</b>",
    "<script>",
    '"><svg>',
    "'onfocus='",
    "<img src=x>",
    "&lt;b&gt;",
    "{{7*7}}",
    "<i data-xss>",
]

INJECTED = """() => {
  const hasHandler = [...document.querySelectorAll('*')].some(
    (el) => [...el.attributes].some((a) => a.name.startsWith('on')));
  const selectors = ['[data-xss]', 'script:not([src])', 'style', 'iframe', 'object', 'embed',
    'base', 'meta[http-equiv]', 'marquee', 'video', 'math', 'svg script',
    'a[href^="javascript"]'];
  const boldNick = [...document.querySelectorAll('b')].some((b) => b.textContent.endsWith('닉'));
  return {
    canary: window.__xss !== undefined,
    handler: hasHandler,
    elements: selectors.filter((s) => document.querySelector(s) !== null)
      .concat(boldNick ? ['b'] : []),
  };
}"""


def squeeze(text: str) -> str:
    """Whitespace collapsed, as the page's text shows it."""
    return " ".join(text.split())


def assert_inert(page, dialogs, texts):
    """Nothing ran, nothing was injected, and every payload shows as text."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # onerror of broken images, autofocus
    assert dialogs == []
    assert page.evaluate(INJECTED) == {"canary": False, "handler": False, "elements": []}
    shown = squeeze(page.locator("body").inner_text())
    missing = [t for t in texts if squeeze(t) not in shown]
    assert not missing, missing


@pytest.fixture(scope="module")
def xss_app(tmp_path_factory, tiny_model):
    """Every payload posted twice (one copy published, one rejected), served in a thread."""
    folder = tmp_path_factory.mktemp("xss")
    app = make_app(
        f"sqlite:///{folder / 'xss.sqlite3'}",
        folder,
        tiny_model,
        COMMENTS_PER_PAGE=100,
        QUEUE_PER_PAGE=100,
    )
    add_moderator(app)
    with app.app_context():
        article = Article(key="xss", title="<script>alert('title')</script> 제목")
        db.session.add(article)
        db.session.commit()
        rejected = []
        for i, body in enumerate(PAYLOADS):
            nick = NICKNAMES[i % len(NICKNAMES)]
            for copy in range(2):
                reader = db.session.get(Reader, add_reader(app, nickname=nick))
                comment = comment_store.post_comment(article, reader, body)
                assert comment.status == "published"
                if copy:
                    rejected.append(comment.id)
        moderator = db.session.scalar(db.select(Moderator))
        service.reject(moderator, rejected, "spam")
    with served(app):
        yield app


@pytest.fixture
def open_page(browser):
    """A new context that ignores CSP and records dialogs; page errors fail the test."""
    context = browser.new_context(bypass_csp=True, locale="ko-KR")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page, dialogs
    context.close()
    assert not errors, errors


def test_comment_page_and_widget(xss_app, open_page):
    page, dialogs = open_page
    base = xss_app.config["BASE_URL"]
    page.goto(f"{base}/articles/xss/comments")
    masked = sorted({mask_nickname(n) for n in NICKNAMES})
    assert_inert(page, dialogs, PAYLOADS + masked + ["<script>alert('title')</script> 제목"])

    # The widget's script draws the list again from JSON when the order changes.
    page.locator(".cm-sort[data-sort='upvotes']").click()
    expect(page.locator(".cm-sort[data-sort='upvotes']")).to_have_class(re.compile("is-active"))
    assert_inert(page, dialogs, PAYLOADS + masked)

    # A reader posts a payload with a payload nickname; the script shows what came back.
    page.locator(".cm-nick-input").fill("<b>새닉</b>")
    page.locator(".cm-input").fill('<img src=x onerror="window.__xss=1"> 방금 쓴 댓글')
    page.locator(".cm-submit").click()
    expect(page.locator(".cm-item").first).to_contain_text("방금 쓴 댓글")
    assert_inert(page, dialogs, ['<img src=x onerror="window.__xss=1"> 방금 쓴 댓글'])
    page.reload()
    assert_inert(
        page, dialogs, ["<b>새닉</b>", '<img src=x onerror="window.__xss=1"> 방금 쓴 댓글']
    )


def test_queue_and_audit_log(xss_app, open_page):
    page, dialogs = open_page
    base = xss_app.config["BASE_URL"]
    page.goto(f"{base}/moderation/login")
    page.get_by_label("아이디").fill("mod")
    page.get_by_label("비밀번호").fill(MODERATOR_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    page.goto(f"{base}/moderation/queue/all")
    assert_inert(page, dialogs, PAYLOADS + NICKNAMES)
    page.goto(f"{base}/moderation/audit")
    assert_inert(page, dialogs, PAYLOADS)
