"""Time and memory of preparing a large batch request file.

    python bench/batch.py [--requests 50000]

Articles are generated on the fly from the fixture articles (a numbered headline makes each
distinct) and streamed through `briefer.digest.batch.prepare`: nothing holds all of
them. Reports the
time, the files written (split at the Batch API's limits) and the process's peak memory
(target: under 300 MB).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from briefer.core import Briefer
from briefer.digest.batch import prepare
from briefer.engines.openai.config import LLMConfig
from briefer.inputs.article import Article
from briefer.io.store import Store

ROOT = Path(__file__).resolve().parent.parent


def articles(count: int) -> Iterator[Article]:
    bodies = [
        p.read_text(encoding="utf-8").split("\n", 1)[1]
        for p in sorted((ROOT / "fixtures" / "articles").glob("*.txt"))
    ]
    for i in range(count):
        yield Article(text=f"Story {i} of the day\n{bodies[i % len(bodies)]}", source=f"gen-{i}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = LLMConfig(api_key="bench-key", base_url="http://127.0.0.1:9/v1")
        briefer = Briefer(config=config, store=Store(folder / "bench.db"))
        start = time.perf_counter()
        done = prepare(articles(args.requests), briefer, folder / "requests.jsonl")
        elapsed = time.perf_counter() - start
        sizes = [p.stat().st_size for p in done.files]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"requests:    {done.requests:,} for {done.articles:,} articles")
        print(f"time:        {elapsed:.1f} s ({done.requests / elapsed:,.0f} requests/s)")
        print(f"files:       {len(done.files)} ({', '.join(f'{s / 1e6:.0f} MB' for s in sizes)})")
        print(f"peak memory: {peak:.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    main()
