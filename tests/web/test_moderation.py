"""The moderators' pages through the test client: queues, cards, forms, the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from web import comment_store
from web.db import db
from web.models import Article, Comment, Decision, Reader
from web.policy import Thresholds, score_level

from .conftest import HUGE_IDS, add_moderator, add_reader, log_in


def setup(app_factory):
    """An app holding toxic comments, an article, a logged-in moderator's client."""
    app = app_factory(HOLD_THRESHOLD=0.5, REVIEW_THRESHOLD=0.3)
    with app.app_context():
        db.session.add(Article(key="news-1", title="테스트 기사"))
        db.session.commit()
    add_moderator(app)
    client = app.test_client()
    log_in(client)
    return app, client


def post(app, body, nickname="독자"):
    """Post a comment as a new reader; returns its id."""
    reader_id = add_reader(app, nickname)
    with app.app_context():
        article = comment_store.find_article("news-1")
        return comment_store.post_comment(article, db.session.get(Reader, reader_id), body).id


def status(app, comment_id):
    """The comment's status now."""
    with app.app_context():
        return db.session.get(Comment, comment_id).status


def test_times_and_date_filters_follow_the_display_zone(app_factory):
    app, client = setup(app_factory)
    comment_id = post(app, "꺼져 병신아")
    late_night = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)  # 01:30 on the 21st in Seoul
    with app.app_context():
        db.session.get(Comment, comment_id).created_at = late_night
        db.session.commit()
    card = client.get("/moderation/queue/held").text
    assert 'title="2026.11.21. 오전 1:30">2026.11.21.</time>' in card
    client.post("/moderation/decide", data={"comment_id": str(comment_id), "action": "approve"})
    with app.app_context():
        db.session.scalar(sa.select(Decision)).created_at = late_night
        db.session.commit()
    log = client.get("/moderation/audit").text
    assert '<time datetime="2026-11-20T16:30:00+00:00">2026.11.21. 오전 1:30</time>' in log
    for days, shown in (("date_from=2026-11-21&date_to=2026-11-21", 1), ("date_to=2026-11-20", 0)):
        assert client.get(f"/moderation/audit?{days}").text.count('class="mq-decision') == shown
        card = f'data-id="{comment_id}"'
        assert client.get(f"/moderation/queue/all?{days}").text.count(card) == shown


def test_held_queue_shows_cards_escaped_with_spans(app_factory):
    app, client = setup(app_factory)
    post(app, "꺼져 병신아 <script>alert(1)</script><img src=x onerror=alert(2)>", "<b>닉</b>")
    page = client.get("/moderation/queue/held").text
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>닉" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<mark class="mq-span"' in page
    assert 'class="mq-count" data-queue="held">1<' in page
    assert "유해도" in page and "<meter" in page and "모욕/비하" in page
    assert "테스트 기사" in page and "댓글 1 · 거절 0 · 정지 0" in page


def test_scores_are_coloured_by_where_they_stand_against_the_thresholds(app_factory):
    app, client = setup(app_factory)  # review at 0.3, hold at 0.5
    comment_id = post(app, "꺼져 병신아")
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment.toxicity = 0.01
        comment.categories = {**comment.categories, "profanity": 0.05, "insult": 0.4, "spam": 0.98}
        db.session.commit()
    card = client.get("/moderation/queue/all").text.split(f'data-id="{comment_id}"')[1]
    card = card.split("</li>")[0]
    levels = {
        label: level for level, label in re.findall(r'mq-level-(\w+)"><span>([^<]+)</span>', card)
    }
    assert levels["유해도"] == levels["욕설/비속어"] == "low"
    assert levels["모욕/비하"] == "review"
    assert levels["광고/도배"] == "hold"
    assert '<meter min="0" max="1" low="0.3" high="0.5" optimum="0" value="0.98">' in card


def test_score_level_follows_the_thresholds():
    thresholds = Thresholds(hold=0.5, review=0.3)
    assert [score_level(s, thresholds) for s in (0.0, 0.29, 0.3, 0.49, 0.5, 1.0)] == [
        "low",
        "low",
        "review",
        "review",
        "hold",
        "hold",
    ]


def test_sort_and_page_arguments(app_factory):
    app, client = setup(app_factory)
    for sort in ("newest", "toxicity", "uncertain", "nonsense"):
        assert client.get(f"/moderation/queue/held?sort={sort}&page=x").status_code == 200
    assert client.get("/moderation/queue/nope").status_code == 302
    response = client.get("/moderation/queue/all?status=zzz&date_from=yesterday&text=%25")
    assert response.status_code == 200


