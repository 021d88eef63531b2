"""Moderators' decisions: statuses, the article's count, the records, undo, bans, the queues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from web import comment_store, i18n
from web import moderation_queue as mq
from web import moderation_service as service
from web.db import db, utcnow
from web.models import Article, Comment, Decision, Moderator, Reader, Report

from .conftest import HUGE_IDS, add_moderator, add_reader


@pytest.fixture
def held_app(app_factory):
    """Toxic comments held, clean ones published; one article, a moderator."""
    app = app_factory(HOLD_THRESHOLD=0.5, REVIEW_THRESHOLD=0.3)
    with app.app_context():
        db.session.add(Article(key="news-1", title="테스트 기사"))
        db.session.commit()
    add_moderator(app)
    return app


def post(app, body, nickname="독자", reader_id=None):
    """Post a comment as a (new) reader; returns its id."""
    reader_id = reader_id or add_reader(app, nickname)
    with app.app_context():
        article = comment_store.find_article("news-1")
        return comment_store.post_comment(article, db.session.get(Reader, reader_id), body).id


def state(app, comment_id):
    """(status, the article's comment count)."""
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        count = db.session.scalar(sa.select(Article.comment_count).where(Article.key == "news-1"))
        return comment.status, count


def moderator():
    """The test moderator (inside an app context)."""
    return db.session.scalar(sa.select(Moderator).where(Moderator.name == "mod"))


def test_approve_publishes_and_records_the_label(held_app):
    comment_id = post(held_app, "꺼져 병신아")
    assert state(held_app, comment_id) == ("pending", 0)
    with held_app.app_context():
        service.approve(moderator(), [comment_id])
    assert state(held_app, comment_id) == ("published", 1)
    with held_app.app_context():
        decision = db.session.scalar(sa.select(Decision))
        assert (decision.action, decision.status_before, decision.status_after) == (
            "approve",
            "pending",
            "published",
        )
        assert decision.label == "clean" and decision.body == "꺼져 병신아"
        assert decision.toxicity > 0.5 and decision.model_version
        assert decision.categories["insult"] > 0.5
        assert decision.moderator_id == moderator().id and decision.reader_id is not None


def test_reject_hides_and_labels_with_the_reason(held_app):
    comment_id = post(held_app, "좋은 기사 감사합니다")
    assert state(held_app, comment_id) == ("published", 1)
    with held_app.app_context():
        service.reject(moderator(), [comment_id], "spam")
    assert state(held_app, comment_id) == ("rejected", 0)
    with held_app.app_context():
        decision = db.session.scalar(sa.select(Decision))
        assert decision.label == "spam" and decision.status_before == "published"


def test_reject_needs_a_known_reason(held_app):
    comment_id = post(held_app, "꺼져 병신아")
    with held_app.app_context(), pytest.raises(service.ModerationError):
        service.reject(moderator(), [comment_id], "rude")
    assert state(held_app, comment_id) == ("pending", 0)


def test_unknown_comment_changes_nothing(held_app):
    comment_id = post(held_app, "꺼져 병신아")
    with held_app.app_context(), pytest.raises(service.ModerationError) as caught:
        service.approve(moderator(), [comment_id, 999999])
    assert caught.value.status == 404
    assert state(held_app, comment_id) == ("pending", 0)


def test_undo_takes_back_the_whole_last_action(held_app):
    clean = post(held_app, "좋은 기사 감사합니다")
    toxic = post(held_app, "꺼져 병신아")
    with held_app.app_context():
        service.approve(moderator(), [toxic])
        service.reject(moderator(), [clean, toxic], "insult")
    assert state(held_app, clean) == ("rejected", 0)
    with held_app.app_context():
        undone = service.undo_last(moderator())
        assert (len(undone.decisions), undone.skipped) == (2, 0)
    assert state(held_app, clean) == ("published", 2)
    assert state(held_app, toxic)[0] == "published"
    with held_app.app_context():
        service.undo_last(moderator())
    assert state(held_app, toxic) == ("pending", 1)
    with held_app.app_context():
        assert db.session.scalar(sa.select(Comment.hold_reason).where(Comment.id == toxic))
        with pytest.raises(service.ModerationError):
            service.undo_last(moderator())
        # Undone decisions stay in the log, marked, and are not labels any more.
        assert all(d.undone_at for d in db.session.scalars(sa.select(Decision)))


def test_undo_leaves_a_comment_someone_judged_since_and_says_so(held_app):
    toxic, other_toxic = post(held_app, "꺼져 병신아"), post(held_app, "미친놈 아니야 이거")
    other = add_moderator(held_app, name="other")
    with held_app.app_context():
        service.approve(moderator(), [toxic])
        service.reject(db.session.get(Moderator, other), [toxic], "insult")
        undone = service.undo_last(moderator())
        assert (undone.decisions, undone.skipped) == ([], 1)
        service.approve(moderator(), [toxic, other_toxic])
        service.reject(db.session.get(Moderator, other), [toxic], "insult")
        undone = service.undo_last(moderator())
        assert ([d.comment_id for d in undone.decisions], undone.skipped) == ([other_toxic], 1)
    assert state(held_app, toxic) == ("rejected", 0)
    assert state(held_app, other_toxic) == ("pending", 0)


def marks(ids) -> dict[int, str]:
    """What a moderator's page shows of the comments now (inside an app context)."""
    return {i: db.session.get(Comment, i).moderation_mark for i in ids}


def test_a_stale_decision_leaves_what_another_moderator_decided(held_app):
    first, second = post(held_app, "꺼져 병신아"), post(held_app, "미친놈 아니야 이거")
    late_id = add_moderator(held_app, name="late")
    with held_app.app_context():
        late = db.session.get(Moderator, late_id)
        seen = marks([first, second])  # the late moderator's page, left open
        service.approve(moderator(), [first])
        with pytest.raises(service.ModerationError) as caught:
            service.reject(late, [first], "insult", seen=seen)
        assert caught.value.status == 409 and "다른 운영자가 결정한" in caught.value.message
        db.session.rollback()
        assert state(held_app, first) == ("published", 1)
        # A bulk action decides the rest and counts what it left.
        outcome = service.reject(late, [first, second], "hate", seen=seen)
        assert ([c.id for c in outcome.decided], outcome.skipped) == ([second], 1)
        assert state(held_app, first) == ("published", 1)
        assert state(held_app, second) == ("rejected", 1)
        decided = db.session.execute(sa.select(Decision.comment_id, Decision.action)).all()
        assert sorted(decided) == [(first, "approve"), (second, "reject")]
        # Shown as it is now (the 전체 queue), a decided comment may be changed on purpose.
        service.reject(late, [first], "insult", seen=marks([first]))
    assert state(held_app, first) == ("rejected", 0)


def test_a_stale_decision_on_a_reported_comment_is_refused(held_app):
    clean = post(held_app, "좋은 기사 감사합니다")
    reporter = add_reader(held_app, "신고자")
    late = add_moderator(held_app, name="late")
    with held_app.app_context():
        db.session.add(Report(comment_id=clean, reader_id=reporter, reason="spam"))
        db.session.get(Comment, clean).report_count = 1
        db.session.commit()
        seen = marks([clean])
        service.approve(moderator(), [clean])  # the report was looked at: it stays out
        with pytest.raises(service.ModerationError):
            service.reject(db.session.get(Moderator, late), [clean], "spam", seen=seen)
        db.session.rollback()
    assert state(held_app, clean) == ("published", 1)


def test_reject_all_by_author(held_app):
    reader_id = add_reader(held_app, "도배꾼")
    ids = [post(held_app, f"광고 {i} 보러 오세요", reader_id=reader_id) for i in range(3)]
    bystander = post(held_app, "좋은 기사 감사합니다")
    with held_app.app_context():
        assert service.reject_all_by_author(moderator(), reader_id, "spam") == 3
    assert {state(held_app, i)[0] for i in ids} == {"rejected"}
    assert state(held_app, bystander) == ("published", 1)


def test_unknown_author_or_ids_beyond_the_column(held_app):
    comment_id = post(held_app, "꺼져 병신아")
    with held_app.app_context():
        for action in (
            lambda: service.reject_all_by_author(moderator(), 99999, "spam"),
            lambda: service.reject_all_by_author(moderator(), HUGE_IDS[1], "spam"),
            lambda: service.ban(moderator(), HUGE_IDS[0]),
            lambda: service.unban(moderator(), HUGE_IDS[1]),
            lambda: service.approve(moderator(), [comment_id, HUGE_IDS[1]]),
            lambda: service.reject(moderator(), [HUGE_IDS[0]], "spam"),
        ):
            with pytest.raises(service.ModerationError) as caught:
                action()
            assert caught.value.status == 404
            db.session.rollback()
    assert state(held_app, comment_id) == ("pending", 0)


def test_ban_for_a_period_and_for_good_then_unban(held_app):
    reader_id = add_reader(held_app, "악플러")
    with held_app.app_context():
        until = utcnow() + timedelta(days=7)
        service.ban(moderator(), reader_id, until)
        reader = db.session.get(Reader, reader_id)
        assert reader.is_banned() and not reader.is_banned(until + timedelta(seconds=1))
        with pytest.raises(comment_store.CommentError):
            comment_store.post_comment(comment_store.find_article("news-1"), reader, "안녕하세요")
        service.ban(moderator(), reader_id, None)
        assert reader.is_banned(utcnow() + timedelta(days=3650))
        service.undo_last(moderator())
        assert reader.banned_until == until  # back to the timed ban
        service.unban(moderator(), reader_id)
        assert not reader.is_banned()
        actions = [d.action for d in db.session.scalars(sa.select(Decision).order_by(Decision.id))]
        assert actions == ["ban", "ban", "unban"]
        with pytest.raises(service.ModerationError):
            service.ban(moderator(), reader_id, utcnow() - timedelta(days=1))


def test_a_ban_that_ended_lets_the_author_post(held_app):
    reader_id = add_reader(held_app, "돌아온독자")
    with held_app.app_context():
        reader = db.session.get(Reader, reader_id)
        reader.banned, reader.banned_until = True, utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert state(held_app, post(held_app, "좋은 기사 감사합니다", reader_id=reader_id))[0] == (
        "published"
    )


def test_queues_and_counts(held_app):
    held = post(held_app, "꺼져 병신아")
    clean = post(held_app, "좋은 기사 감사합니다")
    reporter = add_reader(held_app, "신고자")
    with held_app.app_context():
        db.session.add(Report(comment_id=clean, reader_id=reporter, reason="spam"))
        db.session.get(Comment, clean).report_count = 1
        db.session.commit()
        assert mq.queue_counts() == {"held": 1, "review": 0, "reported": 1}
        page = mq.list_queue("reported", "newest", None, 20, 0.5)
        assert [c.id for c in page.comments] == [clean]
        assert page.reports == {clean: [("spam", 1)]}
        service.approve(moderator(), [clean])
        assert mq.queue_counts() == {"held": 1, "review": 0, "reported": 0}
        service.reject(moderator(), [held], "insult")
        page = mq.list_queue("all", "newest", None, 20, 0.5, mq.Filters(status="rejected"))
        assert [c.id for c in page.comments] == [held]
        assert page.history[page.comments[0].author_id]["rejected"] == 1


def test_sorts_by_toxicity_and_uncertainty(held_app):
    ids = [post(held_app, f"댓글 {i}") for i in range(4)]
    with held_app.app_context():
        for comment_id, toxicity in zip(ids, [0.99, 0.52, 0.7, 0.95], strict=True):
            comment = db.session.get(Comment, comment_id)
            comment.status, comment.toxicity = "pending", toxicity
        db.session.commit()
        order = [c.id for c in mq.list_queue("held", "toxicity", None, 20, 0.5).comments]
        assert order == [ids[0], ids[3], ids[2], ids[1]]
        order = [c.id for c in mq.list_queue("held", "uncertain", None, 20, 0.5).comments]
        assert order == [ids[1], ids[2], ids[3], ids[0]]
        first = mq.list_queue("held", "newest", None, 3, 0.5)
        cursor = mq.QueueCursor.decode(first.next_cursor, "held", "newest")
        second = mq.list_queue("held", "newest", cursor, 3, 0.5)
        assert first.next_cursor and not second.next_cursor and second.page == 2
        assert [c.id for c in first.comments + second.comments] == ids[::-1]


def test_filters_of_the_all_queue(held_app):
    kim = add_reader(held_app, "김독자")
    a = post(held_app, "도서관 연장 운영 찬성합니다", reader_id=kim)
    b = post(held_app, "꺼져 병신아")

    def found(**filters):
        page = mq.list_queue("all", "newest", None, 20, 0.5, mq.Filters(**filters))
        return [c.id for c in page.comments]

    with held_app.app_context():
        assert found() == [b, a]
        assert found(author="김독자") == [a]
        assert found(author="김독") == [a] and found(author="%") == []
        assert found(author_id=str(kim)) == [a]
        assert mq.Filters.from_args({"author_id": "x; drop"}).author_id == ""
        assert found(text="도서관") == [a]
        assert found(text="%") == []
        assert found(category="insult") == [b]
        assert found(article="테스트") == [b, a]
        assert found(article="없는 기사") == []
        today = i18n.local_time(utcnow()).strftime("%Y-%m-%d")  # the moderators' day
        assert found(date_from=today, date_to=today) == [b, a]
        assert found(date_to="2000-01-01") == []


def test_date_filters_take_the_days_of_the_display_zone(held_app):
    early = post(held_app, "새벽 첫 댓글")
    late = post(held_app, "자정 전 댓글")
    with held_app.app_context():
        # 00:30 and 23:30 on 21 November in Seoul; the first is still the 20th in UTC.
        db.session.get(Comment, early).created_at = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
        db.session.get(Comment, late).created_at = datetime(2026, 11, 21, 14, 30, tzinfo=UTC)
        db.session.commit()

        def found(**filters):
            page = mq.list_queue("all", "newest", None, 20, 0.5, mq.Filters(**filters))
            return [c.id for c in page.comments]

        assert found(date_from="2026-11-21", date_to="2026-11-21") == [late, early]
        assert found(date_from="2026-11-21") == [late, early]
        assert found(date_to="2026-11-20") == []
        assert found(date_from="2026-11-22") == []


def test_highlight_escapes_everything():
    body = '<script>alert("x")</script> 병신 & <b>'
    at = body.index("병신")
    spans = [{"start": at, "end": at + 2, "category": 'insult"><img src=x>'}, {"start": at + 1}]
    html = str(mq.highlighted(body, spans))
    assert "<script>" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    mark = '<mark class="mq-span" data-category="insult&#34;&gt;&lt;img src=x&gt;">병신</mark>'
    assert mark in html
    assert str(mq.highlighted("abc", None)) == "abc"
