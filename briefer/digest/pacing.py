"""Pacing many requests on one event loop: a concurrency limiter and an idle-time runner.

A digest spends most of its time waiting for answers, and some of it on CPU work of its own
(loading articles, the sourcing analysis, quote checks, the store). Done inline, that work
holds up the answers arriving at the same moment and the requests waiting to go out, and
every wave of requests gets longer. `IdleRunner` runs it in the loop's quiet moments instead,
most urgent first; `AdaptiveLimiter` keeps at most `limit` requests in flight, lets the
requests of the earliest position go first (in a digest, the follow-ups of articles already
started go before the first requests of new ones), and backs off when the server says so.
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


class AdaptiveLimiter:
    """At most `limit` at a time; a 429 halves the limit, successes grow it back.

    Each request waits with a position (`gate(position)`; a digest gives each article its
    index, so earlier articles rank first). A freed slot goes to the waiting request with the
    lowest position, first come, first served within a position; entered directly, the
    limiter ranks every request at position 0, so it is first come, first served throughout.

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
        # (position, arrival, future): a heap, lowest position first, then first come. A
        # cancelled waiter's entry stays until it comes up, and is then dropped.
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    def gate(self, position: int) -> PositionGate:
        """Return the limiter as seen by requests that wait with `position` (lower goes first)."""
        return PositionGate(self, position)

    def throttle(self, wait: float) -> None:
        """A 429 asked us to wait `wait` seconds: halve the concurrency for a while."""
        self.limit = max(1, self.limit // 2)
        self.calm_after = time.monotonic() + wait

    async def __aenter__(self) -> None:
        await self.acquire(0)

    async def __aexit__(self, *exc: object) -> None:
        self.release(0, succeeded=exc[0] is None)

    async def acquire(self, position: int) -> None:
        """Take a slot, waiting behind every request of a lower or the same position."""
        if self.active < self.limit and not self._ranked_ahead(position):
            self.active += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (position, next(self._arrivals), waiter))
        try:
            await waiter  # resolved by `_wake`, which counted us in
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.active -= 1  # woken and cancelled at once: hand the slot on
                self._wake()
            else:
                waiter.cancel()  # its entry is dropped when it comes up
            raise

    def release(self, position: int, *, succeeded: bool) -> None:
        """Give back a slot taken at `position`; a success grows the limit after the calm."""
        self.active -= 1
        if succeeded and self.limit < self.ceiling and time.monotonic() >= self.calm_after:
            self.limit += 1
        if self._ranked_ahead(position):
            self._wake()  # a follow-up from this position would wait behind them anyway
        elif self._waiters:
            # Two calls deep: the freeing task's next step, scheduled by its own `await`, runs
            # in the next turn of the loop, and so comes before the hand-over.
            loop = asyncio.get_running_loop()
            loop.call_soon(loop.call_soon, self._wake)

    def _ranked_ahead(self, position: int) -> bool:
        """Whether a live waiter goes before a request of `position` arriving now."""
        waiters = self._waiters
        while waiters and waiters[0][2].done():
            heapq.heappop(waiters)
        return bool(waiters) and waiters[0][0] <= position

    def _wake(self) -> None:
        waiters = self._waiters
        while waiters and self.active < self.limit:
            waiter = heapq.heappop(waiters)[2]
            if not waiter.done():
                self.active += 1
                waiter.set_result(None)


class PositionGate:
    """The limiter as the requests of one position see it: `async with` takes a slot."""

    def __init__(self, limiter: AdaptiveLimiter, position: int) -> None:
        self.limiter = limiter
        self.position = position

    async def __aenter__(self) -> None:
        await self.limiter.acquire(self.position)

    async def __aexit__(self, *exc: object) -> None:
        self.limiter.release(self.position, succeeded=exc[0] is None)


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
