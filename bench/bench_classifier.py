"""Benchmarks of the classifier: batch throughput, single-comment latency, training time, memory.

Run: ``python bench/bench_classifier.py [--repeat 5] [--json results.json]``.
It reads the public datasets from ``COMMENT_MOD_DATASETS`` when set (more and more
varied comments) and falls back to our own corpus. Each figure is the median of
``--repeat`` runs; the machine is printed with the results.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import classifier
from classifier.readers import read_examples
from classifier.tokenizer import shared_kiwi

RESULTS = Path(__file__).resolve().parent / "results"


def comments() -> tuple[list, list[str]]:
    """Training examples (about 25,000 with the datasets) and comments to score."""
    corpus = read_examples(classifier.DEFAULT_TRAINING_DATA)
    folder = os.environ.get("COMMENT_MOD_DATASETS")
    if not folder:
        return corpus, [e.text for e in corpus]
    folder = Path(folder)
    train = (
        corpus
        + read_examples(folder / "korean-hate-speech" / "train.tsv", "beep")
        + read_examples(folder / "unsmile" / "unsmile_train_v1.0.tsv", "unsmile")
    )
    scored = read_examples(folder / "unsmile" / "unsmile_valid_v1.0.tsv", "unsmile")
    scored += read_examples(folder / "korean-hate-speech" / "dev.tsv", "beep")
    return train, [e.text for e in scored]


def timed(fn, repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def bench_throughput(model, texts: list[str], repeat: int) -> dict:
    """Comments a second, scored in batches of 1,000, against kiwipiepy alone on the same texts."""
    kiwi = shared_kiwi()
    kiwi.tokenize(texts[:100])

    def tokenize_all():
        for i in range(0, len(texts), 1000):
            list(kiwi.tokenize(texts[i : i + 1000]))

    def score_all():
        for i in range(0, len(texts), 1000):
            model.score(texts[i : i + 1000])

    kiwi_rate = len(texts) / statistics.median(timed(tokenize_all, repeat))
    model_rate = len(texts) / statistics.median(timed(score_all, repeat))
    return {
        "comments": len(texts),
        "kiwipiepy_per_s": round(kiwi_rate),
        "score_per_s": round(model_rate),
        "ratio": round(model_rate / kiwi_rate, 3),
    }


def bench_single(model_path: Path, texts: list[str]) -> dict:
    """Median latency of one comment scored alone, in a child process pinned to one core."""
    code = (
        "import os, sys, time, statistics, json\n"
        "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
        "import classifier\n"
        "from classifier.tokenizer import shared_kiwi\n"
        "m = classifier.load(sys.argv[1]); texts = json.load(sys.stdin)\n"
        "for t in texts[:200]: m.score([t])\n"
        "lat = []\n"
        "for t in texts:\n"
        "    s = time.perf_counter(); m.score([t]); lat.append(time.perf_counter() - s)\n"
        "k = shared_kiwi(); kl = []\n"
        "for t in texts:\n"
        "    s = time.perf_counter(); k.tokenize(t); kl.append(time.perf_counter() - s)\n"
        "print(json.dumps([statistics.median(lat), statistics.median(kl),"
        " sorted(lat)[int(len(lat) * 0.99)]]))\n"
    )
    env = {**os.environ, "COMMENT_MOD_KIWI_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code, str(model_path)],
        input=json.dumps(texts[:2000]),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    median, kiwi_median, p99 = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "median_ms": round(median * 1e3, 3),
        "p99_ms": round(p99 * 1e3, 3),
        "kiwipiepy_median_ms": round(kiwi_median * 1e3, 3),
    }


def bench_memory(model_path: Path, texts: list[str]) -> dict:
    """Peak resident memory of a fresh process that loads the model and scores 1,000 comments."""
    # VmHWM, not getrusage: Linux carries ru_maxrss over from the parent across exec.
    code = (
        "import sys, json, re\n"
        "import classifier\n"
        "m = classifier.load(sys.argv[1]); m.score(json.load(sys.stdin))\n"
        "status = open('/proc/self/status').read()\n"
        "print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(model_path)],
        input=json.dumps(texts[:1000]),
        capture_output=True,
        text=True,
        check=True,
    )
    peak_kib = int(result.stdout.strip().splitlines()[-1])
    return {"peak_rss_mb": round(peak_kib / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()

    train, texts = comments()
    train = train[:25_000]
    training_times = timed(lambda: classifier.train(train), max(1, args.repeat // 2))
    model = classifier.train(train)
    model_path = RESULTS / "bench.model"
    model.save(model_path)
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "libraries": model.metadata["libraries"],
        },
        "training": {
            "examples": len(train),
            "median_s": round(statistics.median(training_times), 2),
        },
        "throughput": bench_throughput(model, texts, args.repeat),
        "single": bench_single(model_path, texts),
        "memory": bench_memory(model_path, texts),
    }
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
