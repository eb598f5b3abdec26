"""Render briefs, digests and comparisons for people and programs.

Each renderer takes a brief (an `Envelope`), a `Digest` or a `Comparison`:

* `render_markdown`, `render_text`, `render_json`, `render_html` return a string;
* `render_slack` returns Slack Block Kit messages (`[{"blocks": [...]}, ...]`) within Slack's
  limits (50 blocks a message, 3,000 characters a text field);
* `render(thing, fmt)` picks one by name, for the command line (`slack` gives the messages as
  JSON).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from briefer.comparison import BriefDiff, Comparison
from briefer.rendering import brief as _brief
from briefer.rendering import compare as _compare
from briefer.rendering import digest as _digest
from briefer.rendering.slack import render_slack
from briefer.schema import Envelope

if TYPE_CHECKING:
    from briefer.digest import Digest

Format = Literal["markdown", "json", "text", "html", "slack"]
FORMATS: tuple[Format, ...] = ("markdown", "json", "text", "html", "slack")
Renderable = Any  # Envelope | Digest | Comparison | BriefDiff

__all__ = [
    "FORMATS",
    "Format",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "render_slack",
    "render_text",
]


def _kind(thing: Renderable) -> str:
    from briefer.digest import Digest

    if isinstance(thing, Envelope):
        return "brief"
    if isinstance(thing, Digest):
        return "digest"
    if isinstance(thing, Comparison):
        return "comparison"
    if isinstance(thing, BriefDiff):
        return "diff"
    raise TypeError(f"cannot render a {type(thing).__name__}")


def render_markdown(thing: Envelope | Digest | Comparison | BriefDiff) -> str:
    """Markdown for a brief, digest, comparison or brief diff."""
    kind = _kind(thing)
    if kind == "brief":
        return _brief.render_markdown(thing)  # type: ignore[arg-type]
    if kind == "digest":
        return _digest.render_digest_markdown(thing)  # type: ignore[arg-type]
    if kind == "comparison":
        return _compare.render_comparison_markdown(thing)  # type: ignore[arg-type]
    return _compare.render_brief_diff(thing, "markdown")  # type: ignore[arg-type]


def render_text(thing: Envelope | Digest | Comparison | BriefDiff) -> str:
    """Plain wrapped text for a brief; Markdown (already plain enough) for the others."""
    if _kind(thing) == "brief":
        return _brief.render_text(thing)  # type: ignore[arg-type]
    return render_markdown(thing)


def render_json(thing: Envelope | Digest | Comparison | BriefDiff) -> str:
    """JSON for a brief, digest, comparison or brief diff."""
    kind = _kind(thing)
    if kind == "brief":
        return _brief.render_json(thing)  # type: ignore[arg-type]
    if kind == "digest":
        return _digest.render_digest_json(thing)  # type: ignore[arg-type]
    if kind == "comparison":
        return _compare.render_comparison_json(thing)  # type: ignore[arg-type]
    return _compare.render_brief_diff(thing, "json")  # type: ignore[arg-type]


def render_html(thing: Envelope | Digest | Comparison | BriefDiff) -> str:
    """A self-contained HTML page (all article text escaped)."""
    kind = _kind(thing)
    if kind == "brief":
        return _brief.render_html(thing)  # type: ignore[arg-type]
    if kind == "digest":
        return _digest.render_digest_html(thing)  # type: ignore[arg-type]
    if kind == "comparison":
        return _compare.render_comparison_html(thing)  # type: ignore[arg-type]
    return "<pre>" + _compare.render_brief_diff(thing, "markdown") + "</pre>"  # type: ignore[arg-type]


def render(thing: Envelope | Digest | Comparison | BriefDiff, fmt: str = "markdown") -> str:
    """Render in one of `FORMATS` (slack: the Block Kit messages as JSON)."""
    if fmt == "slack":
        return json.dumps(render_slack(thing), ensure_ascii=False, indent=2) + "\n"  # type: ignore[arg-type]
    renderers = {
        "markdown": render_markdown,
        "json": render_json,
        "text": render_text,
        "html": render_html,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return renderers[fmt](thing)
