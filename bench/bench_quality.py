"""Model quality on data the model was not trained on: the figures README.md quotes.

Run: ``COMMENT_MOD_DATASETS=../shared/datasets python bench/bench_quality.py [--json out.json]``.
Trains the default model (our corpus) and the full model (our corpus, korean-hate-speech
train and UnSmile train) and evaluates both on our held-out comments, UnSmile valid and
korean-hate-speech dev.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from public_data import datasets_folder, public_dev, public_train

import classifier
from classifier.evaluation import evaluate
from classifier.readers import read_examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    folder = datasets_folder()
    corpus = read_examples(classifier.DEFAULT_TRAINING_DATA)
    tests = {
        "our held-out": read_examples(classifier.DEFAULT_TRAINING_DATA.parent / "heldout"),
        **public_dev(folder),
    }
    results = {}
    for name, train in (("default (our corpus)", corpus), ("full", corpus + public_train(folder))):
        start = time.perf_counter()
        model = classifier.train(train)
        seconds = time.perf_counter() - start
        results[name] = {"training_examples": len(train), "training_s": round(seconds, 1)}
        for test, examples in tests.items():
            report = evaluate(model, examples)
            figures = {k: round(v, 3) for k, v in report["toxic"].items() if v is not None}
            figures["categories_roc_auc"] = {
                c: round(v["roc_auc"], 3) for c, v in report["categories"].items()
            }
            results[name][test] = figures
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
