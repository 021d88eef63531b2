"""The load itself: readers and one moderator as asyncio tasks, each with its own cookie jar.

Every request is timed into a ``Recorder``; everything a client was told was written
(comments, votes, reports, decisions) goes into a ``Ledger`` that the checks compare
with the database afterwards.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from load_comments import comment_body, marker

REPORT_REASONS = ["abuse", "hate", "sexual", "spam", "other"]
SORTS = ["newest", "upvotes", "downvotes"]
QUEUES = ["held", "held", "review", "reported"]
QUEUE_SORTS = ["newest", "toxicity", "uncertain"]
VOTE_VALUES = {"up": 1, "down": -1, "none": 0}
ABUSIVE_SHARE = 0.3
DOUBLE_CLICKS = 0.1  # share of votes sent twice at once
CLIENT_TIMEOUT = 30.0
UNKNOWN = None  # a write whose answer never came: it may or may not have happened

CARD = re.compile(r'class="mq-card [^"]*" data-id="(\d+)" data-top-category="([a-z]+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def nickname(index: int) -> str:
    """Reader ``index``'s nickname (12 characters at most, as the widget allows)."""
    return f"부하독자{index:02d}"


@dataclass
class Sample:
    """One request: what it was, its status (None: no answer), how long, when it started."""

    kind: str
    status: int | None
    ms: float
    started: float
    code: str | None = None
    phase: str = "load"


class Recorder:
    """Every request's timing and outcome."""

    def __init__(self):
        self.samples: list[Sample] = []
        self.phase = "load"
        self.loop_lag_ms: list[float] = []

    def add(self, kind: str, status: int | None, started: float, code: str | None = None):
        """Note a finished request that started at ``started`` (perf_counter seconds)."""
        ms = (time.perf_counter() - started) * 1000
        self.samples.append(Sample(kind, status, ms, started, code, self.phase))


@dataclass
class PostAttempt:
    """A comment a reader sent, and what the server answered."""

    marker: str
    reader: int
    article: str
    body: str
    status: int | None = None
    comment_id: int | None = None
    published: str | None = None


@dataclass
class ModeratorAction:
    """One approve or reject request and its answer."""

    action: str
    comment_ids: list[int]
    status: int | None


@dataclass
class Ledger:
    """What the clients were told was written."""

    posts: dict[str, PostAttempt] = field(default_factory=dict)
    # (reader index, comment id) -> the vote last answered 200, UNKNOWN if an answer was lost.
    votes: dict[tuple[int, int], int | None] = field(default_factory=dict)
    # (reader index, comment id) -> True when answered 201, UNKNOWN if the answer was lost.
    reports: dict[tuple[int, int], bool | None] = field(default_factory=dict)
    decisions: list[ModeratorAction] = field(default_factory=list)


def error_code(response: httpx.Response) -> str | None:
    """The API's error code of a 4xx/5xx JSON answer, if there is one."""
    if response.status_code < 400:
        return None
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