def test_approve_and_reject_forms(app_factory):
    app, client = setup(app_factory)
    held = post(app, "꺼져 병신아")
    clean = post(app, "좋은 기사 감사합니다")
    back = "/moderation/queue/held?sort=toxicity"
    response = client.post(
        "/moderation/decide", data={"comment_id": str(held), "action": "approve", "next": back}
    )
    assert response.status_code == 303 and response.location == back
    assert status(app, held) == "published"
    assert "1개 댓글을 승인했습니다." in client.get(back).text
    client.post(
        "/moderation/decide",
        data={"comment_id": [str(held), str(clean)], "action": "reject", "reason": "hate"},
    )
    assert status(app, held) == status(app, clean) == "rejected"
    page = client.get("/moderation/queue/held").text
    assert "2개 댓글을 거절했습니다 (혐오/차별)." in page
    response = client.post("/moderation/undo", data={"next": "/moderation/audit"})
    assert response.location == "/moderation/audit"
    assert status(app, held) == status(app, clean) == "published"
    for target in ("/moderation/\t/evil.example/", "/moderation/a\nb", "/articles/x"):
        response = client.post("/moderation/undo", data={"next": target})
        assert response.status_code == 303 and response.location == "/moderation/queue/held"


def seen_fields(html: str) -> dict[str, str]:
    """The ``seen-<id>`` fields a queue page's cards send with the bulk form."""
    return dict(re.findall(r'name="(seen-\d+)" value="([^"]*)" form="mq-bulk"', html))


def second_moderator(app):
    """A client logged in as a second moderator, "mod2"."""
    add_moderator(app, name="mod2")
    client = app.test_client()
    log_in(client, "mod2")
    return client


def test_a_stale_page_does_not_override_another_moderators_decision(app_factory):
    app, client = setup(app_factory)
    first, second = post(app, "꺼져 병신아"), post(app, "미친놈 아니야 이거")
    late = second_moderator(app)
    stale = seen_fields(late.get("/moderation/queue/held").text)
    assert set(stale) == {f"seen-{first}", f"seen-{second}"}
    fresh = seen_fields(client.get("/moderation/queue/held").text)
    approved = {"comment_id": str(first), f"seen-{first}": fresh[f"seen-{first}"]}
    client.post("/moderation/decide", data={**approved, "action": "approve"})
    assert status(app, first) == "published"

    # The late moderator's card for it: refused, told why, nothing changed.
    card = {"comment_id": str(first), f"seen-{first}": stale[f"seen-{first}"]}
    response = late.post("/moderation/decide", data={**card, "action": "reject", "reason": "hate"})
    page = flashed(late, response)
    assert "그사이 다른 운영자가 결정한 댓글입니다. 아무것도 바꾸지 않았습니다." in page
    assert "댓글을 거절했습니다" not in page
    assert status(app, first) == "published"

    # Both selected on the stale page: the other is rejected, the decided one counted.
    selection = {"comment_id": [str(first), str(second)], **stale}
    response = late.post(
        "/moderation/decide", data={**selection, "action": "reject", "reason": "hate"}
    )
    page = flashed(late, response)
    assert "1개 댓글을 거절했습니다 (혐오/차별)." in page
    assert "그사이 다른 운영자가 결정한 1개는 그대로 두었습니다." in page
    assert (status(app, first), status(app, second)) == ("published", "rejected")

    # From the 전체 queue, as it is now, a decided comment is changed on purpose.
    shown = seen_fields(late.get("/moderation/queue/all").text)
    card = {"comment_id": str(first), f"seen-{first}": shown[f"seen-{first}"]}
    late.post("/moderation/decide", data={**card, "action": "reject", "reason": "insult"})
    assert status(app, first) == "rejected"


def test_undo_says_what_it_could_not_take_back(app_factory):
    app, client = setup(app_factory)
    first, second = post(app, "꺼져 병신아"), post(app, "미친놈 아니야 이거")
    late = second_moderator(app)
    reject = {"action": "reject", "reason": "hate"}
    client.post("/moderation/decide", data={"comment_id": [first, second], "action": "approve"})
    late.post("/moderation/decide", data={"comment_id": first, **reject})
    page = flashed(client, client.post("/moderation/undo"))
    assert "마지막 작업을 되돌렸습니다 (1건)." in page
    assert "그 뒤에 다른 운영자가 다시 결정한 1건은 그대로 두었습니다." in page
    assert (status(app, first), status(app, second)) == ("rejected", "pending")

    client.post("/moderation/decide", data={"comment_id": second, "action": "approve"})
    late.post("/moderation/decide", data={"comment_id": second, **reject})
    page = flashed(client, client.post("/moderation/undo"))
    assert "되돌리지 못했습니다: 그 뒤에 다른 운영자가 다시 결정한 댓글입니다." in page
    assert "마지막 작업을 되돌렸습니다" not in page
    assert status(app, second) == "rejected"


