"""The server-rendered comment section: reading without script, the form, embedding."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from web.db import db
from web.models import Article, Comment
from web.pagination import SORTS, encode_cursor
from web.widget import relative_time

from .conftest import HUGE_IDS


def api_post(client, key, body, nickname="독자님"):
    """Post through the JSON API."""
    return client.post(
        f"/api/v1/articles/{key}/comments", json={"body": body, "nickname": nickname}
    )


def test_full_page_lists_comments(client, article):
    api_post(client, article, "첫 번째 댓글")
    api_post(client, article, "두 번째 댓글")
    html = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    assert '댓글 <strong class="cm-total">2</strong>' in html
    assert html.index("두 번째 댓글") < html.index("첫 번째 댓글")
    for label in ("최신순", "찬성순", "반대순", "찬성", "반대", "신고", "0</strong> / 150"):
        assert label in html


def test_back_link_only_for_an_article_with_an_address(app, client, article):
    html = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    assert "기사로 돌아가기" not in html and 'href="#"' not in html
    with app.app_context():
        db.session.scalar(sa.select(Article)).url = "https://news.example/a/1"
        db.session.commit()
    html = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    assert '<a class="page-back" href="https://news.example/a/1">' in html


def test_empty_state(client, article):
    html = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    assert "첫 댓글을 남겨 주세요" in html
    assert re.search(r'<p class="cm-empty">', html)


def test_nickname_is_masked(client, article):
    api_post(client, article, "안녕하세요", nickname="홍길동전")
    html = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    assert "홍길**" in html
    assert 'class="cm-nick">홍길동전<' not in html


def test_script_in_a_comment_is_escaped(client, article):
    api_post(client, article, '<script>alert(1)</script><img src=x onerror="alert(2)">')
    html = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_pages_forbid_inline_script(client, article):
    response = client.get(f"/articles/{article}/comments")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and response.headers["X-Frame-Options"] == "DENY"


def test_sort_in_url_is_remembered_in_a_cookie(client, article):
    response = client.get(f"/articles/{article}/comments?sort=downvotes")
    assert "cm_sort=downvotes" in response.headers["Set-Cookie"]
    html = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    assert re.search(r'data-sort="downvotes"\s+class="cm-sort is-active"', html)


def test_more_link_carries_the_cursor(app, client, article):
    app.config["COMMENTS_PER_PAGE"] = 2
    for i in range(3):
        api_post(client, article, f"댓글 {i}")
    html = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    link = re.search(r'class="cm-more" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "cursor=" in link
    second = client.get(link).get_data(as_text=True)
    assert "댓글 0" in second and "댓글 2" not in second


# A listed comment: its id, the item's classes and its 신고 button (attributes, label).
LISTED_ITEM = re.compile(
    r'<li class="([^"]*)"\s+data-id="(\d+)".*?'
    r'<button type="button" class="cm-report"([^>]*)>([^<]*)</button>',
    re.S,
)


def report_buttons(client, url: str) -> dict[int, tuple[bool, bool, str]]:
    """Every comment of a page and the pages its 더보기 leads to: id -> (item marked
    is-reported, button disabled, button label)."""
    buttons = {}
    while url:
        html = client.get(url).get_data(as_text=True)
        for classes, comment_id, attributes, label in LISTED_ITEM.findall(html):
            buttons[int(comment_id)] = (
                "is-reported" in classes.split(),
                "disabled" in attributes,
                label,
            )
        cursor = re.search(r'data-next-cursor="([^"]*)"', html).group(1)
        link = re.search(r'class="cm-more" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        url = link if cursor else None
    return buttons


@pytest.mark.parametrize("page", ["/articles/{key}/comments", "/embed/{key}"])
def test_page_marks_the_comments_the_reader_reported(app, client, article, page):
    app.config["COMMENTS_PER_PAGE"] = 2
    ids = [api_post(client, article, f"댓글 {i}").get_json()["comment"]["id"] for i in range(5)]
    reported = {ids[0], ids[3]}  # on the last page and the first (newest first)
    reporter = app.test_client()
    for comment_id in reported:
        answer = reporter.post(f"/api/v1/comments/{comment_id}/report", json={"reason": "hate"})
        assert answer.status_code == 201
    marked, unmarked = (True, True, "신고됨"), (False, False, "신고")
    for sort in SORTS:
        url = page.format(key=article) + f"?sort={sort}"
        assert report_buttons(reporter, url) == {
            i: marked if i in reported else unmarked for i in ids
        }, sort
        assert set(report_buttons(app.test_client(), url).values()) == {unmarked}, sort
    english = reporter.get(page.format(key=article) + "?lang=en").get_data(as_text=True)
    assert '<button type="button" class="cm-report" disabled>Reported</button>' in english


def test_bad_cursor_in_page_url_falls_back_to_first_page(client, article):
    api_post(client, article, "댓글")
    for cursor in ("garbage", encode_cursor("newest", 0, HUGE_IDS[1])):
        response = client.get(f"/articles/{article}/comments?cursor={cursor}")
        assert response.status_code == 200
        assert "댓글" in response.get_data(as_text=True)


def test_pending_comment_shown_to_author_only(app_factory):
    app = app_factory(HOLD_THRESHOLD=0.0, REVIEW_THRESHOLD=0.0)
    with app.app_context():
        db.session.add(Article(key="a", title="기사"))
        db.session.commit()
    author = app.test_client()
    assert api_post(author, "a", "보류될 댓글").get_json()["status"] == "pending"
    mine = author.get("/articles/a/comments").get_data(as_text=True)
    assert "검토 중인 댓글입니다" in mine and "보류될 댓글" in mine
    theirs = app.test_client().get("/articles/a/comments").get_data(as_text=True)
    assert "보류될 댓글" not in theirs


def test_unknown_article_page_is_404(client):
    assert client.get("/articles/nope/comments").status_code == 404


def test_closed_article_has_no_form(app, client, article):
    with app.app_context():
        db.session.execute(sa.update(Article).values(comments_open=False))
        db.session.commit()
    html = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    assert "댓글 작성이 종료된 기사입니다" in html
    assert "<form" not in html


class TestForm:
    """Posting without script: a form with a CSRF token, then back to the page."""

    @pytest.fixture
    def app(self, app_factory):
        return app_factory(WTF_CSRF_ENABLED=True)

    def token(self, client, key):
        html = client.get(f"/articles/{key}/comments").get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def test_post_and_redirect(self, app, client, article):
        form = {
            "csrf_token": self.token(client, article),
            "body": "폼으로 쓴 댓글",
            "nickname": "폼사용자",
            "next": "/articles/news-1/comments?sort=newest",
        }
        response = client.post(f"/articles/{article}/comments", data=form)
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/articles/news-1/comments?sort=newest")
        assert "폼으로 쓴 댓글" in client.get(response.headers["Location"]).get_data(as_text=True)

    def test_missing_token_is_refused(self, app, client, article):
        response = client.post(f"/articles/{article}/comments", data={"body": "토큰 없음"})
        assert response.status_code == 400
        assert "페이지가 만료되었습니다" in response.get_data(as_text=True)
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0

    @pytest.mark.parametrize(
        ("body", "message"),
        [("   ", "댓글 내용을 입력해 주세요."), ("가" * 151, "150자까지")],
    )
    def test_bad_body_shows_message_under_box_and_keeps_text(
        self, app, client, article, body, message
    ):
        form = {"csrf_token": self.token(client, article), "body": body, "nickname": "폼사용자"}
        response = client.post(f"/articles/{article}/comments", data=form)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        error = re.search(r'<p class="cm-error" role="alert">([^<]*)</p>', html).group(1)
        assert message in error
        assert body.strip() in html

    def test_bad_body_keeps_the_nickname(self, app, client, article):
        form = {
            "csrf_token": self.token(client, article),
            "body": "가" * 160,
            "nickname": "폼<사용자>",
        }
        response = client.post(f"/articles/{article}/comments", data=form)
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "(현재 160자)" in html
        nickname = re.search(r'<input class="cm-nick-input"[^>]*>', html).group(0)
        assert 'value="폼&lt;사용자&gt;"' in nickname
        assert '<strong class="cm-len">160</strong>' in html

    def test_expired_token_keeps_what_was_typed(self, app, client, article):
        form = {"csrf_token": "stale", "body": "다시 보낼 댓글", "nickname": "폼사용자"}
        html = client.post(f"/articles/{article}/comments", data=form).get_data(as_text=True)
        assert "페이지가 만료되었습니다" in html
        assert ">다시 보낼 댓글</textarea>" in html
        assert 'value="폼사용자"' in html

    def test_crlf_counts_as_one_character(self, app, client, article):
        body = "가" * 74 + "\r\n" + "나" * 75  # 150 in the browser's count
        form = {"csrf_token": self.token(client, article), "body": body, "nickname": "폼사용자"}
        assert client.post(f"/articles/{article}/comments", data=form).status_code == 303

    @pytest.mark.parametrize(
        "target",
        [
            "//evil.example/",
            "/\t/evil.example/x",
            "/\n/evil.example/x",
            "/a\nb",
            "/a\r\nSet-Cookie: x=1",
            "/\\evil.example/x",
            "\\\\evil.example/x",
            "https://evil.example/x",
            "javascript:alert(1)",
            "evil.example/x",
            " /articles/news-1/comments",
            "/articles/news-1/comments\u200b",
        ],
    )
    def test_a_next_that_is_not_a_local_path_goes_to_the_article(
        self, app, client, article, target
    ):
        form = {
            "csrf_token": self.token(client, article),
            "body": "리다이렉트 확인",
            "nickname": "폼사용자",
            "next": target,
        }
        response = client.post(f"/articles/{article}/comments", data=form)
        assert response.status_code == 303
        assert response.headers["Location"] == "/articles/news-1/comments"
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1


class TestEmbed:
    """The iframe page: framing allowed for listed sites, articles created for them."""

    @pytest.fixture
    def app(self, app_factory):
        return app_factory(ALLOWED_ORIGINS=["https://news.example"])

    def test_embed_page_allows_listed_frame_ancestors(self, client, article):
        response = client.get(f"/embed/{article}")
        assert response.status_code == 200
        assert (
            "frame-ancestors 'self' https://news.example"
            in response.headers["Content-Security-Policy"]
        )
        assert 'class="cm-embed"' in response.get_data(as_text=True)

    def test_allowed_site_creates_its_article(self, app, client):
        response = client.get(
            "/embed/2026/11/24/0042?title=새 기사&url=https://news.example/a/42",
            headers={"Referer": "https://news.example/a/42"},
        )
        assert response.status_code == 200
        with app.app_context():
            article = db.session.scalar(sa.select(Article).where(Article.key == "2026/11/24/0042"))
            assert (article.title, article.url) == ("새 기사", "https://news.example/a/42")

    @pytest.mark.parametrize(
        "url",
        [
            "https://evil.example/phish",
            "javascript:alert(document.cookie)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://news.example/a/42",  # another scheme: another origin
            "https://news.example:8443/a/42",
            "https://news.example.evil.example/a/42",
            "https://user@news.example/a/42",
            "/a/42",
            "https://news.example/" + "a" * 1000,
        ],
    )
    def test_a_url_off_the_allowed_sites_is_not_kept(self, app, client, url):
        response = client.get(
            "/embed/spoof1",
            query_string={"title": "가짜 기사", "url": url},
            headers={"Referer": "https://news.example/a/42"},
        )
        assert response.status_code == 200
        with app.app_context():
            article = db.session.scalar(sa.select(Article).where(Article.key == "spoof1"))
            assert (article.title, article.url) == ("가짜 기사", None)
        page = client.get("/articles/spoof1/comments").text
        assert 'class="page-back"' not in page and "evil.example" not in page

    def test_control_characters_leave_the_title(self, app, client):
        response = client.get(
            "/embed/ctl",
            query_string={"title": "\x00가짜\n기사\t "},
            headers={"Referer": "https://news.example/a/42"},
        )
        assert response.status_code == 200
        with app.app_context():
            assert db.session.scalar(sa.select(Article.title)) == "가짜기사"

    def test_a_link_stored_before_the_check_is_not_followed(self, app, client, article):
        with app.app_context():
            db.session.execute(sa.update(Article).values(url="javascript:alert(1)"))
            db.session.commit()
        page = client.get(f"/articles/{article}/comments").text
        assert 'class="page-back"' not in page and "javascript:" not in page

    @pytest.mark.parametrize("key", ["%20%20%20", "a%09b", "k" * 256])
    def test_allowed_site_cannot_create_an_article_with_a_bad_key(self, app, client, key):
        response = client.get(f"/embed/{key}", headers={"Referer": "https://news.example/a"})
        assert response.status_code == 404
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0

    def test_other_site_cannot_create_articles(self, app, client):
        response = client.get("/embed/new-one", headers={"Referer": "https://evil.example/x"})
        assert response.status_code == 404

    def test_embed_script_is_served(self, client):
        response = client.get("/embed.js")
        assert response.status_code == 200
        assert "data-article-key" in response.get_data(as_text=True)


def test_relative_time():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert relative_time(now - timedelta(seconds=5), now) == "방금 전"
    assert relative_time(now - timedelta(minutes=5), now) == "5분 전"
    assert relative_time(now - timedelta(hours=3), now) == "3시간 전"
    assert relative_time(now - timedelta(days=2), now) == "2일 전"
    assert relative_time(now - timedelta(days=30), now) == "2026.10.25."


@pytest.mark.parametrize("page", ["/articles/{key}/comments", "/embed/{key}"])
def test_dates_are_those_of_the_display_zone(app, client, article, page):
    comment_id = api_post(client, article, "늦은 밤 댓글").get_json()["comment"]["id"]
    with app.app_context():
        # 16:30 UTC on 20 November is 01:30 on the 21st in Seoul.
        db.session.get(Comment, comment_id).created_at = datetime(2025, 11, 20, 16, 30, tzinfo=UTC)
        db.session.commit()
    html = client.get(page.format(key=article)).get_data(as_text=True)
    assert '<time class="cm-time" datetime="2025-11-20T16:30:00+00:00">2025.11.21.</time>' in html
    assert 'data-time-zone="Asia/Seoul"' in html  # for widget.js to draw the same dates
    listed = client.get(f"/api/v1/articles/{article}/comments").get_json()["comments"]
    assert listed[0]["created_at"] == "2025-11-20T16:30:00+00:00"  # the instant, for machines


@pytest.mark.parametrize("page", ["/articles/{key}/comments", "/embed/{key}"])
def test_a_double_click_on_a_first_vote_counts_once(app, article, page):
    # Found by bench/bench_load.py: both requests of a double-click leave with the cookie
    # the page set, before either answer is back. If that cookie held no reader token
    # yet, each request made up its own reader and the comment got two votes.
    author = app.test_client()
    comment_id = api_post(author, article, "찬성 눌러 주세요").get_json()["comment"]["id"]
    first_click = app.test_client()
    assert first_click.get(page.format(key=article)).status_code == 200
    second_click = app.test_client()
    second_click.set_cookie("session", first_click.get_cookie("session").value)
    for click in (first_click, second_click):
        response = click.post(f"/api/v1/comments/{comment_id}/vote", json={"value": "up"})
        assert response.status_code == 200
    with app.app_context():
        assert db.session.get(Comment, comment_id).upvotes == 1


def test_no_vote_or_report_buttons_on_ones_own_comments(app, client, article):
    api_post(client, article, "내가 쓴 댓글")
    api_post(app.test_client(), article, "남이 쓴 댓글")
    mine = client.get(f"/articles/{article}/comments").get_data(as_text=True)
    theirs = app.test_client().get(f"/articles/{article}/comments").get_data(as_text=True)
    own_item = mine[mine.index("내가 쓴 댓글") : mine.index("</li>", mine.index("내가 쓴 댓글"))]
    other_item = mine[mine.index("남이 쓴 댓글") : mine.index("</li>", mine.index("남이 쓴 댓글"))]
    assert own_item.count(" disabled") == 3 and "cm-report" in own_item
    assert own_item.count('aria-describedby="cm-own-') == 3
    assert "자신의 댓글은 찬성/반대하거나 신고할 수 없습니다." in own_item
    assert " disabled" not in other_item
    assert "cm-vote" in theirs and " disabled" not in theirs
