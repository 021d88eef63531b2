"""The public datasets as the benchmarks use them (read from COMMENT_MOD_DATASETS)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from classifier.readers import read_examples


def datasets_folder() -> Path:
    """The folder COMMENT_MOD_DATASETS names; the script exits with a message if unset."""
    folder = os.environ.get("COMMENT_MOD_DATASETS")
    if not folder:
        sys.exit("set COMMENT_MOD_DATASETS to the folder of the public datasets")
    return Path(folder)


def public_train_splits(folder: Path) -> dict[str, list]:
    """The training splits, by name."""
    return {
        "korean-hate-speech train": read_examples(
            folder / "korean-hate-speech" / "train.tsv", "beep"
        ),
        "UnSmile train": read_examples(folder / "unsmile" / "unsmile_train_v1.0.tsv", "unsmile"),
    }


def public_train(folder: Path) -> list:
    """korean-hate-speech train and UnSmile train."""
    return [e for split in public_train_splits(folder).values() for e in split]


def public_dev(folder: Path) -> dict[str, list]:
    """The splits we never train on, by name."""
    return {
        "UnSmile valid": read_examples(folder / "unsmile" / "unsmile_valid_v1.0.tsv", "unsmile"),
        "korean-hate-speech dev": read_examples(folder / "korean-hate-speech" / "dev.tsv", "beep"),
    }
