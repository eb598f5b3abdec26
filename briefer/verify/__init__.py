"""Check a brief against its article by code, whatever engine made it.

`check_brief` runs on every brief, in this order:

1. Links, Markdown links and images in the brief that the article does not contain are
   removed (warning `foreign_link_removed`).
2. The rule-based sourcing analysis (`briefer.analysis.sourcing`) runs on the article.
   Anonymous and unnamed-institution sources that the engine's caveats do not cover are added
   as caveats with origin "rules".
3. Every evidence quote (key facts and caveats) is located in the article (`briefer.verify.quotes`):
   exact, fuzzy or missing, with offsets. With `strict`, what is still missing is dropped, and
   a brief left with no key fact is an error.
4. Instruction-like or hidden text in the article is reported with offsets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from briefer.analysis.sourcing import Attribution, SourceKind, SourcingProfile, analyze_sourcing
from briefer.errors import EngineError
from briefer.inputs.article import Article
from briefer.schema import (
    Brief,
    CaveatCheck,
    CaveatKind,
    Envelope,
    KeyFact,
    Notice,
    QuoteCheck,
    SourcingCaveat,
    SourcingSummary,
    SpanRef,
    Verification,
)
from briefer.text import sentences
from briefer.text.chunking import truncate_article
from briefer.text.tokens import TokenCounter
from briefer.text.untrusted import find_suspicious, remove_foreign_links
from briefer.verify.quotes import FUZZY_THRESHOLD, Located, locate

if TYPE_CHECKING:
    from briefer.engines import EngineResult

MAX_CAVEATS = 12
Origin = Literal["model", "rules"]

_RULE_KINDS = {
    SourceKind.ANONYMOUS: CaveatKind.ANONYMOUS_SOURCE,
    SourceKind.UNNAMED_INSTITUTION: CaveatKind.UNNAMED_INSTITUTION,
}


class UnverifiedBriefError(EngineError):
    """With --strict, no key fact of the brief could be found in the article."""


@dataclass(frozen=True)
class CheckedBrief:
    """A brief after verification, with everything the envelope reports about it."""

    brief: Brief
    verification: Verification
    sourcing: SourcingSummary
    notices: list[Notice]


def check_brief(
    article: Article,
    brief: Brief,
    *,
    origin: Origin,
    strict: bool = False,
    profile: SourcingProfile | None = None,
    rule_caveats: Sequence[SourcingCaveat] = (),
) -> CheckedBrief:
    """Verify `brief` against `article`; `origin` says who wrote its caveats.

    A model's caveats are cross-checked against the sourcing analysis: an anonymous or unnamed
    source they leave out gets a caveat of its own. Rules' caveats come from that analysis
    already (and say how many more there are when they list only some). `rule_caveats` are
    caveats our own code raises (such as partial coverage); they are added first, with origin
    "rules".
    """
    text = article.text
    notices: list[Notice] = []
    brief = _without_foreign_links(brief, text, notices)
    profile = profile if profile is not None else analyze_sourcing(text)
    origins: list[Origin] = [origin] * len(brief.sourcing_caveats)
    caveat_spots = [locate(c.evidence, text) for c in brief.sourcing_caveats]
    fact_spots = [locate(f.evidence, text) for f in brief.key_facts]

    added = [(locate(c.evidence, text), c) for c in rule_caveats]
    if origin == "model":  # rules already report every source they find, or how many more
        added += [
            (Located("exact", a.start, a.end, 100.0), c)
            for a, c in _uncovered_sources(text, brief.sourcing_caveats, caveat_spots, profile)
        ]
    room = MAX_CAVEATS - len(brief.sourcing_caveats)
    if len(added) > room:
        notices.append(
            Notice(
                code="caveats_truncated",
                message=f"{len(added) - room} rule-based sourcing caveats did not fit the brief",
            )
        )
        added = added[: max(room, 0)]
    caveats = [*brief.sourcing_caveats]
    for spot, caveat in added:
        caveats.append(caveat)
        caveat_spots.append(spot)
        origins.append("rules")

    facts = list(brief.key_facts)
    if strict:
        found = _only_found(_Located(facts, fact_spots, caveats, caveat_spots, origins), notices)
        facts, fact_spots, caveats = found.facts, found.fact_spots, found.caveats
        caveat_spots, origins = found.caveat_spots, found.origins
    brief = brief.model_copy(update={"key_facts": facts, "sourcing_caveats": caveats})
    verification = _verification(fact_spots, caveat_spots, origins)
    if verification.missing:
        notices.append(
            Notice(
                code="unverified_quotes",
                message=f"{verification.missing} of {len(fact_spots) + len(caveat_spots)} "
                "evidence quotes were not found in the article",
            )
        )
    notices += _suspicious(text)
    return CheckedBrief(brief, verification, sourcing_summary(profile), notices)


@dataclass
class _Located:
    """A brief's facts and caveats, each with where its quote stands and who wrote it."""

    facts: list[KeyFact]
    fact_spots: list[Located]
    caveats: list[SourcingCaveat]
    caveat_spots: list[Located]
    origins: list[Origin]


