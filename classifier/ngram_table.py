"""The character n-gram vocabulary as sorted integer codes, looked up a whole batch at a time.

An n-gram's code is its characters written as digits in base ``len(alphabet) + 1``
(digit 0 is kept for characters the vocabulary never saw, so n-grams of different
lengths never share a code). Scoring then needs no Python string per n-gram: the
texts of a batch become one array of digits, every window of every size is coded
with a few array operations, and ``searchsorted`` finds the columns. The table is a
few megabytes where a dict of strings was tens.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

MAX_CODE = 2**63


@dataclass(slots=True)
class Occurrences:
    """Known tokens found in a batch: the text each came from, its column, its range."""

    rows: np.ndarray
    columns: np.ndarray
    starts: np.ndarray  # in the batch's texts joined end to end
    ends: np.ndarray


class NgramTable:
    """Columns of the character n-grams that ``char_ngrams`` cuts, for whole batches."""

    def __init__(self, vocabulary: Mapping[str, int], low: int, high: int):
        letters = sorted({c for gram in vocabulary for c in gram} | {" "})
        self.low, self.high = low, high
        self.alphabet = np.array([ord(c) for c in letters], dtype=np.uint32)
        self.base = len(letters) + 1
        if self.base**high >= MAX_CODE:
            raise ValueError(
                f"{len(letters)} distinct characters are too many for {high}-character "
                "n-grams; lower the upper end of char_range"
            )
        digits = {c: i + 1 for i, c in enumerate(letters)}
        codes = np.empty(len(vocabulary), dtype=np.int64)
        columns = np.empty(len(vocabulary), dtype=np.int32)
        for k, (gram, column) in enumerate(vocabulary.items()):
            code = 0
            for c in gram:
                code = code * self.base + digits[c]
            codes[k], columns[k] = code, column
        order = np.argsort(codes)
        self.codes, self.columns = codes[order], columns[order]
        self.space = digits[" "]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_digit_of", None)
        state.pop("powers", None)  # kept by models saved before 2026-12-08, unused
        return state

    def __len__(self) -> int:
        return len(self.codes)

    def names(self) -> list[tuple[str, int]]:
        """Every n-gram with its column."""
        out = []
        for code, column in zip(self.codes.tolist(), self.columns.tolist(), strict=True):
            letters = []
            while code:
                code, digit = divmod(code, self.base)
                letters.append(chr(self.alphabet[digit - 1]))
            out.append(("".join(reversed(letters)), column))
        return out

    def _digits(self, codepoints: np.ndarray) -> np.ndarray:
        """Each character's digit, 0 for characters outside the alphabet."""
        at = np.searchsorted(self.alphabet, codepoints)
        np.minimum(at, len(self.alphabet) - 1, out=at)
        return np.where(self.alphabet[at] == codepoints, at + 1, 0)

    def _find(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each code is (or would be) in the table, and whether it is there."""
        column = np.searchsorted(self.codes, codes)
        np.minimum(column, len(self.codes) - 1, out=column)
        return column, self.codes[column] == codes

    def lookup(self, joined: np.ndarray, lengths: np.ndarray) -> Occurrences:
        """The known n-grams of each text, as ``char_ngrams`` would cut them.

        ``joined`` holds the code points of the batch's texts laid end to end,
        ``lengths`` their lengths. Each text becomes `` word1  word2 `` (every word
        padded by a space on both sides) and the windows that stay inside one
        padded word are coded size by size.
        """
        count = len(lengths)
        rows_of = np.repeat(np.arange(count), lengths)
        firsts = np.cumsum(lengths) - lengths  # where each text starts in ``joined``
        spaces = np.flatnonzero(joined == 32)
        # A character's place among the padded words: one space before each text,
        # one after, and every space doubled.
        spaces_before = np.zeros(len(joined) + 1, dtype=np.int64)
        spaces_before[spaces + 1] = 1
        spaces_before = np.cumsum(spaces_before)
        place = np.arange(len(joined)) + spaces_before[:-1] + 2 * rows_of + 1
        size = len(joined) + len(spaces) + 2 * count
        padded = np.full(size, self.space, dtype=np.int64)
        padded[place] = self._digits(joined)
        # Padded words: where they start among the places, and in ``joined``.
        word_places = np.concatenate(
            [firsts + spaces_before[firsts] + 2 * np.arange(count), place[spaces] + 1]
        )
        word_firsts = np.concatenate([firsts, spaces + 1])
        order = np.argsort(word_places, kind="stable")
        word_places, word_firsts = word_places[order], word_firsts[order]
        word_rows = np.concatenate([np.arange(count), rows_of[spaces]])[order]
        word_ends = np.append(word_places[1:], size)
        word_of = np.repeat(np.arange(len(word_places)), np.diff(np.append(word_places, size)))
        places = np.arange(size)
        # Offset from a place to the character of ``joined`` it holds.
        shift = (word_firsts - word_places - 1)[word_of]
        last_char = (word_firsts + word_ends - word_places - 2)[word_of]
        # A window from a place may run to the end of its word or to an unknown character.
        unknowns = np.append(np.flatnonzero(padded == 0), size)
        stops = np.minimum(word_ends[word_of], unknowns[np.searchsorted(unknowns, places)])
        room = stops - places  # the longest window that may start at each place
        # Each window's code, size by size: the code one character shorter, shifted
        # by one digit, plus the next character's digit.
        digits = np.append(padded, np.zeros(self.high, np.int64))
        code = np.zeros(size, dtype=np.int64)
        found_at, found_codes, found_sizes = [], [], []
        for n in range(1, self.high + 1):
            code *= self.base
            code += digits[n - 1 : n - 1 + size]
            if n >= self.low:
                where = np.flatnonzero(room >= n)
                found_at.append(where)
                found_codes.append(code[where])
                found_sizes.append(np.full(len(where), n, dtype=np.int64))
        at = np.concatenate(found_at)
        if not len(self.codes) or not len(at):
            return Occurrences(*(np.zeros(0, dtype=np.int64) for _ in range(4)))
        column, hit = self._find(np.concatenate(found_codes))
        at, n = at[hit], np.concatenate(found_sizes)[hit]
        starts = np.maximum(at + shift[at], word_firsts[word_of[at]])
        ends = np.minimum(at + shift[at] + n, last_char[at])
        return Occurrences(word_rows[word_of[at]], self.columns[column[hit]], starts, ends)

    def lookup_text(self, text: str) -> Occurrences:
        """``lookup`` for one text, in plain Python: the same n-grams, without the fixed
        cost of the batch path's few dozen array operations, which is most of the time
        for one comment."""
        digit_of = self.__dict__.get("_digit_of")
        if digit_of is None:
            digit_of = {chr(c): i + 1 for i, c in enumerate(self.alphabet.tolist())}
            self._digit_of = digit_of
        base, low, high, space = self.base, self.low, self.high, self.space
        codes, starts, ends = [], [], []
        add_code, add_start, add_end = codes.append, starts.append, ends.append
        first = 0  # where the word starts in ``text``
        for word in text.split(" "):
            padded = [space, *[digit_of.get(c, 0) for c in word], space]
            last = first + len(word)
            at = first - 1  # the character of ``text`` at the window's first place
            for place in range(len(padded)):
                # The window's range in the text, without the padding spaces.
                start = at if at > first else first
                end = at
                code = 0
                for digit in padded[place : place + high]:
                    if not digit:
                        break  # no n-gram in the vocabulary holds an unknown character
                    code = code * base + digit
                    end += 1
                    if end - at >= low:
                        add_code(code)
                        add_start(start)
                        add_end(end if end < last else last)
                at += 1
            first = last + 1
        if not codes or not len(self.codes):
            return Occurrences(*(np.zeros(0, dtype=np.int64) for _ in range(4)))
        # Searched in ascending order, each search starting where the last one ended: for
        # one comment, scored just after kiwipiepy has filled the caches with its own
        # model, that touches fewer cold parts of the table (measured: 15-20 µs less).
        codes = np.array(codes, dtype=np.int64)
        order = np.argsort(codes)
        column, hit = self._find(codes[order])
        order = order[hit]
        return Occurrences(
            np.zeros(len(order), dtype=np.int64),
            self.columns[column[hit]],
            np.array(starts, dtype=np.int64)[order],
            np.array(ends, dtype=np.int64)[order],
        )
