"""What a comparison computes from the texts, whichever engine compared them.

Every quote a comparison gives is located in its article (`verify.quotes`); the sources, each
source's sourcing profile and which source names which stakeholder come from the articles and
their briefs, never from a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import BaseModel

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
from briefer.text import one_line
from briefer.verify.quotes import locate

if TYPE_CHECKING:
    from briefer.schema.story import StoryBrief

M = TypeVar("M", bound=BaseModel)


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


def shared_fact(statement: str, quotes: list[Quote], outlets: int) -> SharedFact:
    """A fact with its quotes, reported by the sources they name (of `outlets` in all)."""
    sources = sorted({q.source for q in quotes})
    coverage: Literal["all", "some", "one"] = (
        "all" if len(sources) == outlets else "some" if len(sources) > 1 else "one"
    )
    return SharedFact(
        statement=one_line(statement), sources=sources, coverage=coverage, quotes=quotes
    )


def verified_only(story: StoryBrief) -> StoryBrief:
    """The story brief without the quotes that were not found in their own outlet's article
    (strict mode): a fact left with no quote, or a difference with fewer than two outlets, is
    dropped; a fact several outlets reported left with one joins what only one reports."""
    n = len(story.sources)
    dropped = 0
    differ = []
    for conflict in story.differ:
        quotes = [q for q in conflict.quotes if q.status != "missing"]
        dropped += len(conflict.quotes) - len(quotes)
        if len(quotes) < 2:
            continue
        values = {
            q.source: conflict.values[q.source] for q in quotes if q.source in conflict.values
        }
        differ.append(conflict.model_copy(update={"quotes": quotes, "values": values}))
    agreed: list[SharedFact] = []
    only_one: list[SharedFact] = []
    for fact in [*story.agreed, *story.only_one]:
        quotes = [q for q in fact.quotes if q.status != "missing"]
        dropped += len(fact.quotes) - len(quotes)
        if quotes:
            kept = shared_fact(fact.statement, quotes, n)
            (agreed if len(kept.sources) > 1 else only_one).append(kept)
    if not dropped:
        return story
    note = (
        f"strict mode dropped {dropped} quote(s) not found in their own outlet's article, and "
        "what was left without them"
    )
    update = {"agreed": agreed, "differ": differ, "only_one": only_one}
    return story.model_copy(update={**update, "warnings": [*story.warnings, note]})


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
        sources=[
            _copied(ComparedSource, item.envelope.article, index=i) for i, item in enumerate(items)
        ],
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


def _copied(model: type[M], origin: BaseModel, /, **given: object) -> M:
    """A `model` with the `given` fields, every other one copied from `origin`'s of that name."""
    copied = {name: getattr(origin, name) for name in model.model_fields if name not in given}
    return model(**copied, **given)


def _sourcing(index: int, envelope: Envelope) -> SourcingSide:
    s = envelope.sourcing
    return _copied(SourcingSide, s, source=index, declined_comment=len(s.declined_comment))
