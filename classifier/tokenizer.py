"""Morpheme analysis with one shared kiwipiepy ``Kiwi``.

Building a ``Kiwi`` takes about a second and it cannot be pickled, so one is
built on first use and shared; the saved model refers to the functions here by
name and never holds a ``Kiwi`` itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable

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


def start_morphemes(texts: list[str]):
    """Start analysing ``texts`` in kiwipiepy's threads; call the result to collect them."""
    if not texts:
        return list
    kiwi = shared_kiwi()
    if len(texts) == 1:
        tokens = kiwi.tokenize(texts[0])
        return lambda: [_features(tokens)]
    results = kiwi.tokenize(texts)
    return lambda: [_features(tokens) for tokens in results]


def morphemes(texts: Iterable[str]) -> list[list[Morpheme]]:
    """Analyse many texts in one batch; each token becomes ``form/TAG``."""
    return start_morphemes(list(texts))()


def _features(tokens) -> list[Morpheme]:
    return [
        (f"{t.form}/{t.tag}", t.start, t.start + max(t.len, 1))
        for t in tokens
        if not t.tag.startswith(SKIPPED_TAGS)
    ]
