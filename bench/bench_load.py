"""Load test: 50 readers and a moderator on gunicorn, with PostgreSQL and with SQLite.

    python bench/bench_load.py                       # both databases, 50 readers, 60 s
    python bench/bench_load.py --db sqlite --readers 20 --seconds 30 --json out.json

For each database: a fresh one (a new PostgreSQL database on 127.0.0.1:5432, dropped
afterwards, or a SQLite file in a temporary folder), the schema migrated, --articles
articles and one moderator account added, then ``comment-mod serve`` (gunicorn, 2
workers x 4 threads as the product starts it) on a loopback port 8300-8399 with the
rate limits raised so that they do not block the load (the output says which).
--readers readers, each with its own cookie jar and nickname (and a new connection per
request, as gunicorn sees requests behind a reverse proxy), read the comments in each
sort, post clean and abusive Korean comments (each with a unique marker), vote 찬성/반대
(and move or cancel their votes, a tenth of them double-clicked) and report, with a
random pause (mean --think seconds) between actions, for --seconds seconds, while the
moderator logs in, lists the queues, approves and rejects. Afterwards the database is
read directly and checked against every answer the clients got (see load_checks.py);
any failed check makes the exit status 1.
Throughput and latency per kind of request are printed and saved as JSON in
bench/results/. The model is --model, else MODEL_PATH, else instance/models/current.model,
else the default model trained once for the run (about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from load_checks import read_database, reader_tokens, run_checks  # noqa: E402
from load_clients import drive, summarize  # noqa: E402
from load_server import (  # noqa: E402
    DEFAULT_PG_ADMIN,
    RAISED_LIMITS,
    ROOT,
    database_version,
    gunicorn_server,
    postgres_database,
    prepare_database,
    server_errors,
    sqlite_database,
)

RESULTS = Path(__file__).resolve().parent / "results"
MODERATOR = ("부하모더", "load-test-" + secrets.token_hex(8))


@dataclass
class LoadOptions:
    """One load run's settings."""

    readers: int = 50
    seconds: float = 60.0
    articles: int = 5
    think: float = 0.25
    workers: int = 2
    threads: int = 4
    pg_admin: str = DEFAULT_PG_ADMIN
    seed: int = 1
    warm_up_posts: int = 8
    extra_env: dict = field(default_factory=dict)


def article_keys(count: int) -> list[str]:
    """The articles the readers comment on."""
    return [f"load-{number}" for number in range(1, count + 1)]


@contextlib.contextmanager
def database(kind: str, pg_admin: str):
    """A fresh database of this kind; yields its URL."""
    manager = postgres_database(pg_admin) if kind == "postgres" else sqlite_database()
    with manager as url:
        yield url


def run_database(kind: str, model_path: str, options: LoadOptions) -> dict:
    """Load one database through gunicorn and check it; the figures and checks as a dict."""
    articles = article_keys(options.articles)
    run = secrets.token_hex(2)
    secret = secrets.token_hex(32)
    with database(kind, options.pg_admin) as url, tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "server.log"
        prepare_database(url, model_path, articles, MODERATOR)
        load_before = os.getloadavg()
        with gunicorn_server(
            url, model_path, log_path, secret, options.workers, options.threads, options.extra_env
        ) as base_url:
            result = asyncio.run(
                drive(
                    base_url,
                    articles,
                    options.readers,
                    options.seconds,
                    options.think,
                    run,
                    MODERATOR,
                    options.seed,
                    options.warm_up_posts,
                )
            )
        RESULTS.mkdir(exist_ok=True)
        kept_log = RESULTS / f"load-{kind}-server.log"
        shutil.copyfile(log_path, kept_log)
        stored = read_database(url, reader_tokens(result.cookies, secret))
        checks = run_checks(result, stored)
        errors = server_errors(log_path)
        return {
            "database": kind,
            "database_version": database_version(url),
            "readers": options.readers,
            "articles": options.articles,
            "seconds": round(result.seconds, 2),
            "think_seconds": options.think,
            "workers": options.workers,
            "threads": options.threads,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "figures": summarize(result),
            "posts": post_outcomes(result),
            "checks": [c.as_dict() for c in checks],
            "server_errors": errors[:50],
            "server_log": str(kept_log),
            "ok": all(c.ok for c in checks) and not errors,
        }


def post_outcomes(result) -> dict:
    """How the comments fared: published or held, refused, unanswered."""
    outcomes: dict[str, int] = {}
    for attempt in result.ledger.posts.values():
        key = attempt.published or (str(attempt.status) if attempt.status else "no answer")
        outcomes[key] = outcomes.get(key, 0) + 1
    return dict(sorted(outcomes.items()))


