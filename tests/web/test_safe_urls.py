"""Which addresses the app redirects to, or stores as an article's link."""

from __future__ import annotations

import pytest

from web import safe_urls
from web.models import Article

NOT_LOCAL = [
    None,
    "",
    "//evil.example/x",
    "/\t/evil.example/x",
    "/\r\n/evil.example/x",
    "/a\nb",
    "/a b",
    "/\\evil.example",
    "\\\\evil.example",
    "/x\u202e",  # a right-to-left override
    "/x\x00",
    "https://evil.example/x",
    "javascript:alert(1)",
    "x/y",
]


@pytest.mark.parametrize("target", NOT_LOCAL)
def test_only_local_paths_are_redirect_targets(target):
    assert safe_urls.local_path(target) is None


def test_local_paths_keep_their_query():
    for target in ("/", "/articles/x/comments?sort=upvotes", "/articles/새기사/comments"):
        assert safe_urls.local_path(target) == target
    assert safe_urls.local_path("/moderation/audit?page=2", "/moderation/") == (
        "/moderation/audit?page=2"
    )
    assert safe_urls.local_path("/articles/x", "/moderation/") is None


def test_a_referer_counts_only_from_this_site(app):
    with app.test_request_context("/", base_url="http://comments.example"):
        page = "http://comments.example/moderation/queue/all?sort=toxicity"
        assert (
            safe_urls.same_site_path(page, "/moderation/") == "/moderation/queue/all?sort=toxicity"
        )
        for referer in (
            "http://evil.example/moderation/queue/all",
            "https://comments.example/moderation/",  # another scheme is another origin
            "http://comments.example//evil.example/",
            "http://comments.example/\t/evil.example/",
            "http://comments.example/articles/x",
            None,
        ):
            assert safe_urls.same_site_path(referer, "/moderation/") is None, referer


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "/relative/path",
        "//news.example/a",
        "https://",
        "https://user@news.example/a",
        "https://news.example:99999/a",
        "https://news.example/a\nb",
        "ftp://news.example/a",
    ],
)
def test_article_links_are_web_pages(url):
    assert safe_urls.web_page(url) is None
    assert not safe_urls.on_origins(url, ["https://news.example"])


def test_article_links_on_allowed_origins():
    allowed = ["https://news.example", "http://127.0.0.1:5090/"]
    assert safe_urls.web_page("https://news.example/a/42?x=1") == "https://news.example/a/42?x=1"
    for url in ("https://news.example/a", "HTTPS://News.Example:443/a", "http://127.0.0.1:5090/x"):
        assert safe_urls.on_origins(url, allowed), url
    for url in (
        "http://news.example/a",  # another scheme
        "https://news.example:8443/a",  # another port
        "https://news.example.evil.example/a",
        "https://evil.example/phish",
        "http://127.0.0.1:5091/x",
    ):
        assert not safe_urls.on_origins(url, allowed), url


def test_an_article_cannot_hold_a_link_that_is_not_a_web_page():
    for url in ("javascript:alert(1)", "data:text/html,x", "/relative"):
        with pytest.raises(ValueError):
            Article(key="k", url=url)
    assert Article(key="k", url="https://news.example/a").url == "https://news.example/a"
    assert Article(key="k", url=None).url is None
