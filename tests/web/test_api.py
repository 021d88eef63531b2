"""The JSON API under /api/v1: answers, error shape, refusals that write nothing."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from web.db import db, utcnow
from web.models import Article, Comment, Reader, Report, Vote
from web.pagination import SORTS, encode_cursor

from .conftest import HUGE_IDS, TEST_REDIS_URL, recorded_statements


def post(client, key, body, nickname="독자님", **kwargs):
    """POST a comment as JSON."""
    payload = {"body": body}
    if nickname is not None:
        payload["nickname"] = nickname
    return client.post(f"/api/v1/articles/{key}/comments", json=payload, **kwargs)


def count(app, model) -> int:
    """Rows in a table."""
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def assert_error(response, status, code):
    """The response is the API's one error shape with this status and code."""
    assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error["message"]


def test_post_then_list(client, article):
    response = post(client, article, "좋은 기사 감사합니다", nickname="김철수")
    assert response.status_code == 201
    data = response.get_json()
    assert data["comment"]["body"] == "좋은 기사 감사합니다"
    assert data["comment"]["nickname"] == "김철*"
    assert data["comment"]["mine"] is True
    assert data["status"] == "published"
    assert data["comment_count"] == 1

    listing = client.get(f"/api/v1/articles/{article}/comments").get_json()
    assert [c["body"] for c in listing["comments"]] == ["좋은 기사 감사합니다"]
    assert listing["article"]["comment_count"] == 1
    assert listing["viewer"]["nickname"] == "김철수"


def test_post_stores_scores_and_model_version(app, client, article, tiny_model):
    post(client, article, "이 바보 멍청이야")
    with app.app_context():
        comment = db.session.scalar(sa.select(Comment))
        assert comment.model_version == tiny_model.version
        assert 0.0 <= comment.toxicity <= 1.0
        assert set(comment.categories) == {
            "profanity",
            "insult",
            "hate",
            "threat",
            "sexual",
            "spam",
        }
        assert isinstance(comment.spans, list)


def test_second_post_keeps_first_nickname(client, article):
    post(client, article, "첫 댓글", nickname="처음이름")
    response = post(client, article, "둘째 댓글", nickname="다른이름")
    assert response.get_json()["comment"]["nickname"] == "처음**"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "empty_body"),
        ("   \n\t  ", "empty_body"),
        ("가" * 151, "body_too_long"),
        ("\u200b\u200b\u3164", "invisible_body"),
    ],
)
def test_bad_bodies_are_refused_and_nothing_is_written(app, client, article, body, code):
    message = assert_error(post(client, article, body), 400, code)
    assert any("\uac00" <= ch <= "\ud7a3" for ch in message)  # a Korean message
    assert count(app, Comment) == 0
    assert count(app, Reader) == 0


def test_no_body_is_missing_body(app, client, article):
    response = client.post(f"/api/v1/articles/{article}/comments", json={"nickname": "독자님"})
    assert "댓글 내용" in assert_error(response, 400, "missing_body")
    assert count(app, Comment) == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": 5}, "body"),
        ({"body": None}, "body"),
        ({"body": ["댓글"]}, "body"),
        ({"body": "댓글", "nickname": 7}, "nickname"),
        ({"body": "댓글", "nickname": None}, "nickname"),
    ],
)
def test_a_field_of_the_wrong_type_is_invalid_type(app, client, article, payload, field):
    """As the scoring API answers it: 422 invalid_type, naming the field."""
    response = client.post(f"/api/v1/articles/{article}/comments", json=payload)
    assert f"{field}은(는) 문자열" in assert_error(response, 422, "invalid_type")
    english = client.post(f"/api/v1/articles/{article}/comments?lang=en", json=payload)
    assert f"{field} must be a string" in assert_error(english, 422, "invalid_type")
    assert count(app, Comment) == 0
    assert count(app, Reader) == 0


def test_exactly_150_characters_after_nfc_is_accepted(client, article):
    decomposed = "\u1100\u1161" * 150  # 150 syllables written as 300 jamo
    assert post(client, article, decomposed).status_code == 201


