"""Speed and memory of the offline engine on one core.

    python bench/offline.py [--seconds 5]

Reports articles per second on ~800-word articles, peak memory of a process that briefs them,
the time for one 1 MB text, and the slowest of a few 1 MB texts shaped to make patterns work
hard (a single token, one phrase over and over): the time grows with the text, never faster.
Articles: the real news in ../shared/corpus when present (read, never copied), else the
project's fixture articles joined to ~800 words. Peak memory is read before the shaped texts.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefer.inputs.article import Article

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def articles_of_about(words: int) -> list[str]:
    texts = []
    if CORPUS.is_dir():
        texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
        texts = [t for t in texts if 600 <= len(t.split()) <= 1100]
    if not texts:
        fixtures = [
            p.read_text(encoding="utf-8")
            for p in sorted((ROOT / "fixtures" / "articles").glob("*.txt"))
        ]
        joined = "\n\n".join(fixtures).split()
        texts = [" ".join(joined[i : i + words]) for i in range(0, len(joined) - words, words)]
    return texts


def one_megabyte() -> str:
    fixtures = [
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "fixtures" / "articles").glob("*.txt"))
    ]
    text = ""
    while len(text.encode()) < 1_000_000:
        text += "\n\n".join(fixtures) + "\n\n"
    return text[:1_000_000]


# Texts shaped to make patterns work hard: each is 1 MB of one shape.
ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "one token, then an address": lambda n: "a" * n + " x@example.com twitter.com/x.",
    "'he said' over and over": lambda n: "he said " * (n // 8),
    "'the Agency said,' over and over": lambda n: "the Agency said, " * (n // 17),
    "'Label: ' over and over": lambda n: "Label: " * (n // 7),
    "capitalised words": lambda n: "Ab " * (n // 3),
}


def slowest_shape(brief: Callable[[Article], object]) -> tuple[float, str]:
    """The slowest of the ADVERSARIAL texts: seconds and its shape."""
    from briefer.inputs.article import article_from_text

    worst = (0.0, "")
    for shape, make in ADVERSARIAL.items():
        article = article_from_text(make(1_000_000))
        t0 = time.perf_counter()
        brief(article)
        worst = max(worst, (time.perf_counter() - t0, shape))
    return worst


def child() -> None:
    """Run in a fresh process: brief the articles for a while, print rate and peak memory."""
    from briefer.engines.offline import brief_offline
    from briefer.inputs.article import article_from_text

    seconds = float(sys.argv[2])
    articles = [article_from_text(t) for t in articles_of_about(800)]
    words = sum(a.words for a in articles) / len(articles)
    brief_offline(articles[0])  # warm caches (word lists, regexes)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        brief_offline(articles[done % len(articles)])
        done += 1
    elapsed = time.perf_counter() - start
    big = article_from_text(one_megabyte())
    t0 = time.perf_counter()
    brief = brief_offline(big)
    big_seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worst_seconds, worst_shape = slowest_shape(brief_offline)
    print(f"articles            {len(articles)} distinct, {words:.0f} words on average")
    print(
        f"throughput          {done / elapsed:.1f} articles/s ({done} in {elapsed:.1f} s, one core)"
    )
    facts = len(brief.key_facts)
    print(f"1 MB text           {big_seconds:.2f} s ({big.words:,} words, {facts} facts)")
    print(f"1 MB, slowest shape {worst_seconds:.2f} s ({worst_shape})")
    print(f"peak memory (RSS)   {peak_mb:.0f} MB (whole process: interpreter, pydantic, briefer)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    env = dict(os.environ, PYTHONHASHSEED="0")
    # taskset pins the child to one core where available.
    prefix = ["taskset", "-c", "0"] if sys.platform.startswith("linux") else []
    cmd = [*prefix, sys.executable, __file__, "--child", str(args.seconds)]
    subprocess.run(cmd, env=env, check=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child()
    else:
        main()
