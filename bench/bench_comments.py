"""How fast the comment section answers with a million comments in the database.

    python bench/bench_comments.py                     # SQLite and PostgreSQL
    python bench/bench_comments.py --backend sqlite --comments 200000

Fills a database with --comments comments (--hot of them on one article, the rest
spread over other articles, with skewed vote counts), then times through Flask's
test client: a page of 20 comments in each sort (first pages and pages deep in
the list, following cursors) and posting a comment with the model scoring it.
Medians and 95th percentiles in milliseconds; a JSON copy goes to bench/results/.
PostgreSQL comes from BENCH_DATABASE_URL (default: database comment_mod_bench on
127.0.0.1, created if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

import classifier  # noqa: E402
from web import create_app  # noqa: E402
from web.db import db  # noqa: E402
from web.scoring import model_holder  # noqa: E402

HOT_KEY = "hot"
PER_COLD_ARTICLE = 100
READERS = 5000
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/comment_mod_bench"
RESULTS = Path(__file__).resolve().parent / "results"

FALLBACK_EXAMPLES = [
    ("좋은 기사 감사합니다", False),
    ("정리가 잘 되어 있네요", False),
    ("도서관 연장 운영 찬성합니다", False),
    ("다음 기사도 기대할게요", False),
    ("주말에도 열어 주세요", False),
    ("기자님 수고하셨습니다", False),
    ("이 바보 멍청이야", True),
    ("꺼져 병신아", True),
    ("기자 수준 진짜 쓰레기네", True),
    ("닥쳐 멍청한 놈", True),
    ("미친 바보 기자", True),
    ("쓰레기 같은 놈들", True),
]


def get_model(path: str | None):
    """The model to score with: a saved one, else trained on the corpus (or a fallback)."""
    if path:
        return classifier.load(path)
    if Path(classifier.DEFAULT_TRAINING_DATA).is_dir():
        print(f"training a model on {classifier.DEFAULT_TRAINING_DATA} ...", flush=True)
        return classifier.train(classifier.read_examples(classifier.DEFAULT_TRAINING_DATA))
    print("no training data: training a small stand-in model", flush=True)
    examples = [
        classifier.Example(text=t, toxic=y, categories={"insult": y}) for t, y in FALLBACK_EXAMPLES
    ]
    return classifier.train(examples * 3)


def postgres_url() -> str:
    """The benchmark's PostgreSQL database, created if missing."""
    url = sa.engine.make_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute(
            "SELECT 1 FROM pg_database WHERE datname=%s", (url.database,)
        ).fetchone():
            conn.execute(f'CREATE DATABASE "{url.database}"')
    return url.render_as_string(hide_password=False)