class Client:
    """A browser-like client: its own cookies, the page's Origin, timings recorded.

    Every request goes on a new connection, as gunicorn sees requests behind a reverse
    proxy (nginx speaks HTTP/1.0 to the app by default). Kept-alive connections would
    add the race HTTP/1.1 leaves open: the server closing an idle connection just as
    the client sends on it, which loses the request with no answer.
    """

    def __init__(self, base_url: str, recorder: Recorder, rng: random.Random):
        self.http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Origin": base_url, "User-Agent": "comment-mod-load"},
            timeout=CLIENT_TIMEOUT,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self.recorder = recorder
        self.rng = rng

    async def call(self, kind: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        """Send a request and record it; None when no answer came (timeout, reset)."""
        started = time.perf_counter()
        try:
            response = await self.http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            self.recorder.add(kind, None, started, type(exc).__name__)
            return None
        self.recorder.add(kind, response.status_code, started, error_code(response))
        return response

    async def close(self) -> None:
        """Close the connections."""
        await self.http.aclose()


class ReaderClient(Client):
    """One reader: reads the comments in each sort, posts, votes, reports."""

    def __init__(self, index, base_url, recorder, ledger, rng, run, articles):
        super().__init__(base_url, recorder, rng)
        self.index = index
        self.ledger = ledger
        self.run = run
        self.articles = articles
        # The first article is the story that broke: half of the readers' attention.
        self.weights = [max(1, len(articles) - 1)] + [1] * (len(articles) - 1)
        self.seen: dict[str, list[dict]] = {}
        self.posted = 0

    async def step(self) -> None:
        """One thing a reader does."""
        article = self.rng.choices(self.articles, self.weights)[0]
        roll = self.rng.random()
        if roll < 0.38:
            await self.read(article)
        elif roll < 0.43:
            await self.call("page html", "GET", f"/articles/{article}/comments")
        elif roll < 0.63:
            await self.post(article)
        elif not self.seen.get(article):  # nothing seen there yet to vote on or report
            await self.read(article)
        elif roll < 0.92:
            await self.vote(article)
        else:
            await self.report(article)

    async def read(self, article: str) -> None:
        """A page of comments in a random sort, sometimes the next page too."""
        sort = self.rng.choice(SORTS)
        url = f"/api/v1/articles/{article}/comments"
        response = await self.call(f"list {sort}", "GET", url, params={"sort": sort})
        if response is None or response.status_code != 200:
            return
        page = response.json()
        self.seen[article] = [c for c in page["comments"] if not c["mine"]]
        if page["next_cursor"] and self.rng.random() < 0.3:
            params = {"sort": sort, "cursor": page["next_cursor"]}
            response = await self.call("list next page", "GET", url, params=params)
            if response is not None and response.status_code == 200:
                self.seen[article] += [c for c in response.json()["comments"] if not c["mine"]]

    async def post(self, article: str) -> None:
        """A new comment, clean or abusive, with its marker."""
        tag = marker(self.run, self.index, self.posted)
        self.posted += 1
        body = comment_body(self.rng, tag, abusive=self.rng.random() < ABUSIVE_SHARE)
        attempt = PostAttempt(tag, self.index, article, body)
        self.ledger.posts[tag] = attempt
        response = await self.call(
            "post",
            "POST",
            f"/api/v1/articles/{article}/comments",
            json={"body": body, "nickname": nickname(self.index)},
        )
        if response is None:
            return
        attempt.status = response.status_code
        if response.status_code == 201:
            answer = response.json()
            attempt.comment_id = answer["comment"]["id"]
            attempt.published = answer["status"]

    def _forget(self, article: str, comment_id: int) -> None:
        """Stop acting on a comment the server no longer shows (a moderator rejected it)."""
        self.seen[article] = [c for c in self.seen[article] if c["id"] != comment_id]

    async def vote(self, article: str) -> None:
        """찬성 or 반대 on a comment seen, or a vote moved or cancelled; now and then the
        button is double-clicked (two requests at once) by a reader who has a cookie."""
        comment_id = self.rng.choice(self.seen[article])["id"]
        key = (self.index, comment_id)
        current = self.ledger.votes.get(key, 0)
        if not current:
            choice = "up" if self.rng.random() < 0.65 else "down"
        else:
            choice = self.rng.choice(["none", "down" if current == 1 else "up"])
        url = f"/api/v1/comments/{comment_id}/vote"
        # Only from a page that gave the reader their cookie, as in a browser.
        clicks = 2 if "session" in self.http.cookies and self.rng.random() < DOUBLE_CLICKS else 1
        responses = await asyncio.gather(
            *(self.call("vote", "POST", url, json={"value": choice}) for _ in range(clicks))
        )
        statuses = {r.status_code if r is not None else None for r in responses}
        if None in statuses:
            self.ledger.votes[key] = UNKNOWN
        elif 200 in statuses:  # the same vote twice leaves one vote
            self.ledger.votes[key] = VOTE_VALUES[choice]
        elif 404 in statuses:
            self._forget(article, comment_id)

    async def report(self, article: str) -> None:
        """신고 a comment not yet reported by this reader."""
        candidates = [
            c for c in self.seen[article] if (self.index, c["id"]) not in self.ledger.reports
        ]
        if not candidates:
            return
        comment_id = self.rng.choice(candidates)["id"]
        reason = self.rng.choice(REPORT_REASONS)
        url = f"/api/v1/comments/{comment_id}/report"
        response = await self.call("report", "POST", url, json={"reason": reason})
        if response is None:
            self.ledger.reports[(self.index, comment_id)] = UNKNOWN
        elif response.status_code == 201:
            self.ledger.reports[(self.index, comment_id)] = True
        elif response.status_code == 404:
            self._forget(article, comment_id)


class ModeratorClient(Client):
    """The moderator: logs in, lists the queues, approves and rejects a few cards at a time."""

    def __init__(self, base_url, recorder, ledger, rng, account: tuple[str, str]):
        super().__init__(base_url, recorder, rng)
        self.ledger = ledger
        self.account = account
        self.steps = 0

    async def log_in(self) -> None:
        """Through the login form, with its CSRF token; RuntimeError if refused."""
        response = await self.call("mod login form", "GET", "/moderation/login")
        if response is None or response.status_code != 200:
            raise RuntimeError("the moderator could not open the login form")
        token = CSRF.search(response.text).group(1)
        name, password = self.account
        form = {"csrf_token": token, "name": name, "password": password}
        response = await self.call("mod login", "POST", "/moderation/login", data=form)
        if response is None or response.status_code != 303:
            status = response.status_code if response is not None else "no answer"
            raise RuntimeError(f"the moderator could not log in: {status}")

    async def step(self) -> None:
        """Look at a queue and decide on one to three of its cards."""
        self.steps += 1
        if self.steps % 5 == 0:
            await self.call("mod counts", "GET", "/moderation/counts.json")
        queue, sort = self.rng.choice(QUEUES), self.rng.choice(QUEUE_SORTS)
        response = await self.call("mod queue", "GET", f"/moderation/queue/{queue}?sort={sort}")
        if response is None or response.status_code != 200:
            return
        cards = CARD.findall(response.text)
        if not cards:
            return
        picked = self.rng.sample(cards, min(len(cards), self.rng.randint(1, 3)))
        ids = [int(comment_id) for comment_id, _ in picked]
        action = "approve" if self.rng.random() < 0.4 else "reject"
        form = {
            "csrf_token": CSRF.search(response.text).group(1),
            "action": action,
            "reason": picked[0][1],
            "comment_id": [str(i) for i in ids],
            "next": f"/moderation/queue/{queue}",
        }
        response = await self.call(f"mod {action}", "POST", "/moderation/decide", data=form)
        status = response.status_code if response is not None else None
        self.ledger.decisions.append(ModeratorAction(action, ids, status))


async def keep_going(client: Client, deadline: float, think: float) -> None:
    """Pause a random think time (mean ``think`` seconds) and act, until the deadline."""
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return
        await asyncio.sleep(min(client.rng.uniform(0, 2 * think), remaining))
        if time.perf_counter() >= deadline:
            return
        await client.step()


async def watch_loop(recorder: Recorder, deadline: float, tick: float = 0.1) -> None:
    """How late the event loop wakes up: a busy client delays every timing it takes."""
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        await asyncio.sleep(tick)
        recorder.loop_lag_ms.append((time.perf_counter() - started - tick) * 1000)


@dataclass
class LoadResult:
    """What happened during the load window."""

    recorder: Recorder
    ledger: Ledger
    seconds: float
    readers: int
    # Reader index -> the session cookie the server gave them (it holds their token).
    cookies: dict[int, str]


async def drive(
    base_url: str,
    articles: list[str],
    readers: int,
    seconds: float,
    think: float,
    run: str,
    account: tuple[str, str],
    seed: int = 1,
    warm_up_posts: int = 8,
) -> LoadResult:
    """Warm the server up, then run the readers and the moderator for ``seconds``.

    The warm-up (a few comments from one extra reader, so that each worker has built
    its tokenizer) is checked like the rest but left out of the figures.
    """
    recorder, ledger = Recorder(), Ledger()
    rng = random.Random(seed)
    clients: list[Client] = []
    try:
        recorder.phase = "warm-up"
        warm = ReaderClient(readers, base_url, recorder, ledger, rng, run, articles)
        clients.append(warm)
        for _ in range(warm_up_posts):
            await warm.post(articles[-1])
        recorder.phase = "load"
        moderator = ModeratorClient(base_url, recorder, ledger, random.Random(seed - 1), account)
        clients.append(moderator)
        await moderator.log_in()
        for index in range(readers):
            reader_rng = random.Random(seed * 1000 + index)
            clients.append(
                ReaderClient(index, base_url, recorder, ledger, reader_rng, run, articles)
            )
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            watch_loop(recorder, deadline),
            keep_going(moderator, deadline, think=1.0),
            *(keep_going(c, deadline, think) for c in clients[2:]),
        )
        elapsed = time.perf_counter() - started
        cookies = {
            c.index: c.http.cookies["session"]
            for c in clients
            if isinstance(c, ReaderClient) and "session" in c.http.cookies
        }
    finally:
        await asyncio.gather(*(c.close() for c in clients))
    return LoadResult(recorder, ledger, elapsed, readers, cookies)


