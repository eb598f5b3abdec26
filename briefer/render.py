"""Turn an `Envelope` into text for people (Markdown, plain text) or programs (JSON)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from briefer.schema import Brief, CaveatKind, Envelope
from briefer.untrusted import strip_invisible

Format = Literal["markdown", "json", "text"]
FORMATS: tuple[Format, ...] = ("markdown", "json", "text")

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


def render(envelope: Envelope, fmt: Format = "markdown") -> str:
    """Render an envelope in one of `FORMATS`."""
    renderers: dict[str, Callable[[Envelope], str]] = {
        "markdown": render_markdown,
        "json": render_json,
        "text": render_text,
    }
    return renderers[fmt](envelope)


def render_json(envelope: Envelope) -> str:
    """Render the whole envelope as indented JSON."""
    return envelope.model_dump_json(indent=2) + "\n"


def _provenance(envelope: Envelope) -> str:
    art = envelope.article
    parts = [art.title or art.source]
    if art.site_name:
        parts.append(art.site_name)
    if art.title:
        parts.append(art.source)
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


def _fact_mark(envelope: Envelope, index: int) -> str:
    checks = envelope.verification.key_facts
    return QUOTE_MARKS[checks[index].status] if index < len(checks) else ""


def _caveat_mark(envelope: Envelope, index: int) -> str:
    checks = envelope.verification.sourcing_caveats
    if index >= len(checks):
        return ""
    check = checks[index]
    origin = ORIGINS[check.origin]
    return origin if check.status == "exact" else f"{origin}; {QUOTE_MARKS[check.status]}"


def _grounding(envelope: Envelope) -> str:
    v = envelope.verification
    total = v.exact + v.fuzzy + v.missing
    line = f"{v.exact + v.fuzzy}/{total} quotes found in the article"
    if v.fuzzy:
        line += f" ({v.fuzzy} approximately)"
    return line


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _quote(text: str) -> str:
    return "“" + " ".join(text.split()) + "”"


def _visible(brief: Brief) -> Brief:
    """The brief without invisible or bidi-control characters, for display to people."""

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return strip_invisible(value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return Brief.model_validate(clean(brief.model_dump(mode="json")))


def render_markdown(envelope: Envelope) -> str:
    """Render the brief as Markdown."""
    b = _visible(envelope.brief)
    out = [f"# {b.headline}", "", f"*{_provenance(envelope)} · {_grounding(envelope)}*"]
    out += ["", b.summary, ""]
    out += ["## Key facts", ""]
    for i, fact in enumerate(b.key_facts, 1):
        out.append(f"{i}. **{fact.statement}**  ")
        out.append(f"   > {_quote(fact.evidence)}  ")
        out.append(f"   — {fact.attribution} · {_fact_mark(envelope, i - 1)}")
    out.append("")
    if b.stakeholders:
        out += ["## Stakeholders", "", "| Who | Kind | Role | Stance |", "|---|---|---|---|"]
        for s in b.stakeholders:
            row = [s.name, s.kind.value, s.role, s.stance]
            out.append("| " + " | ".join(_cell(c) for c in row) + " |")
        out.append("")
    if b.open_questions:
        out += ["## Open questions", ""]
        out += [f"- **{q.question}** {q.why_it_matters}" for q in b.open_questions]
        out.append("")
    if b.sourcing_caveats:
        out += ["## Sourcing caveats", ""]
        for i, c in enumerate(b.sourcing_caveats):
            mark = _caveat_mark(envelope, i)
            out.append(f"- **{CAVEAT_LABELS[c.kind]}**: {c.detail} {_quote(c.evidence)} ({mark})")
        out.append("")
    if envelope.warnings:
        out += ["## Warnings", ""]
        for w in envelope.warnings:
            where = f" (article characters {w.start}–{w.end})" if w.start is not None else ""
            out.append(f"- `{w.code}`: {w.message}{where}")
        out.append("")
    return "\n".join(out)


def render_text(envelope: Envelope, width: int = 88) -> str:
    """Render the brief as plain, wrapped text."""
    b = _visible(envelope.brief)

    def wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
        return textwrap.wrap(
            " ".join(text.split()),
            width=width,
            initial_indent=first if first is not None else indent,
            subsequent_indent=indent,
        ) or [first or indent]

    out = [b.headline.upper(), _provenance(envelope), _grounding(envelope), ""]
    out += wrap(b.summary)
    out += ["", "KEY FACTS"]
    for i, fact in enumerate(b.key_facts, 1):
        out += wrap(fact.statement, "    ", f"{i:>2}. ")
        out += wrap(f"{_quote(fact.evidence)} ({fact.attribution})", "    ")
        out += wrap(f"[{_fact_mark(envelope, i - 1)}]", "    ")
    if b.stakeholders:
        out += ["", "STAKEHOLDERS"]
        for s in b.stakeholders:
            out += wrap(f"{s.name} ({s.kind.value}): {s.role}. Stance: {s.stance}", "    ", "  - ")
    if b.open_questions:
        out += ["", "OPEN QUESTIONS"]
        for q in b.open_questions:
            out += wrap(f"{q.question} {q.why_it_matters}", "    ", "  - ")
    if b.sourcing_caveats:
        out += ["", "SOURCING CAVEATS"]
        for i, c in enumerate(b.sourcing_caveats):
            mark = _caveat_mark(envelope, i)
            line = f"{CAVEAT_LABELS[c.kind]}: {c.detail} {_quote(c.evidence)} [{mark}]"
            out += wrap(line, "    ", "  - ")
    if envelope.warnings:
        out += ["", "WARNINGS"]
        for w in envelope.warnings:
            out += wrap(f"{w.code}: {w.message}", "    ", "  - ")
    return "\n".join(out) + "\n"
