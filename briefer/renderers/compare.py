"""Render comparisons of coverage (Markdown, JSON, self-contained HTML) and brief diffs."""

from __future__ import annotations

import json
from html import escape

from briefer.renderers.brief import cell, usage_line
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


def shown_unique(comparison: Comparison) -> tuple[list[SharedFact], dict[int, int]]:
    """What a reader is shown of the facts only one source reports: the first
    `MAX_UNIQUE_SHOWN` of each source (the comparer puts the most important first), and how
    many more each source has."""
    shown: list[SharedFact] = []
    seen: dict[int, int] = {}
    for fact in comparison.unique:
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


def _fact_rows(comparison: Comparison, facts: list[SharedFact]) -> list[str]:
    rows = []
    for fact in facts:
        marks = [
            STATUS_MARK[q.status] if (q := next((q for q in fact.quotes if q.source == i), None))
            else ""
            for i in range(len(comparison.sources))
        ]  # fmt: skip
        rows.append("| " + " | ".join([cell(fact.statement[:160]), *marks]) + " |")
    return rows


def _conflict_lines(comparison: Comparison, conflict: Conflict) -> list[str]:
    lines = [f"- **{conflict.kind.capitalize()}: {conflict.topic}**"]
    for quote in conflict.quotes:
        value = conflict.values.get(quote.source, "")
        lines.append(
            f"  - {_number(quote.source)} *{value}* — “{one_line(quote.text)}” "
            f"{STATUS_MARK[quote.status]}"
        )
    return lines


def render_comparison_markdown(comparison: Comparison) -> str:
    """A table of facts by source, then agreements, conflicts, unique facts, stakeholders."""
    n = len(comparison.sources)
    labels = [_label(comparison, i) for i in range(n)]
    columns = [_number(i) for i in range(n)]
    out = [f"# Coverage compared: {n} sources", ""]
    for i, label in enumerate(labels):
        title = comparison.sources[i].title
        out.append(f"- {_number(i)} {cell(label)}" + (f" — {cell(title)}" if title else ""))
    out += ["", "## Facts by source", "", "| Fact | " + " | ".join(columns) + " |"]
    out.append("|---" * (n + 1) + "|")
    unique, more = shown_unique(comparison)
    out += _fact_rows(comparison, [*comparison.agreed, *comparison.partial, *unique])
    out += [
        "",
        "✓ quote found in that article · ≈ approximately · ✗ not found · blank: not reported",
        "",
    ]
    if comparison.conflicts:
        out += ["## Conflicts", ""]
        for conflict in comparison.conflicts:
            out += _conflict_lines(comparison, conflict)
        out.append("")
    for title, facts in (
        ("Reported by all", comparison.agreed),
        ("Reported by some", comparison.partial),
    ):
        if facts:
            out += [f"## {title}", ""]
            for fact in facts:
                out.append(f"- {fact.statement}")
                for q in fact.quotes:
                    out.append(f"  - {_number(q.source)} “{one_line(q.text)}”")
            out.append("")
    if comparison.unique:
        out += ["## Reported by only one", ""]
        out += [f"- {labels[f.sources[0]]}: “{one_line(f.statement)}”" for f in unique]
        out += [f"- *{more_unique_line(labels[s], n)}*" for s, n in sorted(more.items())]
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


# Side by side on a desktop; on a phone the tables scroll sideways inside the page and long
# words wrap, so nothing runs off the screen.
_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem;color:#222;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;margin:1rem 0;display:block;overflow-x:auto}
td,th{border:1px solid #ddd;padding:.35rem;vertical-align:top;text-align:left;min-width:8rem}
th{background:#f4f4f4}.missing{color:#a40000}.fuzzy{color:#8a6d00}
.conflict{background:#fff4f4}blockquote{margin:0;color:#444}
@media (max-width:480px){body{margin:1rem}
table.sources,table.sources tr,table.sources td{display:block;min-width:0}
table.sources tr.head{display:none}table.sources tr{border-top:2px solid #bbb;margin-top:.6rem}
table.sources td{border:none;padding:.2rem 0}table.sources td.none{display:none}
table.sources td.what{font-weight:600}
table.sources td[data-source]::before{content:attr(data-source);display:block;color:#666;
font-size:.85rem}}
"""


def render_comparison_html(comparison: Comparison) -> str:
    """One self-contained page with the sources side by side (all article text escaped)."""
    n = len(comparison.sources)
    labels = [_label(comparison, i) for i in range(n)]
    head = "".join(f"<th>{escape(label)}</th>" for label in labels)
    # Each cell carries its source's name: on a phone the rows stack, one source under another.
    named = [f' data-source="{escape(f"{_number(i)} {label}")}"' for i, label in enumerate(labels)]
    out = [
        f"<h1>Coverage compared: {n} sources</h1>",
        '<table class="sources"><tr class="head"><th>Fact</th>' + head + "</tr>",
    ]
    unique, more = shown_unique(comparison)
    for fact in [*comparison.agreed, *comparison.partial, *unique]:
        cells = []
        for i in range(n):
            quote = next((q for q in fact.quotes if q.source == i), None)
            cells.append(
                f'<td class="{quote.status}"{named[i]}>'
                f"<blockquote>{escape(quote.text)}</blockquote></td>"
                if quote
                else '<td class="none"></td>'
            )
        out.append(
            f'<tr><td class="what">{escape(fact.statement)} ({fact.coverage})</td>'
            f"{''.join(cells)}</tr>"
        )
    out.append("</table>")
    out += [
        f'<p class="meta">{escape(more_unique_line(labels[s], n))}</p>'
        for s, n in sorted(more.items())
    ]
    if comparison.conflicts:
        out.append(
            '<h2>Conflicts</h2><table class="sources"><tr class="head"><th>What</th>'
            + head
            + "</tr>"
        )
        for conflict in comparison.conflicts:
            cells = []
            for i in range(n):
                quote = next((q for q in conflict.quotes if q.source == i), None)
                value = escape(conflict.values.get(i, ""))
                cells.append(
                    f"<td{named[i]}><strong>{value}</strong>"
                    f"<blockquote>{escape(quote.text)}</blockquote></td>"
                    if quote
                    else '<td class="none"></td>'
                )
            out.append(
                f'<tr class="conflict"><td class="what">{escape(conflict.kind)}: '
                f"{escape(conflict.topic)}</td>"
                f"{''.join(cells)}</tr>"
            )
        out.append("</table>")
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
        out += ["<h2>Warnings</h2>", "<ul>"]
        out += [f"<li>{escape(w)}</li>" for w in comparison.warnings]
        out.append("</ul>")
    out += [f'<p class="meta">{escape(line)}</p>' for line in _cost_lines(comparison) if line]
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
