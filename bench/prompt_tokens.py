"""Tokens every LLM request pays before its article: the prompt's overhead, per template.

    python bench/prompt_tokens.py

For the brief, merge and compare prompts: tokens of the system message, of the JSON schema
sent as the response format, of the user message without the article (or briefs), and how
many of them are a prefix shared, byte for byte, by two requests for different articles (the
part a provider's prompt cache can reuse: OpenAI caches identical prefixes from 1,024
tokens, vLLM and llama.cpp any shared prefix). Counts use tiktoken's o200k_base when its
encoding is cached on this machine, else an estimate (one token per four bytes), said below.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from briefer.engines.openai.conversation import BRIEF
    from briefer.engines.openai.engine import COMPARISON
    from briefer.engines.openai.messages import (
        build_briefs_messages,
        build_merge_messages,
        build_messages,
    )
    from briefer.engines.openai.prompts import load_template
    from briefer.inputs.article import article_from_text
    from briefer.schema import Brief
    from briefer.text.tokens import counter_for
    from briefer.text.untrusted import Boundary

    counter = counter_for("o200k_base")
    empty = Brief.model_validate(
        {
            "headline": "h", "summary": "s", "stakeholders": [], "open_questions": [],
            "sourcing_caveats": [],
            "key_facts": [{"statement": "s", "evidence": "e", "attribution": "the reporter"}],
        }
    )  # fmt: skip
    a = article_from_text("First Story\n\nThe council met on Monday and voted.")
    b = article_from_text("Second Story\n\nThe port reopened on Tuesday after repairs.")
    cases = {
        "brief": (
            BRIEF,
            [build_messages(x, load_template("brief"), Boundary.new()) for x in (a, b)],
        ),
        "merge": (
            BRIEF,
            [
                build_merge_messages([empty, empty], load_template("merge"), Boundary.new(), t)
                for t in ("First Story", "Second Story")
            ],
        ),
        "compare": (
            COMPARISON,
            [
                build_briefs_messages(
                    [empty, empty],
                    load_template("compare"),
                    Boundary.new(),
                    label="source",
                    first=0,
                )
                for _ in range(2)
            ],
        ),
    }
    print(f"{'prompt':<8} {'system':>7} {'schema':>7} {'user*':>6} {'overhead':>9} {'shared':>7}")
    for name, (spec, (first, second)) in cases.items():
        schema = counter.count(json.dumps(spec.schema()))
        system = counter.count(first[0]["content"])
        user = counter.count(_without_payload(first[1]["content"]))
        shared = counter.count(
            json.dumps(spec.schema()) + _common_prefix(_flat(first), _flat(second))
        )
        total = system + schema + user
        print(f"{name:<8} {system:>7} {schema:>7} {user:>6} {total:>9} {shared:>7}")
    exact = "tiktoken o200k_base" if counter.exact else "an estimate (tiktoken unavailable)"
    print(f"\n* user message without the article or briefs; counts: {exact}")
    print("shared: the schema plus the messages' common prefix between two different requests")


def _flat(messages: list[dict[str, str]]) -> str:
    return "".join(f"<{m['role']}>{m['content']}" for m in messages)


def _common_prefix(x: str, y: str) -> str:
    n = 0
    while n < min(len(x), len(y)) and x[n] == y[n]:
        n += 1
    return x[:n]


def _without_payload(user: str) -> str:
    start = user.find("<<<")
    return user[:start] if start >= 0 else user


if __name__ == "__main__":
    main()