def comment_rows(total: int, hot: int, hot_article_id: int, first_cold_id: int, rng):
    """Rows for the comments table, oldest first, in a fixed order of columns."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(total):
        article_id = hot_article_id if i % (total // hot) == 0 and hot > 0 else None
        if article_id is None:
            article_id = first_cold_id + (i % ((total - hot) // PER_COLD_ARTICLE + 1))
        # Most comments get few votes, a few get many: like a real comment section.
        up = int(rng.paretovariate(1.3)) - 1
        down = int(rng.paretovariate(1.6)) - 1
        yield (
            i + 1,
            article_id,
            rng.randrange(1, READERS + 1),
            "벤치독자",
            f"벤치마크 댓글 {i}",
            f"{i:064x}",
            start + timedelta(seconds=i * 7),
            "published",
            0.01,
            min(up, 5000),
            min(down, 5000),
        )


COLUMNS = (
    "id, article_id, author_id, nickname, body, body_hash, created_at, status, toxicity, "
    "upvotes, downvotes"
)


def fill(app, total: int, hot: int) -> None:
    """Create the schema and load readers, articles and comments in bulk."""
    rng = random.Random(7)
    with app.app_context():
        db.drop_all()
        db.create_all()
        engine = db.engine
        cold_articles = (total - hot) // PER_COLD_ARTICLE + 1
        now = datetime.now(UTC)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO readers (id, token, nickname, banned, created_at) "
                    "VALUES (:id, :token, :nick, false, :now)"
                ),
                [
                    {"id": i, "token": f"bench-{i}", "nick": "벤치독자", "now": now}
                    for i in range(1, READERS + 1)
                ],
            )
            conn.execute(
                sa.text(
                    "INSERT INTO articles (id, key, title, comments_open, comment_count, "
                    "created_at) VALUES (:id, :key, :title, true, :n, :now)"
                ),
                [{"id": 1, "key": HOT_KEY, "title": "벤치마크 기사", "n": hot, "now": now}]
                + [
                    {"id": i + 2, "key": f"cold-{i}", "title": "", "n": 0, "now": now}
                    for i in range(cold_articles)
                ],
            )
        rows = comment_rows(total, hot, 1, 2, rng)
        started = time.perf_counter()
        if engine.dialect.name == "postgresql":
            _copy_postgres(engine, rows)
        else:
            _insert_sqlite(engine, rows)
        print(f"  loaded {total:,} comments in {time.perf_counter() - started:.0f} s", flush=True)


def _insert_sqlite(engine, rows) -> None:
    """executemany in large chunks: SQLite's fastest path from Python."""
    sql = (
        f"INSERT INTO comments ({COLUMNS}, report_count) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"
    )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        chunk = []
        for row in rows:
            chunk.append(row[:6] + (row[6].strftime("%Y-%m-%d %H:%M:%S.000000"),) + row[7:])
            if len(chunk) == 50_000:
                cursor.executemany(sql, chunk)
                chunk = []
        cursor.executemany(sql, chunk)
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def _copy_postgres(engine, rows) -> None:
    """COPY: PostgreSQL's bulk path."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY comments ({COLUMNS}, report_count) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, 0))
        cursor.execute("SELECT setval('comments_id_seq', (SELECT max(id) FROM comments))")
        cursor.execute("SELECT setval('articles_id_seq', (SELECT max(id) FROM articles))")
        cursor.execute("SELECT setval('readers_id_seq', (SELECT max(id) FROM readers))")
        raw.commit()
    finally:
        raw.close()
    # Settle the bulk load before timing: otherwise autovacuum and the checkpoint of a
    # million fresh rows compete with the requests for the machine's two cores.
    with psycopg.connect(engine.url.set(drivername="postgresql").render_as_string(False)) as conn:
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def timed(call, samples: int) -> list[float]:
    """Milliseconds of each of ``samples`` calls, after a few warm-up calls."""
    for _ in range(5):
        call()
    out = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(values: list[float]) -> dict:
    """Median and 95th percentile."""
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 3),
        "n": len(ordered),
    }


def measure(app, samples: int) -> dict:
    """Time the list in each sort (first and deep pages) and posting."""
    client = app.test_client()
    url = f"/api/v1/articles/{HOT_KEY}/comments"
    results = {}
    for sort in ("newest", "upvotes", "downvotes"):
        first = client.get(f"{url}?sort={sort}")
        assert first.status_code == 200 and len(first.get_json()["comments"]) == 20
        results[f"list {sort}, first page"] = summary(
            timed(lambda s=sort: client.get(f"{url}?sort={s}"), samples)
        )
        # Collect cursors some way into the list, then time pages that start there.
        cursors, cursor = [], first.get_json()["next_cursor"]
        for _ in range(50):
            cursors.append(cursor)
            cursor = client.get(f"{url}?sort={sort}&cursor={cursor}").get_json()["next_cursor"]
        picks = iter(cursors * (samples // len(cursors) + 2))
        results[f"list {sort}, deeper pages"] = summary(
            timed(lambda s=sort, p=picks: client.get(f"{url}?sort={s}&cursor={next(p)}"), samples)
        )
    counter = iter(range(10**9))

    def post():
        n = next(counter)
        response = client.post(
            url, json={"body": f"벤치마크로 쓰는 새 댓글 {n}번입니다", "nickname": "측정"}
        )
        assert response.status_code == 201, response.get_json()

    results["post with scoring"] = summary(timed(post, samples))
    return results


def run(backend: str, url: str, args, model) -> dict:
    """Fill one database and measure it."""
    print(
        f"{backend}: filling {args.comments:,} comments ({args.hot:,} on one article)", flush=True
    )
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
            "HOLD_THRESHOLD": 0.9,
            "REVIEW_THRESHOLD": 0.5,
        }
    )
    fill(app, args.comments, args.hot)
    with app.app_context():
        model_holder().swap(model)
    results = measure(app, args.samples)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return results


def main() -> None:
    """Parse arguments, run the chosen backends, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--hot", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--model", help="a saved model (default: train one)")
    args = parser.parse_args()

    model = get_model(args.model)
    model.score(["예열"])
    report = {"comments": args.comments, "hot_article": args.hot, "model": model.version}
    with tempfile.TemporaryDirectory() as folder:
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        for backend in backends:
            url = f"sqlite:///{folder}/bench.sqlite3" if backend == "sqlite" else postgres_url()
            report[backend] = run(backend, url, args, model)
            for name, figures in report[backend].items():
                print(
                    f"  {name:<28} median {figures['median_ms']:7.2f} ms"
                    f"   p95 {figures['p95_ms']:7.2f} ms",
                    flush=True,
                )
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"comments-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
