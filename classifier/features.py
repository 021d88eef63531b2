"""Turn normalized comments into TF-IDF features that remember where they came from.

Two blocks: character n-grams of the normalized text (robust to spelling games and
unknown words) and kiwipiepy morphemes (the words a Korean reader sees). Each
feature occurrence keeps its range in the normalized text so the model can say
which part of a comment raised its score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from .normalize import NormalizedText
from .tokenizer import morphemes

# (feature, start, end) in the normalized text.
Occurrence = tuple[str, int, int]


def passthrough(tokens):
    """Analyzer for tokens that are already extracted."""
    return tokens


def char_ngrams(text: str, low: int, high: int) -> list[Occurrence]:
    """Character n-grams of each word, padded with a space at both ends."""
    out: list[Occurrence] = []
    position = 0
    for word in text.split(" "):
        padded = f" {word} "
        base = position - 1  # padded index k is text index base + k
        size = len(padded)
        for n in range(low, high + 1):
            for k in range(size - n + 1):
                start = max(base + k, position)
                end = min(base + k + n, position + len(word))
                if end > start:
                    out.append((padded[k : k + n], start, end))
        position += len(word) + 1
    return out


@dataclass
class Analysed:
    """Feature occurrences of a batch of comments, block by block."""

    chars: list[list[Occurrence]]
    morphs: list[list[Occurrence]]


class Featurizer:
    """Fits and applies the two TF-IDF blocks."""

    def __init__(self, char_range: tuple[int, int] = (1, 4), min_df: int = 2):
        self.char_range = char_range
        self.min_df = min_df
        self.char_vectorizer = self._vectorizer()
        self.morph_vectorizer = self._vectorizer()

    def _vectorizer(self) -> TfidfVectorizer:
        return TfidfVectorizer(
            analyzer=passthrough,
            lowercase=False,
            sublinear_tf=True,
            min_df=self.min_df,
            dtype=np.float32,
        )

    def analyse(self, texts: Sequence[NormalizedText]) -> Analysed:
        """Extract the feature occurrences of each comment."""
        low, high = self.char_range
        chars = [char_ngrams(t.text, low, high) for t in texts]
        morphs = morphemes(t.text for t in texts)
        return Analysed(chars, morphs)

    def fit(self, analysed: Analysed) -> sp.csr_matrix:
        """Learn vocabularies and IDF weights; return the training matrix."""
        a = self.char_vectorizer.fit_transform(_names(analysed.chars))
        b = self.morph_vectorizer.fit_transform(_names(analysed.morphs))
        return sp.hstack([a, b], format="csr")

    def transform(self, analysed: Analysed) -> sp.csr_matrix:
        """The feature matrix of comments already analysed."""
        a = self.char_vectorizer.transform(_names(analysed.chars))
        b = self.morph_vectorizer.transform(_names(analysed.morphs))
        return sp.hstack([a, b], format="csr")

    @property
    def n_char_features(self) -> int:
        """How many columns the character block has."""
        return len(self.char_vectorizer.vocabulary_)

    def feature_names(self) -> np.ndarray:
        """Column names, prefixed by block (``c:`` characters, ``m:`` morphemes)."""
        chars = [f"c:{n}" for n in self.char_vectorizer.get_feature_names_out()]
        morphs = [f"m:{n}" for n in self.morph_vectorizer.get_feature_names_out()]
        return np.array(chars + morphs, dtype=object)

    def columns(self, analysed: Analysed, row: int) -> list[tuple[int, int, int]]:
        """``(column, start, end)`` for each known feature occurrence of one comment."""
        out = []
        vocab = self.char_vectorizer.vocabulary_
        for name, start, end in analysed.chars[row]:
            col = vocab.get(name)
            if col is not None:
                out.append((col, start, end))
        vocab = self.morph_vectorizer.vocabulary_
        offset = self.n_char_features
        for name, start, end in analysed.morphs[row]:
            col = vocab.get(name)
            if col is not None:
                out.append((col + offset, start, end))
        return out


def _names(occurrences: list[list[Occurrence]]) -> list[list[str]]:
    return [[name for name, _, _ in row] for row in occurrences]
