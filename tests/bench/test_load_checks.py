"""The load test's checks: each one fails when its invariant is broken."""

from __future__ import annotations

from collections import Counter

import pytest


@pytest.fixture
def lc():
    """bench/load_checks.py (imported once bench/ is on the path)."""
    import load_checks

    return load_checks


@pytest.fixture
def clients():
    """bench/load_clients.py."""
    import load_clients

    return load_clients


def consistent(clients, lc):
    """Two readers, two comments, one vote, one report, one decision: all in agreement."""
    recorder, ledger = clients.Recorder(), clients.Ledger()
    for kind, status in [("post", 201), ("post", 201), ("vote", 200), ("report", 201)]:
        recorder.add(kind, status, 0.0)
    ledger.posts["#aaaar00c000"] = clients.PostAttempt("#aaaar00c000", 0, "a", "좋네요", 201, 1)
    ledger.posts["#aaaar01c000"] = clients.PostAttempt("#aaaar01c000", 1, "a", "별로", 201, 2)
    ledger.votes[(1, 1)] = 1
    ledger.reports[(0, 2)] = True
    ledger.decisions.append(clients.ModeratorAction("reject", [2], 303))
    result = clients.LoadResult(recorder, ledger, seconds=1.0, readers=2, cookies={})
    comments = [
        {
            "id": 1,
            "body": "좋네요 #aaaar00c000",
            "status": "published",
            "article_id": 1,
            "upvotes": 1,
            "downvotes": 0,
            "report_count": 0,
            "reports_seen": 0,
            "nickname": "가",
            "token": "t0",
            "reader": 0,
        },
        {
            "id": 2,
            "body": "별로 #aaaar01c000",
            "status": "rejected",
            "article_id": 1,
            "upvotes": 0,
            "downvotes": 0,
            "report_count": 1,
            "reports_seen": 1,
            "nickname": "나",
            "token": "t1",
            "reader": 1,
        },
    ]
    stored = lc.Stored(
        comments=comments,
        votes={(1, 1): 1},
        reports=Counter({(0, 2): 1}),
        articles=[{"id": 1, "key": "a", "comment_count": 1}],
        decisions=[{"id": 1, "comment_id": 2, "action": "reject", "status_after": "rejected"}],
    )
    return result, stored


def failed(lc, result, stored) -> list[str]:
    """Names of the checks that did not hold."""
    return [c.name for c in lc.run_checks(result, stored) if not c.ok]


def test_consistent_data_passes_every_check(clients, lc):
    result, stored = consistent(clients, lc)
    assert failed(lc, result, stored) == []


def test_a_server_error_fails(clients, lc):
    result, stored = consistent(clients, lc)
    result.recorder.add("list newest", 500, 0.0)
    assert failed(lc, result, stored) == ["no 5xx answers"]


def test_a_comment_stored_twice_fails(clients, lc):
    result, stored = consistent(clients, lc)
    stored.comments.append({**stored.comments[0], "id": 3})
    assert "every comment answered 201 is stored exactly once" in failed(lc, result, stored)


def test_a_refused_comment_that_was_stored_fails(clients, lc):
    result, stored = consistent(clients, lc)
    result.ledger.posts["#aaaar00c000"].status = 400
    assert "no comment stored that was not answered 201" in failed(lc, result, stored)


def test_a_comment_whose_answer_was_lost_may_be_stored(clients, lc):
    result, stored = consistent(clients, lc)
    result.ledger.posts["#aaaar00c000"].status = None
    result.recorder.add("post", None, 0.0, "ReadTimeout")
    assert failed(lc, result, stored) == ["every request answered"]
    [check] = [c for c in lc.run_checks(result, stored) if c.name.startswith("no comment")]
    assert "1 answers lost (1 of those stored)" in check.detail


def _set(mapping, key, value):
    """Assignment as an expression, for the table below."""
    mapping[key] = value


@pytest.mark.parametrize(
    ("break_it", "check"),
    [
        (
            lambda result, stored: _set(stored.comments[0], "upvotes", 2),
            "vote counts equal the votes recorded",
        ),
        (
            lambda result, stored: _set(result.ledger.votes, (1, 1), -1),
            "every reader's recorded vote is the last one answered",
        ),
        (
            lambda result, stored: _set(result.ledger.reports, (1, 1), True),
            "report counts equal the reports recorded and answered",
        ),
        (
            lambda result, stored: _set(stored.articles[0], "comment_count", 2),
            "article comment counts equal the visible comments",
        ),
    ],
    ids=["vote count", "vote not last answered", "report missing", "article count"],
)
def test_one_broken_count_fails_its_check_alone(clients, lc, break_it, check):
    result, stored = consistent(clients, lc)
    break_it(result, stored)
    assert failed(lc, result, stored) == [check]


def test_a_decision_not_in_force_fails(clients, lc):
    result, stored = consistent(clients, lc)
    stored.comments[1]["status"] = "published"
    assert "moderator decisions all recorded and in force" in failed(lc, result, stored)
