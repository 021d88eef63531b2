"""The web app's own cost per scoring request: no sockets, no gunicorn, no model.

    python bench/bench_api_overhead.py --model instance/models/current.model

Builds the app as `comment-mod serve` does (temporary SQLite database, a key, the
default settings) and calls it as a WSGI application in this one thread, timing CPU
(process time, which other work on the machine disturbs less than wall time):

- ``ping``: GET /api/v1/ping, the no-op JSON endpoint;
- ``score_stub``: POST /api/v1/score with one held-out text, the model replaced by a
  lookup of its own answers: everything between the socket and Model.score;
- ``score``: the same with the real model, and ``model``: Model.score alone.

Prints the medians over --rounds in microseconds per request; a JSON copy goes to
bench/results/api_overhead.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_api import heldout_texts, prepare, report  # noqa: E402


class AnswerLookup:
    """A stand-in model: the real model's answers for known texts, looked up."""

    def __init__(self, model, texts: list[str]):
        self.version = model.version
        self.answers = {text: model.score([text])[0] for text in texts}

    def score(self, texts: list[str]):
        """The stored answers, in order."""
        return [self.answers[text] for text in texts]


def wsgi_caller(app, key: str):
    """A function that sends one request to the app and returns its body."""
    from werkzeug.test import EnvironBuilder

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def call(method: str, path: str, body: bytes | None = None) -> bytes:
        environ = EnvironBuilder(path=path, method=method, headers=headers).get_environ()
        if body is not None:
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        statuses = []
        answer = b"".join(app.wsgi_app(environ, lambda status, *_: statuses.append(status)))
        if not statuses[0].startswith("200"):
            raise RuntimeError(f"{method} {path}: {statuses[0]} {answer[:200]!r}")
        return answer

    return call


def per_request_us(run, count: int) -> float:
    """CPU microseconds per call of ``run`` over ``count`` calls."""
    start = time.process_time()
    for i in range(count):
        run(i)
    return (time.process_time() - start) / count * 1e6


def main() -> None:
    """Time the four kinds of call, interleaved, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="a saved model (default: train on training_data/train)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds to take the median of")
    args = parser.parse_args()

    texts = heldout_texts(200)
    bodies = [json.dumps({"text": t}).encode() for t in texts]
    with tempfile.TemporaryDirectory() as tmp:
        env, key = prepare(Path(tmp), args.model)
        for name in ("DATABASE_URL", "MODEL_PATH", "SECRET_KEY", "API_KEY_RATE_LIMIT"):
            os.environ[name] = env[name]
        from web import create_app
        from web.scoring import model_holder

        app = create_app()
        with app.app_context():
            holder = model_holder()
            model = holder.get()
        lookup = AnswerLookup(model, texts)
        call = wsgi_caller(app, key)
        for body in bodies[:20]:  # warm every cache the way a running worker has them
            call("POST", "/api/v1/score", body)
        n = len(texts)
        timings: dict[str, list[float]] = {"ping": [], "score_stub": [], "score": [], "model": []}
        for _ in range(args.rounds):
            timings["ping"].append(per_request_us(lambda i: call("GET", "/api/v1/ping"), 1000))
            holder.swap(lookup)
            score = lambda i: call("POST", "/api/v1/score", bodies[i % n])  # noqa: E731
            timings["score_stub"].append(per_request_us(score, 2 * n))
            holder.swap(model)
            timings["score"].append(per_request_us(score, 2 * n))
            timings["model"].append(per_request_us(lambda i: model.score([texts[i % n]]), 2 * n))
    medians = {name: round(statistics.median(values), 1) for name, values in timings.items()}
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "rounds": args.rounds,
        "cpu_us_per_request": medians,
        "score_stub_minus_ping_us": round(medians["score_stub"] - medians["ping"], 1),
    }
    report(results, "api_overhead.json")


if __name__ == "__main__":
    main()
