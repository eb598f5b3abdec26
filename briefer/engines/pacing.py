"""Pacing many requests on one event loop: a concurrency limiter and an idle-time runner.

A digest spends most of its time waiting for answers, and some of it on CPU work of its own
(loading articles, the sourcing analysis, quote checks, the store). Done inline, that work
holds up the answers arriving at the same moment and the requests waiting to go out, and
every wave of requests gets longer. `IdleRunner` runs it in the loop's quiet moments instead,
most urgent first; `AdaptiveLimiter` keeps at most `limit` requests in flight, lets the
requests of the earliest position go first (in a digest, the follow-ups of articles already
started go before the first requests of new ones), among those follow-ups keeps requests with
the same prompt prefix together, and backs off when the server says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable
from enum import IntEnum
from typing import Any, TypeVar

from briefer.errors import InputError

T = TypeVar("T")

_LAST = 1 << 62  # the arrival of a request asking now: after every waiter


class _Waiter:
    """A request waiting for a slot: where it ranks, and the future that lets it go."""

    __slots__ = ("arrival", "future", "position", "prefix")

    def __init__(
        self, position: int, arrival: int, prefix: str | None, future: asyncio.Future[None] | None
    ) -> None:
        self.position = position
        self.arrival = arrival
        self.prefix = prefix
        self.future = future  # None: a request that asks whether it would wait, not waiting

    def __lt__(self, other: _Waiter) -> bool:
        return (self.position, self.arrival) < (other.position, other.arrival)

    @property
    def gone(self) -> bool:
        """Whether it no longer waits (let go, or cancelled)."""
        return self.future is not None and self.future.done()


class AdaptiveLimiter:
    """At most `limit` at a time; a 429 halves the limit, successes grow it back.

    Each request waits with a position (`gate(position)`; a digest gives each article its
    index, so earlier articles rank first). A freed slot goes to the waiting request with the
    lowest position, first come, first served within a position; entered directly, the
    limiter ranks every request at position 0, so it is first come, first served throughout.

    A request may also say which prompt prefix it starts with (`gate(position, prefix)`: the
    system message and schema a server can cache). When the request due next is the follow-up
    of an article already started (a re-ask, a part, a merge) and its prefix differs from the
    one sent last, a waiting follow-up with the prefix sent last goes first: either way the
    slot finishes something started, and a server that keeps one prompt per slot (llama.cpp,
    Ollama) reads the shared prefix once instead of again after every switch. The first
    requests of new articles keep their order, and never go ahead of an earlier position.

    When the request that frees a slot ranks ahead of every waiter, the slot is handed on once
    the loop has gone round, not at once: the task that freed it gets that turn to check its
    answer and ask again (a re-ask, a repair), and so keeps the slot. A request that finds
    room and nobody ranked ahead of it takes a slot without waiting. A freed slot wakes
    exactly one waiter: a digest of hundreds of articles must not wake every waiter each time
    an answer arrives.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise InputError(
                f"a concurrency of {limit} is not possible", fix="set {concurrency} to 1 or more"
            )
        self.ceiling = limit
        self.limit = limit
        self.active = 0
        self.calm_after = 0.0
        self.last_prefix: str | None = None  # the prompt prefix of the request sent last
        # Waiters are kept in heaps, lowest position first, then first come: the first
        # requests of articles not yet started, the follow-ups of started ones, and the
        # follow-ups again by prefix. A waiter that is let go or cancelled stays in the other
        # heaps until it comes up, and is then dropped.
        self._started: set[int] = set()
        self._new: list[_Waiter] = []
        self._follow_ups: list[_Waiter] = []
        self._by_prefix: dict[str, list[_Waiter]] = {}
        self._arrivals = itertools.count()

    def gate(self, position: int, prefix: str | None = None) -> PositionGate:
        """Return the limiter as seen by requests that wait with `position` (lower goes first)
        and start with the prompt `prefix` (a key; None when unknown)."""
        return PositionGate(self, position, prefix)

    def with_prefix(self, prefix: str) -> PositionGate:
        """Return the limiter as seen by requests at position 0 starting with `prefix`."""
        return self.gate(0, prefix)

    def throttle(self, wait: float) -> None:
        """A 429 asked us to wait `wait` seconds: halve the concurrency for a while."""
        self.limit = max(1, self.limit // 2)
        self.calm_after = time.monotonic() + wait

    async def __aenter__(self) -> None:
        await self.acquire(0)

    async def __aexit__(self, *exc: object) -> None:
        self.release(0, succeeded=exc[0] is None)

    async def acquire(self, position: int, prefix: str | None = None) -> None:
        """Take a slot, waiting while a request ranked ahead of this one waits."""
        if self.active < self.limit and not self._ranked_ahead(position, prefix):
            self.active += 1
            self._sent(position, prefix)
            return
        future = asyncio.get_running_loop().create_future()
        waiter = _Waiter(position, next(self._arrivals), prefix, future)
        if position in self._started:
            self._push_follow_up(waiter)
        else:
            heapq.heappush(self._new, waiter)
        try:
            await future  # resolved by `_wake`, which counted us in
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.active -= 1  # woken and cancelled at once: hand the slot on
                self._wake()
            else:
                future.cancel()  # its entries are dropped when they come up
            raise

    def release(self, position: int, prefix: str | None = None, *, succeeded: bool) -> None:
        """Give back a slot taken at `position`; a success grows the limit after the calm."""
        self.active -= 1
        if succeeded and self.limit < self.ceiling and time.monotonic() >= self.calm_after:
            self.limit += 1
        if self._ranked_ahead(position, prefix):
            self._wake()  # a follow-up from this position would wait behind them anyway
        elif self._new or self._follow_ups:
            # Two calls deep: the freeing task's next step, scheduled by its own `await`, runs
            # in the next turn of the loop, and so comes before the hand-over.
            loop = asyncio.get_running_loop()
            loop.call_soon(loop.call_soon, self._wake)

    def _push_follow_up(self, waiter: _Waiter) -> None:
        heapq.heappush(self._follow_ups, waiter)
        if waiter.prefix is not None:
            heapq.heappush(self._by_prefix.setdefault(waiter.prefix, []), waiter)

    def _sent(self, position: int, prefix: str | None) -> None:
        """Note that a request of `position` starting with `prefix` takes a slot."""
        if prefix is not None:
            self.last_prefix = prefix
        if position not in self._started:
            self._started.add(position)
            # The article's other first requests (the parts of a long one) are follow-ups now.
            while self._new and self._new[0].position == position:
                waiter = heapq.heappop(self._new)
                if not waiter.gone:
                    self._push_follow_up(waiter)

    def _next(self, asking: _Waiter | None = None) -> _Waiter | None:
        """The waiter the next free slot goes to, counting in `asking` (a follow-up)."""
        follow_up = _first_live(self._follow_ups)
        if asking is not None and (follow_up is None or asking < follow_up):
            follow_up = asking
        new = _first_live(self._new)
        if new is not None and (follow_up is None or new < follow_up):
            return new  # an earlier article's first request keeps its place
        warm = self.last_prefix
        if follow_up is None or warm is None or follow_up.prefix == warm:
            return follow_up
        same = self._by_prefix.get(warm, [])
        candidate = _first_live(same)
        if not same:
            self._by_prefix.pop(warm, None)
        if (
            asking is not None
            and asking.prefix == warm
            and (candidate is None or asking < candidate)
        ):
            candidate = asking
        return candidate if candidate is not None else follow_up

    def _ranked_ahead(self, position: int, prefix: str | None) -> bool:
        """Whether a live waiter goes before a request of `position` and `prefix` asking now."""
        if not (self._new or self._follow_ups):
            return False
        if position not in self._started:  # a new article's first request: by position
            return any(
                first is not None and first.position <= position
                for first in (_first_live(self._new), _first_live(self._follow_ups))
            )
        asking = _Waiter(position, _LAST, prefix, None)  # it comes after every waiter
        return self._next(asking) is not asking

    def _wake(self) -> None:
        while self.active < self.limit:
            waiter = self._next()
            if waiter is None or waiter.future is None:
                return
            self.active += 1
            waiter.future.set_result(None)
            self._sent(waiter.position, waiter.prefix)


def _first_live(heap: list[_Waiter]) -> _Waiter | None:
    """The first waiter of `heap` still waiting (dropping the ones gone before it)."""
    while heap and heap[0].gone:
        heapq.heappop(heap)
    return heap[0] if heap else None


class PositionGate:
    """The limiter as the requests of one position see it: `async with` takes a slot."""

    def __init__(self, limiter: AdaptiveLimiter, position: int, prefix: str | None = None) -> None:
        self.limiter = limiter
        self.position = position
        self.prefix = prefix

    def with_prefix(self, prefix: str) -> PositionGate:
        """The same gate for a request that starts with the prompt `prefix` (a key)."""
        return PositionGate(self.limiter, self.position, prefix)

    async def __aenter__(self) -> None:
        await self.limiter.acquire(self.position, self.prefix)

    async def __aexit__(self, *exc: object) -> None:
        self.limiter.release(self.position, self.prefix, succeeded=exc[0] is None)


class Urgency(IntEnum):
    """Which idle-time work goes first (lower first)."""

    LOAD = 0  # an article to read: a request waits for it
    FINISH = 1  # an answer to check and store: a result waits for it
    PREPARE = 2  # text analysis for an answer still on its way


class IdleRunner:
    """Run CPU-bound jobs on the event loop when nothing else is ready to run.

    The loop is taken to be quiet when yielding to it comes straight back: no callback ran in
    between (an answer being read, a request being written). A job waits at most
    `MAX_WAIT_SECONDS` for such a moment and then runs anyway, so work always progresses, even
    on a loop kept busy by other work (a chat bot's). Jobs run one at a time, most urgent
    first, in order of submission within an urgency. A job's exception is raised to whoever
    awaits it.
    """

    QUIET_SECONDS = 0.0001  # a turn of the loop this short ran nothing but us
    MAX_WAIT_SECONDS = 0.02  # how long a job waits for a quiet moment before it runs anyway

    def __init__(self) -> None:
        self._jobs: list[tuple[int, int, Callable[[], Any], asyncio.Future[Any]]] = []
        self._order = itertools.count()
        self._worker: asyncio.Task[None] | None = None

    def submit(self, job: Callable[[], T], urgency: Urgency) -> asyncio.Future[T]:
        """Queue `job`; the future resolves with its result (cancel it to drop the job)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._jobs, (urgency, next(self._order), job, future))
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._work())
        return future

    async def aclose(self) -> None:
        """Drop the jobs nobody ran and stop the worker."""
        for _, _, _, future in self._jobs:
            future.cancel()
        self._jobs.clear()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def _work(self) -> None:
        while self._jobs:
            await self._quiet_moment()
            if not self._jobs:
                break
            _, _, job, future = heapq.heappop(self._jobs)
            if future.done():  # cancelled by its owner
                continue
            try:
                result = job()
            except Exception as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)

    async def _quiet_moment(self) -> None:
        # Two quiet turns in a row: I/O that the loop notices in the turn that resumes us runs
        # after us in that turn, so one quiet turn does not prove that nothing arrived.
        quiet = 0
        give_up = time.perf_counter() + self.MAX_WAIT_SECONDS
        while True:
            start = time.perf_counter()
            await asyncio.sleep(0)
            now = time.perf_counter()
            quiet = quiet + 1 if now - start < self.QUIET_SECONDS else 0
            if quiet == 2 or now >= give_up:
                return
