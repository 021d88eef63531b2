"""Turn normalized comments into TF-IDF features that remember where they came from.

Two blocks: character n-grams of the normalized text (robust to spelling games and
unknown words) and kiwipiepy morphemes (the words a Korean reader sees), and
optionally a third, n-grams of the text spelled out in jamo (what two spellings of a
word share inside their syllables). The
vocabularies and IDF weights are learned by scikit-learn's ``TfidfVectorizer``;
scoring builds the same matrix directly from them, which is several times faster
for the short batches a comment section sends (a test checks the two agree).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .jamo import spell_out, spell_out_codepoints
from .ngram_table import NgramTable, Occurrences
from .normalize import NormalizedText
from .tokenizer import CUTOFF, KIWI_DEFAULT_CUTOFF, Morpheme, morphemes, start_morphemes


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


@dataclass(slots=True)
class BatchFeatures:
    """A batch's TF-IDF vectors as one entry per distinct (text, column), and its tokens.

    Token ranges are in the batch's normalized texts laid end to end
    (``firsts[row]`` is where text ``row`` starts), so a whole batch's spans can be
    worked out in one go.
    """

    rows: np.ndarray  # the text of each entry, ascending
    columns: np.ndarray
    values: np.ndarray  # TF-IDF values (float32)
    counts: np.ndarray  # how often the column occurs in the text
    tokens: Occurrences  # every known token: n-grams and morphemes
    entries: np.ndarray  # the entry of each token
    joined: np.ndarray  # code points of the texts, end to end
    lengths: np.ndarray
    firsts: np.ndarray


@dataclass
class Analysed:
    """Tokens of a batch of comments, block by block."""

    chars: list[list[str]]
    morphs: list[list[Morpheme]]
    jamo: list[list[str]] | None = None


class Featurizer:
    """Fits and applies the TF-IDF blocks.

    Fitting uses scikit-learn; the fitted state kept (and pickled) is only the
    vocabularies (the n-grams as ``NgramTable``s) and the IDF weights, so scoring
    needs neither scikit-learn nor SciPy in memory. Columns: the character n-grams,
    then the morphemes, then the jamo n-grams.
    """

    # Models saved before the jamo block was added have none.
    jamo_range: tuple[int, int] | None = None
    jamo_table: NgramTable | None = None
    # kiwipiepy's cutoff_threshold; models saved before it was recorded used the default.
    analysis_cutoff: float = KIWI_DEFAULT_CUTOFF

    def __init__(
        self,
        char_range: tuple[int, int] = (1, 4),
        min_df: int = 2,
        jamo_range: tuple[int, int] | None = None,
    ):
        self.char_range = tuple(char_range)
        self.min_df = min_df
        self.jamo_range = tuple(jamo_range) if jamo_range else None
        self.analysis_cutoff = CUTOFF
        self.char_table: NgramTable | None = None
        self.morph_vocab: dict[str, int] = {}
        self.jamo_table: NgramTable | None = None
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
        pending = start_morphemes([t.text for t in texts], self.analysis_cutoff)
        low, high = self.char_range
        chars = [char_ngrams(t.text, low, high) for t in texts]
        jamo = None
        if self.jamo_range:
            jamo = [char_ngrams(spell_out(t.text), *self.jamo_range) for t in texts]
        return Analysed(chars, pending(), jamo)

    def fit(self, analysed: Analysed):
        """Learn vocabularies and IDF weights; return the training matrix (CSR)."""
        import scipy.sparse as sp

        chars, morphs = self._vectorizer(), self._vectorizer()
        blocks = [
            chars.fit_transform(analysed.chars),
            morphs.fit_transform(_forms(analysed.morphs)),
        ]
        self.vectorizers = (chars, morphs)
        self.char_table = NgramTable(chars.vocabulary_, *self.char_range)
        self.morph_vocab = {k: int(v) for k, v in morphs.vocabulary_.items()}
        self.n_char_features = len(self.char_table)
        self.n_features = self.n_char_features + len(self.morph_vocab)
        if self.jamo_range:
            jamo = self._vectorizer()
            blocks.append(jamo.fit_transform(analysed.jamo))
            self.vectorizers += (jamo,)
            self.jamo_table = NgramTable(jamo.vocabulary_, *self.jamo_range)
            self.n_features += len(self.jamo_table)
        self._idf = np.concatenate([v.idf_ for v in self.vectorizers]).astype(np.float32)
        return sp.hstack(blocks, format="csr")

    def start(self, texts: Sequence[str]):
        """Start the morpheme analysis of normalized texts in kiwipiepy's threads, for
        ``transform`` or ``transform_one`` to collect later."""
        return start_morphemes(list(texts), self.analysis_cutoff, whole=True)

    def transform(self, texts: Sequence[str], pending=None) -> BatchFeatures:
        """TF-IDF of normalized texts, as ``TfidfVectorizer.transform`` would make it;
        ``pending`` is what ``start`` returned for these texts, if it was called."""
        if pending is None:
            pending = start_morphemes(list(texts), self.analysis_cutoff)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        joined = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
        firsts = np.cumsum(lengths) - lengths
        found = [self.char_table.lookup(joined, lengths)]
        if self.jamo_table is not None:
            found.append(self._known_jamo_ngrams(joined, lengths))
        found.append(self._known_morphemes(pending(), firsts))
        tokens = Occurrences(*(np.concatenate(f) for f in zip(*map(_fields, found), strict=True)))
        keys = tokens.rows * self.n_features + tokens.columns
        keys, entries, counts = np.unique(keys, return_inverse=True, return_counts=True)
        rows, columns = np.divmod(keys, self.n_features)
        values = self._tfidf(rows, columns, counts, len(texts))
        return BatchFeatures(
            rows, columns, values, counts, tokens, entries, joined, lengths, firsts
        )

    def transform_one(self, text: str, pending=None) -> BatchFeatures:
        """``transform([text])`` with the same figures, in plain Python where a batch
        of one would spend most of its time on the fixed cost of array operations."""
        if self.jamo_table is not None:  # the jamo block has no single-text path
            return self.transform([text], pending)
        if pending is None:
            pending = start_morphemes([text], self.analysis_cutoff)
        chars = self.char_table.lookup_text(text)
        columns = chars.columns.tolist()
        starts, ends = chars.starts.tolist(), chars.ends.tolist()
        vocab, shift = self.morph_vocab, self.n_char_features
        for form, start, end in pending()[0]:
            column = vocab.get(form)
            if column is not None:
                columns.append(column + shift)
                starts.append(start)
                ends.append(end)
        all_columns = np.array(columns, dtype=np.int64)
        columns_of_entries = np.array(sorted(set(columns)), dtype=np.int64)
        entries = np.searchsorted(columns_of_entries, all_columns)
        counts = np.bincount(entries, minlength=len(columns_of_entries))
        rows = np.zeros(len(columns_of_entries), dtype=np.int64)
        values = self._tfidf(rows, columns_of_entries, counts, 1)
        tokens = Occurrences(
            np.zeros(len(columns), dtype=np.int64),
            all_columns,
            np.array(starts, dtype=np.int64),
            np.array(ends, dtype=np.int64),
        )
        return BatchFeatures(
            rows,
            columns_of_entries,
            values,
            counts,
            tokens,
            entries,
            np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32),
            np.array([len(text)], dtype=np.int64),
            np.zeros(1, dtype=np.int64),
        )

    def _tfidf(
        self, rows: np.ndarray, columns: np.ndarray, counts: np.ndarray, texts: int
    ) -> np.ndarray:
        """Sublinear TF times IDF of each (text, column) entry, each text's blocks
        (characters, morphemes, jamo) scaled to unit length."""
        values = (1.0 + np.log(counts)) * self._idf[columns]
        blocks = 3 * rows + (columns >= self.n_char_features)
        blocks += columns >= self.n_char_features + len(self.morph_vocab)
        norms = np.sqrt(np.bincount(blocks, values * values, minlength=3 * texts))
        return (values / norms[blocks]).astype(np.float32)

    def _known_jamo_ngrams(self, joined: np.ndarray, lengths: np.ndarray) -> Occurrences:
        """The jamo n-grams, with ranges of the characters their jamo were spelled from."""
        spelled, source = spell_out_codepoints(joined)
        ends = np.cumsum(np.bincount(source, minlength=len(joined)))  # per character
        bounds = np.concatenate([[0], ends])[np.cumsum(lengths)]
        found = self.jamo_table.lookup(spelled, np.diff(bounds, prepend=0))
        source = np.append(source, len(joined))
        found.columns = (
            found.columns.astype(np.int64) + self.n_char_features + len(self.morph_vocab)
        )
        filled = found.ends > found.starts
        found.ends = np.where(
            filled, source[np.maximum(found.ends, 1) - 1] + 1, source[found.starts]
        )
        found.starts = source[found.starts]
        return found

    def _known_morphemes(self, morphs: list[list[Morpheme]], firsts: np.ndarray) -> Occurrences:
        vocab, shift = self.morph_vocab, self.n_char_features
        rows, columns, starts, ends = [], [], [], []
        for row, found in enumerate(morphs):
            for form, start, end in found:
                column = vocab.get(form)
                if column is not None:
                    rows.append(row)
                    columns.append(column + shift)
                    starts.append(start)
                    ends.append(end)
        rows = np.array(rows, dtype=np.int64)
        offsets = firsts[rows]
        return Occurrences(
            rows,
            np.array(columns, dtype=np.int64),
            np.array(starts, dtype=np.int64) + offsets,
            np.array(ends, dtype=np.int64) + offsets,
        )

    def feature_names(self) -> np.ndarray:
        """Column names, prefixed by block (``c:`` characters, ``m:`` morphemes)."""
        names = np.empty(self.n_features, dtype=object)
        for name, col in self.char_table.names():
            names[col] = f"c:{name}"
        for name, col in self.morph_vocab.items():
            names[col + self.n_char_features] = f"m:{name}"
        if self.jamo_table is not None:
            shift = self.n_char_features + len(self.morph_vocab)
            for name, col in self.jamo_table.names():
                names[col + shift] = f"j:{name}"
        return names


def _fields(found: Occurrences) -> tuple[np.ndarray, ...]:
    return found.rows, found.columns.astype(np.int64), found.starts, found.ends


def _forms(morphs: list[list[Morpheme]]) -> list[list[str]]:
    return [[form for form, _, _ in row] for row in morphs]


__all__ = [
    "Analysed",
    "BatchFeatures",
    "Featurizer",
    "char_ngrams",
    "morphemes",
]
