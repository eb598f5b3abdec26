"""Turn an `Envelope` into text for people (Markdown, plain text) or programs (JSON)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Literal

from briefer.schema import CaveatKind, Envelope

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
    if art.title:
        parts.append(art.source)
    parts.append(f"{art.words:,} words")
    made = f"{envelope.engine} engine"
    if envelope.model:
        made += f", {envelope.model}"
    if envelope.prompt:
        made += f", prompt {envelope.prompt.name} v{envelope.prompt.version}"
    parts.append(made)
    return " · ".join(parts)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _quote(text: str) -> str:
    return "“" + " ".join(text.split()) + "”"


def render_markdown(envelope: Envelope) -> str:
    """Render the brief as Markdown."""
    b = envelope.brief
    out = [f"# {b.headline}", "", f"*{_provenance(envelope)}*", "", b.summary, ""]
    out += ["## Key facts", ""]
    for i, fact in enumerate(b.key_facts, 1):
        out.append(f"{i}. **{fact.statement}**  ")
        out.append(f"   > {_quote(fact.evidence)}  ")
        out.append(f"   — {fact.attribution}")
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
        for c in b.sourcing_caveats:
            out.append(f"- **{CAVEAT_LABELS[c.kind]}**: {c.detail} {_quote(c.evidence)}")
        out.append("")
    if envelope.warnings:
        out += ["## Warnings", ""]
        out += [f"- `{w.code}`: {w.message}" for w in envelope.warnings]
        out.append("")
    return "\n".join(out)


def render_text(envelope: Envelope, width: int = 88) -> str:
    """Render the brief as plain, wrapped text."""
    b = envelope.brief

    def wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
        return textwrap.wrap(
            " ".join(text.split()),
            width=width,
            initial_indent=first if first is not None else indent,
            subsequent_indent=indent,
        ) or [first or indent]

    out = [b.headline.upper(), _provenance(envelope), ""]
    out += wrap(b.summary)
    out += ["", "KEY FACTS"]
    for i, fact in enumerate(b.key_facts, 1):
        out += wrap(fact.statement, "    ", f"{i:>2}. ")
        out += wrap(f"{_quote(fact.evidence)} ({fact.attribution})", "    ")
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
        for c in b.sourcing_caveats:
            line = f"{CAVEAT_LABELS[c.kind]}: {c.detail} {_quote(c.evidence)}"
            out += wrap(line, "    ", "  - ")
    if envelope.warnings:
        out += ["", "WARNINGS"]
        for w in envelope.warnings:
            out += wrap(f"{w.code}: {w.message}", "    ", "  - ")
    return "\n".join(out) + "\n"
