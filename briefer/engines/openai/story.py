"""The LLM's story draft (`prompts/story.toml`), made a StoryBrief by code.

* **Quotes** are each located in the article of the outlet they are given for, never in
  another outlet's: one not found there is kept, marked missing, and counted in a warning, as a
  comparison's are (`Briefer` in strict mode drops them:
  `briefer.verify.coverage.verified_only`). A quote naming an
  outlet that does not exist is dropped, with a warning.
* **Where they differ**: one claim per outlet; a difference left with fewer than two outlets is
  dropped. A figure given bare ("1,200") takes its unit and hedge from its quote ("about 1,200
  residents"); a quantity difference whose figures can all be true together ("about 40,000"
  and "40,000") is left out, with a warning: it is not a difference.
* **What they agree on**: each fact once, with one quote per outlet, those every outlet reports
  first; a fact left with one outlet joins what only one outlet reports. A fact quoted where
  they differ is not shown again.
* **What only one reports**: in the model's order (most important first).
* The outlets, who is involved and how each outlet sources the story come from the articles
  and their briefs, never from the model (as for a comparison: `briefer.verify.coverage`).
"""

from __future__ import annotations

from itertools import combinations

from briefer.engines.offline.compare import can_both_be_true, quantities
from briefer.engines.offline.story import MAX_STAKEHOLDERS, outlets_sourcing
from briefer.schema import PromptInfo, Usage
from briefer.schema.comparison import Conflict, Quote, SharedFact
from briefer.schema.story import StoryBrief, StoryDraft, StoryDraftClaim
from briefer.text import one_line
from briefer.verify.coverage import Compared, assemble, shared_fact, verified_quote


def story_from_draft(
    draft: StoryDraft,
    items: list[Compared],
    *,
    model: str | None,
    prompt: PromptInfo | None,
    notes: list[str],
    usage: Usage | None = None,
) -> StoryBrief:
    """Turn the model's draft into a StoryBrief: every quote re-verified against its own
    outlet's article (the rules are in the module docstring)."""
    n = len(items)
    warnings = list(notes)
    unknown = 0

    def own(pairs: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """The (outlet, quote) pairs of outlets that exist, the first of each outlet."""
        nonlocal unknown
        kept: dict[int, str] = {}
        for source, quote in pairs:
            if not 0 <= source < n:
                unknown += 1
            else:
                kept.setdefault(source, quote)
        return list(kept.items())

    differ, unknown = _differences(draft, items, warnings)
    in_differ = {(q.source, q.text) for c in differ for q in c.quotes}

    agreed: list[SharedFact] = []
    only_one: list[SharedFact] = []
    facts = [(f.statement, own([(q.source, q.quote) for q in f.quotes])) for f in draft.agreed]
    facts += [(o.statement, own([(o.source, o.quote)])) for o in draft.only_one]
    for statement, pairs in facts:
        if not pairs or any(pair in in_differ for pair in pairs):
            continue
        fact = shared_fact(statement, [verified_quote(s, q, items) for s, q in pairs], n)
        (agreed if len(fact.sources) > 1 else only_one).append(fact)
    agreed.sort(key=lambda f: len(f.sources) < n)  # every outlet's first, else in order

    if unknown:
        warnings.append(f"dropped {unknown} quote(s) naming an outlet that does not exist")
    missing = sum(q.status == "missing" for q in _quotes(agreed, differ, only_one))
    if missing:
        warnings.append(
            f"{missing} quote(s) of the story brief were not found in their own outlet's article"
        )
    frame = assemble(
        items, engine="openai", model=model, agreed=[], partial=[], unique=[], conflicts=[]
    )
    return StoryBrief(
        created_at=frame.created_at,
        engine="openai",
        model=model,
        prompt=prompt,
        headline=one_line(draft.headline),
        sources=frame.sources,
        agreed=agreed,
        differ=differ,
        only_one=only_one,
        only_one_more=0,
        stakeholders=frame.stakeholders[:MAX_STAKEHOLDERS],
        sourcing=outlets_sourcing(frame, items),
        usage=usage or Usage(),
        warnings=[*frame.warnings, *warnings],
    )


def _differences(
    draft: StoryDraft, items: list[Compared], warnings: list[str]
) -> tuple[list[Conflict], int]:
    """The draft's differences between outlets, each outlet's first claim with its quote
    verified; a difference in figures that can all be true is left out, with a warning. Also
    how many claims named an outlet that does not exist."""
    n = len(items)
    unknown = 0
    differ: list[Conflict] = []
    for difference in draft.differ:
        claims: list[StoryDraftClaim] = []
        for claim in difference.claims:
            if not 0 <= claim.source < n:
                unknown += 1
            elif all(claim.source != c.source for c in claims):
                claims.append(claim)  # the first claim of each outlet
        if len(claims) < 2:
            continue
        values = {c.source: one_line(c.value) for c in claims}
        if difference.kind == "quantity":
            values = {c.source: _with_unit(values[c.source], c.quote) for c in claims}
            if _can_all_be_true(list(values.values())):
                warnings.append(
                    f"left out a difference the figures do not make ({difference.topic}: "
                    f"{' / '.join(values.values())} can all be true)"
                )
                continue
        differ.append(
            Conflict(
                kind=difference.kind,
                topic=one_line(difference.topic),
                values=values,
                quotes=[verified_quote(c.source, c.quote, items) for c in claims],
            )
        )
    return differ, unknown


def _quotes(*groups: list[SharedFact] | list[Conflict]) -> list[Quote]:
    return [q for group in groups for entry in group for q in entry.quotes]


def _with_unit(value: str, quote: str) -> str:
    """A bare figure ("1,200") as its quote gives it, with unit and hedge ("about 1,200
    residents"); any other value as it is."""
    if any(ch.isalpha() for ch in value):
        return value
    try:
        amount = float(value.replace(",", "").strip())
    except ValueError:
        return value
    for _unit, written, number, _hedge in quantities(quote):
        if number == amount:
            return written
    return value


def _can_all_be_true(values: list[str]) -> bool:
    """Whether figures of one counted thing can all be right together ("about 40,000" and
    "40,000"); False when any value is not one figure of the same unit."""
    parsed = [quantities(v) for v in values]
    if any(len(p) != 1 for p in parsed) or len({p[0][0] for p in parsed}) != 1:
        return False
    figures = [(p[0][2], p[0][3]) for p in parsed]
    return all(can_both_be_true(a, b) for a, b in combinations(figures, 2))
