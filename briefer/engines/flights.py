"""One piece of work at a time for each key: a brief asked for twice at once is made once.

The first caller does the work; callers who ask meanwhile share its result. `Briefer` keys
its briefs by cache key, so an article asked for twice at once (the same file named twice in
a digest, two service requests for one page) is briefed once. Callers may be threads or
asyncio tasks on any event loop: each flight is a `concurrent.futures.Future`. A failure (an
exception) is shared like a result; a leader interrupted before it finished (cancelled,
Ctrl-C) leaves no result, and one of those waiting does the work instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Flight(Generic[T]):
    """One piece of work under way: its outcome when it lands, and who does it."""

    thread: int  # the leader's thread
    in_loop: bool  # whether the leader is an asyncio task (it lets others run while it works)
    outcome: Future[T] = field(default_factory=Future)

    def waitable_from_here(self, *, in_loop: bool) -> bool:
        """Whether a caller in this thread can wait for it without stopping the leader: a
        blocking wait in the leader's own thread never ends, nor does a task waiting for a
        blocking leader in the same thread."""
        if self.thread != threading.get_ident():
            return True
        return in_loop and self.in_loop


class Flights(Generic[T]):
    """The work under way, by key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._under_way: dict[str, Flight[T]] = {}

    def _join(self, key: str, *, in_loop: bool) -> tuple[Flight[T], bool]:
        """The flight of `key` and whether this caller leads it (there was none)."""
        with self._lock:
            flight = self._under_way.get(key)
            if flight is not None:
                return flight, False
            flight = Flight(threading.get_ident(), in_loop)
            self._under_way[key] = flight
            return flight, True

    def _land(
        self, key: str, flight: Flight[T], result: T | None, error: BaseException | None
    ) -> None:
        with self._lock:
            if self._under_way.get(key) is flight:
                del self._under_way[key]
        if error is None:
            flight.outcome.set_result(result)  # type: ignore[arg-type]
        elif isinstance(error, Exception):
            flight.outcome.set_exception(error)
        else:  # interrupted: whoever waits does the work itself
            flight.outcome.cancel()

    def run(self, key: str, work: Callable[[], T]) -> tuple[T, bool]:
        """Do `work` unless the work of `key` is under way: then wait for its result.

        Return the result and whether it is another caller's.
        """
        while True:
            flight, leading = self._join(key, in_loop=False)
            if leading:
                break
            if not flight.waitable_from_here(in_loop=False):
                return work(), False
            try:
                return flight.outcome.result(), True
            except CancelledError:
                continue  # the leader was interrupted: lead in its place
        try:
            result = work()
        except BaseException as exc:
            self._land(key, flight, None, exc)
            raise
        self._land(key, flight, result, None)
        return result, False

    async def arun(self, key: str, work: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """`run`, for asyncio tasks: waiting does not block the event loop."""
        while True:
            flight, leading = self._join(key, in_loop=True)
            if leading:
                break
            if not flight.waitable_from_here(in_loop=True):
                return await work(), False
            try:
                # shielded: a waiter that is cancelled must not cancel the leader's outcome
                return await asyncio.shield(asyncio.wrap_future(flight.outcome)), True
            except asyncio.CancelledError:
                if not flight.outcome.cancelled():
                    raise  # this waiter itself was cancelled
        try:
            result = await work()
        except BaseException as exc:
            self._land(key, flight, None, exc)
            raise
        self._land(key, flight, result, None)
        return result, False