def test_missing_nickname_for_new_reader(app, client, article):
    assert_error(post(client, article, "안녕하세요", nickname=None), 400, "missing_nickname")
    assert count(app, Comment) == 0


def test_unknown_article(client):
    assert_error(post(client, "no-such-article", "안녕하세요"), 404, "unknown_article")
    assert_error(client.get("/api/v1/articles/nope/comments"), 404, "unknown_article")


def test_malformed_json(app, client, article):
    response = client.post(
        f"/api/v1/articles/{article}/comments",
        data='{"body": "안녕',
        content_type="application/json",
    )
    assert_error(response, 400, "invalid_json")
    response = client.post(f"/api/v1/articles/{article}/comments", data="body=hi")
    assert_error(response, 415, "json_required")
    assert count(app, Comment) == 0


@pytest.mark.parametrize("raw", ["null", '["not", "an object"]', "5", '"text"', "true"])
def test_json_that_is_not_an_object_is_422_on_every_widget_endpoint(app, client, article, raw):
    comment_id = post(client, article, "댓글").get_json()["comment"]["id"]
    for url in (
        f"/api/v1/articles/{article}/comments",
        f"/api/v1/comments/{comment_id}/vote",
        f"/api/v1/comments/{comment_id}/report",
    ):
        response = client.post(url, data=raw, content_type="application/json")
        assert "객체" in assert_error(response, 422, "invalid_type")
    response = client.post(
        f"/api/v1/articles/{article}/comments?lang=en",
        data=raw,
        content_type="application/json",
    )
    assert "object" in assert_error(response, 422, "invalid_type")
    assert count(app, Comment) == 1


def test_closed_article_refuses(app, client, article):
    with app.app_context():
        db.session.execute(sa.update(Article).values(comments_open=False))
        db.session.commit()
    assert_error(post(client, article, "안녕하세요"), 403, "comments_closed")


def test_banned_reader_refused(app, client, article):
    post(client, article, "처음 쓰는 댓글")
    with app.app_context():
        db.session.execute(sa.update(Reader).values(banned=True))
        db.session.commit()
    message = assert_error(post(client, article, "다시 쓰는 댓글"), 403, "reader_banned")
    assert "제한" in message
    assert count(app, Comment) == 1


def ban_until(app, reader_id, until):
    """Ban a reader until the given time, as a moderator's timed ban does."""
    with app.app_context():
        db.session.execute(
            sa.update(Reader).where(Reader.id == reader_id).values(banned=True, banned_until=until)
        )
        db.session.commit()


def test_banned_reader_can_neither_vote_nor_report(app, client, article):
    comment_id = post(client, article, "남의 댓글").get_json()["comment"]["id"]
    other = app.test_client()
    post(other, article, "나중에 제한될 독자의 댓글", nickname="다른독자")
    with app.app_context():
        banned = db.session.scalar(sa.select(Reader.id).where(Reader.nickname == "다른독자"))
    ban_until(app, banned, utcnow() + timedelta(days=1))
    url = f"/api/v1/comments/{comment_id}"
    for value in ("up", "down", "none"):
        message = assert_error(
            other.post(f"{url}/vote", json={"value": value}), 403, "reader_banned"
        )
        assert message == "이용이 제한된 사용자는 찬성/반대를 누를 수 없습니다."
    message = assert_error(
        other.post(f"{url}/report", json={"reason": "abuse"}), 403, "reader_banned"
    )
    assert message == "이용이 제한된 사용자는 신고할 수 없습니다."
    assert count(app, Vote) == count(app, Report) == 0
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        assert (comment.upvotes, comment.downvotes, comment.report_count) == (0, 0, 0)
    # Once the day is over they may again.
    ban_until(app, banned, utcnow() - timedelta(seconds=1))
    assert other.post(f"{url}/vote", json={"value": "up"}).status_code == 200
    assert other.post(f"{url}/report", json={"reason": "abuse"}).status_code == 201


