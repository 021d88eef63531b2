"""The public datasets as the benchmarks use them (read from COMMENT_MOD_DATASETS)."""

from __future__ import annotations

from pathlib import Path

from classifier.readers import read_examples


def public_train(folder: Path) -> list:
    """korean-hate-speech train and UnSmile train."""
    return read_examples(folder / "korean-hate-speech" / "train.tsv", "beep") + read_examples(
        folder / "unsmile" / "unsmile_train_v1.0.tsv", "unsmile"
    )


def public_dev(folder: Path) -> dict[str, list]:
    """The splits we never train on, by name."""
    return {
        "UnSmile valid": read_examples(folder / "unsmile" / "unsmile_valid_v1.0.tsv", "unsmile"),
        "korean-hate-speech dev": read_examples(folder / "korean-hate-speech" / "dev.tsv", "beep"),
    }
