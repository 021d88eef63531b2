"""How fast the moderation queue page answers with 10,000 pending comments.

    python bench/bench_queue.py                        # SQLite and PostgreSQL
    python bench/bench_queue.py --backend sqlite --pending 10000 --published 90000

Fills a database with --pending held comments and --published published ones (with
scores, spans and a few reports, over 100 articles and 2,000 authors), logs a moderator
in, and times the whole HTML page through Flask's test client: the 보류 queue in each
sort (first page, and page 50 reached through the pages' cursor links), the 전체 queue
with a text search, and the 신고 queue.
Medians and 95th percentiles in milliseconds; a JSON copy goes to bench/results/.
PostgreSQL comes from BENCH_DATABASE_URL (as bench_comments.py). The issue's target:
20 of 10,000 pending comments in under 200 ms median.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from bench_comments import RESULTS, postgres_url, summary, timed  # noqa: E402

from web import create_app  # noqa: E402
from web.db import db  # noqa: E402
from web.models import Article, Comment, Moderator, Reader  # noqa: E402

ARTICLES = 100
AUTHORS = 2000
PASSWORD = "bench password"
WORDS = ["정부", "기사", "정책", "바보", "멍청이", "도서관", "예산", "쓰레기", "찬성", "반대"]


def comment_rows(pending: int, published: int, rng) -> list[dict]:
    """Comments with the model's verdict, pending ones scored above the hold threshold."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows = []
    for i in range(pending + published):
        held = i % ((pending + published) // max(pending, 1) or 1) == 0 and pending > 0
        toxicity = rng.uniform(0.85, 1.0) if held else rng.uniform(0.0, 0.6)
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))) + f" {i}"
        rows.append(
            {
                "article_id": 1 + i % ARTICLES,
                "author_id": 1 + rng.randrange(AUTHORS),
                "nickname": "독자",
                "body": body,
                "body_hash": f"{i:064x}",
                "created_at": start + timedelta(seconds=i * 7),
                "status": "pending" if held else "published",
                "hold_reason": "toxicity" if held else None,
                "toxicity": toxicity,
                "categories": {"profanity": rng.random(), "insult": rng.random()},
                "spans": [{"start": 0, "end": 2, "category": "insult", "weight": 0.5}],
                "model_version": "bench",
                "upvotes": 0,
                "downvotes": 0,
                "report_count": 1 if rng.random() < 0.01 else 0,
                "reports_seen": 0,
            }
        )
    held_rows = sum(r["status"] == "pending" for r in rows)
    for row in rows:  # top up to exactly --pending held comments
        if held_rows >= pending:
            break
        if row["status"] == "published":
            row["status"], row["hold_reason"] = "pending", "toxicity"
            held_rows += 1
    return rows


def fill(app, pending: int, published: int) -> None:
    """Fresh tables, articles, authors, comments and one moderator."""
    rng = random.Random(7)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.session.execute(
            sa.insert(Article),
            [
                {"key": f"a{i}", "title": f"기사 {i}", "comments_open": True, "comment_count": 0}
                for i in range(ARTICLES)
            ],
        )
        db.session.execute(
            sa.insert(Reader),
            [{"token": f"t{i}", "nickname": f"독자{i}", "banned": False} for i in range(AUTHORS)],
        )
        rows = comment_rows(pending, published, rng)
        for chunk in range(0, len(rows), 5000):
            db.session.execute(sa.insert(Comment), rows[chunk : chunk + 5000])
        moderator = Moderator(name="bench")
        moderator.set_password(PASSWORD)
        db.session.add(moderator)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
        else:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")


def page_url(client, url: str, number: int) -> str:
    """The address of page ``number`` of a queue, found by following its 다음 links."""
    for _ in range(number - 1):
        link = re.search(r'href="([^"]+)" class="mq-next"', client.get(url).text)
        url = html.unescape(link.group(1))
    return url


def measure(app, samples: int) -> dict:
    """Time the queue pages."""
    client = app.test_client()
    assert (
        client.post("/moderation/login", data={"name": "bench", "password": PASSWORD}).status_code
        == 303
    )
    pages = {
        "보류 newest, page 1": "/moderation/queue/held?sort=newest",
        "보류 toxicity, page 1": "/moderation/queue/held?sort=toxicity",
        "보류 uncertain, page 1": "/moderation/queue/held?sort=uncertain",
        "보류 newest, page 50": page_url(client, "/moderation/queue/held?sort=newest", 50),
        "보류 uncertain, page 50": page_url(client, "/moderation/queue/held?sort=uncertain", 50),
        "전체 text search": "/moderation/queue/all?text=%EB%8F%84%EC%84%9C%EA%B4%80",
        "신고": "/moderation/queue/reported",
    }
    results = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200 and response.text.count('class="mq-card ') == 20, name
        results[name] = summary(timed(lambda u=url: client.get(u), samples))
    return results


def main() -> None:
    """Parse arguments, run the chosen backends, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pending", type=int, default=10_000)
    parser.add_argument("--published", type=int, default=90_000)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    report = {"pending": args.pending, "published": args.published}
    with tempfile.TemporaryDirectory() as folder:
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        for backend in backends:
            url = f"sqlite:///{folder}/queue.sqlite3" if backend == "sqlite" else postgres_url()
            app = create_app(
                {
                    "SQLALCHEMY_DATABASE_URI": url,
                    "RATELIMIT_ENABLED": False,
                    "WTF_CSRF_ENABLED": False,
                    "SECRET_KEY": "bench",
                }
            )
            print(f"{backend}: filling {args.pending:,} pending, {args.published:,} published")
            fill(app, args.pending, args.published)
            report[backend] = measure(app, args.samples)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            for name, figures in report[backend].items():
                print(
                    f"  {name:28s} median {figures['median_ms']:8.2f} ms"
                    f"  p95 {figures['p95_ms']:8.2f} ms"
                )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "queue.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"saved {out}")


if __name__ == "__main__":
    main()