def test_no_votes_on_ones_own_comment(app, client, article):
    comment_id = post(client, article, "내가 쓴 댓글").get_json()["comment"]["id"]
    url = f"/api/v1/comments/{comment_id}/vote"
    for value in ("up", "down", "none"):
        message = assert_error(client.post(url, json={"value": value}), 403, "own_comment")
        assert message == "자신의 댓글에는 찬성/반대를 누를 수 없습니다."
    english = client.post(url + "?lang=en", json={"value": "up"}).get_json()["error"]
    assert english["message"] == "You cannot vote on your own comment."
    assert count(app, Vote) == 0
    with app.app_context():
        assert db.session.get(Comment, comment_id).upvotes == 0
    # Everyone else still may.
    assert app.test_client().post(url, json={"value": "up"}).status_code == 200


def test_blank_lines_are_cut_to_one_when_stored(app, client, article):
    response = post(client, article, "\n  가" + "\n" * 148 + "나\n\u3164\n \n")
    assert response.status_code == 201
    assert response.get_json()["comment"]["body"] == "가\n\n나"
    with app.app_context():
        assert db.session.scalar(sa.select(Comment.body)) == "가\n\n나"
    # The limit counts the text as stored: blank lines beyond one are free.
    body = "가" * 74 + "\n \n\n\n" + "나" * 74
    assert post(client, article, body).get_json()["comment"]["body"].count("\n") == 2
    assert_error(post(client, article, "가" * 75 + "\n\n\n" + "나" * 74), 400, "body_too_long")


def test_unknown_route_and_method_answer_json(client, article):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.delete(f"/api/v1/articles/{article}/comments"), 405, "method_not_allowed")


def test_vote_changes_and_cancels(app, client, article):
    comment_id = post(client, article, "투표할 댓글").get_json()["comment"]["id"]
    voter = app.test_client()

    def vote(value):
        response = voter.post(f"/api/v1/comments/{comment_id}/vote", json={"value": value})
        assert response.status_code == 200, response.get_json()
        c = response.get_json()["comment"]
        return c["upvotes"], c["downvotes"], c["my_vote"]

    assert vote("up") == (1, 0, "up")
    assert vote("up") == (1, 0, "up")  # the same state again changes nothing
    assert vote("down") == (0, 1, "down")  # switching moves the vote
    assert vote("none") == (0, 0, "none")  # cancelling
    assert count(app, Vote) == 0


def test_vote_errors(client, article):
    comment_id = post(client, article, "댓글").get_json()["comment"]["id"]
    url = f"/api/v1/comments/{comment_id}/vote"
    assert_error(client.post(url, json={"value": "sideways"}), 400, "invalid_vote")
    assert_error(client.post(url, json={}), 400, "invalid_vote")
    # Not text at all is a wrong type, as everywhere (a list was once a 500: unhashable).
    for value in (["up"], [], None, 1):
        assert_error(client.post(url, json={"value": value}), 422, "invalid_type")
    report_url = f"/api/v1/comments/{comment_id}/report"
    assert_error(client.post(report_url, json={"reason": ["abuse"]}), 422, "invalid_type")
    assert_error(
        client.post("/api/v1/comments/999999/vote", json={"value": "up"}), 404, "unknown_comment"
    )
    # Beyond PostgreSQL's integer column: still simply no such comment.
    for action, payload in (("vote", {"value": "up"}), ("report", {"reason": "spam"})):
        response = client.post(f"/api/v1/comments/{2**31}/{action}", json=payload)
        assert_error(response, 404, "unknown_comment")


def test_list_shows_my_vote(app, client, article):
    comment_id = post(client, article, "댓글").get_json()["comment"]["id"]
    voter = app.test_client()
    voter.post(f"/api/v1/comments/{comment_id}/vote", json={"value": "down"})
    listing = voter.get(f"/api/v1/articles/{article}/comments").get_json()
    assert listing["comments"][0]["my_vote"] == "down"
    assert listing["comments"][0]["downvotes"] == 1
    assert (
        client.get(f"/api/v1/articles/{article}/comments").get_json()["comments"][0]["my_vote"]
        == "none"
    )


