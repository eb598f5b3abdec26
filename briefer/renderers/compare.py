"""Render comparisons of coverage (Markdown, JSON, self-contained HTML) and brief diffs."""

from __future__ import annotations

import json
from html import escape

from briefer.renderers.brief import cell, html_list, usage_line
from briefer.schema.comparison import BriefDiff, Comparison, Conflict, SharedFact
from briefer.text import one_line

STATUS_MARK = {"exact": "✓", "fuzzy": "≈", "missing": "✗"}


def render_comparison_json(comparison: Comparison) -> str:
    """The comparison as indented JSON."""
    return comparison.model_dump_json(indent=2) + "\n"


def _label(comparison: Comparison, index: int) -> str:
    """How the source is named: its site, host or file name (never a server's path)."""
    return comparison.sources[index].label


def _number(index: int) -> str:
    """A source's number as people count: from 1."""
    return f"[{index + 1}]"


MAX_UNIQUE_SHOWN = 5  # facts only one source reports, shown per source; JSON keeps them all


def outside_conflicts(comparison: Comparison, facts: list[SharedFact]) -> list[SharedFact]:
    """The facts none of whose sentences a conflict quotes: those are shown with the conflict
    (each value and quote), not again."""
    quoted = {(q.source, q.text) for c in comparison.conflicts for q in c.quotes}
    return [f for f in facts if not any((q.source, q.text) in quoted for q in f.quotes)]


def shown_unique(comparison: Comparison) -> tuple[list[SharedFact], dict[int, int]]:
    """What a reader is shown of the facts only one source reports: the first
    `MAX_UNIQUE_SHOWN` of each source (the comparer puts the most important first; a sentence
    a conflict quotes is left to the conflict), and how many more each source has."""
    shown: list[SharedFact] = []
    seen: dict[int, int] = {}
    for fact in outside_conflicts(comparison, comparison.unique):
        source = fact.sources[0]
        seen[source] = seen.get(source, 0) + 1
        if seen[source] <= MAX_UNIQUE_SHOWN:
            shown.append(fact)
    more = {s: n - MAX_UNIQUE_SHOWN for s, n in seen.items() if n > MAX_UNIQUE_SHOWN}
    return shown, more


def more_unique_line(label: str, count: int) -> str:
    """The line that says how many facts of a source are not shown."""
    noun = "fact" if count == 1 else "facts"
    return f"{count} more {noun} only in {label} (the JSON output lists every one)"


MAX_STATEMENT = 160  # characters of a fact in the Markdown table, cut at a word


def _fact_rows(comparison: Comparison, facts: list[SharedFact]) -> list[str]:
    rows = []
    for fact in facts:
        marks = [
            STATUS_MARK[q.status] if (q := next((q for q in fact.quotes if q.source == i), None))
            else ""
            for i in range(len(comparison.sources))
        ]  # fmt: skip
        statement = one_line(fact.statement, MAX_STATEMENT, at_word=True)
        rows.append("| " + " | ".join([cell(statement), *marks]) + " |")
    return rows


def _conflict_lines(comparison: Comparison, conflict: Conflict) -> list[str]:
    lines = [f"- **{conflict.kind.capitalize()}: {conflict.topic}**"]
    for quote in conflict.quotes:
        value = conflict.values.get(quote.source, "")
        lines.append(
            f"  - {_number(quote.source)} {_label(comparison, quote.source)}: *{value}* — "
            f"“{one_line(quote.text)}” {STATUS_MARK[quote.status]}"
        )
    return lines


