import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.features import char_ngrams
from classifier.ngram_table import NgramTable

TEXT = "시발 씨발 개새끼 기레기 좋은 기사 ㅋㅋ 18 a"
WORDS = st.text(st.sampled_from(list("시발씨개새끼기레좋은사ㅋ18a 😀Z")), max_size=40)


def table(low: int, high: int) -> tuple[NgramTable, dict[int, str]]:
    grams = sorted(set(char_ngrams(TEXT, low, high)))
    return NgramTable({g: c for c, g in enumerate(grams)}, low, high), dict(enumerate(grams))


TABLES = [table(1, 4), table(2, 3)]


def occurrences(found) -> list[tuple[int, int, int]]:
    columns, starts, ends = found.columns.tolist(), found.starts.tolist(), found.ends.tolist()
    return sorted(zip(columns, starts, ends, strict=True))


@pytest.mark.parametrize("ngrams,names", TABLES)
@settings(max_examples=200, deadline=None)
@given(text=WORDS)
def test_one_text_is_looked_up_like_a_batch_of_one(ngrams, names, text):
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    batch = ngrams.lookup(codepoints, np.array([len(text)]))
    assert occurrences(ngrams.lookup_text(text)) == occurrences(batch)


@pytest.mark.parametrize("ngrams,names", TABLES)
@settings(max_examples=200, deadline=None)
@given(text=WORDS)
def test_lookup_text_finds_the_known_ngrams_that_char_ngrams_cuts(ngrams, names, text):
    found = ngrams.lookup_text(text)
    known = set(names.values())
    wanted = sorted(g for g in char_ngrams(text, ngrams.low, ngrams.high) if g in known)
    assert sorted(names[c] for c in found.columns.tolist()) == wanted
    for start, end in zip(found.starts.tolist(), found.ends.tolist(), strict=True):
        assert 0 <= start <= end <= len(text)
