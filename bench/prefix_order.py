"""How often a digest switches prompt prefix on a server that caches one prompt per slot.

    python bench/prefix_order.py [--articles 60] [--slots 4] [--latency 0.05]
                                 [--prefill 0.05] [--long-every 3] [--runs 3]

llama.cpp's server and Ollama keep, in each of their parallel slots, the prompt the slot read
last, and reuse the part a new request shares with it. A request whose system message and
schema differ from its slot's last prompt reads them again. This benchmark simulates such a
server in the process (an httpx transport, no sockets): `--slots` slots, each answering after
`--latency` seconds, plus `--prefill` seconds when the request's prefix is not the one its
slot holds (a free slot holding the same prefix is preferred, as llama.cpp does). Every
`--long-every`-th article is long enough to be briefed in parts and merged, so the digest
sends two prompts: brief and merge.

It runs the same digest twice per run, with the limiter grouping follow-ups by prefix (what
`briefer digest` does) and with prefixes withheld from it (position order alone), and
reports the prefix switches the server saw, the requests, and the wall time (median of
--runs). It also checks that both orders finish every article.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _stub import stub_completion, write_articles  # noqa: E402

from briefer.core import Briefer  # noqa: E402
from briefer.digest.runner import adigest  # noqa: E402
from briefer.engines import pacing  # noqa: E402
from briefer.engines.openai.config import LLMConfig  # noqa: E402
from briefer.io.store import Store  # noqa: E402


class SlotServer(httpx.AsyncBaseTransport):
    """An OpenAI-compatible endpoint with `slots` slots that each remember one prefix."""

    def __init__(self, slots: int, latency: float, prefill: float) -> None:
        self.latency = latency
        self.prefill = prefill
        self.held: list[str | None] = [None] * slots
        self.free: list[int] = list(range(slots))
        self.room = asyncio.Condition()
        self.requests = 0
        self.switches = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(await request.aread())
        messages = body["messages"]
        prefix = json.dumps([messages[0]["content"], body.get("response_format")])
        async with self.room:
            await self.room.wait_for(lambda: bool(self.free))
            # A free slot that holds this prefix, else the first free one.
            slot = next((s for s in self.free if self.held[s] == prefix), self.free[0])
            self.free.remove(slot)
        self.requests += 1
        delay = self.latency
        if self.held[slot] != prefix:
            self.switches += 1
            delay += self.prefill
            self.held[slot] = prefix
        await asyncio.sleep(delay)
        async with self.room:
            self.free.append(slot)
            self.room.notify()
        return httpx.Response(200, json=completion(body))


def completion(body: dict[str, object]) -> dict[str, object]:
    """A valid brief quoting the article (a brief) or a quote of the parts (a merge)."""
    messages = body["messages"]
    assert isinstance(messages, list)
    user = messages[-1]["content"] if len(messages) == 2 else messages[1]["content"]
    quotes = re.findall(r'"evidence": "((?:[^"\\]|\\.)*)"', user)
    if quotes:
        quote = json.loads(f'"{quotes[0]}"')
    else:
        wrapped = re.search(r"<<<ARTICLE-\w+>>>\n(.*?)\n<<<END-ARTICLE", user, re.DOTALL)
        text = wrapped.group(1).split("\n\n", 1)[-1] if wrapped else ""
        quote = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0][:300] or "x"
    return stub_completion(str(body["model"]), quote)


async def one_digest(
    sources: list[Path], store: Path, args: argparse.Namespace, grouped: bool
) -> tuple[int, int, float, int]:
    """(switches, requests, seconds, articles briefed) for one digest."""
    server = SlotServer(args.slots, args.latency, args.prefill)
    config = LLMConfig(
        api_key="bench-key",
        base_url="http://stub.invalid/v1",
        model="local-model",
        context_tokens=4000,
        max_output_tokens=1000,
    )
    briefer = Briefer(
        config=config, store=Store(store), async_http_client=httpx.AsyncClient(transport=server)
    )
    original = pacing.PositionGate.with_prefix
    if not grouped:  # withhold the prefix: the limiter orders by position alone
        pacing.PositionGate.with_prefix = lambda self, prefix: self  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        digest = await adigest(sources, briefer, concurrency=args.slots)
        elapsed = time.perf_counter() - start
    finally:
        pacing.PositionGate.with_prefix = original  # type: ignore[method-assign]
        await briefer.aclose()
    return server.switches, server.requests, elapsed, len(digest.briefed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--prefill", type=float, default=0.05)
    parser.add_argument("--long-every", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        sources = write_articles(Path(folder), args.articles, args.long_every)
        results: dict[bool, list[tuple[int, int, float, int]]] = {True: [], False: []}
        for run in range(args.runs):
            for grouped in (False, True):  # alternated, so drift affects both alike
                store = Path(folder) / f"run-{run}-{grouped}.db"  # a new store: nothing cached
                results[grouped].append(asyncio.run(one_digest(sources, store, args, grouped)))

    print(
        f"{args.articles} articles (every {args.long_every}th in parts), {args.slots} slots, "
        f"{args.latency * 1000:.0f} ms per answer + {args.prefill * 1000:.0f} ms per prefix read"
    )
    for grouped, label in ((False, "position order"), (True, "grouped by prefix")):
        runs = results[grouped]
        switches = statistics.median(r[0] for r in runs)
        requests = statistics.median(r[1] for r in runs)
        seconds = statistics.median(r[2] for r in runs)
        briefed = min(r[3] for r in runs)
        print(
            f"  {label:18} prefix reads {switches:4.0f} of {requests:4.0f} requests "
            f"({switches / requests:.0%}; runs {min(r[0] for r in runs)}-"
            f"{max(r[0] for r in runs)})  {seconds:5.2f} s  briefed {briefed}/{args.articles}"
        )


if __name__ == "__main__":
    main()