def test_bad_forms_say_why(app_factory):
    app, client = setup(app_factory)
    held = post(app, "꺼져 병신아")
    for data, message in [
        ({"action": "approve"}, "선택한 댓글이 없습니다."),
        ({"comment_id": str(held), "action": "reject", "reason": "x"}, "거절 사유를 선택해"),
        ({"comment_id": "99999", "action": "approve"}, "존재하지 않는 댓글입니다."),
        ({"comment_id": str(held), "action": "delete"}, "알 수 없는 작업입니다."),
    ]:
        response = client.post("/moderation/decide", data=data)
        assert message in client.get(response.location).text
    response = client.post("/moderation/decide", data={"action": "approve", "next": "//evil.com"})
    assert response.location == "/moderation/queue/held"
    assert status(app, held) == "pending"


def test_author_actions(app_factory):
    app, client = setup(app_factory)
    held = post(app, "꺼져 병신아", "악플러")
    with app.app_context():
        author = db.session.get(Comment, held).author_id
    client.post(f"/moderation/authors/{author}/ban", data={"period": "7", "comment_id": held})
    with app.app_context():
        reader = db.session.get(Reader, author)
        assert reader.is_banned() and reader.banned_until is not None
    page = client.get("/moderation/queue/held").text
    assert "정지 1" in page and "정지 중" in page
    client.post(f"/moderation/authors/{author}/unban")
    client.post(f"/moderation/authors/{author}/reject-all", data={"reason": "insult"})
    assert status(app, held) == "rejected"
    with app.app_context():
        assert not db.session.get(Reader, author).is_banned()
        actions = [d.action for d in db.session.scalars(sa.select(Decision).order_by(Decision.id))]
    assert actions == ["ban", "unban", "reject"]
    response = client.post("/moderation/authors/99999/ban", data={"period": "forever"})
    assert "존재하지 않는 작성자입니다." in client.get(response.location).text
    response = client.get(f"/moderation/authors/{author}")
    assert response.location == f"/moderation/queue/all?author_id={author}"
    assert client.get(response.location).text.count('class="mq-card ') == 1


def flashed(client, response) -> str:
    """The page a form's answer leads back to, with its notice."""
    assert response.status_code == 303
    return client.get(response.location).text


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_forms_naming_ids_beyond_the_column_say_not_found(app_factory, huge):
    app, client = setup(app_factory)
    held = post(app, "꺼져 병신아", "악플러")
    with app.app_context():
        author = db.session.get(Comment, held).author_id
    for ids in ([huge], [held, huge]):
        response = client.post("/moderation/decide", data={"comment_id": ids, "action": "approve"})
        assert "존재하지 않는 댓글입니다." in flashed(client, response)
    for comment_id in (huge, 99999):
        response = client.post(
            f"/moderation/authors/{author}/ban",
            data={"period": "forever", "comment_id": comment_id},
        )
        assert "존재하지 않는 댓글입니다." in flashed(client, response)
    assert status(app, held) == "pending"
    with app.app_context():
        assert not db.session.get(Reader, author).is_banned()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Decision)) == 0
    # An author no reader can be has no comments (the filter is not dropped).
    page = client.get(f"/moderation/queue/all?author_id={huge}")
    assert page.status_code == 200 and 'class="mq-card ' not in page.text
    assert client.get("/moderation/queue/all").text.count('class="mq-card ') == 1


def test_reject_all_of_an_unknown_author_says_so(app_factory):
    app, client = setup(app_factory)
    response = client.post("/moderation/authors/99999/reject-all", data={"reason": "spam"})
    page = flashed(client, response)
    assert "존재하지 않는 작성자입니다." in page and "0개를 거절했습니다" not in page


def test_audit_log_and_its_filters(app_factory):
    app, client = setup(app_factory)
    add_moderator(app, name="other")
    first, second = post(app, "꺼져 병신아"), post(app, "미친놈 아니야 이거")
    client.post("/moderation/decide", data={"comment_id": first, "action": "approve"})
    other = app.test_client()
    log_in(other, "other")
    other.post(
        "/moderation/decide", data={"comment_id": second, "action": "reject", "reason": "threat"}
    )
    page = client.get("/moderation/audit").text
    assert page.count('class="mq-decision') == 2
    assert "보류 → 게시" in page and "보류 → 거절" in page and "위협" in page
    assert "꺼져 병신아" in page
    only = client.get("/moderation/audit?moderator=other").text
    assert only.count('class="mq-decision') == 1 and "미친놈" in only
    assert client.get("/moderation/audit?action=approve").text.count('class="mq-decision') == 1
    assert client.get("/moderation/audit?reason=threat").text.count('class="mq-decision') == 1
    assert "기록이 없습니다" in client.get("/moderation/audit?date_to=2000-01-01").text


def test_counts_json(app_factory):
    app, client = setup(app_factory)
    comment_id = post(app, "꺼져 병신아")
    assert client.get("/moderation/counts.json").get_json() == {
        "counts": {"held": 1, "review": 0, "reported": 0},
        "newest_id": comment_id,
    }


def test_pages_send_the_csp_and_load_no_inline_script(app_factory):
    app, client = setup(app_factory)
    post(app, "꺼져 병신아")
    response = client.get("/moderation/queue/held")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script>" not in response.text
    assert 'style="' not in response.text
