"""After the load: what the clients were told, compared with what the database holds.

Each check gives a name, whether it held, and the figures or the first offenders. The
one kind of write that may or may not be in the database is one whose answer never
reached the client (a timeout or a dropped connection): it is allowed either way and
counted separately.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from load_clients import LoadResult
from load_comments import find_marker

VISIBLE = ("published", "flagged")
SHOWN = 5  # offenders listed per failed check


@dataclass
class Check:
    """One invariant and whether it held."""

    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        """For the JSON report."""
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class Stored:
    """The rows the checks need, read once after the load."""

    comments: list[dict]
    votes: dict[tuple[int, int], int]
    reports: Counter
    articles: list[dict]
    decisions: list[dict]


def reader_tokens(cookies: dict[int, str], secret_key: str) -> dict[str, int]:
    """Reader token -> reader index, read from each reader's signed session cookie."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    app = Flask("load-checks")
    app.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    tokens = {}
    for index, cookie in cookies.items():
        token = serializer.loads(cookie).get("reader")
        if token:
            tokens[token] = index
    return tokens


def read_database(url: str, tokens: dict[str, int]) -> Stored:
    """Every comment, vote, report, article count and decision; readers by their index.

    A reader row whose token belongs to none of the clients gets index -1.
    """
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            comments = [
                dict(row._mapping)
                for row in conn.execute(
                    sa.text(
                        "SELECT c.id, c.body, c.status, c.article_id, c.upvotes, c.downvotes, "
                        "c.report_count, c.reports_seen, r.nickname, r.token FROM comments c "
                        "JOIN readers r ON r.id = c.author_id ORDER BY c.id"
                    )
                )
            ]
            votes = {
                (tokens.get(token, -1), comment_id): value
                for comment_id, token, value in conn.execute(
                    sa.text(
                        "SELECT v.comment_id, r.token, v.value FROM votes v "
                        "JOIN readers r ON r.id = v.reader_id"
                    )
                )
            }
            reports = Counter(
                (tokens.get(token, -1), comment_id)
                for comment_id, token in conn.execute(
                    sa.text(
                        "SELECT p.comment_id, r.token FROM reports p "
                        "JOIN readers r ON r.id = p.reader_id"
                    )
                )
            )
            articles = [
                dict(row._mapping)
                for row in conn.execute(sa.text("SELECT id, key, comment_count FROM articles"))
            ]
            decisions = [
                dict(row._mapping)
                for row in conn.execute(
                    sa.text(
                        "SELECT id, comment_id, action, status_after FROM decisions "
                        "WHERE comment_id IS NOT NULL ORDER BY id"
                    )
                )
            ]
    finally:
        engine.dispose()
    for comment in comments:
        comment["reader"] = tokens.get(comment["token"], -1)
    return Stored(comments, votes, reports, articles, decisions)


def run_checks(result: LoadResult, stored: Stored) -> list[Check]:
    """Every invariant, in the order they are printed."""
    return [
        no_server_errors(result),
        every_request_answered(result),
        *comment_checks(result, stored),
        vote_counts(stored),
        votes_match_answers(result, stored),
        report_counts(result, stored),
        article_counts(stored),
        decisions_applied(result, stored),
    ]


