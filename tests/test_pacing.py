"""Pacing a digest: the concurrency limiter, the idle-time runner, and how a brief uses them."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from briefer.core import Briefer
from briefer.engines.openai.config import LLMConfig
from briefer.engines.pacing import AdaptiveLimiter, IdleRunner, Urgency
from briefer.io.store import Store
from briefer.text import sentences

from .conftest import ARTICLES, TEST_KEY
from .exchanges import BASE_URL, article_in, brief_json, chat_completion

# --- the limiter ----------------------------------------------------------------------------------


def test_a_rate_limit_halves_concurrency_and_successes_restore_it():
    async def scenario():
        limiter = AdaptiveLimiter(8)
        limiter.throttle(0.0)
        assert limiter.limit == 4
        limiter.throttle(0.0)
        limiter.throttle(0.0)
        limiter.throttle(0.0)
        assert limiter.limit == 1  # never below one
        for _ in range(10):
            async with limiter:
                pass
        return limiter.limit

    assert asyncio.run(scenario()) == 8


def test_the_limiter_holds_back_while_waiting(monkeypatch):
    async def scenario():
        limiter = AdaptiveLimiter(4)
        limiter.throttle(60.0)  # calm period: no growth
        peak = active = 0

        async def task():
            nonlocal peak, active
            async with limiter:
                active += 1
                peak = max(peak, active)
                await asyncio.sleep(0.01)
                active -= 1

        await asyncio.gather(*(task() for _ in range(12)))
        return peak, limiter.limit

    peak, limit = asyncio.run(scenario())
    assert peak == 2 and limit == 2


def test_the_limiter_serves_waiters_in_order_and_never_exceeds_its_limit():
    async def scenario():
        limiter = AdaptiveLimiter(3)
        limiter.throttle(60.0)  # no growth during the test: the limit stays 1
        order: list[int] = []
        active = peak = 0

        async def task(i: int) -> None:
            nonlocal active, peak
            async with limiter:
                order.append(i)
                active += 1
                peak = max(peak, active)
                await asyncio.sleep(0)
                active -= 1

        await asyncio.gather(*(task(i) for i in range(20)))
        return order, peak, limiter.active

    order, peak, left = asyncio.run(scenario())
    assert order == list(range(20)) and peak == 1 and left == 0


def test_a_cancelled_waiter_gives_up_its_place_and_its_slot():
    async def scenario():
        limiter = AdaptiveLimiter(1)
        release = asyncio.Event()
        got: list[str] = []

        async def holder() -> None:
            async with limiter:
                await release.wait()

        async def waiter(name: str) -> None:
            async with limiter:
                got.append(name)

        first = asyncio.create_task(holder())
        await asyncio.sleep(0)
        doomed = asyncio.create_task(waiter("doomed"))
        later = asyncio.create_task(waiter("later"))
        await asyncio.sleep(0)
        doomed.cancel()  # cancelled while waiting: removed from the queue
        release.set()
        await asyncio.gather(first, later)
        with pytest.raises(asyncio.CancelledError):
            await doomed

        # Woken and cancelled in the same turn: the slot it was given goes to the next one.
        async with limiter:
            woken = asyncio.create_task(waiter("woken"))
            last = asyncio.create_task(waiter("last"))
            await asyncio.sleep(0)
        woken.cancel()
        await last
        with pytest.raises(asyncio.CancelledError):
            await woken
        return got, limiter.active

    got, active = asyncio.run(scenario())
    assert got == ["later", "last"] and active == 0


def test_a_freed_slot_goes_to_the_lowest_position_then_first_come():
    async def scenario():
        limiter = AdaptiveLimiter(2)
        order: list[str] = []
        active = peak = 0

        async def request(position: int, name: str) -> None:
            nonlocal active, peak
            async with limiter.gate(position):
                order.append(name)
                active += 1
                peak = max(peak, active)
                await asyncio.sleep(0)
                active -= 1

        release = asyncio.Event()

        async def holder() -> None:
            async with limiter.gate(0):
                await release.wait()

        holders = [asyncio.create_task(holder()) for _ in range(2)]
        await asyncio.sleep(0)
        arrivals = [(5, "5a"), (3, "3a"), (7, "7"), (3, "3b"), (1, "1"), (5, "5b"), (3, "3c")]
        waiting = [asyncio.create_task(request(p, name)) for p, name in arrivals]
        await asyncio.sleep(0)
        assert order == [] and limiter.active == 2  # all of them wait
        release.set()
        await asyncio.gather(*holders, *waiting)
        return order, peak, limiter.active

    order, peak, left = asyncio.run(scenario())
    assert order == ["1", "3a", "3b", "3c", "5a", "5b", "7"]
    assert peak == 2 and left == 0


def test_a_request_asking_again_at_once_keeps_its_slot_unless_an_earlier_one_waits():
    """A follow-up right after an answer takes the slot just freed, if nothing ranks ahead."""

    async def scenario(position: int, waiting: list[int]) -> list[int]:
        limiter = AdaptiveLimiter(1)
        answered = asyncio.Event()
        order: list[int] = []

        async def request(position: int) -> None:
            async with limiter.gate(position):
                order.append(position)
                await asyncio.sleep(0)

        async def first_then_follow_up() -> None:
            async with limiter.gate(position):
                order.append(position)
                await answered.wait()
            await asyncio.sleep(0)  # as the engine does after each request
            await request(position)  # a re-ask, say: its answer was checked in between

        started = asyncio.create_task(first_then_follow_up())
        await asyncio.sleep(0)
        others = [asyncio.create_task(request(p)) for p in waiting]
        await asyncio.sleep(0)
        assert limiter.active == 1 and len(order) == 1  # the others wait
        answered.set()
        await asyncio.gather(started, *others)
        assert limiter.active == 0
        return order

    assert asyncio.run(scenario(2, [4, 3])) == [2, 2, 3, 4]
    assert asyncio.run(scenario(2, [4, 1])) == [2, 1, 2, 4]


def test_a_cancelled_waiting_request_leaks_no_slot_and_blocks_nobody():
    async def scenario():
        limiter = AdaptiveLimiter(1)
        release = asyncio.Event()
        got: list[int] = []

        async def holder(position: int) -> None:
            async with limiter.gate(position):
                await release.wait()

        async def request(position: int) -> None:
            async with limiter.gate(position):
                got.append(position)

        # Cancelled while waiting, at the head of the queue and further back.
        first = asyncio.create_task(holder(5))
        await asyncio.sleep(0)
        doomed = [asyncio.create_task(request(p)) for p in (0, 1, 9)]
        kept = asyncio.create_task(request(3))
        await asyncio.sleep(0)
        for task in doomed:
            task.cancel()
        release.set()
        await asyncio.wait_for(asyncio.gather(first, kept), timeout=5)  # a leak would hang

        # Cancelled while the slot just freed waits for the loop to go round.
        async with limiter.gate(0):
            doomed += [asyncio.create_task(request(p)) for p in (1, 2)]
            kept = asyncio.create_task(request(8))
            await asyncio.sleep(0)
        for task in doomed[-2:]:
            task.cancel()
        await asyncio.wait_for(kept, timeout=5)
        for task in doomed:
            with pytest.raises(asyncio.CancelledError):
                await task
        assert limiter.active == 0

        # Handed the slot (once the loop has gone round) and cancelled before it ran.
        async with limiter.gate(0):
            woken = asyncio.create_task(request(4))
            last = asyncio.create_task(request(6))
            await asyncio.sleep(0)
        while limiter.active == 0:
            await asyncio.sleep(0)
        woken.cancel()
        await asyncio.wait_for(last, timeout=5)
        with pytest.raises(asyncio.CancelledError):
            await woken
        return got, limiter.active

    got, active = asyncio.run(scenario())
    assert got == [3, 8, 6] and active == 0


async def dispatch_order(
    limit: int, holding: list[tuple[int, str]], arrivals: list[tuple[int, str | None]]
) -> list[str]:
    """The order `arrivals` (position, prefix) get a slot once `holding` let theirs go.

    The holders take their slots first (starting their articles); the arrivals then all wait.
    Each entry of the order is "position:prefix"."""
    limiter = AdaptiveLimiter(limit)
    order: list[str] = []
    release = asyncio.Event()

    async def holder(position: int, prefix: str) -> None:
        async with limiter.gate(position).with_prefix(prefix):
            await release.wait()

    async def request(position: int, prefix: str | None) -> None:
        gate = limiter.gate(position)
        async with gate.with_prefix(prefix) if prefix else gate:
            order.append(f"{position}:{prefix}")
            await asyncio.sleep(0)

    holders = []
    for position, prefix in holding:  # one at a time: the last one's prefix was sent last
        holders.append(asyncio.create_task(holder(position, prefix)))
        await asyncio.sleep(0)
    waiting = [asyncio.create_task(request(p, prefix)) for p, prefix in arrivals]
    await asyncio.sleep(0)
    assert order == [] and limiter.active == limit  # all of them wait
    release.set()
    await asyncio.gather(*holders, *waiting)
    assert limiter.active == 0
    return order


def test_follow_ups_of_started_articles_go_together_by_prompt_prefix():
    """Among follow-ups, the prefix sent last goes first; new articles keep their place."""
    holding = [(0, "brief"), (1, "brief"), (2, "brief")]
    arrivals = [(0, "merge"), (1, "brief"), (2, "merge"), (2, "brief"), (3, "brief")]
    order = asyncio.run(dispatch_order(3, holding, arrivals))
    # By position alone: 0:merge 1:brief 2:merge 2:brief 3:brief, four switches of prompt.
    assert order == ["1:brief", "2:brief", "0:merge", "2:merge", "3:brief"]

    # The merge was sent last: merges first, then the brief follow-up, then the new article.
    holding = [(0, "brief"), (1, "brief"), (2, "merge")]
    order = asyncio.run(dispatch_order(3, holding, arrivals))
    assert order == ["0:merge", "2:merge", "1:brief", "2:brief", "3:brief"]


def test_a_new_article_never_goes_ahead_of_an_earlier_one_for_its_prefix():
    """Only follow-ups move up for their prefix: the first requests keep position order."""
    holding = [(0, "brief"), (5, "brief")]
    arrivals = [(7, "brief"), (6, "brief"), (0, "merge"), (5, "brief"), (2, "brief")]
    order = asyncio.run(dispatch_order(2, holding, arrivals))
    # 5's follow-up has the prefix sent last and goes before 0's merge (both finish a started
    # article); 2 has that prefix too but starts a new article: it waits for 0, an earlier one.
    assert order == ["5:brief", "0:merge", "2:brief", "6:brief", "7:brief"]


def test_requests_without_a_prefix_keep_position_order():
    holding = [(0, "brief"), (1, "brief")]
    arrivals = [(1, None), (0, None), (2, None), (1, None)]
    order = asyncio.run(dispatch_order(2, holding, arrivals))
    assert order == ["0:None", "1:None", "1:None", "2:None"]


# --- the idle-time runner -------------------------------------------------------------------------


def test_the_runner_runs_the_most_urgent_job_first_then_in_order():
    async def scenario():
        runner = IdleRunner()
        ran: list[str] = []
        jobs = [
            runner.submit(lambda: ran.append("prepare 1"), Urgency.PREPARE),
            runner.submit(lambda: ran.append("finish 1"), Urgency.FINISH),
            runner.submit(lambda: ran.append("prepare 2"), Urgency.PREPARE),
            runner.submit(lambda: ran.append("load 1"), Urgency.LOAD),
            runner.submit(lambda: ran.append("finish 2"), Urgency.FINISH),
        ]
        await asyncio.gather(*jobs)
        await runner.aclose()
        return ran

    assert asyncio.run(scenario()) == ["load 1", "finish 1", "finish 2", "prepare 1", "prepare 2"]


def test_a_job_waits_while_the_loop_is_busy():
    """Work submitted while other tasks keep the loop busy runs once they pause."""

    async def scenario():
        runner = IdleRunner()
        runner.MAX_WAIT_SECONDS = 60.0  # only a quiet moment lets it run here
        busy_until = 0.0

        async def busy() -> None:
            nonlocal busy_until
            for _ in range(20):  # 20 turns of the loop with 1 ms of work each
                end = time.perf_counter() + 0.001
                while time.perf_counter() < end:
                    pass
                await asyncio.sleep(0)
            busy_until = time.perf_counter()

        worker = asyncio.create_task(busy())
        await asyncio.sleep(0)
        ran_at = await runner.submit(time.perf_counter, Urgency.FINISH)
        await worker
        await runner.aclose()
        return ran_at, busy_until

    ran_at, busy_until = asyncio.run(scenario())
    assert ran_at >= busy_until


def test_a_busy_loop_does_not_starve_the_runner():
    async def scenario():
        runner = IdleRunner()
        stop = False

        async def forever_busy() -> None:
            while not stop:
                end = time.perf_counter() + 0.0005
                while time.perf_counter() < end:
                    pass
                await asyncio.sleep(0)

        worker = asyncio.create_task(forever_busy())
        result = await asyncio.wait_for(runner.submit(lambda: 42, Urgency.LOAD), timeout=5)
        stop = True
        await worker
        await runner.aclose()
        return result

    assert asyncio.run(scenario()) == 42


def test_job_errors_reach_their_owner_and_cancelled_jobs_do_not_run():
    async def scenario():
        runner = IdleRunner()
        ran: list[str] = []

        def broken() -> None:
            raise ValueError("bad job")

        failing = runner.submit(broken, Urgency.FINISH)
        dropped = runner.submit(lambda: ran.append("dropped"), Urgency.PREPARE)
        kept = runner.submit(lambda: ran.append("kept"), Urgency.PREPARE)
        dropped.cancel()
        with pytest.raises(ValueError, match="bad job"):
            await failing
        await kept
        pending = runner.submit(lambda: ran.append("never"), Urgency.PREPARE)
        await runner.aclose()
        return ran, pending.cancelled()

    ran, pending_cancelled = asyncio.run(scenario())
    assert ran == ["kept"] and pending_cancelled


# --- a brief in a digest --------------------------------------------------------------------------


def answer(request: httpx.Request) -> httpx.Response:
    """A stand-in endpoint: a brief quoting the article's first line of body text."""
    body_text = article_in(json.loads(request.content)).split("\n\n", 1)[-1]
    return chat_completion(brief_json(sentences(body_text)[0].text))


