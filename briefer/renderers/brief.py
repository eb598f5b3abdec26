"""Render one brief (an `Envelope`): Markdown, plain text, JSON, HTML.

Human formats strip invisible and bidi-control characters from article text; HTML escapes
every piece of text it did not write itself.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from datetime import datetime
from enum import Enum
from html import escape
from typing import Any

from pydantic import BaseModel

from briefer.schema import NOT_STATED, Brief, CaveatKind, Envelope, Usage
from briefer.text import one_line
from briefer.text.untrusted import escape_tags, strip_invisible

CAVEAT_LABELS: dict[CaveatKind, str] = {
    CaveatKind.ANONYMOUS_SOURCE: "Anonymous source",
    CaveatKind.UNNAMED_INSTITUTION: "Unnamed institution",
    CaveatKind.SINGLE_SOURCE: "Single source",
    CaveatKind.UNVERIFIED_NUMBER: "Unverified number",
    CaveatKind.INTERESTED_PARTY: "Interested party",
    CaveatKind.DECLINED_COMMENT: "Declined comment",
    CaveatKind.CONFLICTING_ACCOUNTS: "Conflicting accounts",
    CaveatKind.PARTIAL_COVERAGE: "Partial coverage",
}


def render_json(envelope: Envelope) -> str:
    """Render the whole envelope as indented JSON."""
    return envelope.model_dump_json(indent=2) + "\n"


def _provenance(envelope: Envelope) -> str:
    art = envelope.article
    parts = []
    if art.title and not same_headline(art.title, envelope.brief.headline):
        parts.append(art.title)  # the headline above already says it otherwise
    parts.append(art.label)  # the outlet, host or file name: never a server's path
    if art.published:
        parts.append(f"published {art.published}{age(art.published, envelope.created_at)}")
    parts.append(f"{art.words:,} words")
    made = f"{envelope.engine} engine"
    if envelope.model:
        made += f", {envelope.model}"
    if envelope.prompt:
        made += f", prompt {envelope.prompt.name} v{envelope.prompt.version}"
    parts.append(made)
    return " · ".join(parts)


def usage_line(usage: Usage) -> str | None:
    """What model requests cost, for a footer: tokens as the server counted them, and the
    cost estimated from the price table; None when no model was asked."""
    if not usage.requests and not usage.total_tokens:
        return None
    requests = f"{usage.requests} request{'s' if usage.requests != 1 else ''}"
    cost = (
        "cost unknown (no price for this model)"
        if usage.cost_usd is None
        else f"${usage.cost_usd:.4f} (estimated at list prices)"
    )
    tokens = f"{usage.total_tokens:,} tokens (as the server counted them"
    if usage.cached_tokens and usage.prompt_tokens:
        share = usage.cached_tokens / usage.prompt_tokens
        tokens += f"; {share:.0%} of the prompt from the provider's cache"
    return f"{requests} · {tokens}) · {cost}"


def same_headline(title: str, headline: str) -> bool:
    """Whether a page title says what the headline says ("X - SpaceNews.com" is "X")."""

    def words(text: str) -> str:
        return " ".join(re.findall(r"\w+", text.casefold()))

    a, b = words(title), words(headline)
    return bool(a and b) and (a == b or a.startswith(b) or b.startswith(a))


def age(published: str, now: datetime) -> str:
    """' (3 days old)' for an ISO date, or '' when the date cannot be read."""
    try:
        when = datetime.fromisoformat(published[:10]).date()
    except ValueError:
        return ""
    days = (now.date() - when).days
    if days < 0:
        return ""
    if days == 0:
        return " (today)"
    if days == 1:
        return " (1 day old)"
    return f" ({days:,} days old)"


QUOTE_MARKS = {
    "exact": "✓ quote verified",
    "fuzzy": "≈ quote approximately verified",
    "missing": "✗ quote not found in the article",
}
ORIGINS = {"model": "from the model", "rules": "computed from the text"}


def _fact_mark(envelope: Envelope, index: int, *, short: bool = False) -> str:
    """How a fact's quote checked out; with `short`, a found quote is only "✓" (the line under
    the headline counts them), and only a doubtful one is spelled out."""
    checks = envelope.verification.key_facts
    if index >= len(checks):
        return ""
    status = checks[index].status
    return "✓" if short and status == "exact" else QUOTE_MARKS[status]


def caveat_marks(envelope: Envelope) -> tuple[str, list[str]]:
    """A note for the caveats section and a mark per caveat.

    When every caveat has the same origin (all computed from the text, as offline), the note
    says so once and a caveat is marked only when its quote is doubtful; when origins mix,
    each caveat says where it came from.
    """
    checks = envelope.verification.sourcing_caveats
    count = len(envelope.brief.sourcing_caveats)
    origins = {check.origin for check in checks}
    if len(origins) == 1 and len(checks) == count:
        note = ORIGINS[origins.pop()].capitalize() + "."
        return note, ["" if c.status == "exact" else QUOTE_MARKS[c.status] for c in checks]
    marks = []
    for index in range(count):
        if index >= len(checks):
            marks.append("")
            continue
        check = checks[index]
        origin = ORIGINS[check.origin]
        marks.append(
            origin if check.status == "exact" else f"{origin}; {QUOTE_MARKS[check.status]}"
        )
    return "", marks


def _grounding(envelope: Envelope) -> str:
    v = envelope.verification
    total = v.exact + v.fuzzy + v.missing
    line = f"{v.exact + v.fuzzy}/{total} quotes found in the article"
    if v.fuzzy:
        line += f" ({v.fuzzy} approximately)"
    return line


def cell(text: str) -> str:
    """Text for one Markdown table cell: on one line, pipes escaped."""
    return one_line(text).replace("|", "\\|")


def _quote(text: str) -> str:
    return "“" + one_line(text) + "”"


def _or_dash(value: str) -> str:
    """A table cell: a dash where the brief says the article does not state it."""
    return "—" if value.strip().lower() == NOT_STATED else value


def caveat_text(detail: str, evidence: str) -> str:
    """A caveat's detail and its evidence quote, the quote left out when the detail has it."""
    quoted = _quote(evidence)
    return detail if quoted in one_line(detail) else f"{detail} {quoted}"


