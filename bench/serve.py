"""Throughput and latency of the HTTP service (`POST /v1/brief`, offline engine).

    python bench/serve.py [--concurrency 8] [--duration 10] [--cached-duration 5]

Starts the service with uvicorn in a subprocess on 127.0.0.1 (offline engine, a brief store
in a temporary folder), then for `--duration` seconds keeps `--concurrency` requests in
flight, each a distinct article (a fixture with a numbered headline, so the store never
answers), and reports requests per second and p50/p99 latency. A second run re-sends
articles already briefed, so every answer comes from the store. Every loop is bounded by
its deadline and a request cap; the server is stopped at the end.

The client runs in this process and the server in another: on a 2-core machine each gets a
core, and the client's own CPU time is part of every latency measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MAX_REQUESTS = 200_000
START_TIMEOUT = 20.0


def articles() -> list[str]:
    """The fixture articles' texts, without their headlines."""
    texts = []
    for path in sorted((ROOT / "fixtures" / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8").strip()
        texts.append(text.split("\n", 1)[1].strip() if "\n" in text else text)
    return texts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BRIEFER_ENGINE": "offline", "BRIEFER_DB": str(db)}
    env.pop("BRIEFER_SERVER_TOKEN", None)
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "briefer.server.http:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return subprocess.Popen(command, env=env, cwd=ROOT)


def wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> dict[str, str]:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(base_url=url, timeout=1) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited with {proc.returncode}")
            try:
                response = client.get("/healthz")
                if response.status_code == 200:
                    return dict(response.json())
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise SystemExit(f"the server did not answer /healthz within {START_TIMEOUT} s")


async def load(
    url: str, concurrency: int, duration: float, text_for: Callable[[int], str]
) -> tuple[list[float], int, int, float]:
    """Keep `concurrency` requests in flight for `duration` s; latencies, cached, errors, time."""
    latencies: list[float] = []
    counter = 0
    cached = errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        start = time.perf_counter()
        deadline = start + duration

        async def worker() -> None:
            nonlocal counter, cached, errors
            while time.perf_counter() < deadline and counter < MAX_REQUESTS:
                n = counter
                counter += 1
                sent = time.perf_counter()
                response = await client.post("/v1/brief", json={"text": text_for(n)})
                latencies.append(time.perf_counter() - sent)
                if response.status_code != 200:
                    errors += 1
                elif response.json()["cached"]:
                    cached += 1

        await asyncio.wait_for(
            asyncio.gather(*(worker() for _ in range(concurrency))), duration + 60
        )
        elapsed = time.perf_counter() - start
    return latencies, cached, errors, elapsed


def report(name: str, latencies: list[float], cached: int, errors: int, elapsed: float) -> None:
    if not latencies:
        print(f"{name}: no request finished")
        return
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{name}: {len(latencies)} requests in {elapsed:.1f} s = "
        f"{len(latencies) / elapsed:.1f} req/s; latency p50 {p50 * 1000:.1f} ms, "
        f"p99 {p99 * 1000:.1f} ms, mean {statistics.fmean(ordered) * 1000:.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms; {cached} from the store, {errors} errors"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--cached-duration", type=float, default=5.0)
    args = parser.parse_args()

    bodies = articles()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(Path(tmp) / "bench.db", port)
        try:
            health = wait_healthy(url, proc)
            print(
                f"briefer {health['version']} serving on {url} ({health['engine']} engine), "
                f"concurrency {args.concurrency}, {os.cpu_count()} CPUs"
            )

            def fresh(n: int) -> str:
                return f"Bench story {n}: council weighs harbour plan\n\n{bodies[n % len(bodies)]}"

            warm = asyncio.run(load(url, 2, 1.0, lambda n: fresh(MAX_REQUESTS + n)))
            print(f"warm-up: {len(warm[0])} requests")
            latencies, cached, errors, elapsed = asyncio.run(
                load(url, args.concurrency, args.duration, fresh)
            )
            report("distinct articles (engine runs)", latencies, cached, errors, elapsed)
            briefed = max(1, len(latencies))
            again = asyncio.run(
                load(url, args.concurrency, args.cached_duration, lambda n: fresh(n % briefed))
            )
            report("articles already briefed (store)", *again)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