class StalledRunner(IdleRunner):
    """A runner whose quiet moment never comes: jobs stay queued until cancelled."""

    async def _quiet_moment(self) -> None:
        await asyncio.Event().wait()


def test_an_answer_waiting_for_its_checks_is_stored_when_cancelled(router):
    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=answer)
    store = Store()
    briefer = Briefer(config=LLMConfig(api_key=TEST_KEY, base_url=BASE_URL), store=store)
    text = (ARTICLES / "business.txt").read_text(encoding="utf-8")

    async def scenario() -> None:
        runner = StalledRunner()
        task = asyncio.create_task(briefer.abrief_stored(text, runner=runner))
        while store.count() == 0 and not router.calls:
            await asyncio.sleep(0.001)
        for _ in range(50):  # the answer is in; its checks wait for the runner
            await asyncio.sleep(0)
        assert not task.done() and store.count() == 0
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await runner.aclose()
        await briefer.aclose()

    asyncio.run(scenario())
    assert store.count() == 1
    (entry,) = store.history()
    assert store.show(entry.id).verification.missing == 0


def test_each_request_of_a_long_article_takes_a_slot(router):
    """A chunked article's parts count against the digest's concurrency, one slot each."""
    in_flight = peak = 0

    async def slow_answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return answer(request)

    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=slow_answer)
    config = LLMConfig(
        api_key=TEST_KEY, base_url=BASE_URL, context_tokens=4000, max_output_tokens=1000
    )
    briefer = Briefer(config=config)
    text = "\n\n".join(
        path.read_text(encoding="utf-8").split("\n", 1)[1]
        for path in sorted(ARTICLES.glob("*.txt"))
    )
    assert briefer.estimate(text).requests > 3

    async def scenario() -> int:
        limiter = AdaptiveLimiter(2)
        stored = await briefer.abrief_stored(text, gate=limiter)
        await briefer.aclose()
        return stored.envelope.usage.requests

    requests = asyncio.run(scenario())
    assert requests > 3 and peak <= 2