def summary_of(brief: Brief) -> str | None:
    """The summary to print: none when it only repeats the first key fact's quote, or is the
    first key facts' statements put together (as the offline engine's is), which the brief
    shows anyway."""
    facts = brief.key_facts
    if facts and restates(brief.summary, facts[0].evidence):
        return None
    summary = one_line(brief.summary)
    joined = ""
    for fact in facts[:3]:
        joined = one_line(f"{joined} {fact.statement}")
        if summary == joined:
            return None
    return brief.summary


def restates(statement: str, evidence: str) -> bool:
    """Whether a fact's statement only repeats its quote: then the quote is shown once.

    It does when its words stand in the quote in the same order, with nothing left out
    between them but a code or a mark of at most two words (a ticker, "(pictured)") and never a
    negation, once a leading "Speaker:" the quote names ("Ines Alder: ...", "Alder said") is
    set aside. The offline
    engine's statements are the quoted sentence, at most without its attribution ("..., the
    companies said"), without page furniture, or with the speaker put first; the attribution
    line names the speaker anyway.
    """
    said = _WORD.findall(statement.casefold())
    quoted = _WORD.findall(evidence.casefold())
    colon = statement.find(": ")
    speaker = _WORD.findall(statement[:colon].casefold()) if colon > 0 else []
    if 0 < len(speaker) <= MAX_SPEAKER_WORDS and set(speaker) & set(quoted):
        said = _WORD.findall(statement[colon + 2 :].casefold()) or said
    if not said:
        return False
    for start in (i for i, word in enumerate(quoted) if word == said[0]):
        at = start
        for word in said[1:]:
            gap = quoted[at + 1 : at + 2 + MAX_LEFT_OUT]
            if word not in gap:
                break
            skipped = gap[: gap.index(word)]
            if _NEGATIONS.intersection(skipped):
                break
            at += 1 + len(skipped)
        else:
            return True
    return False


MAX_SPEAKER_WORDS = 6
MAX_LEFT_OUT = 2  # words of the quote a restating statement may leave out between two of its own
_WORD = re.compile(r"\w+")
_NEGATIONS = frozenset({"not", "no", "never", "t", "nor", "neither", "without"})


def _visible(brief: Brief, *, markdown: bool = False) -> Brief:
    """The brief without invisible or bidi-control characters, for display to people (and,
    for Markdown, with any HTML defused: a brief's text is never markup).

    The copy is for display only and is not validated again: defusing lengthens a field
    ("<" becomes "&lt;") and stripping may empty one, and neither may fail a rendering.
    """

    def clean(value: Any) -> Any:
        if isinstance(value, Enum):
            return value
        if isinstance(value, str):
            text = strip_invisible(value)
            return escape_tags(text) if markdown else text
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, BaseModel):
            fields = type(value).model_fields
            return value.model_copy(update={name: clean(getattr(value, name)) for name in fields})
        return value

    cleaned: Brief = clean(brief)
    return cleaned


