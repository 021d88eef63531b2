"""Morpheme analysis with one shared kiwipiepy ``Kiwi``.

Building a ``Kiwi`` takes about a second and it cannot be pickled, so one is
built on first use and shared; the saved model refers to the functions here by
name and never holds a ``Kiwi`` itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import replace

_kiwi = None
_kiwi_lock = threading.Lock()
# Kiwis a forked child inherited: their worker threads did not survive the fork, so
# they would hang; they are kept (never destroyed, which would wait on those threads).
_inherited = []

# Morpheme features: (feature, start, end) in the analysed text.
Morpheme = tuple[str, int, int]

# Particles, endings, suffixes and punctuation say more about a writer's style than
# about abuse (measured: leaving them out generalizes better to unseen datasets);
# the character n-grams still see them.
SKIPPED_TAGS = ("J", "E", "XS", "SF", "SP", "SW")

# kiwipiepy's search keeps the candidate analyses whose cost is within this much of the
# best one. Its default, 8, is what models saved before this setting was recorded used.
KIWI_DEFAULT_CUTOFF = 8.0
# Measured on 2,000 comments: 3 analyses them about 25% faster, changes the morphemes of
# about one in five, and leaves the ROC-AUC of the default and the full model on every
# held-out set within 0.003 of what 8 gives (bench/bench_quality.py).
CUTOFF = 3.0
_configs = {}
# kiwipiepy analyses at most 16 texts per worker ahead of the reader of one batch
# (measured with 1, 2 and 4 workers): a batch handed over in pieces of this size is
# analysed whole without being read.
PIECE = 16


def shared_kiwi():
    """The process-wide ``Kiwi``, built on first call."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                threads = int(os.environ.get("COMMENT_MOD_KIWI_THREADS", "0")) or (
                    os.cpu_count() or 1
                )
                # The multi-word and typo dictionaries cost ~200 MB of memory, the default
                # user dictionary (proper nouns and the like) ~90 MB more; measured, none
                # of them helps the model.
                _kiwi = Kiwi(
                    num_workers=max(threads, 1),
                    load_default_dict=False,
                    load_multi_dict=False,
                    load_typo_dict=False,
                )
                os.register_at_fork(after_in_child=_forget_kiwi)
    return _kiwi


def _forget_kiwi() -> None:
    """In a forked child (a gunicorn worker): build a Kiwi of our own on first use."""
    global _kiwi, _kiwi_lock
    if _kiwi is not None:
        _inherited.append(_kiwi)
    _kiwi, _kiwi_lock = None, threading.Lock()


def start_morphemes(texts: list[str], cutoff: float = CUTOFF, *, whole: bool = False):
    """Start analysing ``texts`` in kiwipiepy's threads; call the result to collect them.

    ``cutoff`` is kiwipiepy's ``cutoff_threshold`` for this analysis (see ``CUTOFF``).
    kiwipiepy runs only a few texts per worker ahead of whoever reads its results;
    ``whole=True`` hands the texts over in pieces small enough that all of them are
    analysed at once, while the caller does other work (for batches of at most a few
    hundred: the results wait in memory).
    """
    if not texts:
        return list
    kiwi, config = shared_kiwi(), analysis_config(cutoff)
    if len(texts) == 1:
        tokens = kiwi.tokenize(texts[0], override_config=config)
        return lambda: [_features(tokens)]
    if whole:
        pieces = [
            kiwi.tokenize(texts[i : i + PIECE], override_config=config)
            for i in range(0, len(texts), PIECE)
        ]
        return lambda: [_features(tokens) for piece in pieces for tokens in piece]
    results = kiwi.tokenize(texts, override_config=config)
    return lambda: [_features(tokens) for tokens in results]


def analysis_config(cutoff: float = CUTOFF):
    """kiwipiepy's settings for an analysis with ``cutoff`` (pass as ``override_config``)."""
    config = _configs.get(cutoff)
    if config is None:
        config = replace(shared_kiwi().global_config, cutoff_threshold=cutoff)
        _configs[cutoff] = config
    return config


def morphemes(texts: Iterable[str], cutoff: float = CUTOFF) -> list[list[Morpheme]]:
    """Analyse many texts in one batch; each token becomes ``form/TAG``."""
    return start_morphemes(list(texts), cutoff)()


def _features(tokens) -> list[Morpheme]:
    out = []
    for token in tokens:
        tag = token.tag
        skipped = _skipped.get(tag)
        if skipped is None:
            skipped = _skipped[tag] = tag.startswith(SKIPPED_TAGS)
        if not skipped:
            start = token.start
            out.append((token.form + "/" + tag, start, start + (token.len or 1)))
    return out


# Whether each tag kiwipiepy has used is one of ``SKIPPED_TAGS`` (a dict lookup is quicker).
_skipped: dict[str, bool] = {}
