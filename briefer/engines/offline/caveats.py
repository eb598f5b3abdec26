"""Sourcing caveats, straight from the sourcing analysis: one caveat per kind of concern.

Each caveat names what the analysis found in the article's own words: its detail quotes the
phrases (as many as fit, then how many more there are), its evidence is the first of them, a
short verbatim span rather than a whole sentence. Kinds, in order: anonymous sources, unnamed
institutions, claims resting on a single source, declined comment, unverified claims, hedged
numbers.
"""

from __future__ import annotations

from collections.abc import Iterable

from briefer.analysis.sourcing import Attribution, Finding, SourceKind, SourcingProfile
from briefer.engines.offline.facts import _NUMBER
from briefer.schema import CaveatKind, SourcingCaveat
from briefer.text import one_line, sentence_bounds

MAX_DETAIL = 400  # the schema's limit for a caveat's detail
MAX_EVIDENCE = 600
MAX_SINGLE_SOURCE = 2


def _caveats(text: str, profile: SourcingProfile) -> list[SourcingCaveat]:
    """The caveats of an article, from its sourcing profile."""
    total = len(profile.attributions)
    caveats: list[SourcingCaveat] = []
    for kind, source_kind, what in (
        (CaveatKind.ANONYMOUS_SOURCE, SourceKind.ANONYMOUS, "anonymous sources"),
        (CaveatKind.UNNAMED_INSTITUTION, SourceKind.UNNAMED_INSTITUTION, "unnamed institutions"),
    ):
        matching = [a for a in profile.attributions if a.kind is source_kind]
        if matching:
            lead = f"{len(matching)} of {total} attributions go to {what}"
            caveats.append(_listing(kind, lead, _attribution_spans(text, matching)))
    seen: set[str] = set()
    for claim in profile.single_source:
        if claim.source.lower() in seen or len(seen) >= MAX_SINGLE_SOURCE:
            continue
        seen.add(claim.source.lower())
        sentence = text[claim.sentence_start : claim.sentence_end].strip()
        source = claim.source
        if source.split(" ", 1)[0] in ("The", "A", "An"):
            source = source[0].lower() + source[1:]  # "The diplomat" opened its sentence
        caveats.append(
            SourcingCaveat(
                kind=CaveatKind.SINGLE_SOURCE,
                detail=one_line(
                    f"Rests only on {source}, {claim.reason}.", MAX_DETAIL, at_word=True
                ),
                evidence=_clip(sentence),
            )
        )
    # An unverified claim about a figure is an unverified number; any other rests on its source.
    numeric = [f for f in profile.unverified if _NUMBER.search(_sentence(text, f))]
    other = [f for f in profile.unverified if f not in numeric]
    for kind, findings, lead in (
        (CaveatKind.DECLINED_COMMENT, profile.declined, "Comment declined or withheld"),
        (
            CaveatKind.SINGLE_SOURCE,
            other,
            "Rests on its source alone: the article could not verify it",
        ),
        (CaveatKind.UNVERIFIED_NUMBER, numeric, "The article calls this figure unverified"),
        (CaveatKind.UNVERIFIED_NUMBER, profile.hedged, "Hedged or estimated numbers"),
    ):
        if findings:
            caveats.append(_listing(kind, lead, _finding_spans(findings)))
    return caveats


def _sentence(text: str, finding: Finding) -> str:
    start, end = sentence_bounds(text, finding.start, finding.end)
    return text[start:end]


def _listing(kind: CaveatKind, lead: str, spans: list[str]) -> SourcingCaveat:
    """One caveat quoting `spans` in its detail (as many as fit), the first as its evidence."""
    quoted: list[str] = []
    for i, span in enumerate(spans):
        more = len(spans) - i - 1
        tail = f" and {more} more" if more else ""
        candidate = f"{lead}: " + ", ".join([*quoted, f"“{one_line(span)}”"]) + tail + "."
        if len(candidate) > MAX_DETAIL and quoted:
            break
        quoted.append(f"“{one_line(span)}”")
    rest = len(spans) - len(quoted)
    detail = f"{lead}: " + ", ".join(quoted) + (f" and {rest} more" if rest else "") + "."
    detail = one_line(detail, MAX_DETAIL, at_word=True)
    return SourcingCaveat(kind=kind, detail=detail, evidence=_clip(spans[0]))


def _attribution_spans(text: str, attributions: Iterable[Attribution]) -> list[str]:
    """The attribution phrases, as written, each once; sources introduced before references
    back to them ("people familiar with the matter" before "one of the people")."""
    ordered = sorted(attributions, key=lambda a: (a.refers_back, a.start))
    return _distinct(text[a.start : a.end] for a in ordered)


def _finding_spans(findings: Iterable[Finding]) -> list[str]:
    return _distinct(f.text for f in findings)


def _distinct(spans: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for span in spans:
        span = span.strip(" ,;:")
        key = one_line(span).casefold()
        if span and key not in seen:
            seen.add(key)
            out.append(span)
    return out


def _clip(span: str) -> str:
    """A verbatim span short enough for a caveat's evidence."""
    span = span.strip()
    return span if len(span) <= MAX_EVIDENCE else span[:MAX_EVIDENCE].rsplit(" ", 1)[0]
