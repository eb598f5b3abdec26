"""What the benchmarks that stand in for a model share: its answer, and the articles sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def stub_completion(model: str, quote: str) -> dict[str, Any]:
    """A chat completion holding a valid brief whose one fact quotes `quote`."""
    import json

    brief = {
        "headline": "Stub brief",
        "summary": "A stub summary.",
        "key_facts": [{"statement": "A fact.", "evidence": quote, "attribution": "x"}],
        "stakeholders": [],
        "open_questions": [],
        "sourcing_caveats": [],
    }
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": json.dumps(brief)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 900, "completion_tokens": 300, "total_tokens": 1200},
    }


def write_articles(folder: Path, count: int, long_every: int = 0) -> list[Path]:
    """Write `count` distinct articles from the fixtures (every `long_every`-th one four
    fixtures long, to be briefed in parts); return their paths."""
    bodies = [
        p.read_text(encoding="utf-8").split("\n", 1)[1]
        for p in sorted((ROOT / "fixtures" / "articles").glob("*.txt"))
        if len(p.read_text(encoding="utf-8").split()) > 200
    ]
    paths = []
    for i in range(count):
        body = bodies[i % len(bodies)]
        if long_every and i % long_every == long_every - 1:
            body = "\n\n".join(bodies[(i + k) % len(bodies)] for k in range(4))
        path = folder / f"story-{i:03d}.txt"
        path.write_text(f"Story number {i} of the morning\n{body}", encoding="utf-8")
        paths.append(path)
    return paths
