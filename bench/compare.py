"""Time the offline comparison of five briefs.

    python bench/compare.py [--runs 20]

Five articles: the three Harwick fixture articles (one story) and two more fixture articles.
Briefs are made first; the timing covers `compare_offline` alone (target: under 200 ms).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from briefer.core import Briefer
from briefer.engines.offline.compare import compare_offline
from briefer.inputs import load_article
from briefer.verify.coverage import Compared

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    paths = sorted((ROOT / "fixtures" / "compare").glob("*.txt"))
    paths += [ROOT / "fixtures" / "articles" / n for n in ("business.txt", "courts.txt")]
    briefer = Briefer(engine="offline")
    items = []
    for path in paths:
        article = load_article(path)
        items.append(Compared(briefer.brief(article), article.text))
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        result = compare_offline(items)
        timings.append((time.perf_counter() - start) * 1000)
    words = sum(len(i.text.split()) for i in items)
    print(f"briefs: {len(items)} ({words:,} words of articles)")
    print(
        f"result: {len(result.agreed)} agreed, {len(result.partial)} partial, "
        f"{len(result.unique)} unique, {len(result.conflicts)} conflicts"
    )
    print(
        f"time:   median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms "
        f"over {args.runs} runs (target < 200 ms)"
    )


if __name__ == "__main__":
    main()
