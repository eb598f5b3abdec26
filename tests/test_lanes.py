"""The services' lanes: a full lane makes only its own work wait, and work its caller
abandoned keeps its slot until its thread really ends."""

from __future__ import annotations

import threading

import anyio

from briefer.server.lanes import Lanes


def test_an_abandoned_job_keeps_its_slot_until_its_thread_ends_and_other_lanes_run_on():
    lanes = Lanes(fetch=1, lookup=1)
    release = threading.Event()

    async def main() -> None:
        with anyio.move_on_after(0.1) as gave_up:
            await lanes.run("fetch", lambda: release.wait(10))
        assert gave_up.cancelled_caught  # the caller stopped waiting; its thread still runs
        with anyio.move_on_after(0.3) as waited:
            await lanes.run("fetch", lambda: None)
        assert waited.cancelled_caught  # so the fetch lane is still full
        with anyio.fail_after(5):
            assert await lanes.run("lookup", lambda: 42) == 42
            assert await lanes.run("brief", lambda: "text") == "text"
        release.set()
        with anyio.fail_after(5):
            assert await lanes.run("fetch", lambda: "free again") == "free again"

    anyio.run(main)


def test_a_jobs_error_reaches_its_caller_and_frees_the_slot():
    lanes = Lanes(brief=1)

    def broken() -> None:
        raise ValueError("bad article")

    async def main() -> None:
        for _ in range(3):
            try:
                await lanes.run("brief", broken)
            except ValueError as exc:
                assert str(exc) == "bad article"
            else:
                raise AssertionError("the error was lost")
        with anyio.fail_after(5):
            assert await lanes.run("brief", lambda: 1) == 1

    anyio.run(main)


def test_an_abandoned_thread_ends_even_when_its_event_loop_ended_first():
    lanes = Lanes(fetch=1)
    ended = threading.Event()

    def slow() -> None:
        try:
            threading.Event().wait(0.3)
        finally:
            ended.set()

    async def main() -> None:
        with anyio.move_on_after(0.05):
            await lanes.run("fetch", slow)

    before = threading.active_count()
    anyio.run(main)  # returns while the job still runs
    assert ended.wait(5)
    for _ in range(100):
        if threading.active_count() <= before:
            break
        threading.Event().wait(0.05)
    assert threading.active_count() <= before
