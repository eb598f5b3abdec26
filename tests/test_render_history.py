"""The store's history as people and programs read it (`briefer.renderers.history`)."""

from __future__ import annotations

import json

from briefer.io.store import HistoryRow
from briefer.renderers.history import render_history

PAID = HistoryRow(
    id=7,
    created_at="2026-12-07T06:59:12+00:00",
    title="Port reopens after storm",
    source="port.txt",
    engine="openai",
    model="gpt-4.1-mini",
    grounded_ratio=0.875,
    total_tokens=3200,
    cost_usd=0.0123,
    cached_tokens=1000,
    prompt_tokens=2000,
)
FREE = HistoryRow(
    id=6,
    created_at="2026-12-06T07:00:00+00:00",
    title=None,
    source="<stdin>",
    engine="offline",
    model=None,
    grounded_ratio=None,
)


def test_the_table_shows_tokens_with_the_cached_share_cost_and_the_total():
    out = render_history([PAID, FREE], "table", filtered=False).splitlines()
    assert out[0].split() == [
        "id",
        "date",
        "engine",
        "model",
        "tokens",
        "cost",
        "found",
        "title",
        "·",
        "source",
    ]
    assert "2026-12-07 06:59" in out[1] and "3,200 (50% cached)" in out[1] and "$0.0123" in out[1]
    assert "88%" in out[1] and "Port reopens after storm · port.txt" in out[1]
    assert "(untitled) · <stdin>" in out[2] and " - " in out[2]
    assert out[-1] == "total cost of these 2: $0.0123"


def test_programs_get_every_field_as_json_or_one_object_a_line():
    as_json = json.loads(render_history([PAID, FREE], "json", filtered=False))
    assert [r["id"] for r in as_json] == [7, 6] and as_json[0]["cached_tokens"] == 1000
    lines = render_history([PAID, FREE], "jsonl", filtered=False).splitlines()
    assert [json.loads(line)["engine"] for line in lines] == ["openai", "offline"]


def test_no_rows_say_why():
    assert render_history([], "table", filtered=False) == "no briefs stored yet"
    assert render_history([], "table", filtered=True) == "no stored brief matches"
    assert render_history([], "json", filtered=True) == "[]"
    assert render_history([], "jsonl", filtered=True) == ""
