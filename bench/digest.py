"""Digest speed against a local OpenAI-compatible stub server with a fixed latency.

    python bench/digest.py [--articles 100] [--concurrency 16] [--latency 0.2] [--runs 3]
                           [--loop 10]

Measures, on this machine:
1. a digest of N distinct articles at the given concurrency, against the ideal
   N / concurrency x latency (target: within 1.15x). Twice over: the first digest of the
   process ("cold": what `briefer digest` does, paying one-time costs such as the HTTP
   stack's imports and the TLS trust store), then the median of --runs further digests
   ("warm": what a service or chat bot that keeps the library loaded sees). Every run uses a
   new Briefer, a new store and new connections;
2. the client's CPU per article, and the same requests sent through the openai client with
   nothing else done, also on new connections each run (the floor any digest built on the
   SDK can reach on this machine);
3. a re-run of the same digest from the store (target: zero requests, under 1 s);
4. peak memory of the process;
5. for comparison, `briefer brief` run once per article in a shell-style loop (a sample of
   --loop articles, extrapolated to N).

The stub answers every request `latency` seconds after reading it, with a brief quoting the
article's first sentence. It listens on 127.0.0.1 only and stops with the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _stub import stub_completion, write_articles  # noqa: E402


class Stub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    latency = 0.2
    requests = 0
    lock = threading.Lock()

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and
        # delayed ACKs add tens of milliseconds to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        """GET /stats: how many requests so far; GET /reset sets it back to zero."""
        with Stub.lock:
            if self.path == "/reset":
                Stub.requests = 0
            payload = json.dumps({"requests": Stub.requests}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        with Stub.lock:
            Stub.requests += 1
        time.sleep(Stub.latency)
        user = body["messages"][1]["content"]
        article = re.search(r"<<<ARTICLE-\w+>>>\n(.*?)\n<<<END-ARTICLE", user, re.DOTALL)
        text = article.group(1).split("\n\n", 1)[-1] if article else ""
        first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0][:500] or "x"
        payload = json.dumps(stub_completion(body["model"], first)).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


class StubServer(ThreadingHTTPServer):
    daemon_threads = True
    # The listen backlog: the default of 5 drops simultaneous connections, which the client
    # then retries a second later.
    request_queue_size = 128


def serve(latency: float) -> None:
    """Run the stub in this process (the benchmark starts it as a child process)."""
    Stub.latency = latency
    server = StubServer(("127.0.0.1", 0), Stub)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def stub_requests(base: str, reset: bool = False) -> int:
    import httpx

    root = base.removesuffix("/v1")
    data = httpx.get(f"{root}/reset" if reset else f"{root}/stats").json()
    return int(data["requests"])


async def sdk_only(sources: list[Path], config: object, concurrency: int) -> float:
    """Send the same brief requests through the openai client, doing nothing else."""
    import httpx
    import openai

    from briefer.engines.openai.conversation import BRIEF, _request_body
    from briefer.engines.openai.engine import OpenAIEngine
    from briefer.engines.openai.prompts import load_template
    from briefer.inputs import load_article

    engine = OpenAIEngine(config, load_template("brief"))  # type: ignore[arg-type]
    bodies = [
        _request_body(engine.config, job.messages, "schema", engine.budget.output_tokens, BRIEF)
        for source in sources
        for job in engine.jobs(load_article(source))
    ]
    client = openai.AsyncOpenAI(
        api_key="bench-key",
        base_url=engine.config.endpoint,
        max_retries=0,
        http_client=httpx.AsyncClient(  # type: ignore[arg-type]
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
        ),
    )
    gate = asyncio.Semaphore(concurrency)

    async def one(body: dict[str, object]) -> None:
        async with gate:
            await client.post("/chat/completions", cast_to=httpx.Response, body=body)

    start = time.perf_counter()
    await asyncio.gather(*(one(body) for body in bodies))
    elapsed = time.perf_counter() - start
    await client.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=3, help="warm digests (median reported)")
    parser.add_argument("--loop", type=int, default=10, help="articles for the per-article loop")
    args = parser.parse_args()

    # The stub runs in its own process, so that it does not compete with the client for the GIL.
    stub = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(args.latency)], stdout=subprocess.PIPE, text=True
    )
    assert stub.stdout is not None
    base = f"http://127.0.0.1:{stub.stdout.readline().strip()}/v1"

    start = time.perf_counter()
    import openai  # noqa: F401  (one-time start-up cost, reported apart from the digest)

    from briefer.core import Briefer
    from briefer.digest.runner import adigest
    from briefer.engines.openai.config import LLMConfig
    from briefer.io.store import Store

    startup = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = write_articles(folder, args.articles)
        config = LLMConfig(api_key="bench-key", base_url=base, model="gpt-4o-mini")
        ideal = args.articles / args.concurrency * args.latency
        waves = -(-args.articles // args.concurrency) * args.latency  # whole waves: the floor

        def run_digest(store: Store) -> tuple[float, float, int]:
            briefer = Briefer(config=config, store=store)
            stub_requests(base, reset=True)
            start, cpu = time.perf_counter(), time.process_time()
            result = asyncio.run(adigest(sources, briefer, concurrency=args.concurrency))
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            assert not result.failed, [i.error for i in result.failed][:3]
            assert all(i.envelope and i.envelope.verification.missing == 0 for i in result.items)
            return elapsed, cpu, stub_requests(base)

        store = Store(folder / "bench.db")
        cold, cold_cpu, sent = run_digest(store)
        warm_runs = [run_digest(Store(folder / f"warm-{i}.db")) for i in range(args.runs)]
        warm = statistics.median(r[0] for r in warm_runs)
        warm_cpu = statistics.median(r[1] / r[2] for r in warm_runs)
        sdk = statistics.median(
            asyncio.run(sdk_only(sources, config, args.concurrency)) for _ in range(args.runs)
        )

        stub_requests(base, reset=True)
        start = time.perf_counter()
        cached = asyncio.run(
            adigest(sources, Briefer(config=config, store=store), concurrency=args.concurrency)
        )
        cached_time = time.perf_counter() - start
        cached_requests = stub_requests(base)
        assert all(i.cached for i in cached.items)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        print(
            f"articles {args.articles}, concurrency {args.concurrency}, "
            f"latency {args.latency * 1000:.0f} ms; ideal {ideal:.2f} s (target <= 1.15x); "
            f"{args.articles} / {args.concurrency} is {waves / args.latency:.0f} whole waves, "
            f"so {waves / ideal:.2f}x at best"
        )
        print(
            f"digest, cold:  {cold:.2f} s for {sent} requests, {cold / ideal:.2f}x "
            "(first digest of the process, as `briefer digest` runs)"
        )
        print(
            f"digest, warm:  {warm:.2f} s, {warm / ideal:.2f}x "
            f"(median of {args.runs}: {', '.join(f'{r[0]:.2f}' for r in warm_runs)})"
        )
        print(
            f"SDK alone:     {sdk:.2f} s, {sdk / ideal:.2f}x (median of {args.runs}): the same "
            "requests through the openai client, nothing else done"
        )
        print(
            f"client CPU:    {warm_cpu * 1000:.1f} ms per article, warm "
            f"({cold_cpu / sent * 1000:.1f} cold): request, checks, store"
        )
        print(
            f"cached re-run: {cached_time:.2f} s, {cached_requests} requests "
            "(target: 0 requests, < 1 s)"
        )
        print(f"peak memory:   {peak:.0f} MB (whole process)")
        print(
            f"start-up:      {startup:.2f} s once per process (import openai), "
            "not in the digest time"
        )

        if args.loop:
            exe = Path(sys.executable).parent / "briefer"
            env = dict(
                os.environ,
                OPENAI_API_KEY="bench-key",
                OPENAI_BASE_URL=base,
                BRIEFER_DB=str(folder / "loop.db"),
                BRIEFER_TOKENIZER="estimate",
            )
            start = time.perf_counter()
            for source in sources[: args.loop]:
                subprocess.run(
                    [str(exe), "brief", source], env=env, capture_output=True, check=True
                )
            per = (time.perf_counter() - start) / args.loop
            print(
                f"brief loop:    {per:.2f} s per article -> {per * args.articles:.1f} s "
                f"for {args.articles} "
                f"(digest is {per * args.articles / cold:.0f}x faster)"
            )
    stub.terminate()
    stub.wait()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(float(sys.argv[2]))
    else:
        main()