def summarize(result: LoadResult) -> dict:
    """Requests per second and latency percentiles per kind, statuses and 4xx codes."""
    samples = [s for s in result.recorder.samples if s.phase == "load"]
    kinds: dict[str, list[Sample]] = {}
    for sample in samples:
        kinds.setdefault(sample.kind, []).append(sample)
    table = {kind: kind_figures(group, result.seconds) for kind, group in sorted(kinds.items())}
    lag = sorted(result.recorder.loop_lag_ms)
    return {
        "overall": kind_figures(samples, result.seconds),
        "kinds": table,
        "client_loop_lag_ms": {
            "p50": percentile(lag, 50),
            "p99": percentile(lag, 99),
            "max": percentile(lag, 100),
        },
    }


def kind_figures(samples: list[Sample], seconds: float) -> dict:
    """Count, rate, latency percentiles, and what went wrong, for one group of requests."""
    times = sorted(s.ms for s in samples if s.status is not None)
    statuses = Counter(str(s.status) if s.status is not None else "no answer" for s in samples)
    client_errors = Counter(
        f"{s.status} {s.code or ''}".strip() for s in samples if s.status and 400 <= s.status < 500
    )
    return {
        "requests": len(samples),
        "per_second": round(len(samples) / seconds, 1) if seconds else 0.0,
        "p50_ms": percentile(times, 50),
        "p90_ms": percentile(times, 90),
        "p99_ms": percentile(times, 99),
        "max_ms": round(times[-1], 1) if times else None,
        "statuses": dict(sorted(statuses.items())),
        "client_errors": dict(sorted(client_errors.items())),
    }


def percentile(ordered: list[float], p: float) -> float | None:
    """The nearest-rank percentile of sorted values."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * p // 100))
    return round(ordered[int(rank) - 1], 1)
