"""How fast the scoring API answers when served by gunicorn, against a no-op endpoint.

    python bench/bench_api.py                          # trains a model on training_data/train
    python bench/bench_api.py --model instance/models/current.model --seconds 10

Starts `comment-mod serve` (gunicorn, --workers 2, 4 threads each as by default) on a
free loopback port with a temporary SQLite database and the model, then:

1. 16 concurrent clients (keep-alive connections, spread over 4 client processes so the
   clients' own GIL is not the bound) call GET /api/v1/ping, a no-op JSON answer, for
   --seconds: the framework's own throughput on this machine;
2. the same clients call POST /api/v1/score with one held-out comment each time;
3. one client sends 100 comments in one request, --batches times.

Prints requests per second, p50 and p99 latencies in milliseconds, and the ratio of
score to ping throughput; a JSON copy goes to bench/results/. The clients share the
machine with the server, so each phase also reports the CPU milliseconds per request
spent by the server's processes (from /proc, Linux only) and by the clients: these
vary far less than throughput when other work runs on the machine. It also reports how
the 16 connections were split between the two workers halfway through each phase: the
clients of the worker holding more of them wait longer. The per-key rate limit
is raised for the run (API_KEY_RATE_LIMIT), everything else is the default setting.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import classifier  # noqa: E402

CLIENTS = 16
CLIENT_PROCESSES = 4


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def heldout_texts(limit: int = 2000) -> list[str]:
    """Comments the model did not train on, to send."""
    folder = ROOT / "training_data" / "heldout"
    texts = [e.text for e in classifier.read_examples(folder)]
    random.Random(0).shuffle(texts)
    return texts[:limit]


def prepare(folder: Path, model_path: str | None) -> tuple[dict, str]:
    """The server's environment and an API key, with the database and model in place."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "MODEL_PATH": str(folder / "bench.model"),
        "SECRET_KEY": "bench",
        "API_KEY_RATE_LIMIT": "10000000 per minute",
    }
    if model_path:
        model = classifier.load(model_path)
    else:
        print(f"training a model on {classifier.DEFAULT_TRAINING_DATA} ...", flush=True)
        model = classifier.train(classifier.read_examples(classifier.DEFAULT_TRAINING_DATA))
    model.save(env["MODEL_PATH"])
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "MODEL_PATH", "SECRET_KEY")}
    os.environ.update({k: env[k] for k in saved})
    try:
        from web import create_app
        from web.api_keys import create_api_key
        from web.cli import upgrade_database

        app = create_app()
        upgrade_database(app)
        with app.app_context():
            _, key = create_api_key("bench")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return env, key


def start_server(
    env: dict, port: int, folder: Path, threads: int | None = None
) -> subprocess.Popen:
    """`comment-mod serve` with two workers; returns once it answers."""
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - lives as long as the server
    command = [sys.executable, "-m", "web.cli", "serve", "--port", str(port), "--workers", "2"]
    if threads is not None:
        command += ["--threads", str(threads)]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"server exited; see {folder / 'server.log'}")
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("server did not become healthy within 60 s")


def worker_pids(pid: int) -> list[int]:
    """The gunicorn master's workers (Linux); OSError when /proc cannot tell."""
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def server_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by the gunicorn master and its workers."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        total = 0
        for p in [pid, *worker_pids(pid)]:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return None
    return total / tick


def connections_per_worker(pid: int, port: int) -> list[int] | None:
    """How many established connections on ``port`` each gunicorn worker holds (Linux).

    Each worker accepts connections for itself, so 16 kept-alive clients can end up
    split unevenly between two workers; the clients of the busier one then wait longer.
    """
    try:
        established = set()
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                established.add(f"socket:[{fields[9]}]")
        children = worker_pids(pid)
    except (OSError, ValueError, IndexError):
        return None
    counts = []
    for child in children:
        held = 0
        try:
            fds = os.listdir(f"/proc/{child}/fd")
        except OSError:
            continue
        for fd in fds:
            with contextlib.suppress(OSError):  # closed meanwhile
                held += os.readlink(f"/proc/{child}/fd/{fd}") in established
        counts.append(held)
    return sorted(counts)


def request_once(conn, method: str, path: str, body: bytes | None, headers: dict) -> float:
    """One request on a kept-alive connection; its latency in seconds."""
    start = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    if response.status != 200:
        raise RuntimeError(f"{method} {path}: HTTP {response.status}")
    return elapsed


