"""The store's history for people (an aligned table) and programs (JSON, JSON Lines)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Literal

from briefer.engines.estimate import format_cost
from briefer.io.store import HistoryRow
from briefer.text import columns

HistoryFormat = Literal["table", "json", "jsonl"]
TITLE_CHARS = 60
MODEL_CHARS = 20


def render_history(rows: Sequence[HistoryRow], fmt: HistoryFormat, *, filtered: bool) -> str:
    """Stored briefs, newest first: a table with tokens, cached share and cost, and the total
    cost; or one JSON array; or one JSON object a line. `filtered`: the rows answer a search
    or a time limit (said when none does)."""
    if fmt == "json":
        return json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False)
    if fmt == "jsonl":
        return "\n".join(json.dumps(asdict(r), ensure_ascii=False) for r in rows)
    if not rows:
        return "no stored brief matches" if filtered else "no briefs stored yet"
    lines: list[tuple[str, ...]] = [
        ("id", "date", "engine", "model", "tokens", "cost", "found", "title · source")
    ]
    lines += [_row(r) for r in rows]
    out = columns(lines)
    if any(r.cost_usd is not None for r in rows):
        total = sum(r.cost_usd or 0.0 for r in rows)
        out += f"\ntotal cost of these {len(rows)}: {format_cost(total)}"
    return out


def _row(r: HistoryRow) -> tuple[str, ...]:
    grounded = f"{r.grounded_ratio:.0%}" if r.grounded_ratio is not None else "-"
    tokens = f"{r.total_tokens:,}" if r.total_tokens else "-"
    if r.cached_tokens and r.prompt_tokens:
        tokens += f" ({r.cached_tokens / r.prompt_tokens:.0%} cached)"
    cost = format_cost(r.cost_usd) if r.cost_usd is not None and r.total_tokens else "-"
    title = (r.title or "(untitled)")[:TITLE_CHARS]
    when = r.created_at[:16].replace("T", " ")
    model = (r.model or "-")[:MODEL_CHARS]
    return (str(r.id), when, r.engine, model, tokens, cost, grounded, f"{title} · {r.source}")
