"""Words our corpus uses mostly in abuse, set against how real comments use them.

Run: ``COMMENT_MOD_DATASETS=../shared/datasets python bench/corpus_word_shares.py
[--corpus training_data/train] [--top 40] [--words 저/MM 역시/MAG ...]``.
For each kiwipiepy morpheme (as the model sees them) it counts the comments that hold
it: in our corpus, the share that are abusive; in the public datasets' training
splits, the share that are toxic. Each share is compared with its own side's overall
rate, and the morphemes whose lean towards abuse is much stronger in our corpus than in
real comments are listed first: the model learns them as stronger signs of abuse than
they are in real comment sections. Only counts are read from the datasets.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path

from public_data import datasets_folder, public_train

import classifier
from classifier.normalize import normalize
from classifier.readers import read_examples
from classifier.tokenizer import morphemes

# Morphemes seen in fewer real comments than this are left out (too few to compare).
MIN_REAL_COMMENTS = 60
# Each side's counts are smoothed towards its overall rate as if this many more
# comments held the morpheme.
SMOOTHING = 5


def logit(p: float) -> float:
    """The log-odds of a share strictly between 0 and 1."""
    return math.log(p / (1 - p))


def comments_with(examples: list) -> tuple[Counter, Counter]:
    """For each morpheme, how many comments hold it, and how many of those are toxic."""
    analysed = morphemes(normalize(e.text).text for e in examples)
    holding, toxic = Counter(), Counter()
    for example, found in zip(examples, analysed, strict=True):
        for form in {form for form, _, _ in found}:
            holding[form] += 1
            toxic[form] += example.toxic
    return holding, toxic


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=classifier.DEFAULT_TRAINING_DATA)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--words", nargs="*", default=[], help="also show these morphemes")
    args = parser.parse_args()
    folder = datasets_folder()
    ours, real = read_examples(args.corpus), public_train(folder)
    our_rate = sum(e.toxic for e in ours) / len(ours)
    real_rate = sum(e.toxic for e in real) / len(real)
    our_holding, our_toxic = comments_with(ours)
    real_holding, real_toxic = comments_with(real)
    rows = []
    for form, count in real_holding.items():
        if count < MIN_REAL_COMMENTS:
            continue
        held = our_holding[form]
        our_share = (our_toxic[form] + our_rate * SMOOTHING) / (held + SMOOTHING)
        real_share = (real_toxic[form] + real_rate * SMOOTHING) / (count + SMOOTHING)
        # How much more the word tilts the odds of abuse in ours than in real comments.
        excess = (logit(our_share) - logit(our_rate)) - (logit(real_share) - logit(real_rate))
        rows.append((excess * math.sqrt(count), form, held, our_share, count, real_share))
    rows.sort(reverse=True)
    print(f"abusive: ours {our_rate:.0%} of {len(ours):,}; real {real_rate:.0%} of {len(real):,}")
    print(f"{'morpheme':<14} {'ours':>6} {'abusive':>8} {'real':>7} {'toxic':>6}")
    wanted = set(args.words)
    for rank, (_, form, held, our_share, count, real_share) in enumerate(rows):
        if rank < args.top or form in wanted:
            print(f"{form:<14} {held:>6,} {our_share:>8.0%} {count:>7,} {real_share:>6.0%}")


if __name__ == "__main__":
    main()
