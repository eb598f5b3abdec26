"""Pages per second for HTML extraction (trafilatura through briefer's loader).

    python bench/extract.py [--seconds 5]

Pages: fixtures/html (written for this project) and, when present, the real pages in
../shared/corpus (read, never copied). Pages that are refused (paywall, no text) are timed
too: refusing is work as well.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from briefer.errors import InputError
from briefer.inputs.html import extract_article

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    pages = sorted((ROOT / "fixtures" / "html").glob("*.html"))
    corpus = ROOT.parent / "shared" / "corpus"
    if corpus.is_dir():
        pages += sorted(corpus.glob("*.html"))
    contents = [(p.name, p.read_bytes()) for p in pages]
    extract_article(contents[0][1], source="warm-up")  # import trafilatura, warm caches
    done, refused, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        name, content = contents[done % len(contents)]
        try:
            extract_article(content, source=name)
        except InputError:
            refused += 1
        done += 1
    elapsed = time.perf_counter() - start
    size = sum(len(c) for _, c in contents) / len(contents)
    print(f"pages:      {len(contents)} distinct, {size / 1024:.0f} KB on average")
    print(
        f"throughput: {done / elapsed:.1f} pages/s ({done} in {elapsed:.1f} s; {refused} refused)"
    )


if __name__ == "__main__":
    main()
