"""Sourcing caveats, straight from the sourcing analysis, each with its evidence span."""

from __future__ import annotations

from briefer.engines.offline.facts import _NUMBER
from briefer.engines.offline.questions import _clause_around
from briefer.schema import (
    CaveatKind,
    SourcingCaveat,
)
from briefer.text import one_line, sentence_bounds
from briefer.verify.sourcing import Attribution, SourceKind, SourcingProfile

MAX_CAVEATS = 12
_CAVEAT_ORDER = {
    CaveatKind.ANONYMOUS_SOURCE: 0,
    CaveatKind.UNNAMED_INSTITUTION: 1,
    CaveatKind.SINGLE_SOURCE: 2,
    CaveatKind.DECLINED_COMMENT: 3,
    CaveatKind.UNVERIFIED_NUMBER: 4,
}


def _caveats(text: str, profile: SourcingProfile) -> list[SourcingCaveat]:
    caveats: list[SourcingCaveat] = []
    total = len(profile.attributions)
    for kind, source_kind, label in (
        (CaveatKind.ANONYMOUS_SOURCE, SourceKind.ANONYMOUS, "to anonymous sources"),
        (CaveatKind.UNNAMED_INSTITUTION, SourceKind.UNNAMED_INSTITUTION, "to unnamed institutions"),
    ):
        matching = [a for a in profile.attributions if a.kind is source_kind]
        introduced = [a for a in matching if not a.refers_back] or matching
        for i, (source, group) in enumerate(_group_by_source(introduced)[:3]):
            detail = f"Attributed to {source}"
            if i == 0:
                detail += f"; {len(matching)} of {total} attributions in the article go {label}"
            caveats.append(
                SourcingCaveat(
                    kind=kind,
                    detail=one_line(detail + ".", 400, at_word=True),
                    evidence=_evidence(text, group[0].start, group[0].end),
                )
            )
    seen_claims: set[tuple[str, str]] = set()
    for claim in profile.single_source:
        if (claim.source, claim.reason) in seen_claims or len(seen_claims) >= 2:
            continue
        seen_claims.add((claim.source, claim.reason))
        caveats.append(
            SourcingCaveat(
                kind=CaveatKind.SINGLE_SOURCE,
                detail=one_line(
                    f"Rests on a single source ({claim.source}): {claim.reason}.", 400, at_word=True
                ),
                evidence=_evidence(text, claim.sentence_start, claim.sentence_end),
            )
        )
    for finding in profile.declined[:3]:
        caveats.append(
            SourcingCaveat(
                kind=CaveatKind.DECLINED_COMMENT,
                detail=one_line(
                    f"Comment declined or details withheld: “{finding.text}”.", 400, at_word=True
                ),
                evidence=_evidence(text, finding.start, finding.end, widen=True),
            )
        )
    for finding in profile.unverified[:2]:
        clause = _clause_around(text, finding.start, finding.end)
        caveats.append(
            SourcingCaveat(
                kind=CaveatKind.UNVERIFIED_NUMBER
                if _NUMBER.search(clause)
                else CaveatKind.SINGLE_SOURCE,
                detail="The article says this is unverified or disputed.",
                evidence=_evidence(text, finding.start, finding.end, widen=True),
            )
        )
    for finding in profile.hedged[:3]:
        caveats.append(
            SourcingCaveat(
                kind=CaveatKind.UNVERIFIED_NUMBER,
                detail=one_line(
                    f"A hedged or vague quantity: “{finding.text}”.", 400, at_word=True
                ),
                evidence=_evidence(text, finding.start, finding.end, widen=True),
            )
        )
    return _round_robin(caveats, MAX_CAVEATS)


def _round_robin(caveats: list[SourcingCaveat], limit: int) -> list[SourcingCaveat]:
    """Keep every kind represented when there are more caveats than room."""
    by_kind: dict[CaveatKind, list[SourcingCaveat]] = {}
    for caveat in caveats:
        by_kind.setdefault(caveat.kind, []).append(caveat)
    chosen: list[SourcingCaveat] = []
    depth = 0
    while len(chosen) < min(limit, len(caveats)):
        for group in by_kind.values():
            if depth < len(group) and len(chosen) < limit:
                chosen.append(group[depth])
        depth += 1
    return sorted(chosen, key=lambda c: (_CAVEAT_ORDER.get(c.kind, 9), caveats.index(c)))


def _group_by_source(attributions: list[Attribution]) -> list[tuple[str, list[Attribution]]]:
    groups: dict[str, list[Attribution]] = {}
    names: dict[str, str] = {}
    for attribution in attributions:
        key = attribution.source.lower()
        groups.setdefault(key, []).append(attribution)
        names.setdefault(key, attribution.source)
    return sorted(
        ((names[k], g) for k, g in groups.items()), key=lambda p: (-len(p[1]), p[1][0].start)
    )


def _evidence(text: str, start: int, end: int, *, widen: bool = False) -> str:
    """A verbatim span for a caveat: the finding, widened to its clause when asked."""
    if widen:
        left, right = sentence_bounds(text, start, end)
        while left < start and text[left] in ' \n"“':
            left += 1
        if right - left <= 600:
            start, end = left, right
    span = text[start:end].strip()
    return span if len(span) <= 600 else span[:600].rsplit(" ", 1)[0]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"
