"""Render a story brief (one story, several outlets): Markdown, JSON, HTML, Slack blocks.

Every renderer leads with where the outlets differ, then what they agree on, then what only
one reports, who is involved and how each outlet sources the story. A fact is shown once, as
the shortest of its outlets' quotes, with the outlets that report it; the JSON keeps every
outlet's quote.
"""

from __future__ import annotations

from html import escape

from briefer.renderers.brief import html_list, usage_line
from briefer.schema.comparison import Conflict, SharedFact
from briefer.schema.story import StoryBrief
from briefer.text import one_line

MARKS = {"exact": "✓", "fuzzy": "≈", "missing": "✗"}
MAX_INVOLVED = 8


def quoted(text: str) -> str:
    """Text in quotation marks, once: a quote that opens with its own mark keeps it."""
    text = one_line(text)
    return text if text[:1] in '“"' else f"“{text}”"


def fact_text(fact: SharedFact) -> str:
    """A fact as shown: in quotation marks when it is an outlet's own words (as the offline
    engine states facts), as it is when a model put it in its own words."""
    said = one_line(fact.statement)
    if any(one_line(q.text).startswith(said) for q in fact.quotes):
        return quoted(said)
    return said


def render_story_json(story: StoryBrief) -> str:
    """The story brief as indented JSON."""
    return story.model_dump_json(indent=2) + "\n"


def differ_words(story: StoryBrief) -> str:
    """ "they differ on 2 points", or "no differences found"."""
    n = len(story.differ)
    if not n:
        return "no differences found"
    return "they differ on 1 point" if n == 1 else f"they differ on {n} points"


def outlets_line(story: StoryBrief) -> str:
    """ "3 outlets: Reuters, TechCrunch, The Real Deal · they differ on 1 point"."""
    labels = ", ".join(story.label(s.index) for s in story.sources)
    return f"{len(story.sources)} outlets: {labels} · {differ_words(story)}"


def fact_mark(fact: SharedFact) -> str:
    """The worst check of a fact's quotes: ✓ all found, ≈ one approximately, ✗ one missing."""
    statuses = {q.status for q in fact.quotes}
    for status in ("missing", "fuzzy"):
        if status in statuses:
            return MARKS[status]
    return MARKS["exact"]


def reported_by(story: StoryBrief, fact: SharedFact) -> str:
    """Who reports a fact: "all 3 outlets" or the outlets' names."""
    if len(fact.sources) == len(story.sources):
        return f"all {len(story.sources)} outlets" if len(story.sources) > 2 else "both outlets"
    return ", ".join(story.label(s) for s in fact.sources)


def differ_values(story: StoryBrief, conflict: Conflict) -> list[tuple[str, str, str, str]]:
    """(outlet, value, quote, mark) for each outlet of a conflict."""
    return [
        (
            story.label(q.source),
            conflict.values.get(q.source, ""),
            one_line(q.text),
            MARKS[q.status],
        )
        for q in conflict.quotes
    ]


def involved(story: StoryBrief) -> str:
    """Who is involved, in a line: "Name (all), Name (Reuters, AP)"."""
    n = len(story.sources)
    parts = []
    for s in story.stakeholders[:MAX_INVOLVED]:
        if len(s.sources) == n:
            parts.append(f"{s.name} (all)" if n > 1 else s.name)
        else:
            parts.append(f"{s.name} ({', '.join(story.label(i) for i in s.sources)})")
    return "; ".join(parts)


def more_line(story: StoryBrief) -> str | None:
    """How many facts only one outlet reports are not shown."""
    n = story.only_one_more
    if not n:
        return None
    return f"{n} more {'fact' if n == 1 else 'facts'} only one outlet reports (the JSON lists all)"


def made_line(story: StoryBrief) -> str | None:
    """Who wrote a story brief a prompt wrote, and what it cost ("openai engine, gpt-4o-mini,
    prompt story v1 · 1 request, ..."); None for one built by code."""
    if story.prompt is None:
        return None
    made = f"{story.engine} engine" + (f", {story.model}" if story.model else "")
    made += f", prompt {story.prompt.name} v{story.prompt.version}"
    cost = usage_line(story.usage)
    return f"{made} · {cost}" if cost else made


