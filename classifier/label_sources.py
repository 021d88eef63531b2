"""Merge labelled sources into one training set: datasets first, people's labels last.

A moderator's decision or an API feedback label replaces a dataset's label for the
same normalized text, and a text that appears several times counts once. The rule
itself is ``training.deduplicate`` (the last example wins); this module applies it
to sources in the right order and counts what it did, for the retrain report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .normalize import normalize
from .training import Deduplicated, deduplicate
from .types import Example


def source_name(example: Example) -> str:
    """The source an example is counted under: the part of ``source`` before any ``:``."""
    return example.source.split(":")[0] or "unknown"


def same_labels(a: Example, b: Example) -> bool:
    """Whether two examples say the same thing about their text."""
    return (a.toxic, dict(a.categories), a.targets) == (b.toxic, dict(b.categories), b.targets)


def combine(
    datasets: Iterable[Iterable[Example]],
    overrides: Iterable[Example] = (),
    *,
    exclude: Iterable[Example] = (),
) -> tuple[list[Example], dict]:
    """One example per normalized text; ``overrides`` (in time order) beat the datasets.

    Examples whose normalized text is one of ``exclude``'s (the evaluation set)
    are left out. Returns the examples (a list that also carries their normalized
    texts, which ``train`` reuses) and counts: ``read`` and ``kept`` per
    source, ``duplicates`` (a repeat with the same labels), ``overridden`` (an
    override that changed a dataset's labels), ``relabelled`` (a later example of
    the same kind, dataset or override, that changed an earlier one's labels),
    ``excluded`` (examples dropped because ``exclude`` holds their text) and
    ``empty`` (texts that normalize to nothing).
    """
    read = [e for dataset in datasets for e in dataset]
    late = list(overrides)
    banned = frozenset(normalized_texts(exclude))
    override_ids = {id(e) for e in late}
    counts = Counter()

    def on_replace(earlier: Example, later: Example) -> None:
        if same_labels(earlier, later):
            counts["duplicates"] += 1
        elif id(later) in override_ids and id(earlier) not in override_ids:
            counts["overridden"] += 1
        else:
            counts["relabelled"] += 1

    def on_exclude(example: Example) -> None:
        counts["excluded"] += 1

    examples, normalized = deduplicate(read + late, on_replace, banned, on_exclude)
    replaced = counts["duplicates"] + counts["overridden"] + counts["relabelled"]
    summary = {
        "examples": len(examples),
        "read": dict(Counter(source_name(e) for e in read + late)),
        "kept": dict(Counter(source_name(e) for e in examples)),
        "duplicates": counts["duplicates"],
        "overridden": counts["overridden"],
        "relabelled": counts["relabelled"],
        "excluded": counts["excluded"],
        "empty": len(read) + len(late) - len(examples) - replaced - counts["excluded"],
    }
    return Deduplicated(examples, normalized), summary


def normalized_texts(examples: Iterable[Example]) -> set[str]:
    """The normalized texts of ``examples`` (empty ones left out)."""
    return {key for key in (normalize(e.text).text for e in examples) if key}


def without_texts_of(
    examples: Iterable[Example], held_out: Iterable[Example]
) -> tuple[list[Example], int]:
    """``examples`` minus those whose normalized text is in ``held_out``, and how many went.

    Use it to keep the evaluation set's comments out of the training set.
    """
    banned = normalized_texts(held_out)
    kept, removed = [], 0
    for example in examples:
        if normalize(example.text).text in banned:
            removed += 1
        else:
            kept.append(example)
    return kept, removed