def _only_found(items: _Located, notices: list[Notice]) -> _Located:
    """Strict mode: keep only the facts and caveats whose quotes are in the article."""
    kept = [i for i, spot in enumerate(items.fact_spots) if spot.status != "missing"]
    kept_caveats = [i for i, spot in enumerate(items.caveat_spots) if spot.status != "missing"]
    dropped = len(items.facts) - len(kept) + len(items.caveats) - len(kept_caveats)
    if not kept:
        raise UnverifiedBriefError(
            "strict mode: none of the brief's key facts could be found in the article",
            fix="try another model, or turn off {strict} to see the unverified brief",
        )
    if dropped:
        notices.append(
            Notice(
                code="dropped_unverified",
                message=f"strict mode dropped {dropped} item(s) whose quotes are not in "
                "the article",
            )
        )
    return _Located(
        [items.facts[i] for i in kept],
        [items.fact_spots[i] for i in kept],
        [items.caveats[i] for i in kept_caveats],
        [items.caveat_spots[i] for i in kept_caveats],
        [items.origins[i] for i in kept_caveats],
    )


def _suspicious(text: str) -> list[Notice]:
    """A notice for each instruction-like passage or hidden text in the article."""
    notices = []
    for found in find_suspicious(text):
        what = "instruction-like text" if found.code == "instruction_like_text" else "hidden text"
        notices.append(
            Notice(
                code=found.code,
                message=f"the article contains {what} ({found.text[:80]}); it was treated as data",
                start=found.start,
                end=found.end,
            )
        )
    return notices


def cut_to_fit(
    article: Article, max_tokens: int, counter: TokenCounter
) -> tuple[Article, SourcingCaveat | None]:
    """The article cut after the last sentence within `max_tokens`, with the caveat that says
    what the brief does not cover; the article itself, and no caveat, when it fits."""
    kept = truncate_article(article.text, max_tokens, counter)
    if kept is None:
        return article, None
    cut = Article(text=kept.text, source=article.source, title=article.title)
    tail = sentences(kept.text)[-1].text
    caveat = SourcingCaveat(
        kind=CaveatKind.PARTIAL_COVERAGE,
        detail=(
            f"The brief covers only the first {cut.words:,} of the article's "
            f"{article.words:,} words (cut at {max_tokens:,} input tokens); "
            "it ends after the sentence quoted here."
        ),
        evidence=tail[-600:],
    )
    return cut, caveat


def verified_envelope(
    article: Article,
    result: EngineResult,
    *,
    engine: str,
    origin: Origin,
    strict: bool = False,
    rule_caveats: Sequence[SourcingCaveat] = (),
    profile: SourcingProfile | None = None,
) -> Envelope:
    """Verify the brief an engine made of `article` (`check_brief`) and wrap it with where
    it came from, how it was made and what was found: the envelope."""
    checked = check_brief(
        article,
        result.brief,
        origin=origin,
        strict=strict,
        rule_caveats=rule_caveats,
        profile=profile,
    )
    return Envelope(
        article=article.info(),
        brief=checked.brief,
        engine=engine,
        model=result.model,
        prompt=result.prompt,
        usage=result.usage,
        created_at=datetime.now(UTC),
        warnings=[
            *(Notice(code=code, message=message) for code, message in article.notes),
            *result.notices,
            *checked.notices,
        ],
        verification=checked.verification,
        sourcing=checked.sourcing,
    )


