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
from collections.abc import Callable
from functools import singledispatch
from html import escape
from typing import Literal

from briefer.comparison import BriefDiff, Comparison
from briefer.rendering import brief as _brief
from briefer.rendering import compare as _compare
from briefer.rendering import digest as _digest
from briefer.rendering.slack import render_slack
from briefer.schema import Envelope
from briefer.stories import Digest

Format = Literal["markdown", "json", "text", "html", "slack"]
FORMATS: tuple[Format, ...] = ("markdown", "json", "text", "html", "slack")
Renderable = Envelope | Digest | Comparison | BriefDiff

__all__ = [
    "FORMATS",
    "Format",
    "Renderable",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "render_slack",
    "render_text",
]


def _unrenderable(thing: object, name: str) -> TypeError:
    return TypeError(f"cannot render a {type(thing).__name__} as {name}")


def _diff_markdown(diff: BriefDiff) -> str:
    return _compare.render_brief_diff(diff, "markdown")


def _diff_json(diff: BriefDiff) -> str:
    return _compare.render_brief_diff(diff, "json")


def _diff_html(diff: BriefDiff) -> str:
    return "<pre>" + escape(_diff_markdown(diff)) + "</pre>"


@singledispatch
def _markdown(thing: object) -> str:
    raise _unrenderable(thing, "Markdown")


_markdown.register(Envelope, _brief.render_markdown)
_markdown.register(Digest, _digest.render_digest_markdown)
_markdown.register(Comparison, _compare.render_comparison_markdown)
_markdown.register(BriefDiff, _diff_markdown)


@singledispatch
def _json(thing: object) -> str:
    raise _unrenderable(thing, "JSON")


_json.register(Envelope, _brief.render_json)
_json.register(Digest, _digest.render_digest_json)
_json.register(Comparison, _compare.render_comparison_json)
_json.register(BriefDiff, _diff_json)


@singledispatch
def _html(thing: object) -> str:
    raise _unrenderable(thing, "HTML")


_html.register(Envelope, _brief.render_html)
_html.register(Digest, _digest.render_digest_html)
_html.register(Comparison, _compare.render_comparison_html)
_html.register(BriefDiff, _diff_html)


@singledispatch
def _text(thing: object) -> str:
    return _markdown(thing)  # Markdown is plain enough, except for a brief


_text.register(Envelope, _brief.render_text)


def render_markdown(thing: Renderable) -> str:
    """Markdown for a brief, digest, comparison or brief diff."""
    return _markdown(thing)


def render_text(thing: Renderable) -> str:
    """Plain wrapped text for a brief; Markdown (already plain enough) for the others."""
    return _text(thing)


def render_json(thing: Renderable) -> str:
    """JSON for a brief, digest, comparison or brief diff."""
    return _json(thing)


def render_html(thing: Renderable) -> str:
    """A self-contained HTML page (all article text escaped)."""
    return _html(thing)


_BY_NAME: dict[str, Callable[[Renderable], str]] = {
    "markdown": render_markdown,
    "json": render_json,
    "text": render_text,
    "html": render_html,
}


def render(thing: Renderable, fmt: str = "markdown") -> str:
    """Render in one of `FORMATS` (slack: the Block Kit messages as JSON)."""
    if fmt == "slack":
        if isinstance(thing, BriefDiff):
            raise TypeError("cannot render a BriefDiff for Slack")
        return json.dumps(render_slack(thing), ensure_ascii=False, indent=2) + "\n"
    if fmt not in _BY_NAME:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return _BY_NAME[fmt](thing)
