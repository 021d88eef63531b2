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

from public_data import public_dev, public_train

import classifier
from classifier.readers import read_examples
from classifier.tokenizer import KIWI_DEFAULT_CUTOFF, analysis_config, shared_kiwi

RESULTS = Path(__file__).resolve().parent / "results"


def comments() -> tuple[list, list[str]]:
    """Training examples (about 25,000 with the datasets) and comments to score."""
    corpus = read_examples(classifier.DEFAULT_TRAINING_DATA)
    folder = os.environ.get("COMMENT_MOD_DATASETS")
    if not folder:
        return corpus, [e.text for e in corpus]
    folder = Path(folder)
    scored = [e.text for split in public_dev(folder).values() for e in split]
    return corpus + public_train(folder), scored


def timed(fn, repeat: int) -> list[float]:
    """Wall-clock seconds of ``repeat`` calls."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def bench_throughput(model, texts: list[str], repeat: int) -> dict:
    """Comments a second, scored in batches of 1,000, against kiwipiepy alone on the same
    texts: with the settings the model analyses with, and with kiwipiepy's defaults.

    The four are timed in turn, ``repeat`` rounds of them, and each ratio is the median
    of the rounds' ratios: a machine that slows down for a while then slows both sides
    of a ratio, not one.
    """
    kiwi = shared_kiwi()
    kiwi.tokenize(texts[:100])
    default_config = analysis_config(KIWI_DEFAULT_CUTOFF)

    def tokenize_all(config=None):
        config = config or analysis_config()
        for i in range(0, len(texts), 1000):
            list(kiwi.tokenize(texts[i : i + 1000], override_config=config))

    def score_all(spans=True):
        for i in range(0, len(texts), 1000):
            model.score(texts[i : i + 1000], spans=spans)

    phases = {
        "kiwipiepy": tokenize_all,
        "kiwipiepy_default_settings": lambda: tokenize_all(default_config),
        "score": score_all,
        "score_without_spans": lambda: score_all(False),
    }
    seconds: dict[str, list[float]] = {name: [] for name in phases}
    for _ in range(repeat):
        for name, fn in phases.items():
            seconds[name] += timed(fn, 1)

    def ratio(name: str) -> float:
        rounds = zip(seconds["kiwipiepy"], seconds[name], strict=True)
        return round(statistics.median(kiwi_s / ours for kiwi_s, ours in rounds), 3)

    rates = {
        f"{name}_per_s": round(len(texts) / statistics.median(s)) for name, s in seconds.items()
    }
    return {
        "comments": len(texts),
        **rates,
        "ratio": ratio("score"),
        "ratio_without_spans": ratio("score_without_spans"),
    }


def _child(code: str, model_path: Path, texts: list[str], **env) -> list:
    """Run ``code`` in a fresh interpreter with the model path and the texts; its last line."""
    result = subprocess.run(
        [sys.executable, "-c", code, str(model_path)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


SINGLE = """
import os, sys, time, statistics, json
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import classifier
from classifier.tokenizer import KIWI_DEFAULT_CUTOFF, analysis_config, shared_kiwi
model, texts = classifier.load(sys.argv[1]), json.load(sys.stdin)
def latencies(fn):
    out = []
    for t in texts:
        start = time.perf_counter(); fn(t); out.append(time.perf_counter() - start)
    return sorted(out)
for t in texts[:200]: model.score([t])
kiwi = shared_kiwi()
def kiwi_alone(cutoff):
    config = analysis_config(cutoff)
    return statistics.median(latencies(lambda t: kiwi.tokenize(t, override_config=config)))
ours = latencies(lambda t: model.score([t]))
alone, default = kiwi_alone(model.featurizer.analysis_cutoff), kiwi_alone(KIWI_DEFAULT_CUTOFF)
print(json.dumps([statistics.median(ours), ours[int(len(ours) * 0.99)], alone, default]))
"""


def bench_single(model_path: Path, texts: list[str]) -> dict:
    """Median latency of one comment scored alone, in a child process pinned to one core."""
    median, p99, kiwi, default = _child(
        SINGLE, model_path, texts[:2000], COMMENT_MOD_KIWI_THREADS="1"
    )
    return {
        "median_ms": round(median * 1e3, 3),
        "p99_ms": round(p99 * 1e3, 3),
        "kiwipiepy_median_ms": round(kiwi * 1e3, 3),
        "kiwipiepy_default_settings_median_ms": round(default * 1e3, 3),
    }


# The peak resident memory of the child so far. VmHWM, not getrusage: Linux carries
# ru_maxrss over from the parent across exec.
PEAK_MB = """
import sys, json, re
def peak_mb():
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) / 1024
"""

MEMORY = (
    PEAK_MB
    + """
import classifier
model, texts = classifier.load(sys.argv[1]), json.load(sys.stdin)
loaded = peak_mb()
for text in texts:
    model.score([text])
one_at_a_time = peak_mb()
model.score(texts)
print(json.dumps([loaded, one_at_a_time, peak_mb()]))
"""
)


# The same process without our model: kiwipiepy's ``Kiwi``, built as ours is, tokenizing
# the same comments: the floor that the whole scorer's memory stands on.
KIWI_MEMORY = (
    PEAK_MB
    + """
from classifier.tokenizer import analysis_config, shared_kiwi
list(shared_kiwi().tokenize(json.load(sys.stdin), override_config=analysis_config()))
print(json.dumps([peak_mb()]))
"""
)


def bench_memory(model_path: Path, texts: list[str]) -> dict:
    """Peak resident memory of a fresh process: model loaded, then 1,000 comments scored
    one at a time, then the same in one call; and of a process that only tokenizes the
    same comments with kiwipiepy."""
    loaded, one_at_a_time, scoring = _child(MEMORY, model_path, texts[:1000])
    (kiwi_alone,) = _child(KIWI_MEMORY, model_path, texts[:1000])
    return {
        "model_loaded_rss_mb": round(loaded, 1),
        "after_scoring_one_at_a_time_rss_mb": round(one_at_a_time, 1),
        "after_scoring_rss_mb": round(scoring, 1),
        "kiwipiepy_alone_rss_mb": round(kiwi_alone, 1),
    }


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