def render_comparison_markdown(comparison: Comparison) -> str:
    """Where the sources differ, then one row per fact (all, some, one source), then the
    stakeholders and the sourcing side by side."""
    n = len(comparison.sources)
    labels = [_label(comparison, i) for i in range(n)]
    columns = [_number(i) for i in range(n)]
    out = [f"# Coverage compared: {n} sources", ""]
    for i, label in enumerate(labels):
        title = comparison.sources[i].title
        out.append(f"- {_number(i)} {cell(label)}" + (f" — {cell(title)}" if title else ""))
    out.append("")
    if comparison.conflicts:
        out += ["## Conflicts", ""]
        for conflict in comparison.conflicts:
            out += _conflict_lines(comparison, conflict)
        out.append("")
    out += ["## Facts by source", "", "| Fact | " + " | ".join(columns) + " |"]
    out.append("|---" * (n + 1) + "|")
    unique, more = shown_unique(comparison)
    shared = outside_conflicts(comparison, [*comparison.agreed, *comparison.partial])
    out += _fact_rows(comparison, [*shared, *unique])
    out += [
        "",
        "Reported by all first, then by some, then by one. ✓ quote found in that article · "
        "≈ approximately · ✗ not found · blank: not reported. Each source's own words for each "
        "fact are in the JSON output.",
        "",
    ]
    out += [f"- *{more_unique_line(labels[s], n)}*" for s, n in sorted(more.items())]
    if more:
        out.append("")
    if comparison.stakeholders:
        out += ["## Stakeholders", "", "| Stakeholder | " + " | ".join(columns) + " |"]
        out.append("|---" * (n + 1) + "|")
        for s in comparison.stakeholders:
            marks = ["●" if i in s.sources else "" for i in range(n)]
            out.append("| " + " | ".join([cell(s.name), *marks]) + " |")
        out.append("")
    out += [
        "## Sourcing",
        "",
        "| | " + " | ".join(map(cell, labels)) + " |",
        "|---" * (n + 1) + "|",
    ]
    sides = comparison.sourcing
    table = {
        "attributions": [str(s.attributions) for s in sides],
        "named": [str(s.named) for s in sides],
        "anonymous": [f"{s.anonymous} ({s.anonymous_share:.0%})" for s in sides],
        "unnamed institutions": [str(s.unnamed_institution) for s in sides],
        "declined comment": [str(s.declined_comment) for s in sides],
    }
    for name, cells in table.items():
        out.append("| " + " | ".join([name, *cells]) + " |")
    if comparison.warnings:
        out += ["", "## Warnings", ""] + [f"- {w}" for w in comparison.warnings]
    out += [f"*{line}*" for line in _cost_lines(comparison)]
    return "\n".join(out) + "\n"


def _cost_lines(comparison: Comparison) -> list[str]:
    """The comparison's cost and its briefs', for a footer (none when no model was asked)."""
    lines = []
    if cost := usage_line(comparison.usage):
        lines.append(f"Cost of the comparison: {cost}")
    if cost := usage_line(comparison.brief_usage):
        lines.append(f"Cost of the briefs, as recorded when each was made: {cost}")
    return ["", *lines] if lines else []