def render_story_markdown(story: StoryBrief, level: int = 1) -> str:
    """The story brief in Markdown; `level` is its headline's heading level."""
    h, sub = "#" * level, "#" * (level + 1)
    out = [f"{h} {one_line(story.headline)}", "", f"*{outlets_line(story)}*", ""]
    if story.differ:
        out += [f"{sub} Where they differ", ""]
        for conflict in story.differ:
            out.append(f"- **{conflict.kind}: {conflict.topic}**")
            for outlet, value, quote, mark in differ_values(story, conflict):
                out.append(f"  - {outlet}: *{value}* — {quoted(quote)} {mark}")
        out.append("")
    if story.agreed:
        out += [f"{sub} What they agree on", ""]
        for i, fact in enumerate(story.agreed, 1):
            out.append(f"{i}. {fact_text(fact)} — {reported_by(story, fact)} {fact_mark(fact)}")
        out.append("")
    if story.only_one:
        out += [f"{sub} Only one outlet reports", ""]
        for fact in story.only_one:
            out.append(f"- **{story.label(fact.sources[0])}**: {fact_text(fact)} {fact_mark(fact)}")
        if more := more_line(story):
            out.append(f"- *{more}*")
        out.append("")
    if story.stakeholders:
        out += [f"**Who is involved:** {involved(story)}", ""]
    out += [f"{sub} How each outlet sources it", ""]
    out += [f"- **{story.label(s.source)}**: {s.line}" for s in story.sourcing]
    if story.warnings:
        out += ["", f"{sub} Warnings", ""] + [f"- {w}" for w in story.warnings]
    if made := made_line(story):
        out += ["", f"*{made}*"]
    return "\n".join(out) + "\n"


def story_html(story: StoryBrief, level: int = 1) -> str:
    """The story brief as an HTML fragment (every text escaped); `level`: its heading's."""
    h, sub = f"h{level}", f"h{level + 1}"
    out = [
        f"<{h}>{escape(story.headline)}</{h}>",
        f'<p class="meta">{escape(outlets_line(story))}</p>',
    ]
    if story.differ:
        out.append(f"<{sub}>Where they differ</{sub}>")
        for conflict in story.differ:
            out.append(
                f'<div class="card conflict"><strong>{escape(conflict.kind)}: '
                f"{escape(conflict.topic)}</strong><ul>"
            )
            for outlet, value, quote, mark in differ_values(story, conflict):
                out.append(
                    f"<li>{escape(outlet)}: <em>{escape(value)}</em> "
                    f"{escape(quoted(quote))} {mark}</li>"
                )
            out.append("</ul></div>")
    if story.agreed:
        out += html_list(
            (
                f"{escape(fact_text(f))} — {escape(reported_by(story, f))} {fact_mark(f)}"
                for f in story.agreed
            ),
            "ol",
            head=f"<{sub}>What they agree on</{sub}>",
        )
    if story.only_one:
        only = [
            f"<strong>{escape(story.label(f.sources[0]))}</strong>: "
            f"{escape(fact_text(f))} {fact_mark(f)}"
            for f in story.only_one
        ]
        if more := more_line(story):
            only.append(f"<em>{escape(more)}</em>")
        out += html_list(only, head=f"<{sub}>Only one outlet reports</{sub}>")
    if story.stakeholders:
        out.append(f"<p><strong>Who is involved:</strong> {escape(involved(story))}</p>")
    out += html_list(
        (
            f"<strong>{escape(story.label(s.source))}</strong>: {escape(s.line)}"
            for s in story.sourcing
        ),
        head=f"<{sub}>How each outlet sources it</{sub}>",
    )
    if story.warnings:
        out.append("".join(html_list(escape(w) for w in story.warnings)))
    if made := made_line(story):
        out.append(f'<p class="meta">{escape(made)}</p>')
    return "\n".join(out)


CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:48rem;padding:0 1rem;
color:#222;overflow-wrap:anywhere}
.meta{color:#666}.card{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;margin:.6rem 0}
.conflict{background:#fff6f4}
@media (max-width:480px){body{margin:1rem auto}}
"""


def render_story_html(story: StoryBrief) -> str:
    """The story brief as one self-contained page."""
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(story.headline)}</title><style>{CSS}</style></head><body>\n"
        f"{story_html(story)}\n</body></html>\n"
    )
