"""How a feed digest's cost grows with the feed: 2,000, 4,000 and 8,000 entries, offline.

    python bench/feed_scale.py [--sizes 2000,4000,8000]

For each size, a feed file of that many entries is digested into a new store, in a child
process of its own, the way `briefer digest --feed FILE --max-entries SIZE
--max-digest-entries SIZE --engine offline --max-bytes ...` runs it: `Briefer.digest` (read
the feed, record its entries, brief them, group the briefs into stories, look for
follow-ups), then the Markdown report. The entries
are the made-up local news of `bench/feeds.py` (eight kinds of event in invented towns, told
with different people and numbers), each entry's text as its summary and no link, so nothing
is fetched: what is measured is the digest's own work.

Printed for each size: wall time, CPU time and peak memory of the child, the briefs made and
the stories found, and the time of one more story grouping of the same briefs (outside the
wall time: the share grouping takes). Then the wall and CPU time per doubling of the feed
(target: at most 2.2x; when story grouping compared every pair of briefs it was 2.9x and
4.0x: 14 s, 41 s, 164 s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from html import escape
from pathlib import Path

from feeds import _TOWN_END, _TOWN_START, make_story  # bench/feeds.py: the made-up news

FEEDS = 5  # the entries cycle through five papers' towns and kinds of story


def write_feed(path: Path, entries: int) -> None:
    """An RSS file of `entries` made-up stories, the newest first, none with a link."""
    towns = []
    for paper in range(FEEDS):
        rng = random.Random(f"feed-{paper}")
        towns.append([rng.choice(_TOWN_START) + rng.choice(_TOWN_END) for _ in range(4)])
    items = []
    for n in range(entries):
        paper, number = n % FEEDS, n // FEEDS
        story = make_story(paper, number, towns[paper])
        items.append(
            f"<item><title>{escape(story.title)}</title>"
            f"<guid isPermaLink='false'>story-{n}</guid>"
            f"<pubDate>{format_datetime(story.published, usegmt=True)}</pubDate>"
            f"<author>desk@example.org ({escape(story.author)})</author>"
            f"<description>{escape(' '.join(story.paragraphs))}</description></item>"
        )
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<rss version='2.0'><channel>"
        "<title>County Wire</title><link>https://wire.example/</link>"
        + "".join(items)
        + "</channel></rss>",
        encoding="utf-8",
    )


def one(entries: int) -> dict[str, float]:
    """Digest a feed of `entries` entries in this process; what it took."""
    from briefer.core import Briefer
    from briefer.digest import group_stories
    from briefer.inputs import LoadOptions
    from briefer.io.store import Store
    from briefer.renderers import render

    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "wire.xml"
        write_feed(feed, entries)
        briefer = Briefer(
            engine="offline",
            store=Store(Path(tmp) / "briefer.db"),
            load_options=LoadOptions(max_bytes=feed.stat().st_size + 1),
        )
        start, cpu = time.perf_counter(), time.process_time()
        digest = briefer.digest(feeds=[str(feed)], max_entries=entries, max_digest_entries=entries)
        render(digest, "markdown")
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        envelopes = [i.envelope for i in digest.briefed if i.envelope is not None]
        grouping = time.perf_counter()
        group_stories(envelopes)
        grouping = time.perf_counter() - grouping
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "briefed": len(digest.briefed),
        "failed": len(digest.failed),
        "stories": len(digest.stories()),
        "grouping": grouping,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="2000,4000,8000", help="entries, comma-separated")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"feed digest, offline engine, entries briefed from their text; {os.cpu_count()} CPUs")
    print(
        f"{'entries':>8} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'briefs':>7} "
        f"{'stories':>7} {'grouping s':>10}"
    )
    results = []
    for size in sizes:
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{size:>8,} {result['wall']:>8.1f} {result['cpu']:>8.1f} {result['peak_mb']:>8.0f} "
            f"{result['briefed']:>7,} {result['stories']:>7,} {result['grouping']:>10.2f}"
        )
    for (small, a), (large, b) in zip(
        zip(sizes, results, strict=True), zip(sizes[1:], results[1:], strict=True), strict=False
    ):
        target = 2.2 * large / small / 2  # 2.2x per doubling
        verdicts = {
            what: (b[what] / a[what], "met" if b[what] / a[what] <= target else "missed")
            for what in ("wall", "cpu")
        }
        print(
            f"{small:,} -> {large:,} entries: "
            + ", ".join(f"{r:.2f}x the {what} time ({v})" for what, (r, v) in verdicts.items())
            + f" (target: at most {target:.1f}x)"
        )
    print(
        "(CPU time is the steadier figure on a busy machine: the digest's pacing waits for "
        "the event loop to be idle, and a loaded machine stretches those waits)"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
    else:
        main()