# One card per fact, on a desktop and a phone alike; words wrap whole (a long one breaks only
# when it cannot fit a line), small tables scroll sideways inside the page.
_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;
color:#222;overflow-wrap:break-word}
.card{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;margin:.6rem 0}
.conflict{background:#fff6f4}.who{color:#555;font-size:.9rem;margin-top:.3rem}
.chip{display:inline-block;border:1px solid #ccc;border-radius:1rem;padding:0 .5rem;
margin:.1rem .2rem .1rem 0;white-space:nowrap}
.missing{color:#a40000}.fuzzy{color:#8a6d00}blockquote{margin:.3rem 0 .3rem .8rem;color:#444}
table{border-collapse:collapse;margin:1rem 0;display:block;overflow-x:auto}
td,th{border:1px solid #ddd;padding:.35rem;vertical-align:top;text-align:left}
th{background:#f4f4f4}details summary{cursor:pointer;color:#555}
@media (max-width:480px){body{margin:1rem auto}}
"""


def _chips(comparison: Comparison, fact: SharedFact) -> str:
    """The sources that report a fact, each with how its quote checked out."""
    chips = []
    for quote in sorted(fact.quotes, key=lambda q: q.source):
        label = f"{_number(quote.source)} {_label(comparison, quote.source)}"
        chips.append(
            f'<span class="chip {quote.status}">{escape(label)} {STATUS_MARK[quote.status]}</span>'
        )
    return "".join(chips)


def _fact_card(comparison: Comparison, fact: SharedFact) -> str:
    """One fact, once, with the sources that report it; their own words folded."""
    others = [q for q in fact.quotes if one_line(q.text) != one_line(fact.statement)]
    words = ""
    if others:
        quotes = "".join(
            f"<blockquote>{escape(_number(q.source))} {escape(q.text)}</blockquote>" for q in others
        )
        words = f"<details><summary>Each source's own words</summary>{quotes}</details>"
    return (
        f'<div class="card fact"><div>{escape(fact.statement)}</div>'
        f'<div class="who">{_chips(comparison, fact)}</div>{words}</div>'
    )


def render_comparison_html(comparison: Comparison) -> str:
    """One self-contained page: where the sources differ, then each fact once, as a card
    (all sources, some, one), then the stakeholders and sourcing (all article text escaped)."""
    n = len(comparison.sources)
    labels = [_label(comparison, i) for i in range(n)]
    head = "".join(
        f"<th>{escape(_number(i))} {escape(label)}</th>" for i, label in enumerate(labels)
    )
    out = [f"<h1>Coverage compared: {n} sources</h1>", "<ol>"]
    for i, label in enumerate(labels):
        title = comparison.sources[i].title
        out.append(f"<li>{escape(label)}" + (f" — {escape(title)}" if title else "") + "</li>")
    out.append("</ol>")
    if comparison.conflicts:
        out.append("<h2>Where they differ</h2>")
        for conflict in comparison.conflicts:
            values = "".join(
                f"<li>{escape(_number(q.source))} {escape(labels[q.source])}: "
                f"<strong>{escape(conflict.values.get(q.source, ''))}</strong>"
                f'<blockquote class="{q.status}">{escape(q.text)} {STATUS_MARK[q.status]}'
                "</blockquote></li>"
                for q in conflict.quotes
            )
            out.append(
                f'<div class="card conflict"><strong>{escape(conflict.kind)}: '
                f"{escape(conflict.topic)}</strong><ul>{values}</ul></div>"
            )
    unique, more = shown_unique(comparison)
    for title, facts in (
        ("Reported by all", outside_conflicts(comparison, comparison.agreed)),
        ("Reported by some", outside_conflicts(comparison, comparison.partial)),
        ("Reported by only one", unique),
    ):
        if facts:
            out.append(f"<h2>{title}</h2>")
            out += [_fact_card(comparison, fact) for fact in facts]
    out += [
        f'<p class="who">{escape(more_unique_line(labels[s], n))}</p>'
        for s, n in sorted(more.items())
    ]
    out.append("<h2>Stakeholders</h2><table><tr><th>Stakeholder</th>" + head + "</tr>")
    for s in comparison.stakeholders:
        marks = "".join(f"<td>{'●' if i in s.sources else ''}</td>" for i in range(n))
        out.append(f"<tr><td>{escape(s.name)}</td>{marks}</tr>")
    out.append("</table><h2>Sourcing</h2><table><tr><th></th>" + head + "</tr>")
    rows = (
        ("attributions", "attributions"),
        ("named", "named"),
        ("anonymous", "anonymous"),
        ("declined comment", "declined_comment"),
    )
    for name, key in rows:
        row = "".join(f"<td>{getattr(s, key)}</td>" for s in comparison.sourcing)
        out.append(f"<tr><td>{name}</td>{row}</tr>")
    out.append("</table>")
    if comparison.warnings:
        out.append("<h2>Warnings</h2>")
        out += html_list(escape(w) for w in comparison.warnings)
    out += [f'<p class="who">{escape(line)}</p>' for line in _cost_lines(comparison) if line]
    body = "\n".join(out)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Coverage compared</title><style>{_CSS}</style></head><body>\n{body}\n"
        "</body></html>\n"
    )


def render_brief_diff(diff: BriefDiff, fmt: str = "markdown") -> str:
    """Render the difference between two briefs of the same article."""
    if fmt == "json":
        return json.dumps(diff.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    a, b = diff.labels
    out = [f"# Two briefs of one article: {a} vs {b}", ""]
    out.append(
        f"Quotes found in the article: {diff.grounded_ratio[0]:.0%} vs {diff.grounded_ratio[1]:.0%}"
    )
    for title, pair in (
        ("Facts only in", diff.facts_only_in),
        ("Stakeholders only in", diff.stakeholders_only_in),
        ("Caveats only in", diff.caveats_only_in),
    ):
        for label, items in zip(diff.labels, pair, strict=True):
            out += ["", f"## {title} {label}", ""]
            out += [f"- {item}" for item in items] or ["- (none)"]
    out += ["", "## Facts in both", ""] + ([f"- {f}" for f in diff.facts_in_both] or ["- (none)"])
    return "\n".join(out) + "\n"
