"""What some of our corpus files add to the default model, on real comments it never trains on.

Run: ``COMMENT_MOD_DATASETS=../shared/datasets python bench/bench_corpus_files.py
everyday_words swear_variants ...`` (names of files in ``training_data/train``).
Trains the default model on the corpus without the named files, then again each time
one more of them is added, in the order given, and prints the toxic ROC-AUC of each on
the public datasets' four splits: their training splits are as unseen as their dev
splits by a model of our corpus alone, and four times as many comments. README.md
quotes one run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from public_data import datasets_folder, public_dev, public_train_splits

import classifier
from classifier.evaluation import evaluate
from classifier.readers import read_examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="corpus files to add, in order (no .jsonl)")
    parser.add_argument("--json", type=Path, help="Also write the results here.")
    args = parser.parse_args()
    folder = datasets_folder()
    by_file: dict[str, list] = {}
    for example in read_examples(classifier.DEFAULT_TRAINING_DATA):
        by_file.setdefault(example.source.split(":", 1)[1], []).append(example)
    unknown = [name for name in args.files if name not in by_file]
    if unknown:
        sys.exit(f"no such file in {classifier.DEFAULT_TRAINING_DATA}: {', '.join(unknown)}")
    tests = public_train_splits(folder) | public_dev(folder)
    base = [e for name, rows in by_file.items() if name not in args.files for e in rows]
    results = []
    for step in range(len(args.files) + 1):
        added = args.files[:step]
        model = classifier.train(base + [e for name in added for e in by_file[name]])
        figures = {
            test: round(evaluate(model, examples)["toxic"]["roc_auc"], 4)
            for test, examples in tests.items()
        }
        results.append({"added": added[-1] if added else None, "roc_auc": figures})
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