def render_markdown(envelope: Envelope) -> str:
    """Render the brief as Markdown."""
    b = _visible(envelope.brief, markdown=True)
    provenance = escape_tags(_provenance(envelope))  # the page's title is the article's text
    out = [f"# {b.headline}", "", f"*{provenance} · {_grounding(envelope)}*"]
    summary = summary_of(b)
    out += ["", summary, ""] if summary else [""]
    out += ["## Key facts", ""]
    for i, fact in enumerate(b.key_facts, 1):
        mark = _fact_mark(envelope, i - 1, short=True)
        if restates(fact.statement, fact.evidence):
            out.append(f"{i}. {_quote(fact.evidence)} — {fact.attribution} · {mark}")
            continue
        out.append(f"{i}. **{fact.statement}**  ")
        out.append(f"   > {_quote(fact.evidence)}  ")
        out.append(f"   — {fact.attribution} · {mark}")
    out.append("")
    if b.stakeholders:
        out += ["## Stakeholders", "", "| Who | Kind | Role | Stance |", "|---|---|---|---|"]
        for s in b.stakeholders:
            row = [s.name, s.kind.value, _or_dash(s.role), _or_dash(s.stance)]
            out.append("| " + " | ".join(cell(c) for c in row) + " |")
        out.append("")
    if b.open_questions:
        out += ["## Open questions", ""]
        out += [f"- **{q.question}** {q.why_it_matters}" for q in b.open_questions]
        out.append("")
    if b.sourcing_caveats:
        note, marks = caveat_marks(envelope)
        out += ["## Sourcing caveats", "", f"*{note}*", ""] if note else ["## Sourcing caveats", ""]
        for c, mark in zip(b.sourcing_caveats, marks, strict=True):
            said = caveat_text(c.detail, c.evidence)
            out.append(f"- **{CAVEAT_LABELS[c.kind]}**: {said}" + (f" ({mark})" if mark else ""))
        out.append("")
    if envelope.warnings:
        out += ["## Warnings", ""]
        for w in envelope.warnings:
            where = f" (article characters {w.start}–{w.end})" if w.start is not None else ""
            out.append(f"- `{w.code}`: {escape_tags(w.message)}{where}")
        out.append("")
    if cost := usage_line(envelope.usage):
        out += [f"*Cost: {cost}*", ""]
    return "\n".join(out)


def render_text(envelope: Envelope, width: int = 88) -> str:
    """Render the brief as plain, wrapped text."""
    b = _visible(envelope.brief)

    def wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
        return textwrap.wrap(
            one_line(text),
            width=width,
            initial_indent=first if first is not None else indent,
            subsequent_indent=indent,
        ) or [first or indent]

    out = [b.headline.upper(), _provenance(envelope), _grounding(envelope), ""]
    summary = summary_of(b)
    out += wrap(summary) if summary else []
    out += ["", "KEY FACTS"]
    for i, fact in enumerate(b.key_facts, 1):
        quoted = f"{_quote(fact.evidence)} ({fact.attribution})"
        if restates(fact.statement, fact.evidence):
            out += wrap(quoted, "    ", f"{i:>2}. ")
        else:
            out += wrap(fact.statement, "    ", f"{i:>2}. ")
            out += wrap(quoted, "    ")
        out += wrap(f"[{_fact_mark(envelope, i - 1, short=True)}]", "    ")
    if b.stakeholders:
        out += ["", "STAKEHOLDERS"]
        for s in b.stakeholders:
            out += wrap(f"{s.name} ({s.kind.value}): {s.role}. Stance: {s.stance}", "    ", "  - ")
    if b.open_questions:
        out += ["", "OPEN QUESTIONS"]
        for q in b.open_questions:
            out += wrap(f"{q.question} {q.why_it_matters}", "    ", "  - ")
    if b.sourcing_caveats:
        note, marks = caveat_marks(envelope)
        out += ["", "SOURCING CAVEATS" + (f" ({note.rstrip('.').lower()})" if note else "")]
        for c, mark in zip(b.sourcing_caveats, marks, strict=True):
            line = f"{CAVEAT_LABELS[c.kind]}: {caveat_text(c.detail, c.evidence)}"
            out += wrap(line + (f" [{mark}]" if mark else ""), "    ", "  - ")
    if envelope.warnings:
        out += ["", "WARNINGS"]
        for w in envelope.warnings:
            out += wrap(f"{w.code}: {w.message}", "    ", "  - ")
    if cost := usage_line(envelope.usage):
        out += ["", *wrap(f"Cost: {cost}")]
    return "\n".join(out) + "\n"


# --- HTML ---------------------------------------------------------------------------------------

