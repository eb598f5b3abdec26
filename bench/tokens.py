"""Time token counting and chunking of 1 MB of text.

    python bench/tokens.py

With the estimate (always available) and, where tiktoken's o200k_base encoding can be loaded
(network or TIKTOKEN_CACHE_DIR), with tiktoken too. Target: under 1 s with the estimate.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from briefer.text.chunking import chunk_article
from briefer.text.tokens import TokenCounter, counter_for

ROOT = Path(__file__).resolve().parent.parent
BUDGET = 8000


def megabyte() -> str:
    parts = [
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "fixtures/articles").glob("*.txt"))
    ]
    text = ""
    while len(text.encode()) < 1_000_000:
        text += "\n\n".join(parts) + "\n\n"
    return text[:1_000_000]


def measure(name: str, counter: TokenCounter, text: str) -> None:
    start = time.perf_counter()
    total = counter.count(text)
    counted = time.perf_counter() - start
    start = time.perf_counter()
    chunks = chunk_article(text, BUDGET, counter)
    chunked = time.perf_counter() - start
    print(
        f"{name:<22} count {counted * 1000:7.1f} ms ({total:,} tokens)   "
        f"chunk {chunked * 1000:7.1f} ms ({len(chunks)} chunks of <= {BUDGET:,})   "
        f"total {(counted + chunked):.2f} s"
    )


def main() -> None:
    text = megabyte()
    print(f"text: {len(text.encode()):,} bytes, {len(text.split()):,} words")
    measure("estimate", TokenCounter("estimate"), text)
    os.environ.pop("BRIEFER_TOKENIZER", None)
    exact = counter_for("o200k_base")
    if exact.exact:
        measure("tiktoken o200k_base", exact, text)
    else:
        print(f"tiktoken o200k_base    not available here: {exact.reason}")


if __name__ == "__main__":
    main()
