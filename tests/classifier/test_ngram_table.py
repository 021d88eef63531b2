import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.features import char_ngrams
from classifier.ngram_table import NgramTable

VOCABULARY = {gram: column for column, gram in enumerate(sorted(set(
    char_ngrams("시발 씨발 개새끼 기레기 좋은 기사 ㅋㅋ 18 a", 1, 4)
)))}  # fmt: skip
NAMES = {column: gram for gram, column in VOCABULARY.items()}
TABLE = NgramTable(VOCABULARY, 1, 4)
WORDS = st.text(st.sampled_from(list("시발씨개새끼기레좋은사ㅋ18a 😀Z")), max_size=40)


def occurrences(found) -> list[tuple[int, int, int]]:
    columns, starts, ends = found.columns.tolist(), found.starts.tolist(), found.ends.tolist()
    return sorted(zip(columns, starts, ends, strict=True))


@settings(max_examples=300, deadline=None)
@given(WORDS)
def test_one_text_is_looked_up_like_a_batch_of_one(text):
    codepoints = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    batch = TABLE.lookup(codepoints, np.array([len(text)]))
    assert occurrences(TABLE.lookup_text(text)) == occurrences(batch)


@settings(max_examples=300, deadline=None)
@given(WORDS)
def test_lookup_text_finds_the_known_ngrams_that_char_ngrams_cuts(text):
    found = TABLE.lookup_text(text)
    wanted = sorted(gram for gram in char_ngrams(text, 1, 4) if gram in VOCABULARY)
    assert sorted(NAMES[c] for c in found.columns.tolist()) == wanted
    for start, end in zip(found.starts.tolist(), found.ends.tolist(), strict=True):
        assert 0 <= start <= end <= len(text)