def test_report(app, client, article):
    comment_id = post(client, article, "신고될 댓글").get_json()["comment"]["id"]
    reporter = app.test_client()
    url = f"/api/v1/comments/{comment_id}/report"
    response = reporter.post(url, json={"reason": "abuse", "detail": "욕설이 있어요"})
    assert response.status_code == 201
    assert response.get_json()["message"] == "신고가 접수되었습니다."
    assert_error(reporter.post(url, json={"reason": "spam"}), 409, "already_reported")
    assert_error(reporter.post(url, json={"reason": "boring"}), 400, "invalid_reason")
    assert_error(reporter.post(url, json={}), 400, "invalid_reason")
    assert_error(reporter.post(url, json={"reason": ["abuse"]}), 422, "invalid_type")
    assert_error(client.post(url, json={"reason": "abuse"}), 403, "own_comment")
    for detail in (5, None, ["글"]):
        refused = reporter.post(url, json={"reason": "abuse", "detail": detail})
        assert "detail은(는) 문자열" in assert_error(refused, 422, "invalid_type")
    refused = reporter.post(url, json={"reason": "abuse", "detail": "가" * 301})
    assert "300자" in assert_error(refused, 400, "invalid_detail")
    with app.app_context():
        (report,) = db.session.scalars(sa.select(Report))
        assert (report.reason, report.detail) == ("abuse", "욕설이 있어요")
        assert db.session.get(Comment, comment_id).report_count == 1


def report(client, comment_id, reason="spam"):
    """Report a comment through the widget's API."""
    return client.post(f"/api/v1/comments/{comment_id}/report", json={"reason": reason})


def every_page(client, key, sort) -> list[dict]:
    """All the comments of a list, following next_cursor as 더보기 does."""
    comments, cursor = [], ""
    while True:
        page = client.get(f"/api/v1/articles/{key}/comments?sort={sort}&cursor={cursor}")
        assert page.status_code == 200, page.get_json()
        comments += page.get_json()["comments"]
        cursor = page.get_json()["next_cursor"]
        if not cursor:
            return comments


def test_list_marks_the_comments_the_reader_reported(app, client, article):
    app.config["COMMENTS_PER_PAGE"] = 2
    ids = [post(client, article, f"댓글 {i}").get_json()["comment"]["id"] for i in range(5)]
    reporter = app.test_client()
    for comment_id in (ids[0], ids[3]):  # on the last page and the first (newest first)
        assert report(reporter, comment_id).status_code == 201
    for sort in SORTS:
        listed = {c["id"]: c["reported"] for c in every_page(reporter, article, sort)}
        assert listed == {i: i in (ids[0], ids[3]) for i in ids}, sort
        others = every_page(app.test_client(), article, sort) + every_page(client, article, sort)
        assert not any(c["reported"] for c in others), sort
    # Once is still all: a second report of the same comment is refused.
    assert_error(report(reporter, ids[3], "abuse"), 409, "already_reported")
    # The comment in a vote's answer says so too.
    voted = reporter.post(f"/api/v1/comments/{ids[3]}/vote", json={"value": "up"})
    assert voted.get_json()["comment"]["reported"] is True
    voted = reporter.post(f"/api/v1/comments/{ids[1]}/vote", json={"value": "up"})
    assert voted.get_json()["comment"]["reported"] is False


def test_a_page_asks_for_the_readers_votes_and_reports_once(app, client, article):
    ids = [post(client, article, f"댓글 {i}").get_json()["comment"]["id"] for i in range(6)]
    reader = app.test_client()
    for comment_id in ids:
        reader.post(f"/api/v1/comments/{comment_id}/vote", json={"value": "down"})
        assert report(reader, comment_id).status_code == 201
    with recorded_statements(app) as statements:
        listed = reader.get(f"/api/v1/articles/{article}/comments").get_json()["comments"]
    assert [(c["reported"], c["my_vote"]) for c in listed] == [(True, "down")] * 6
    for table in ("reports", "votes"):
        asked = [s for s in statements if re.search(rf"\bFROM {table}\b", s)]
        assert len(asked) == 1, statements