@contextlib.contextmanager
def model_file(path: str | None):
    """The model to serve with: the one given, the configured one, or one trained now."""
    candidates = [path, os.environ.get("MODEL_PATH"), str(ROOT / "instance/models/current.model")]
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            yield os.path.abspath(candidate)
            return
    if path:
        raise SystemExit(f"no model at {path}")
    import classifier

    with tempfile.TemporaryDirectory() as folder:
        print(f"training the default model from {classifier.DEFAULT_TRAINING_DATA} ...", flush=True)
        model = classifier.train(classifier.read_examples(classifier.DEFAULT_TRAINING_DATA))
        out = os.path.join(folder, "current.model")
        model.save(out)
        yield out


def machine() -> dict:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    import gunicorn
    import httpx

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "gunicorn": gunicorn.__version__,
        "httpx": httpx.__version__,
    }


def print_run(report: dict) -> None:
    """The figures and checks of one database."""
    print(
        f"\n== {report['database']} ({report['database_version']}): {report['readers']} readers "
        f"+ 1 moderator, {report['articles']} articles, {report['seconds']} s, "
        f"gunicorn {report['workers']} workers x {report['threads']} threads; load average "
        f"{report['load_average_before'][0]} before, {report['load_average_after'][0]} after"
    )
    header = f"{'kind':<16}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p90 ms':>9}"
    print(header + f"{'p99 ms':>9}{'max ms':>9}  4xx / no answer")
    figures = report["figures"]
    for kind, row in [("overall", figures["overall"]), *figures["kinds"].items()]:
        problems = dict(row["client_errors"])
        if "no answer" in row["statuses"]:
            problems["no answer"] = row["statuses"]["no answer"]
        print(
            f"{kind:<16}{row['requests']:>9,}{row['per_second']:>8.1f}"
            + "".join(f"{_ms(row[k]):>9}" for k in ("p50_ms", "p90_ms", "p99_ms", "max_ms"))
            + "  "
            + (", ".join(f"{k}: {v}" for k, v in problems.items()) or "-")
        )
    lag = figures["client_loop_lag_ms"]
    print(
        f"client event loop lag: p50 {_ms(lag['p50'])} ms, p99 {_ms(lag['p99'])} ms, max "
        f"{_ms(lag['max'])} ms"
    )
    print("comments posted: " + ", ".join(f"{k} {v}" for k, v in report["posts"].items()))
    for check in report["checks"]:
        print(f"  {'ok  ' if check['ok'] else 'FAIL'} {check['name']}: {check['detail']}")
    for line in report["server_errors"][:10]:
        print(f"  server log: {line}")


def _ms(value) -> str:
    """A latency for the table."""
    return "-" if value is None else f"{value:.1f}"


def main() -> None:
    """Parse arguments, load each database, print and save the figures, exit 1 on a failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--articles", type=int, default=5)
    parser.add_argument("--think", type=float, default=0.25, help="mean pause between actions")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--model", help="a saved model (default: see above)")
    parser.add_argument("--pg-admin", default=DEFAULT_PG_ADMIN, help="where to create the database")
    parser.add_argument("--json", type=Path, help="where to save the results")
    args = parser.parse_args()
    options = LoadOptions(
        readers=args.readers,
        seconds=args.seconds,
        articles=args.articles,
        think=args.think,
        workers=args.workers,
        threads=args.threads,
        pg_admin=args.pg_admin,
    )
    report = {"machine": machine(), "raised_rate_limits": RAISED_LIMITS, "runs": []}
    print("machine: " + ", ".join(f"{k} {v}" for k, v in report["machine"].items()))
    print(
        "rate limits raised for the load: "
        + ", ".join(f"{k}={v}" for k, v in RAISED_LIMITS.items())
    )
    with model_file(args.model) as model_path:
        report["model"] = model_path
        for kind in ("postgres", "sqlite") if args.db == "both" else (args.db,):
            started = time.monotonic()
            print(
                f"\n{kind}: preparing, starting gunicorn, loading for {args.seconds:.0f} s ...",
                flush=True,
            )
            run = run_database(kind, model_path, options)
            run["wall_seconds"] = round(time.monotonic() - started, 1)
            report["runs"].append(run)
            print_run(run)
    out = args.json or RESULTS / f"load-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nsaved {out}")
    if not all(run["ok"] for run in report["runs"]):
        print("FAILED: see the checks above")
        sys.exit(1)


if __name__ == "__main__":
    main()