def _listed(items) -> str:
    """The first few offenders, and how many more."""
    items = list(items)
    shown = ", ".join(str(i) for i in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more" if len(items) > SHOWN else "")


def no_server_errors(result: LoadResult) -> Check:
    """Not one 5xx, warm-up included."""
    bad = Counter(
        f"{s.kind} {s.status}" for s in result.recorder.samples if s.status and s.status >= 500
    )
    return Check("no 5xx answers", not bad, _listed(bad.items()) if bad else "none")


def every_request_answered(result: LoadResult) -> Check:
    """No request lost to a timeout or a dropped connection."""
    lost = Counter(f"{s.kind} ({s.code})" for s in result.recorder.samples if s.status is None)
    total = len(result.recorder.samples)
    return Check(
        "every request answered",
        not lost,
        _listed(lost.items()) if lost else f"{total:,} of {total:,}",
    )


def comment_checks(result: LoadResult, stored: Stored) -> list[Check]:
    """Answered 201 means stored once, under the id answered; nothing else is stored."""
    posts = result.ledger.posts
    by_marker: dict[str, list[dict]] = {}
    unmarked = []
    for row in stored.comments:
        tag = find_marker(row["body"])
        if tag is None:
            unmarked.append(row["id"])
        else:
            by_marker.setdefault(tag, []).append(row)

    answered = {tag: p for tag, p in posts.items() if p.status == 201}
    wrong = []
    for tag, attempt in answered.items():
        rows = by_marker.get(tag, [])
        if len(rows) != 1:
            wrong.append(f"{tag} stored {len(rows)} times")
        elif rows[0]["id"] != attempt.comment_id:
            wrong.append(f"{tag} answered id {attempt.comment_id}, stored {rows[0]['id']}")
        elif rows[0]["reader"] != attempt.reader:
            wrong.append(f"{tag} stored under another reader ({rows[0]['nickname']})")
    stored_once = Check(
        "every comment answered 201 is stored exactly once",
        not wrong,
        _listed(wrong) if wrong else f"{len(answered):,} comments",
    )

    lost = {tag for tag, p in posts.items() if p.status is None}
    unexplained = []
    for tag in by_marker:
        attempt = posts.get(tag)
        if attempt is None:
            unexplained.append(f"{tag} (never sent)")
        elif attempt.status not in (201, None):
            unexplained.append(f"{tag} (answered {attempt.status})")
    unexplained += [f"comment {i} (no marker)" for i in unmarked]
    lost_stored = sum(1 for tag in lost if tag in by_marker)
    refused = sum(1 for p in posts.values() if p.status not in (201, None))
    nothing_else = Check(
        "no comment stored that was not answered 201",
        not unexplained,
        _listed(unexplained)
        if unexplained
        else (
            f"{refused} refused posts, none stored; {len(lost)} answers lost "
            f"({lost_stored} of those stored)"
        ),
    )
    return [stored_once, nothing_else]


def vote_counts(stored: Stored) -> Check:
    """Each comment's 찬성/반대 counts equal the votes recorded for it."""
    up, down = Counter(), Counter()
    for (_, comment_id), value in stored.votes.items():
        (up if value == 1 else down)[comment_id] += 1
    wrong = [
        f"comment {c['id']}: {c['upvotes']}/{c['downvotes']} vs {up[c['id']]}/{down[c['id']]}"
        for c in stored.comments
        if (c["upvotes"], c["downvotes"]) != (up[c["id"]], down[c["id"]])
    ]
    total = sum(up.values()) + sum(down.values())
    return Check(
        "vote counts equal the votes recorded",
        not wrong,
        _listed(wrong) if wrong else f"{len(stored.comments):,} comments, {total:,} votes",
    )


def votes_match_answers(result: LoadResult, stored: Stored) -> Check:
    """Each reader's vote in the database is the last one the server confirmed to them."""
    known = {k: v for k, v in result.ledger.votes.items() if v is not None}
    unknown = {k for k, v in result.ledger.votes.items() if v is None}
    wrong = [
        f"reader {r} comment {c}: answered {v}, stored {stored.votes.get((r, c), 0)}"
        for (r, c), v in known.items()
        if stored.votes.get((r, c), 0) != v
    ]
    wrong += [
        f"reader {r} comment {c}: stored {v}, never voted"
        for (r, c), v in stored.votes.items()
        if (r, c) not in known and (r, c) not in unknown
    ]
    return Check(
        "every reader's recorded vote is the last one answered",
        not wrong,
        _listed(wrong) if wrong else f"{len(known):,} reader-comment pairs",
    )


def report_counts(result: LoadResult, stored: Stored) -> Check:
    """Report counts equal the reports recorded, which are the ones answered 201."""
    per_comment = Counter(comment_id for _, comment_id in stored.reports.elements())
    wrong = [
        f"comment {c['id']}: count {c['report_count']}, recorded {per_comment[c['id']]}"
        for c in stored.comments
        if c["report_count"] != per_comment[c["id"]] or c["reports_seen"] > c["report_count"]
    ]
    answered = {k for k, v in result.ledger.reports.items() if v}
    unknown = {k for k, v in result.ledger.reports.items() if v is None}
    wrong += [
        f"reader {r} comment {c}: answered 201, not stored"
        for r, c in answered - set(stored.reports)
    ]
    wrong += [
        f"reader {r} comment {c}: stored {n} times"
        for (r, c), n in stored.reports.items()
        if n > 1 or ((r, c) not in answered and (r, c) not in unknown)
    ]
    return Check(
        "report counts equal the reports recorded and answered",
        not wrong,
        _listed(wrong) if wrong else f"{sum(per_comment.values()):,} reports",
    )


def article_counts(stored: Stored) -> Check:
    """Each article's comment count equals its visible comments."""
    visible = Counter(c["article_id"] for c in stored.comments if c["status"] in VISIBLE)
    wrong = [
        f"{a['key']}: {a['comment_count']} vs {visible[a['id']]}"
        for a in stored.articles
        if a["comment_count"] != visible[a["id"]]
    ]
    return Check(
        "article comment counts equal the visible comments",
        not wrong,
        _listed(wrong) if wrong else f"{sum(visible.values()):,} visible comments",
    )


def decisions_applied(result: LoadResult, stored: Stored) -> Check:
    """Every decision the moderator sent is recorded once per comment and is in force."""
    sent = [a for a in result.ledger.decisions if a.status == 303]
    expected = sum(len(a.comment_ids) for a in sent)
    lost = [a for a in result.ledger.decisions if a.status is None]
    last = {d["comment_id"]: d["status_after"] for d in stored.decisions}
    status = {c["id"]: c["status"] for c in stored.comments}
    wrong = [
        f"comment {c}: {status.get(c)} but decided {after}"
        for c, after in last.items()
        if status.get(c) != after
    ]
    if not lost and len(stored.decisions) != expected:
        wrong.insert(0, f"{expected} decisions sent, {len(stored.decisions)} recorded")
    return Check(
        "moderator decisions all recorded and in force",
        not wrong,
        _listed(wrong) if wrong else f"{len(sent)} actions on {expected} comments",
    )
