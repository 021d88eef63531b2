"""The shared Kiwi: morphemes with their ranges, and a fresh Kiwi after a fork."""

from __future__ import annotations

import os
import time

from classifier.tokenizer import CUTOFF, KIWI_DEFAULT_CUTOFF, PIECE, morphemes, start_morphemes


def test_morphemes_carry_tags_and_ranges():
    (tokens,) = morphemes(["기자가 기사를 썼다"])
    forms = [form for form, _, _ in tokens]
    assert "기자/NNG" in forms and "기사/NNG" in forms
    text = "기자가 기사를 썼다"
    for form, start, end in tokens:
        assert 0 <= start < end <= len(text), form


def test_the_cutoff_is_the_one_kiwipiepy_analyses_with(heldout):
    texts = [e.text for e in heldout[:300]]
    ours, default = morphemes(texts, CUTOFF), morphemes(texts, KIWI_DEFAULT_CUTOFF)
    differ = sum(a != b for a, b in zip(ours, default, strict=True))
    assert 0 < differ < len(texts) / 2
    # One text at a time goes another way into kiwipiepy; it must analyse alike.
    assert [morphemes([t], CUTOFF)[0] for t in texts[:100]] == ours[:100]
    assert [morphemes([t], KIWI_DEFAULT_CUTOFF)[0] for t in texts[:100]] == default[:100]


def test_a_batch_handed_over_in_pieces_analyses_alike(heldout):
    texts = [e.text for e in heldout[: 5 * PIECE + 3]]
    pending = start_morphemes(texts, CUTOFF, whole=True)
    time.sleep(0.05)  # collected late, after kiwipiepy has worked on all of it
    assert pending() == morphemes(texts, CUTOFF)


def test_a_forked_child_analyses_with_its_own_kiwi():
    """gunicorn forks workers after the parent trained (and built Kiwi's threads)."""
    morphemes(["부모 프로세스가 먼저 분석합니다", "둘째 문장"])
    pid = os.fork()
    if pid == 0:  # the child: analyse a batch, then leave without running pytest's exit
        ok = False
        try:
            ok = len(morphemes(["자식 프로세스의 분석", "둘째 문장입니다"])) == 2
        finally:
            os._exit(0 if ok else 1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    raise AssertionError("the forked child hung on the Kiwi it inherited")
