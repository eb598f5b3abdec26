"""Slack Block Kit messages for briefs, digests and comparisons, within Slack's limits.

Limits respected: at most `MAX_BLOCKS` blocks a message (longer output is split into several
messages, each marked "part i of n"), at most `MAX_TEXT` characters in a text field and
`MAX_HEADER` in a header (longer text is trimmed, ending with a visible "… (trimmed)"). In
mrkdwn text, `&`, `<` and `>` are escaped, so article text can neither ping (`<!channel>`)
nor link.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatch
from typing import Any

from briefer.digest import Digest
from briefer.renderers.brief import (
    CAVEAT_LABELS,
    QUOTE_MARKS,
    _grounding,
    _provenance,
    _visible,
    restates,
    summary_of,
)
from briefer.renderers.compare import more_unique_line, shown_unique
from briefer.schema import Envelope, source_label
from briefer.schema.comparison import Comparison, Conflict
from briefer.schema.story import StoryBrief
from briefer.text import one_line

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_HEADER = 150
TRIMMED = "… (trimmed)"
UNTITLED = "Untitled article"  # a headline with nothing visible in it
Block = dict[str, Any]


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(TRIMMED)].rstrip() + TRIMMED


def header(text: str) -> Block:
    """A header block (plain text, trimmed to Slack's header limit)."""
    plain = one_line(text) or UNTITLED  # Slack refuses a message with an empty header
    return {"type": "header", "text": {"type": "plain_text", "text": _fit(plain, MAX_HEADER)}}


def section(markdown: str) -> Block:
    """A section block of mrkdwn (already escaped), trimmed to Slack's text limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": _fit(markdown, MAX_TEXT)}}


def context(markdown: str) -> Block:
    """A context line of mrkdwn (already escaped)."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _fit(markdown, MAX_TEXT)}]}


DIVIDER: Block = {"type": "divider"}


def _lines_sections(title: str, lines: list[str]) -> list[Block]:
    """A titled list as sections, several when the lines pass the text limit."""
    blocks: list[Block] = []
    current = f"*{title}*"
    for line in lines:
        if len(current) + 1 + len(line) > MAX_TEXT and current:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def _conflict_line(conflict: Conflict, values: Iterable[str]) -> str:
    """A conflict as a line: its kind and topic, then what each source says (`values`)."""
    return f"• *{conflict.kind}: {escape(conflict.topic)}* — {'; '.join(values)}"


def brief_blocks(envelope: Envelope, compact: bool = False) -> list[Block]:
    """The blocks of one brief (`compact`: headline, summary and facts only)."""
    b = _visible(envelope.brief)
    blocks = [
        header(b.headline),
        context(escape(f"{_provenance(envelope)} · {_grounding(envelope)}")),
        *([section(escape(summary))] if (summary := summary_of(b)) else []),
    ]
    checks = envelope.verification.key_facts
    facts = [
        ("• " if restates(f.statement, f.evidence) else f"• *{escape(f.statement)}*\n")
        + f"> {escape(one_line(f.evidence))}\n"
        f"— {escape(f.attribution)} · {QUOTE_MARKS[checks[i].status] if i < len(checks) else ''}"
        for i, f in enumerate(b.key_facts)
    ]
    blocks += _lines_sections("Key facts", facts)
    if compact:
        return blocks
    if b.stakeholders:
        blocks += _lines_sections(
            "Stakeholders",
            [f"• *{escape(s.name)}* ({s.kind.value}): {escape(s.role)}" for s in b.stakeholders],
        )
    if b.open_questions:
        blocks += _lines_sections(
            "Open questions",
            [f"• {escape(q.question)} _{escape(q.why_it_matters)}_" for q in b.open_questions],
        )
    if b.sourcing_caveats:
        blocks += _lines_sections(
            "Sourcing caveats",
            [f"• *{CAVEAT_LABELS[c.kind]}*: {escape(c.detail)}" for c in b.sourcing_caveats],
        )
    if envelope.warnings:
        blocks.append(context(escape("Warnings: " + "; ".join(w.code for w in envelope.warnings))))
    return blocks


def digest_blocks(digest: Digest) -> list[Block]:
    """The blocks of a morning digest: the story list, then each story: its story brief when
    several outlets tell it, else its brief, compact."""
    from briefer.renderers.digest import _counts, outlet_line, story_lines

    stories = digest.stories()
    blocks = [header(f"Morning brief · {digest.created_at.date().isoformat()}")]
    blocks.append(context(escape(_counts(digest))))
    lines = [
        f"{s.number}. *{escape(s.headline)}* — {escape(s.meta())}"
        + (f"\n      _{escape(s.summary)}_" if s.summary else "")
        for s in story_lines(digest)
    ]
    blocks += _lines_sections("Stories", lines)
    for number, group in enumerate(stories, 1):
        blocks.append(DIVIDER)
        if (story := digest.story_briefs.get(number)) is not None:
            # One story brief; each outlet's brief by its stored id, not again in full.
            blocks += story_blocks(story, compact=True)
            blocks.append(context(escape(" · ".join(outlet_line(i) for i in group))))
            continue
        for item in group:
            if item.envelope is not None:
                blocks += brief_blocks(item.envelope, compact=True)
    if digest.failed:
        blocks.append(DIVIDER)
        blocks += _lines_sections(
            "Failed",
            [f"• {escape(source_label(i.source))}: {escape(i.error or '')}" for i in digest.failed],
        )
    return blocks


def comparison_blocks(comparison: Comparison) -> list[Block]:
    """The blocks of a comparison: sources, agreements, conflicts, unique facts."""
    n = len(comparison.sources)
    blocks = [header(f"Coverage compared: {n} sources")]
    blocks += _lines_sections(
        "Sources",
        [f"[{s.index + 1}] {escape(s.label)}" for s in comparison.sources],
    )
    if comparison.agreed:
        blocks += _lines_sections(
            "Reported by all", [f"• {escape(f.statement)}" for f in comparison.agreed]
        )
    if comparison.conflicts:
        blocks += _lines_sections(
            "Conflicts",
            [
                _conflict_line(c, (f"[{s + 1}] {escape(v)}" for s, v in sorted(c.values.items())))
                for c in comparison.conflicts
            ],
        )
    if comparison.partial:
        blocks += _lines_sections(
            "Reported by some",
            [
                f"• {escape(f.statement)} ({', '.join(f'[{s + 1}]' for s in f.sources)})"
                for f in comparison.partial
            ],
        )
    if comparison.unique:
        unique, more = shown_unique(comparison)
        labels = [s.label for s in comparison.sources]
        blocks += _lines_sections(
            "Reported by only one",
            [f"• [{f.sources[0] + 1}] {escape(f.statement)}" for f in unique]
            + [f"_{escape(more_unique_line(labels[s], n))}_" for s, n in sorted(more.items())],
        )
    return blocks


def story_blocks(story: StoryBrief, compact: bool = False) -> list[Block]:
    """The blocks of a story brief: where the outlets differ, then what they agree on (and,
    unless `compact`, what only one reports and how each sources it)."""
    from briefer.renderers.story import differ_values, fact_mark, outlets_line, reported_by

    blocks = [header(story.headline), context(escape(outlets_line(story)))]
    if story.differ:
        lines = [
            _conflict_line(
                c,
                (
                    f"{escape(who)}: _{escape(value)}_"
                    for who, value, _, _ in differ_values(story, c)
                ),
            )
            for c in story.differ
        ]
        blocks += _lines_sections("Where they differ", lines)
    if story.agreed:
        blocks += _lines_sections(
            "What they agree on",
            [
                f"• {escape(one_line(f.statement))} — {escape(reported_by(story, f))} "
                f"{fact_mark(f)}"
                for f in story.agreed
            ],
        )
    if compact:
        return blocks
    if story.only_one:
        blocks += _lines_sections(
            "Only one outlet reports",
            [
                f"• *{escape(story.label(f.sources[0]))}*: {escape(one_line(f.statement))} "
                f"{fact_mark(f)}"
                for f in story.only_one
            ],
        )
    blocks += _lines_sections(
        "How each outlet sources it",
        [f"• *{escape(story.label(s.source))}*: {escape(s.line)}" for s in story.sourcing],
    )
    return blocks


def messages(blocks: list[Block]) -> list[dict[str, Any]]:
    """Split blocks into messages of at most MAX_BLOCKS, each part marked when split."""
    if len(blocks) <= MAX_BLOCKS:
        return [{"blocks": blocks}]
    room = MAX_BLOCKS - 1  # one block for the "part i of n" marker
    chunks = [blocks[i : i + room] for i in range(0, len(blocks), room)]
    return [
        {"blocks": [*chunk, context(f"part {n} of {len(chunks)}")]}
        for n, chunk in enumerate(chunks, 1)
    ]


def render_slack(thing: Envelope | Digest | Comparison | StoryBrief) -> list[dict[str, Any]]:
    """Slack messages (`[{"blocks": [...]}, ...]`) for a brief, digest, comparison or story."""
    return messages(_blocks(thing))


@singledispatch
def _blocks(thing: object) -> list[Block]:
    raise TypeError(f"cannot render a {type(thing).__name__} for Slack")


_blocks.register(Envelope, brief_blocks)
_blocks.register(Digest, digest_blocks)
_blocks.register(Comparison, comparison_blocks)
_blocks.register(StoryBrief, story_blocks)