def client_process(port: int, kind: str, key: str, texts: list[str], threads: int, seconds: float):
    """Run ``threads`` clients for ``seconds``; every latency they saw and the CPU it took."""
    cpu_start = time.process_time()
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def one_client(seed: int):
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        seen = []
        while time.monotonic() < stop:
            if kind == "ping":
                seen.append(request_once(conn, "GET", "/api/v1/ping", None, headers))
            else:
                body = json.dumps({"text": rng.choice(texts)}).encode()
                seen.append(request_once(conn, "POST", "/api/v1/score", body, headers))
        conn.close()
        with lock:
            latencies.extend(seen)

    workers = [
        threading.Thread(target=one_client, args=(os.getpid() * 100 + i,)) for i in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return latencies, time.process_time() - cpu_start


def concurrent_phase(
    port: int, kind: str, key: str, texts: list[str], seconds: float, server_pid: int
) -> dict:
    """16 clients for ``seconds``: throughput, latency percentiles, CPU per request."""
    per_process = CLIENTS // CLIENT_PROCESSES
    with ProcessPoolExecutor(CLIENT_PROCESSES) as pool:
        # Start the client processes before counting: their start-up is not the phase.
        list(pool.map(abs, range(CLIENT_PROCESSES)))
        server_cpu = server_cpu_seconds(server_pid)
        start = time.monotonic()
        futures = [
            pool.submit(client_process, port, kind, key, texts, per_process, seconds)
            for _ in range(CLIENT_PROCESSES)
        ]
        time.sleep(seconds / 2)
        split = connections_per_worker(server_pid, port)
        results = [f.result() for f in futures]
        elapsed = time.monotonic() - start
        server_cpu_end = server_cpu_seconds(server_pid)
    latencies = sorted(x for seen, _ in results for x in seen)
    client_cpu = sum(cpu for _, cpu in results)
    ms = [x * 1000 for x in latencies]
    phase = {
        "requests": len(ms),
        "per_second": round(len(ms) / elapsed, 1),
        "p50_ms": round(ms[len(ms) // 2], 2),
        "p99_ms": round(ms[int(len(ms) * 0.99)], 2),
        "client_cpu_ms_per_request": round(client_cpu * 1000 / len(ms), 3),
        "connections_per_worker": split,
    }
    if server_cpu is not None and server_cpu_end is not None:
        phase["server_cpu_ms_per_request"] = round(
            (server_cpu_end - server_cpu) * 1000 / len(ms), 3
        )
    return phase


def batch_phase(port: int, key: str, texts: list[str], batches: int) -> dict:
    """One client sending 100 texts per request: median and worst latency."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    rng = random.Random(1)
    seen = []
    for _ in range(batches + 3):
        body = json.dumps({"texts": rng.sample(texts, 100)}).encode()
        seen.append(request_once(conn, "POST", "/api/v1/score", body, headers) * 1000)
    seen = seen[3:]  # the first few warm the worker's caches
    return {
        "requests": len(seen),
        "median_ms": round(statistics.median(seen), 2),
        "max_ms": round(max(seen), 2),
    }


def report(results: dict, filename: str) -> None:
    """Print the results and keep a JSON copy in bench/results/."""
    text = json.dumps(results, indent=2)
    print(text)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / filename).write_text(text + "\n", encoding="utf-8")


def main() -> None:
    """Run the three phases and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", help="a saved model (default: train on training_data/train)")
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="length of each 16-client phase"
    )
    parser.add_argument("--batches", type=int, default=50, help="100-text requests to time")
    parser.add_argument(
        "--threads", type=int, help="threads per worker (default: as `comment-mod serve`)"
    )
    args = parser.parse_args()

    texts = heldout_texts()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env, key = prepare(folder, args.model)
        port = free_port()
        server = start_server(env, port, folder, args.threads)
        try:
            concurrent_phase(port, "score", key, texts, 1.0, server.pid)  # warm both workers
            ping = concurrent_phase(port, "ping", key, texts, args.seconds, server.pid)
            score = concurrent_phase(port, "score", key, texts, args.seconds, server.pid)
            batch = batch_phase(port, key, texts, args.batches)
        finally:
            server.terminate()
            server.wait(timeout=30)
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "clients": CLIENTS,
        "threads_per_worker": args.threads or "default",
        "ping": ping,
        "score_one_text": score,
        "score_ratio_to_ping": round(score["per_second"] / ping["per_second"], 3),
        "score_100_texts": batch,
    }
    report(results, "api.json")


if __name__ == "__main__":
    main()
