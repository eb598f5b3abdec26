"""The services' blocking work, run in threads in separate lanes, each with its own cap.

    lane     work                                                 threads
    fetch    loading an article from a URL (waits on the network)      8
    brief    loading text, briefing, comparing, rendering              16
    lookup   reading the store (stored briefs, searches)                8

A slow page can fill the fetch lane and never the others: while pages stall, a text brief or
a stored-brief lookup still gets a thread at once. A slot is held until its thread ends, even
when the caller stopped waiting (an MCP call past its time limit): work the caller abandoned
can never hold more threads, or more sockets, than its lane has.

Both services run on asyncio (through anyio); a `Lanes` serves one event loop at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Literal, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")
Lane = Literal["fetch", "brief", "lookup"]

FETCH_THREADS = 8
BRIEF_THREADS = 16
LOOKUP_THREADS = 8


class Lanes:
    """A cap of threads for each lane; `run` puts a job in one."""

    def __init__(
        self,
        *,
        fetch: int = FETCH_THREADS,
        brief: int = BRIEF_THREADS,
        lookup: int = LOOKUP_THREADS,
    ) -> None:
        self.caps: dict[Lane, int] = {"fetch": fetch, "brief": brief, "lookup": lookup}
        self._slots = {lane: anyio.CapacityLimiter(cap) for lane, cap in self.caps.items()}
        self._threads = {lane: anyio.CapacityLimiter(cap) for lane, cap in self.caps.items()}

    async def run(self, lane: Lane, job: Callable[[], T]) -> T:
        """Run `job` in a thread of `lane` once one is free; a caller that stops waiting
        (cancelled) gets control back at once, and the slot is freed when the thread ends."""
        ticket = _Ticket(self._slots[lane], asyncio.get_running_loop())
        await ticket.slots.acquire_on_behalf_of(ticket)
        try:
            # The thread limiter has as many tokens as the lane has slots, so it never waits.
            return await anyio.to_thread.run_sync(
                ticket.wrap(job), abandon_on_cancel=True, limiter=self._threads[lane]
            )
        finally:
            ticket.caller_done()


class _Ticket:
    """One job's slot in a lane, freed exactly once: by the caller when the job's thread has
    ended or will never start, else by the thread itself when it ends."""

    def __init__(self, slots: anyio.CapacityLimiter, loop: asyncio.AbstractEventLoop) -> None:
        self.slots = slots
        self.loop = loop
        self.lock = threading.Lock()
        self.state: Literal["waiting", "running", "abandoned", "done"] = "waiting"

    def wrap(self, job: Callable[[], T]) -> Callable[[], T]:
        def work() -> T:
            with self.lock:
                if self.state == "abandoned":  # the caller gave up as the thread began
                    raise RuntimeError("the caller stopped waiting")  # nobody reads this
                self.state = "running"
            try:
                return job()
            finally:
                if self._finish():
                    self._release_from_thread()

        return work

    def _finish(self) -> bool:
        """Mark the job done; True when the caller had stopped waiting for it."""
        with self.lock:
            abandoned = self.state == "abandoned"
            self.state = "done"
        return abandoned

    def _release_from_thread(self) -> None:
        # Never wait for the event loop here: one that is ending might not run the release,
        # and this thread would wait for good.
        try:
            self.loop.call_soon_threadsafe(self.slots.release_on_behalf_of, self)
        except RuntimeError:  # the loop is closed: nobody waits on the limiter any more
            with contextlib.suppress(Exception):
                self.slots.release_on_behalf_of(self)

    def caller_done(self) -> None:
        """The caller stops waiting: free the slot now, unless the thread still runs."""
        with self.lock:
            running = self.state == "running"
            self.state = "abandoned" if self.state != "done" else "done"
        if not running:
            self.slots.release_on_behalf_of(self)