def test_sort_and_cursor_validation(client, article):
    url = f"/api/v1/articles/{article}/comments"
    assert_error(client.get(url + "?sort=random"), 400, "invalid_sort")
    assert_error(client.get(url + "?cursor=!!!"), 400, "invalid_cursor")
    # A cursor naming an id beyond the column is not one of ours (the query would fail).
    for sort in ("newest", "upvotes"):
        for huge in HUGE_IDS:
            cursor = encode_cursor(sort, 0, huge)
            response = client.get(f"{url}?sort={sort}&cursor={cursor}")
            assert_error(response, 400, "invalid_cursor")


def test_html_in_a_comment_comes_back_as_text(client, article):
    body = '<script>alert("x")</script><b>굵게</b>'
    assert post(client, article, body).status_code == 201
    listing = client.get(f"/api/v1/articles/{article}/comments")
    assert listing.get_json()["comments"][0]["body"] == body
    assert listing.content_type.startswith("application/json")


class TestOrigin:
    """State changes only from our pages or allowed sites; CORS only for allowed sites."""

    @pytest.fixture
    def app(self, app_factory):
        return app_factory(ALLOWED_ORIGINS=["https://news.example"])

    def test_foreign_origin_refused(self, app, client, article):
        response = post(client, article, "안녕하세요", headers={"Origin": "https://evil.example"})
        assert_error(response, 403, "origin_not_allowed")
        response = post(
            client, article, "안녕하세요", headers={"Referer": "https://evil.example/page"}
        )
        assert_error(response, 403, "origin_not_allowed")
        assert count(app, Comment) == 0

    def test_own_and_allowed_origins_pass(self, client, article):
        own = post(client, article, "우리 페이지에서", headers={"Origin": "http://localhost"})
        assert own.status_code == 201
        allowed = post(
            client, article, "제휴 언론사에서", headers={"Origin": "https://news.example"}
        )
        assert allowed.status_code == 201
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://news.example"
        assert allowed.headers["Access-Control-Allow-Credentials"] == "true"

    def test_preflight_for_allowed_origin(self, client, article):
        response = client.options(
            f"/api/v1/articles/{article}/comments",
            headers={
                "Origin": "https://news.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "https://news.example"
        assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
        other = client.options(
            f"/api/v1/articles/{article}/comments", headers={"Origin": "https://evil.example"}
        )
        assert "Access-Control-Allow-Origin" not in other.headers


class TestRateLimits:
    """One comment per reader per 10 s, counted only for comments actually posted."""

    @pytest.fixture
    def app(self, app_factory):
        return app_factory(RATELIMIT_ENABLED=True)

    def test_second_comment_within_ten_seconds_is_refused(self, app, client, article):
        assert post(client, article, "첫 댓글").status_code == 201
        assert_error(post(client, article, "둘째 댓글"), 429, "too_many_requests")
        # Another reader is not held back by the first one's limit.
        assert post(app.test_client(), article, "다른 독자").status_code == 201

    def test_refused_attempts_do_not_use_up_the_limit(self, client, article):
        assert post(client, article, "").status_code == 400
        assert post(client, article, "이제 제대로").status_code == 201

    def test_per_ip_limit(self, app, article):
        app.config["COMMENT_LIMIT_PER_IP"] = "2 per minute"
        for i in range(2):
            assert post(app.test_client(), article, f"댓글 {i}").status_code == 201
        assert_error(post(app.test_client(), article, "셋째"), 429, "too_many_requests")


def test_limits_can_live_in_redis(app_factory, redis_server, article_key="news-r"):
    """REDIS_URL / RATELIMIT_STORAGE_URI moves the counters to Redis, shared by workers."""
    app = app_factory(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=TEST_REDIS_URL,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
    )
    with app.app_context():
        db.session.add(Article(key=article_key))
        db.session.commit()
    client = app.test_client()
    assert post(client, article_key, "레디스 첫 댓글").status_code == 201
    assert_error(post(client, article_key, "레디스 둘째"), 429, "too_many_requests")


def test_reader_cookie_is_signed(app, client, article):
    post(client, article, "쿠키 확인")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only
    forged = app.test_client()
    forged.set_cookie("session", cookie.value[:-2] + "xx")
    listing = forged.get(f"/api/v1/articles/{article}/comments").get_json()
    assert listing["comments"][0]["mine"] is False