def sourcing_summary(profile: SourcingProfile) -> SourcingSummary:
    """Describe an article's sourcing profile for the envelope."""
    counts = profile.counts

    def refs(findings: Any) -> list[SpanRef]:
        return [SpanRef(text=f.text, start=f.start, end=f.end) for f in findings]

    return SourcingSummary(
        attributions=profile.total,
        named=profile.named_count,
        anonymous=counts[SourceKind.ANONYMOUS],
        unnamed_institution=counts[SourceKind.UNNAMED_INSTITUTION],
        anonymous_share=round(profile.anonymous_share, 3),
        declined_comment=refs(profile.declined),
        hedged_numbers=refs(profile.hedged),
        unverified=refs(profile.unverified),
    )


def _verification(
    facts: list[Located], caveats: list[Located], origins: list[Origin]
) -> Verification:
    every = [*facts, *caveats]
    counts = {
        status: sum(1 for s in every if s.status == status)
        for status in ("exact", "fuzzy", "missing")
    }
    return Verification(
        key_facts=[_check(s) for s in facts],
        sourcing_caveats=[
            CaveatCheck(status=s.status, start=s.start, end=s.end, score=s.score, origin=o)
            for s, o in zip(caveats, origins, strict=True)
        ],
        exact=counts["exact"],
        fuzzy=counts["fuzzy"],
        missing=counts["missing"],
        grounded_ratio=round((counts["exact"] + counts["fuzzy"]) / len(every), 3) if every else 1.0,
        fuzzy_threshold=FUZZY_THRESHOLD,
    )


def _check(spot: Located) -> QuoteCheck:
    return QuoteCheck(status=spot.status, start=spot.start, end=spot.end, score=spot.score)


def _uncovered_sources(
    text: str, caveats: list[SourcingCaveat], spots: list[Located], profile: SourcingProfile
) -> list[tuple[Attribution, SourcingCaveat]]:
    """Anonymous or unnamed-institution sources that no caveat of the brief covers."""
    covered_kinds = {c.kind for c in caveats}
    mentioned = " ".join(f"{c.detail} {c.evidence}" for c in caveats).lower()
    spans = [(s.start, s.end) for s in spots if s.start is not None and s.end is not None]
    out: list[tuple[Attribution, SourcingCaveat]] = []
    seen: set[str] = set()
    for attribution in profile.attributions:
        kind = _RULE_KINDS.get(attribution.kind)
        if kind is None:
            continue
        source = attribution.source.lower()
        if source in seen:
            continue
        if attribution.refers_back and kind in covered_kinds:
            continue  # "the people" refers to a source a caveat already covers
        if source in mentioned or any(
            s < attribution.sentence_end and attribution.sentence_start < e for s, e in spans
        ):
            continue
        seen.add(source)
        label = (
            "an anonymous source"
            if kind is CaveatKind.ANONYMOUS_SOURCE
            else ("an unnamed institution or official")
        )
        out.append(
            (
                attribution,
                SourcingCaveat(
                    kind=kind,
                    detail=f"Attributed to {label}: {attribution.source}."[:400],
                    evidence=text[attribution.start : attribution.end],
                ),
            )
        )
    return out


def _without_foreign_links(brief: Brief, article: str, notices: list[Notice]) -> Brief:
    dumped = brief.model_dump_json()
    if "://" not in dumped and "www." not in dumped.lower() and "](" not in dumped:
        return brief  # nothing link-like at all: the common case, checked cheaply
    removed: list[str] = []

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            text, gone = remove_foreign_links(value, article)
            removed.extend(gone)
            return text or "[link removed]"
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    cleaned = clean(brief.model_dump(mode="json"))
    for url in dict.fromkeys(removed):
        notices.append(
            Notice(
                code="foreign_link_removed",
                message=f"removed a link that is not in the article: {url[:200]}",
            )
        )
    return Brief.model_validate(cleaned) if removed else brief
