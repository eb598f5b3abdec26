"""What a comparison computes from the texts, whichever engine compared them.

Every quote a comparison gives is located in its article (`verify.quotes`); the sources, each
source's sourcing profile and which source names which stakeholder come from the articles and
their briefs, never from a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from briefer.schema import Envelope, StakeholderKind, Usage
from briefer.schema.comparison import (
    ComparedSource,
    Comparison,
    Conflict,
    Quote,
    SharedFact,
    SourcingSide,
    StakeholderCoverage,
)
from briefer.verify.quotes import locate


@dataclass(frozen=True)
class Compared:
    """One article to compare: its brief and its text."""

    envelope: Envelope
    text: str


def verified_quote(
    source: int, text: str, items: list[Compared], attribution: str | None = None
) -> Quote:
    """A quote of source `source`, with where (and whether) it was found in that article."""
    found = locate(text, items[source].text)
    return Quote(
        source=source,
        text=text,
        attribution=attribution,
        status=found.status,
        start=found.start,
        end=found.end,
    )


def assemble(
    items: list[Compared],
    *,
    engine: str,
    model: str | None = None,
    agreed: list[SharedFact],
    partial: list[SharedFact],
    unique: list[SharedFact],
    conflicts: list[Conflict],
    warnings: list[str] | None = None,
    usage: Usage | None = None,
) -> Comparison:
    """A Comparison of `items`: the engine's facts and conflicts, the rest from the texts.

    The warnings of each compared brief come first, marked with their source.
    """
    return Comparison(
        created_at=datetime.now(UTC),
        engine=engine,
        model=model,
        sources=[_source(i, item) for i, item in enumerate(items)],
        agreed=agreed,
        partial=partial,
        unique=unique,
        conflicts=conflicts,
        stakeholders=_stakeholders(items),
        sourcing=[_sourcing(i, item.envelope) for i, item in enumerate(items)],
        warnings=[*_article_warnings(items), *(warnings or [])],
        usage=usage or Usage(),
        brief_usage=Usage.total([item.envelope.usage for item in items]),
    )


def _article_warnings(items: list[Compared]) -> list[str]:
    """Every warning of every compared brief (an injection attempt, hidden text), by source."""
    return [
        f"[{i + 1}] {w.code}: {w.message}"
        for i, item in enumerate(items)
        for w in item.envelope.warnings
    ]


# "Sierra Nevada Corp" and "Sierra Nevada Corporation" are one company.
_COMPANY_SUFFIX = re.compile(
    r"[\s,]+(?:corp|corporation|inc|incorporated|co|company|ltd|limited|llc|plc)\.?$",
    re.IGNORECASE,
)


def _stakeholders(items: list[Compared]) -> list[StakeholderCoverage]:
    """Every stakeholder any brief names (once, whatever its company suffix), with the sources
    whose text names it (a person's surname is enough)."""
    seen: dict[str, tuple[str, StakeholderKind]] = {}
    for item in items:
        for s in item.envelope.brief.stakeholders:
            key = _COMPANY_SUFFIX.sub("", s.name.lower()).removeprefix("the ").strip()
            seen.setdefault(key or s.name.lower(), (s.name, s.kind))
    out = []
    for name, kind in seen.values():
        probe = name.split()[-1] if kind is StakeholderKind.PERSON else name
        sources = [i for i, item in enumerate(items) if probe.lower() in item.text.lower()]
        out.append(StakeholderCoverage(name=name, kind=kind, sources=sources))
    return sorted(out, key=lambda s: (-len(s.sources), s.name.lower()))


def _source(index: int, item: Compared) -> ComparedSource:
    art = item.envelope.article
    return ComparedSource(
        index=index,
        source=art.source,
        title=art.title,
        site_name=art.site_name,
        published=art.published,
    )


def _sourcing(index: int, envelope: Envelope) -> SourcingSide:
    s = envelope.sourcing
    return SourcingSide(
        source=index,
        attributions=s.attributions,
        named=s.named,
        anonymous=s.anonymous,
        unnamed_institution=s.unnamed_institution,
        anonymous_share=s.anonymous_share,
        declined_comment=len(s.declined_comment),
    )
