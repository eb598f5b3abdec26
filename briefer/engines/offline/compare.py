"""Compare coverage of one story across articles, deterministically (the offline comparer).

Rules (all thresholds are constants below):

* **Claims** are the sentences of each article (six words or more, headline excluded).
* **Same fact**: two sentences from different articles share at least `MIN_SHARED` content
  words (words of four letters or more, stop words out, compared by their first six letters,
  so "evacuated" and "evacuation" meet) and those shared words are at least `MATCH_SHARE` of
  the shorter sentence's content words. Facts are the connected groups of that relation.
* **Coverage**: a fact in every article is *agreed*, in several *partial*, in one *unique*.
  Unique facts listed per source are the specific ones (a number, a date or a name), at most
  `MAX_UNIQUE` per source, in article order.
* **Quantity conflicts**: a number (digits or a number word, with its hedge: "about",
  "more than", ...) followed by a noun, e.g. "about 1,200 residents". Two sources that give
  different numbers for the same noun, in sentences that share at least `CONFLICT_SHARED`
  other content words, conflict.
* **Date conflicts**: sentences of one fact naming different weekdays or months.
* **Place conflicts**: sentences of one fact placing it ("in X", "near X", "outside X") in
  places that do not overlap at all.
* **Attribution conflicts**: sentences of one fact attributed to a named source in one
  article and to an anonymous one in another (sourcing analysis).
* **Stakeholders**: every stakeholder any brief names, with the sources whose text names
  them (a person's surname is enough).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Literal

from briefer.schema import Envelope, StakeholderKind
from briefer.schema.comparison import (
    BriefDiff,
    ComparedSource,
    Comparison,
    ComparisonDraft,
    Conflict,
    Quote,
    SharedFact,
    SourcingSide,
    StakeholderCoverage,
)
from briefer.text import Span, sentences
from briefer.text.similarity import connected_groups
from briefer.verify.quotes import locate
from briefer.verify.sourcing import SourceKind, analyze_sourcing

MIN_SHARED = 4
MATCH_SHARE = 0.34
CONFLICT_SHARED = 1
RARE_SHARED = 2
MAX_UNIQUE = 8
MIN_WORDS = 6
STEM = 6

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_STOP = frozenset(
    "that this with from have has had were been will would could should their there they them "
    "than then what when where which while about after before also into over under said says "
    "told according more most some such only other just very much many those these being does "
    "did year years week month last first second its it's his her who whom whose because since "
    "until upon onto said, across through during against among".split()
)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "twenty": 20,
}  # fmt: skip
_QUANTITY = re.compile(
    r"\b((?:about|around|roughly|nearly|almost|some|over|more than|fewer than|less than|"
    r"at least|up to|as many as|an estimated)\s+)?"
    r"(\d[\d,]*(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")\s+"
    r"(?:[a-z]+\s+){0,2}?([a-z]{3,}s)\b",
    re.IGNORECASE,
)
_NOT_UNITS = frozenset(
    "years days hours minutes weeks months seconds times percent points others ones".split()
)
_WHEN = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|"
    r"June|July|August|September|October|November|December)\b"
)
# "in Harwick", "near Dunmore": where something happened ("at the X" is more often an
# organisation or a venue than a place, so it does not count).
_PLACE = re.compile(r"\b(?:in|near|outside)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")
_SPECIFIC = re.compile(r"\d|" + _WHEN.pattern + r"|\b[A-Z][a-z]+\s+[A-Z][a-z]+")


@dataclass(frozen=True)
class Compared:
    """One article to compare: its brief and its text."""

    envelope: Envelope
    text: str


@dataclass(frozen=True)
class _Claim:
    source: int
    span: Span
    stems: frozenset[str]


def _stems(text: str) -> frozenset[str]:
    return frozenset(
        w.lower()[:STEM] for w in _WORD.findall(text) if len(w) >= 4 and w.lower() not in _STOP
    )


def compare_offline(items: list[Compared]) -> Comparison:
    """Compare the coverage of several articles without any model."""
    claims = [
        _Claim(i, span, _stems(span.text))
        for i, item in enumerate(items)
        for span in _body_sentences(item)
        if len(span.text.split()) >= MIN_WORDS
    ]
    groups = _group_claims(claims, len(items))
    every = set(range(len(items)))
    agreed, partial, unique = [], [], []
    for group in groups:
        sources = sorted({c.source for c in group})
        fact = _fact(
            group, items, "all" if set(sources) == every else "some" if len(sources) > 1 else "one"
        )
        if len(sources) == len(items):
            agreed.append(fact)
        elif len(sources) > 1:
            partial.append(fact)
        elif _SPECIFIC.search(group[0].span.text):
            unique.append(fact)
    unique = _cap_per_source(unique)
    return Comparison(
        created_at=datetime.now(UTC),
        engine="offline",
        sources=[_source(i, item) for i, item in enumerate(items)],
        agreed=agreed,
        partial=partial,
        unique=unique,
        conflicts=[
            *_quantity_conflicts(claims, items),
            *_group_conflicts(groups, items, _rare_stems(claims)),
        ],
        stakeholders=_stakeholders(items),
        sourcing=[_sourcing(i, item.envelope) for i, item in enumerate(items)],
    )


def _body_sentences(item: Compared) -> list[Span]:
    title = item.envelope.article.title
    spans = sentences(item.text)
    if title and spans and spans[0].text.strip() == title.strip():
        spans = spans[1:]
    return spans


def _group_claims(claims: list[_Claim], n_sources: int) -> list[list[_Claim]]:
    links: list[tuple[int, int]] = []
    by_source: dict[int, list[int]] = {}
    for index, claim in enumerate(claims):
        by_source.setdefault(claim.source, []).append(index)
    for a, b in combinations(range(n_sources), 2):
        for i in by_source.get(a, []):
            best, best_share = None, 0.0
            for j in by_source.get(b, []):
                shared = len(claims[i].stems & claims[j].stems)
                if shared < MIN_SHARED:
                    continue
                share = shared / max(min(len(claims[i].stems), len(claims[j].stems)), 1)
                if share >= MATCH_SHARE and share > best_share:
                    best, best_share = j, share
            if best is not None:
                links.append((i, best))
    groups = [[claims[i] for i in group] for group in connected_groups(len(claims), links)]
    return sorted(groups, key=lambda g: (g[0].source, g[0].span.start))


def _fact(group: list[_Claim], items: list[Compared], coverage: str) -> SharedFact:
    first: dict[int, _Claim] = {}
    for claim in group:
        first.setdefault(claim.source, claim)
    quotes = [_quote(c.source, c.span.text, items) for c in first.values()]
    lead = min(first.values(), key=lambda c: len(c.span.text))
    return SharedFact(
        statement=" ".join(lead.span.text.split())[:400],
        sources=sorted(first),
        coverage=coverage,  # type: ignore[arg-type]
        quotes=sorted(quotes, key=lambda q: q.source),
    )


def _quote(source: int, text: str, items: list[Compared], attribution: str | None = None) -> Quote:
    found = locate(text, items[source].text)
    return Quote(
        source=source,
        text=text,
        attribution=attribution,
        status=found.status,
        start=found.start,
        end=found.end,
    )


def _cap_per_source(unique: list[SharedFact]) -> list[SharedFact]:
    counts: dict[int, int] = {}
    kept = []
    for fact in unique:
        source = fact.sources[0]
        if counts.get(source, 0) < MAX_UNIQUE:
            kept.append(fact)
            counts[source] = counts.get(source, 0) + 1
    return kept


def _quantities(text: str) -> list[tuple[str, str, float]]:
    """(unit, value as written, number) for every counted noun in `text`."""
    out = []
    for match in _QUANTITY.finditer(text):
        hedge, number, unit = match.group(1) or "", match.group(2), match.group(3).lower()
        if unit in _NOT_UNITS:
            continue
        value = _NUMBER_WORDS.get(number.lower())
        amount = float(value) if value is not None else float(number.replace(",", ""))
        out.append((unit, f"{hedge}{number}".strip(), amount))
    return out


def _quantity_conflicts(claims: list[_Claim], items: list[Compared]) -> list[Conflict]:
    found: dict[str, dict[int, tuple[str, float, _Claim]]] = {}
    for claim in claims:
        for unit, written, amount in _quantities(claim.span.text):
            found.setdefault(unit, {}).setdefault(claim.source, (written, amount, claim))
    conflicts = []
    for unit, by_source in found.items():
        if len(by_source) < 2:
            continue
        values = {s: v for s, v in by_source.items()}
        related = [
            (a, b)
            for a, b in combinations(values, 2)
            if len((values[a][2].stems & values[b][2].stems) - {unit[:STEM]}) >= CONFLICT_SHARED
        ]
        if not related:
            continue
        involved = sorted({s for pair in related for s in pair})
        if len({(values[s][0].lower(), values[s][1]) for s in involved}) < 2:
            continue  # everyone says the same
        conflicts.append(
            Conflict(
                kind="quantity",
                topic=unit,
                values={s: values[s][0] for s in involved},
                quotes=[_quote(s, values[s][2].span.text, items) for s in involved],
            )
        )
    return conflicts


def _rare_stems(claims: list[_Claim]) -> frozenset[str]:
    """Stems that appear in one sentence of each article at most: distinctive words."""
    per_source: dict[tuple[int, str], int] = {}
    for claim in claims:
        for stem in claim.stems:
            per_source[(claim.source, stem)] = per_source.get((claim.source, stem), 0) + 1
    common = {stem for (_, stem), count in per_source.items() if count > 1}
    return frozenset(stem for _, stem in per_source if stem not in common)


def _group_conflicts(
    groups: list[list[_Claim]], items: list[Compared], rare: frozenset[str]
) -> list[Conflict]:
    attributions = [_attributions(item.text) for item in items]
    conflicts = []
    for group in groups:
        first: dict[int, _Claim] = {}
        for claim in group:
            first.setdefault(claim.source, claim)
        if len(first) < 2:
            continue
        whens = {s: frozenset(_WHEN.findall(c.span.text)) for s, c in first.items()}
        named = {s: w for s, w in whens.items() if w}
        if len(named) >= 2 and len(set(named.values())) > 1:
            conflicts.append(
                Conflict(
                    kind="date",
                    topic=_topic(first),
                    values={s: ", ".join(sorted(w)) for s, w in named.items()},
                    quotes=[_quote(s, first[s].span.text, items) for s in named],
                )
            )
        places = {s: frozenset(_PLACE.findall(c.span.text)) for s, c in first.items()}
        placed = {s: p for s, p in places.items() if p}
        if len(placed) >= 2 and all(
            not (placed[a] & placed[b]) for a, b in combinations(placed, 2)
        ):
            conflicts.append(
                Conflict(
                    kind="place",
                    topic=_topic(first),
                    values={s: ", ".join(sorted(p)) for s, p in placed.items()},
                    quotes=[_quote(s, first[s].span.text, items) for s in placed],
                )
            )
        who: dict[int, tuple[str, str]] = {}
        for s, c in first.items():
            found = _who(attributions[s], c.span)
            if found is not None:
                who[s] = found
        kinds = {s: kind for s, (_, kind) in who.items()}
        distinctive = frozenset.intersection(*(first[s].stems for s in who)) & rare if who else rare
        if (
            len(who) >= 2
            and len(set(kinds.values())) > 1
            and "named" in kinds.values()
            and len(distinctive) >= RARE_SHARED
        ):
            conflicts.append(
                Conflict(
                    kind="attribution",
                    topic=_topic(first),
                    values={s: name for s, (name, _) in who.items()},
                    quotes=[
                        _quote(s, first[s].span.text, items, attribution=who[s][0]) for s in who
                    ],
                )
            )
    return conflicts


def _attributions(text: str) -> list[tuple[int, int, str, str]]:
    out = []
    for a in analyze_sourcing(text).attributions:
        if a.kind in (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION):
            kind = "named"
        elif a.kind is SourceKind.ANONYMOUS:
            kind = "anonymous"
        else:
            continue  # "a spokesperson", "officials": neither named nor anonymous enough to oppose
        out.append((a.sentence_start, a.sentence_end, a.refers_to or a.source, kind))
    return out


def _who(attributions: list[tuple[int, int, str, str]], span: Span) -> tuple[str, str] | None:
    for start, end, name, kind in attributions:
        if start < span.end and span.start < end:
            return name, kind
    return None


def _topic(first: dict[int, _Claim]) -> str:
    common = frozenset.intersection(*(c.stems for c in first.values()))
    words = [
        w for w in _WORD.findall(next(iter(first.values())).span.text) if w.lower()[:STEM] in common
    ]
    return " ".join(dict.fromkeys(w.lower() for w in words))[:120] or "the same fact"


def _stakeholders(items: list[Compared]) -> list[StakeholderCoverage]:
    seen: dict[str, tuple[str, StakeholderKind]] = {}
    for item in items:
        for s in item.envelope.brief.stakeholders:
            seen.setdefault(s.name.lower(), (s.name, s.kind))
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


def diff_briefs(first: Envelope, second: Envelope, labels: tuple[str, str]) -> BriefDiff:
    """Compare two briefs of the same article: what each has that the other lacks."""

    def same(a: str, b: str) -> bool:
        sa, sb = _stems(a), _stems(b)
        shared = len(sa & sb)
        return shared >= 3 and shared / max(min(len(sa), len(sb)), 1) >= 0.5

    facts_a = [f"{f.statement} “{f.evidence}”" for f in first.brief.key_facts]
    facts_b = [f"{f.statement} “{f.evidence}”" for f in second.brief.key_facts]
    both = [a for a in facts_a if any(same(a, b) for b in facts_b)]
    only_a = [a for a in facts_a if a not in both]
    only_b = [b for b in facts_b if not any(same(a, b) for a in facts_a)]

    def names(envelope: Envelope) -> dict[str, str]:
        return {s.name.lower(): s.name for s in envelope.brief.stakeholders}

    na, nb = names(first), names(second)

    def caveats(envelope: Envelope) -> dict[tuple[str, str], str]:
        return {
            (c.kind.value, " ".join(c.evidence.lower().split())): f"{c.kind.value}: {c.detail}"
            for c in envelope.brief.sourcing_caveats
        }

    ca, cb = caveats(first), caveats(second)
    return BriefDiff(
        labels=labels,
        facts_only_in=(only_a, only_b),
        facts_in_both=both,
        stakeholders_only_in=(
            [na[k] for k in na if k not in nb],
            [nb[k] for k in nb if k not in na],
        ),
        caveats_only_in=([ca[k] for k in ca if k not in cb], [cb[k] for k in cb if k not in ca]),
        grounded_ratio=(first.verification.grounded_ratio, second.verification.grounded_ratio),
    )


def comparison_from_draft(
    draft: ComparisonDraft, items: list[Compared], model: str | None, warnings: list[str]
) -> Comparison:
    """Turn the LLM's draft into a Comparison: every quote re-verified against its article."""
    n = len(items)
    warnings = list(warnings)
    every = set(range(n))
    agreed: list[SharedFact] = []
    partial: list[SharedFact] = []
    unique: list[SharedFact] = []
    for fact in draft.facts:
        quotes = [_quote(q.source, q.quote, items) for q in fact.quotes if 0 <= q.source < n]
        if len(quotes) < len(fact.quotes):
            warnings.append(f"dropped quotes naming a source that does not exist: {fact.statement}")
        if not quotes:
            continue
        sources = sorted({q.source for q in quotes})
        coverage: Literal["all", "some", "one"] = (
            "all" if set(sources) == every else "some" if len(sources) > 1 else "one"
        )
        shared = SharedFact(
            statement=fact.statement, sources=sources, coverage=coverage, quotes=quotes
        )
        (agreed if coverage == "all" else partial if coverage == "some" else unique).append(shared)
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
                quotes=[_quote(c.source, c.quote, items) for c in claims],
            )
        )
    missing = sum(
        q.status == "missing" for f in [*agreed, *partial, *unique] for q in f.quotes
    ) + sum(q.status == "missing" for c in conflicts for q in c.quotes)
    if missing:
        warnings.append(f"{missing} quotes of the comparison were not found in their articles")
    return Comparison(
        created_at=datetime.now(UTC),
        engine="openai",
        model=model,
        sources=[_source(i, item) for i, item in enumerate(items)],
        agreed=agreed,
        partial=partial,
        unique=unique,
        conflicts=conflicts,
        stakeholders=_stakeholders(items),
        sourcing=[_sourcing(i, item.envelope) for i, item in enumerate(items)],
        warnings=warnings,
    )


def read_brief(path: Path) -> Envelope:
    """A brief saved as JSON (`briefer brief --format json`), for `compare --briefs`."""
    from pydantic import ValidationError

    from briefer.errors import UsageError

    try:
        return Envelope.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
    except (ValidationError, UnicodeDecodeError):
        raise UsageError(
            f"{path}: not a brief envelope in JSON, as render_json writes one; give a saved brief"
        ) from None
