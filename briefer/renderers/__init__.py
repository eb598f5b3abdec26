"""Render briefs, digests and comparisons for people and programs.

Each renderer takes a brief (an `Envelope`), a `Digest`, a `Comparison` or a `StoryBrief`:

* `render_markdown`, `render_text`, `render_json`, `render_html` return a string;
* `render_slack` returns Slack Block Kit messages (`[{"blocks": [...]}, ...]`) within Slack's
  limits (50 blocks a message, 3,000 characters a text field);
* `render(thing, fmt)` picks one by name, for the command line (`slack` gives the messages as
  JSON).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import singledispatch
from html import escape
from typing import Any, Literal

from briefer.digest import Digest
from briefer.renderers import brief as _brief
from briefer.renderers import compare as _compare
from briefer.renderers import digest as _digest
from briefer.renderers import story as _story
from briefer.renderers.slack import render_slack
from briefer.schema import Envelope
from briefer.schema.comparison import BriefDiff, Comparison
from briefer.schema.story import StoryBrief

Format = Literal["markdown", "json", "text", "html", "slack"]
FORMATS: tuple[Format, ...] = ("markdown", "json", "text", "html", "slack")
Renderable = Envelope | Digest | Comparison | StoryBrief | BriefDiff

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


def _by_type(name: str, renderers: Mapping[type, Callable[[Any], str]]) -> Callable[[object], str]:
    """One function that picks the renderer for the type of what it is given."""

    @singledispatch
    def dispatch(thing: object) -> str:
        raise TypeError(f"cannot render a {type(thing).__name__} as {name}")

    for kind, renderer in renderers.items():
        dispatch.register(kind, renderer)
    return dispatch


def _diff_markdown(diff: BriefDiff) -> str:
    return _compare.render_brief_diff(diff, "markdown")


def _diff_json(diff: BriefDiff) -> str:
    return _compare.render_brief_diff(diff, "json")


def _diff_html(diff: BriefDiff) -> str:
    return "<pre>" + escape(_diff_markdown(diff)) + "</pre>"


_markdown = _by_type(
    "Markdown",
    {
        Envelope: _brief.render_markdown,
        Digest: _digest.render_digest_markdown,
        Comparison: _compare.render_comparison_markdown,
        StoryBrief: _story.render_story_markdown,
        BriefDiff: _diff_markdown,
    },
)
_json = _by_type(
    "JSON",
    {
        Envelope: _brief.render_json,
        Digest: _digest.render_digest_json,
        Comparison: _compare.render_comparison_json,
        StoryBrief: _story.render_story_json,
        BriefDiff: _diff_json,
    },
)
_html = _by_type(
    "HTML",
    {
        Envelope: _brief.render_html,
        Digest: _digest.render_digest_html,
        Comparison: _compare.render_comparison_html,
        StoryBrief: _story.render_story_html,
        BriefDiff: _diff_html,
    },
)
# Markdown is plain enough, except for a brief.
_text = _by_type(
    "text",
    {
        Envelope: _brief.render_text,
        Digest: _markdown,
        Comparison: _markdown,
        StoryBrief: _markdown,
        BriefDiff: _markdown,
    },
)


def render_markdown(thing: Renderable) -> str:
    """Markdown for a brief, digest, comparison, story brief or brief diff."""
    return _markdown(thing)


def render_text(thing: Renderable) -> str:
    """Plain wrapped text for a brief; Markdown (already plain enough) for the others."""
    return _text(thing)


def render_json(thing: Renderable) -> str:
    """JSON for a brief, digest, comparison, story brief or brief diff."""
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
