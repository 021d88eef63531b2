"""Turn normalized comments into TF-IDF features that remember where they came from.

Two blocks: character n-grams of the normalized text (robust to spelling games and
unknown words) and kiwipiepy morphemes (the words a Korean reader sees). The
vocabularies and IDF weights are learned by scikit-learn's ``TfidfVectorizer``;
scoring builds the same matrix directly from them, which is several times faster
for the short batches a comment section sends (a test checks the two agree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .normalize import NormalizedText
from .tokenizer import Morpheme, morphemes, start_morphemes


def passthrough(tokens):
    """Analyzer for tokens that are already extracted."""
    return tokens


def char_ngrams(text: str, low: int, high: int) -> list[str]:
    """Character n-grams of each word, padded with a space at both ends."""
    out: list[str] = []
    for word in text.split(" "):
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            out.extend([padded[k : k + n] for k in range(size - n + 1)])
    return out


def char_ngram_ranges(text: str, low: int, high: int) -> np.ndarray:
    """``(start, end)`` in ``text`` of each n-gram ``char_ngrams`` yields, in order.

    Padding spaces are clipped off, so an n-gram of padding alone covers nothing.
    """
    words = text.split(" ")
    lengths = np.array([len(w) for w in words])
    offsets = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    sizes = np.arange(low, high + 1)
    length = np.repeat(lengths, len(sizes))
    offset = np.repeat(offsets, len(sizes))
    size = np.tile(sizes, len(words))
    counts = np.maximum(length + 3 - size, 0)  # n-grams of a word padded to length + 2
    first = np.repeat(np.cumsum(counts) - counts, counts)
    k = np.arange(counts.sum()) - first
    offset, length, size = (np.repeat(a, counts) for a in (offset, length, size))
    starts = np.maximum(offset - 1 + k, offset)
    ends = np.minimum(offset - 1 + k + size, offset + length)
    return np.column_stack([starts, ends])


@dataclass(slots=True)
class DocumentFeatures:
    """One comment's TF-IDF vector, and the column of each token it came from."""

    columns: np.ndarray  # distinct known columns, ascending
    values: np.ndarray  # their TF-IDF values
    counts: np.ndarray  # how often each occurs
    tokens: np.ndarray  # the column of every token, n-grams then morphemes (-1 if unknown)


@dataclass
class Analysed:
    """Tokens of a batch of comments, block by block."""

    chars: list[list[str]]
    morphs: list[list[Morpheme]]


class Featurizer:
    """Fits and applies the two TF-IDF blocks.

    Fitting uses scikit-learn; the fitted state kept (and pickled) is only the two
    vocabularies and the IDF weights, so scoring needs neither scikit-learn nor SciPy
    in memory.
    """

    def __init__(self, char_range: tuple[int, int] = (1, 4), min_df: int = 2):
        self.char_range = tuple(char_range)
        self.min_df = min_df
        self.char_vocab: dict[str, int] = {}
        self.morph_vocab: dict[str, int] = {}
        self.vectorizers = None  # the fitted TfidfVectorizers, until pickled

    def __getstate__(self):
        state = dict(self.__dict__)
        state["vectorizers"] = None
        return state

    def _vectorizer(self):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            analyzer=passthrough,
            lowercase=False,
            sublinear_tf=True,
            min_df=self.min_df,
            dtype=np.float32,
        )

    def analyse(self, texts: Sequence[NormalizedText]) -> Analysed:
        """Tokenize a batch; kiwipiepy works in its threads while n-grams are cut here."""
        pending = start_morphemes([t.text for t in texts])
        low, high = self.char_range
        chars = [char_ngrams(t.text, low, high) for t in texts]
        return Analysed(chars, pending())

    def fit(self, analysed: Analysed):
        """Learn vocabularies and IDF weights; return the training matrix (CSR)."""
        import scipy.sparse as sp

        chars, morphs = self._vectorizer(), self._vectorizer()
        a = chars.fit_transform(analysed.chars)
        b = morphs.fit_transform(_forms(analysed.morphs))
        self.vectorizers = (chars, morphs)
        self.char_vocab = {k: int(v) for k, v in chars.vocabulary_.items()}
        self.morph_vocab = {k: int(v) for k, v in morphs.vocabulary_.items()}
        self.n_char_features = len(self.char_vocab)
        self.n_features = self.n_char_features + len(self.morph_vocab)
        self._idf = np.concatenate([chars.idf_, morphs.idf_]).astype(np.float32)
        return sp.hstack([a, b], format="csr")

    def vectorize(self, analysed: Analysed) -> list[DocumentFeatures]:
        """Each comment's TF-IDF vector, as ``TfidfVectorizer.transform`` would make it."""
        char_vocab, morph_vocab = self.char_vocab, self.morph_vocab
        shift = self.n_char_features
        out = []
        for chars, morphs in zip(analysed.chars, analysed.morphs, strict=True):
            a = [char_vocab.get(g, -1) for g in chars]
            b = [morph_vocab.get(f, -1) for f, _, _ in morphs]
            tokens = np.array(a + [c + shift if c >= 0 else -1 for c in b], dtype=np.int64)
            out.append(self._document(tokens))
        return out

    def _document(self, tokens: np.ndarray) -> DocumentFeatures:
        """Sublinear TF times IDF, each block scaled to unit length."""
        columns, counts = np.unique(tokens[tokens >= 0], return_counts=True)
        values = (1.0 + np.log(counts)) * self._idf[columns]
        squares = values * values
        in_chars = columns < self.n_char_features
        norms = np.sqrt([squares[in_chars].sum(), squares[~in_chars].sum()])
        values /= np.where(in_chars, norms[0], norms[1])
        return DocumentFeatures(columns, values.astype(np.float32), counts, tokens)

    def token_ranges(self, analysed: Analysed, row: int, text: str) -> np.ndarray:
        """``(start, end)`` in the normalized text of each token ``vectorize`` saw."""
        low, high = self.char_range
        ranges = char_ngram_ranges(text, low, high)
        morphs = analysed.morphs[row]
        if not morphs:
            return ranges
        return np.concatenate([ranges, np.array([(a, b) for _, a, b in morphs])])

    def feature_names(self) -> np.ndarray:
        """Column names, prefixed by block (``c:`` characters, ``m:`` morphemes)."""
        names = np.empty(self.n_features, dtype=object)
        for name, col in self.char_vocab.items():
            names[col] = f"c:{name}"
        for name, col in self.morph_vocab.items():
            names[col + self.n_char_features] = f"m:{name}"
        return names


def _forms(morphs: list[list[Morpheme]]) -> list[list[str]]:
    return [[form for form, _, _ in row] for row in morphs]


__all__ = [
    "Analysed",
    "DocumentFeatures",
    "Featurizer",
    "char_ngram_ranges",
    "char_ngrams",
    "morphemes",
]
