"""The admins' settings: thresholds, pre-moderation, word lists, articles open or closed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from web import comment_store, site_settings
from web.db import db
from web.models import Article, Reader

from .conftest import add_moderator, add_reader, log_in

SETTINGS = {
    "hold_threshold": "0.5",
    "review_threshold": "0.3",
    "hold_words": "",
    "allow_words": "",
}


@pytest.fixture
def admin(app):
    """A client logged in as an admin, and an article."""
    add_moderator(app, name="boss", role="admin")
    with app.app_context():
        db.session.add(Article(key="news-1", title="테스트 기사"))
        db.session.commit()
    client = app.test_client()
    log_in(client, "boss")
    return client


def post(app, body):
    """Post as a new reader; returns (status, hold_reason)."""
    reader_id = add_reader(app)
    with app.app_context():
        article = comment_store.find_article("news-1")
        comment = comment_store.post_comment(article, db.session.get(Reader, reader_id), body)
        return comment.status, comment.hold_reason


def test_only_admins(app, mod_client):
    assert mod_client.get("/moderation/settings/").status_code == 403
    assert mod_client.post("/moderation/settings/", data=SETTINGS).status_code == 403


def test_thresholds_from_the_page_decide(app, admin):
    # The test app publishes everything (thresholds 1.0) until the admin says otherwise.
    assert post(app, "꺼져 병신아") == ("published", None)
    response = admin.post("/moderation/settings/", data=SETTINGS)
    assert "설정을 저장했습니다." in admin.get(response.location).text
    assert post(app, "꺼져 병신아") == ("pending", "toxicity")
    assert post(app, "좋은 기사 감사합니다") == ("published", None)
    page = admin.get("/moderation/settings/").text
    assert 'value="0.5"' in page and 'value="0.3"' in page


@pytest.mark.parametrize(
    "bad", [{"hold_threshold": "0.2"}, {"hold_threshold": "x"}, {"review_threshold": "-1"}]
)
def test_thresholds_out_of_order_refused(app, admin, bad):
    typed = {**SETTINGS, **bad, "hold_words": "나쁜말1\n나쁜말2", "premoderate_all": "1"}
    response = admin.post("/moderation/settings/", data=typed)
    # Refused, and the form comes back as the admin typed it, with why.
    assert response.status_code == 400 and "기준값은" in response.text
    assert "나쁜말1\n나쁜말2</textarea>" in response.text
    assert f'step="0.01" value="{typed["hold_threshold"]}"' in response.text
    assert 'name="premoderate_all" value="1" checked' in response.text
    with app.app_context():
        assert site_settings.current().thresholds.hold == 1.0
        assert site_settings.current().hold_words == ()


def test_word_lists(app, admin):
    admin.post(
        "/moderation/settings/",
        data={
            **SETTINGS,
            "hold_threshold": "0.9",
            "hold_words": "도박\n도박\n",
            "allow_words": "병신",
        },
    )
    assert post(app, "온라인 도박 사이트 홍보") == ("pending", "word_list")
    with app.app_context():
        settings = site_settings.current()
        assert settings.hold_words == ("도박",)
        assert settings.mask_allowed("병신 같은 병신") == "   같은   "
    status, _ = post(app, "병신 좋은 기사 감사합니다")
    assert status == "published"


def test_a_hold_word_is_not_found_inside_a_never_counted_word(app, admin):
    admin.post(
        "/moderation/settings/",
        data={**SETTINGS, "hold_words": "시발", "allow_words": "시발점\n시발역"},
    )
    with app.app_context():
        settings = site_settings.current()
        assert settings.holds_for_words("이게 시발놈들아")
        assert settings.holds_for_words("시발점에서 시발 소리 하네")
        assert not settings.holds_for_words("모든 일의 시발점은 거기")
        assert not settings.holds_for_words("시발역에서 출발")
    assert post(app, "이번 정책은 시발점부터 잘못됐다")[1] != "word_list"


def test_too_many_words_refused(app, admin):
    words = "\n".join(f"단어{i}" for i in range(501))
    response = admin.post("/moderation/settings/", data={**SETTINGS, "hold_words": words})
    assert response.status_code == 400 and "500개까지" in response.text
    assert "단어500</textarea>" in response.text  # all of it, to be trimmed and sent again


def test_premoderation_site_wide_and_per_article(app, admin):
    admin.post("/moderation/settings/", data={**SETTINGS, "premoderate_all": "1"})
    assert post(app, "좋은 기사 감사합니다") == ("pending", "premoderation")
    assert "사전 검토로 보류됨" in admin.get("/moderation/queue/held").text
    admin.post("/moderation/settings/", data=SETTINGS)
    assert post(app, "좋은 기사 감사합니다") == ("published", None)
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    admin.post(f"/moderation/settings/articles/{article_id}", data={"premoderated": "1"})
    assert post(app, "좋은 기사 감사합니다") == ("pending", "premoderation")
    assert "켜짐" in admin.get("/moderation/settings/?article=news").text


def test_close_and_reopen_an_article(app, admin):
    with app.app_context():
        article_id = db.session.scalar(sa.select(Article.id))
    admin.post(f"/moderation/settings/articles/{article_id}", data={"comments_open": "0"})
    with pytest.raises(comment_store.CommentError):
        post(app, "좋은 기사 감사합니다")
    admin.post(f"/moderation/settings/articles/{article_id}", data={"comments_open": "1"})
    assert post(app, "좋은 기사 감사합니다")[0] == "published"
    response = admin.post("/moderation/settings/articles/999999", data={"comments_open": "0"})
    assert "존재하지 않는 기사입니다." in admin.get(response.location).text