# Readable from a phone (390 px) to a desktop: long words and addresses wrap, wide tables
# scroll inside themselves instead of widening the page.
_CSS = """
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222;
overflow-wrap:break-word}
h1{font-size:1.6rem;margin-bottom:.2rem}.meta{color:#666;font-size:.9rem}
blockquote{margin:.3rem 0 .3rem 1rem;padding-left:.8rem;border-left:3px solid #ccc;color:#444}
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}
td,th{border:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top;
overflow-wrap:break-word}
.ok{color:#17692b}.approx{color:#8a6d00}.missing{color:#a40000}.flag{color:#a40000}
section.brief,section.story{border-top:1px solid #ddd;margin-top:2rem}
section.story>section.brief:first-child{border-top:none;margin-top:0}
ol.stories li{margin-bottom:.6rem}.summary{color:#444;display:block}
@media (max-width:480px){body{margin:1rem auto;font-size:15px}h1{font-size:1.3rem}
ol{padding-left:1.4rem}blockquote{margin-left:.2rem;padding-left:.5rem}
table.stakeholders,table.stakeholders tbody,table.stakeholders tr,table.stakeholders td{
display:block;width:auto}table.stakeholders tr.head{display:none}
table.stakeholders tr{border-top:1px solid #ccc;padding:.3rem 0}
table.stakeholders td{border:none;padding:.1rem 0}
table.stakeholders td:first-child{font-weight:600}table.stakeholders td.none{display:none}
table.stakeholders td:not(:first-child)::before{content:attr(data-label) ": ";color:#666}}
"""
_STATUS_CLASS = {"exact": "ok", "fuzzy": "approx", "missing": "missing"}


STAKEHOLDER_COLUMNS = ("Who", "Kind", "Role", "Stance")
_EMPTY = ' class="none"'  # a cell the article does not fill: a dash, left out on a phone


def html_list(items: Iterable[str], tag: str = "ul", head: str = "") -> list[str]:
    """The lines of an HTML list: `head` and the opening tag, each of `items` (HTML) in <li>,
    the closing tag."""
    return [f"{head}<{tag}>", *(f"<li>{item}</li>" for item in items), f"</{tag}>"]


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def _brief_html(envelope: Envelope, level: int = 1) -> str:
    b = _visible(envelope.brief)
    h, h2 = f"h{level}", f"h{min(level + 1, 6)}"
    out = [
        f"<{h}>{escape(b.headline)}</{h}>",
        f'<p class="meta">{escape(_provenance(envelope))} · {escape(_grounding(envelope))}</p>',
        f"<p>{escape(summary_of(b) or '')}</p>",
        f"<{h2}>Key facts</{h2}>",
        "<ol>",
    ]
    for i, fact in enumerate(b.key_facts):
        checks = envelope.verification.key_facts
        status = checks[i].status if i < len(checks) else "missing"
        said = (
            "" if restates(fact.statement, fact.evidence)
            else f"<strong>{escape(fact.statement)}</strong>"
        )  # fmt: skip
        out.append(
            f"<li>{said}"
            f"<blockquote>{escape(_quote(fact.evidence))}</blockquote>"
            f"— {escape(fact.attribution)} · "
            f'<span class="{_STATUS_CLASS[status]}">{escape(QUOTE_MARKS[status])}</span></li>'
        )
    out.append("</ol>")
    if b.stakeholders:
        out += [
            f"<{h2}>Stakeholders</{h2}>",
            '<table class="stakeholders"><tr class="head"><th>Who</th><th>Kind</th>'
            "<th>Role</th><th>Stance</th></tr>",
        ]
        for s in b.stakeholders:
            cells = zip(
                STAKEHOLDER_COLUMNS,
                (s.name, s.kind.value, _or_dash(s.role), _or_dash(s.stance)),
                strict=True,
            )
            out.append(
                "<tr>"
                + "".join(
                    f'<td data-label="{col}"{_EMPTY if c == "—" else ""}>{escape(c)}</td>'
                    for col, c in cells
                )
                + "</tr>"
            )
        out.append("</table>")
    if b.open_questions:
        out.append(f"<{h2}>Open questions</{h2}>")
        out += html_list(
            f"<strong>{escape(q.question)}</strong> {escape(q.why_it_matters)}"
            for q in b.open_questions
        )
    if b.sourcing_caveats:
        note, marks = caveat_marks(envelope)
        out.append(f"<{h2}>Sourcing caveats</{h2}>")
        if note:
            out.append(f'<p class="meta">{escape(note)}</p>')
        out += html_list(
            f"<strong>{escape(CAVEAT_LABELS[c.kind])}</strong>: "
            f"{escape(caveat_text(c.detail, c.evidence))}"
            + (f" <em>({escape(mark)})</em>" if mark else "")
            for c, mark in zip(b.sourcing_caveats, marks, strict=True)
        )
    if envelope.warnings:
        out.append(f"<{h2}>Warnings</{h2}>")
        out += html_list(
            f"<code>{escape(w.code)}</code>: {escape(w.message)}" for w in envelope.warnings
        )
    if cost := usage_line(envelope.usage):
        out.append(f'<p class="meta">Cost: {escape(cost)}</p>')
    return "\n".join(out)


def render_html(envelope: Envelope) -> str:
    """Render the brief as a self-contained HTML page (every text escaped)."""
    return _page(envelope.brief.headline, _brief_html(envelope))
