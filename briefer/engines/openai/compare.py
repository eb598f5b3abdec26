"""The LLM's comparison draft, made a Comparison: every quote re-verified against its article."""

from __future__ import annotations

from typing import Literal

from briefer.schema import Usage
from briefer.schema.comparison import Comparison, ComparisonDraft, Conflict, SharedFact
from briefer.verify.coverage import Compared, assemble, verified_quote

Coverage = Literal["all", "some", "one"]


def comparison_from_draft(
    draft: ComparisonDraft,
    items: list[Compared],
    model: str | None,
    warnings: list[str],
    usage: Usage | None = None,
) -> Comparison:
    """Turn the LLM's draft into a Comparison: every quote re-verified against its article."""
    n = len(items)
    warnings = list(warnings)
    every = set(range(n))
    facts: dict[Coverage, list[SharedFact]] = {"all": [], "some": [], "one": []}
    for fact in draft.facts:
        quotes = [
            verified_quote(q.source, q.quote, items) for q in fact.quotes if 0 <= q.source < n
        ]
        if len(quotes) < len(fact.quotes):
            warnings.append(f"dropped quotes naming a source that does not exist: {fact.statement}")
        if not quotes:
            continue
        sources = sorted({q.source for q in quotes})
        coverage: Coverage = (
            "all" if set(sources) == every else "some" if len(sources) > 1 else "one"
        )
        facts[coverage].append(
            SharedFact(statement=fact.statement, sources=sources, coverage=coverage, quotes=quotes)
        )
    conflicts = []
    for conflict in draft.conflicts:
        claims = [c for c in conflict.claims if 0 <= c.source < n]
        if len({c.source for c in claims}) < 2:
            continue
        conflicts.append(
            Conflict(
                kind=conflict.kind,
                topic=conflict.topic,
                values={c.source: c.value for c in claims},
                quotes=[verified_quote(c.source, c.quote, items) for c in claims],
            )
        )
    missing = sum(
        q.status == "missing" for group in facts.values() for f in group for q in f.quotes
    ) + sum(q.status == "missing" for c in conflicts for q in c.quotes)
    if missing:
        warnings.append(f"{missing} quotes of the comparison were not found in their articles")
    return assemble(
        items,
        engine="openai",
        model=model,
        agreed=facts["all"],
        partial=facts["some"],
        unique=facts["one"],
        conflicts=conflicts,
        warnings=warnings,
        usage=usage,
    )
