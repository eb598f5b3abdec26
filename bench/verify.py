"""Time quote verification: 30 quotes against a 10,000-word article.

    python bench/verify.py [--runs 20]

Twenty quotes are true (with typographic changes: straight quotes, a line break), ten are
fabricated (so the fuzzy search runs to the end). Each run starts cold: the article's
normalisation is not cached. Target: under 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from briefer.text import sentences
from briefer.verify.quotes import locate, normalize

ROOT = Path(__file__).resolve().parent.parent


def article_of(words: int) -> str:
    parts = [
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "fixtures/articles").glob("*.txt"))
    ]
    text = ""
    while len(text.split()) < words:
        text += "\n\n".join(parts) + "\n\n"
    return " ".join(text.split(" ")[:words])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(1)
    text = article_of(10_000)
    spans = [s.text for s in sentences(text) if len(s.text.split()) > 14]
    true = [rng.choice(spans).replace("“", '"').replace("”", '"') for _ in range(20)]
    fake = [" ".join(rng.sample(rng.choice(spans).split(), 12)) for _ in range(10)]
    quotes = true + fake
    timings, statuses = [], {}
    for _ in range(args.runs):
        normalize.cache_clear()
        start = time.perf_counter()
        results = [locate(q, text) for q in quotes]
        timings.append((time.perf_counter() - start) * 1000)
        statuses = {s: sum(r.status == s for r in results) for s in ("exact", "fuzzy", "missing")}
    print(f"article: {len(text.split()):,} words, {len(text):,} characters; {len(quotes)} quotes")
    print(f"results: {statuses}")
    print(
        f"time:    median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms "
        f"over {args.runs} cold runs (target < 50 ms)"
    )


if __name__ == "__main__":
    main()