class RecordingGate:
    """A gate that lets every request through and records the prefix key each one gives."""

    def __init__(self) -> None:
        self.keys: list[str | None] = []

    def with_prefix(self, prefix: str) -> RecordingGate.Slot:
        return RecordingGate.Slot(self, prefix)

    async def __aenter__(self) -> None:
        self.keys.append(None)

    async def __aexit__(self, *exc: object) -> None:
        return None

    class Slot:
        def __init__(self, gate: RecordingGate, prefix: str) -> None:
            self.gate, self.prefix = gate, prefix

        async def __aenter__(self) -> None:
            self.gate.keys.append(self.prefix)

        async def __aexit__(self, *exc: object) -> None:
            return None


def test_each_request_tells_the_gate_its_prompt_prefix(router):
    """Parts and briefs of different articles share a prefix key; merges have their own."""
    seen: list[tuple[str, str]] = []  # (system message, user message) of each request

    def record(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append((body["messages"][0]["content"], body["messages"][1]["content"]))
        return answer(request)

    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=record)
    paths = sorted(ARTICLES.glob("*.txt"))
    long_text = "\n\n".join(path.read_text(encoding="utf-8").split("\n", 1)[1] for path in paths)
    short_text = paths[0].read_text(encoding="utf-8")

    async def scenario(model: str) -> list[str | None]:
        config = LLMConfig(
            api_key=TEST_KEY,
            base_url=BASE_URL,
            model=model,
            context_tokens=4000,
            max_output_tokens=1000,
        )
        briefer = Briefer(config=config)
        gate = RecordingGate()
        await briefer.abrief_stored(long_text, gate=gate)
        await briefer.abrief_stored(short_text, gate=gate)
        await briefer.aclose()
        return gate.keys

    keys = asyncio.run(scenario("gpt-4o-mini"))
    assert None not in keys and len(keys) == len(seen) > 3
    assert len({user for _, user in seen}) > 3  # the parts differ, their prefix does not
    merges = {k for k, (system, _) in zip(keys, seen, strict=True) if "partial briefs" in system}
    briefs = {
        k for k, (system, _) in zip(keys, seen, strict=True) if "partial briefs" not in system
    }
    assert len(merges) == 1 and len(briefs) == 1 and merges != briefs

    other = asyncio.run(scenario("gpt-4o"))  # another model: another cache
    assert not set(other) & set(keys)
