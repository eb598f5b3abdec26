"""Compare coverage of one story across articles, deterministically (the offline comparer).

Rules (all thresholds are constants below):

* **Claims** are the sentences of each article (six words or more, headline excluded).
* **Same fact**: two sentences from different articles share at least `MIN_SHARED` content
  words (words of four letters or more, stop words out, compared by their first six letters,
  so "evacuated" and "evacuation" meet), those shared words are at least `MATCH_SHARE` of
  the shorter sentence's content words, and at least `MIN_CLAIM_SHARED` of them are words of
  the claim, not of its attribution (one official quoted by two outlets on different things
  shares a name and a title, not a fact). A short sentence whose every content word the
  other holds, with the same figures, states the same fact with fewer shared words ("Sentencing
  is scheduled for Feb. 14."). Facts are the connected groups of that relation.
* **Coverage**: a fact in every article is *agreed*, in several *partial*, in one *unique*.
  Every unique fact is listed, source by source, the ones the source's brief chose as key
  facts first: what only one source reports is never dropped (renderers show the first few
  of each source and say how many more there are).
* **Quantity conflicts**: a number (digits or a number word, with its hedge: "about",
  "more than", ...) followed by a noun, e.g. "about 1,200 residents"; the value keeps its
  words and unit. Two sources that give different numbers for the same noun conflict when
  their sentences share at least `CONFLICT_SHARED` other content words (the same thing
  counted) and place the figure in the same time frame (a year named, "a year ago", "last
  year", "previously": the same time).
* **Date conflicts**: sentences of one fact naming different weekdays or months for the
  event; the day something was said ("said on Wednesday") does not count.
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
from itertools import combinations

from briefer.analysis.sourcing import SourceKind, SourcingProfile, analyze_sourcing
from briefer.schema.comparison import (
    Comparison,
    Conflict,
    SharedFact,
)
from briefer.text import Span, one_line, sentences
from briefer.text.lexicon import MONTHS, STEM, WEEKDAYS, alternation, content_words, stems
from briefer.text.similarity import connected_groups
from briefer.verify.coverage import Compared, assemble, verified_quote

MIN_SHARED = 4
MIN_CLAIM_SHARED = 2  # of those, words of the claim itself, not of who says it
MATCH_SHARE = 0.34
CONFLICT_SHARED = 1
RARE_SHARED = 2
MIN_WORDS = 6

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
# "May" is left out: at the start of a sentence it is more often the verb.
_WHEN = re.compile(rf"\b({alternation(WEEKDAYS + tuple(m for m in MONTHS if m != 'May'))})\b")
# "in Harwick", "near Dunmore": where something happened ("at the X" is more often an
# organisation or a venue than a place, so it does not count).
_PLACE = re.compile(r"\b(?:in|near|outside)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")


@dataclass(frozen=True)
class _Claim:
    source: int
    span: Span
    stems: frozenset[str]
    claimed: frozenset[str]  # the stems of what is claimed, without who says it


def compare_offline(items: list[Compared]) -> Comparison:
    """Compare the coverage of several articles without any model."""
    profiles = [analyze_sourcing(item.text) for item in items]
    claims = [
        _Claim(i, span, stems(span.text), _claimed(span, item.text, said))
        for i, item in enumerate(items)
        for said in [sorted((a.start, a.end) for a in profiles[i].attributions)]
        for span in _body_sentences(item)
        if len(span.text.split()) >= MIN_WORDS
    ]
    groups = _group_claims(claims, len(items))
    every = set(range(len(items)))
    agreed, partial = [], []
    unique: list[tuple[_Claim, SharedFact]] = []
    for group in groups:
        sources = sorted({c.source for c in group})
        fact = _fact(
            group, items, "all" if set(sources) == every else "some" if len(sources) > 1 else "one"
        )
        if len(sources) == len(items):
            agreed.append(fact)
        elif len(sources) > 1:
            partial.append(fact)
        else:
            unique.append((group[0], fact))
    return assemble(
        items,
        engine="offline",
        agreed=agreed,
        partial=partial,
        unique=_by_importance(unique, items),
        conflicts=[
            *_quantity_conflicts(claims, items),
            *_group_conflicts(groups, items, _rare_stems(claims), profiles),
        ],
    )


def _by_importance(
    unique: list[tuple[_Claim, SharedFact]], items: list[Compared]
) -> list[SharedFact]:
    """What only one source reports, source by source: the facts its brief chose first (in the
    brief's order), then the rest in article order. Every one is kept."""

    def rank(claim: _Claim) -> tuple[int, int, int]:
        facts = items[claim.source].envelope.brief.key_facts
        text = claim.span.text
        at = next(
            (i for i, f in enumerate(facts) if f.evidence in text or text in f.evidence), None
        )
        return (
            claim.source,
            0 if at is not None else 1,
            at if at is not None else claim.span.start,
        )

    return [fact for claim, fact in sorted(unique, key=lambda pair: rank(pair[0]))]


def _claimed(span: Span, text: str, said: list[tuple[int, int]]) -> frozenset[str]:
    """The stems of what a sentence claims, without those of who it says claims it (`said`:
    the spans of the article's attributions, "Steve Clarke, deputy administrator, said")."""
    words = stems(span.text)
    for start, end in said:
        if start >= span.end:
            break
        if end > span.start:
            # '..., said Ines Varga, deputy director at the port.': the title that closes the
            # sentence describes the speaker too.
            title = _CLOSING_TITLE.match(text, end, span.end)
            words -= stems(
                text[max(start, span.start) : title.end() if title else min(end, span.end)]
            )
    return words


_CLOSING_TITLE = re.compile(r",\s+[^,;“”\"]{1,120}?[.!?]?[”\"]?\s*$")


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
                if shared < MIN_SHARED and not _short_and_contained(claims[i], claims[j]):
                    continue
                if len(claims[i].claimed & claims[j].claimed) < MIN_CLAIM_SHARED:
                    continue  # one official quoted on two things: the name, not the fact
                share = shared / max(min(len(claims[i].stems), len(claims[j].stems)), 1)
                if share >= MATCH_SHARE and share > best_share:
                    best, best_share = j, share
            if best is not None:
                links.append((i, best))
    groups = [[claims[i] for i in group] for group in connected_groups(len(claims), links)]
    return sorted(groups, key=lambda g: (g[0].source, g[0].span.start))


def _short_and_contained(a: _Claim, b: _Claim) -> bool:
    """A short sentence whose every content word the other holds, with the same figures when
    both give any: "Sentencing is scheduled for Feb. 14." and "His sentencing is scheduled for
    Feb. 14, according to the office release." state one fact with two shared words."""
    short, long = sorted((a, b), key=lambda c: len(c.stems))
    if len(short.stems) < MIN_CLAIM_SHARED or not short.stems <= long.stems:
        return False
    figures = [set(_FIGURE.findall(c.span.text)) for c in (short, long)]
    return not (figures[0] and figures[1]) or bool(figures[0] & figures[1])


_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def _fact(group: list[_Claim], items: list[Compared], coverage: str) -> SharedFact:
    first: dict[int, _Claim] = {}
    for claim in group:
        first.setdefault(claim.source, claim)
    quotes = [verified_quote(c.source, c.span.text, items) for c in first.values()]
    lead = min(first.values(), key=lambda c: len(c.span.text))
    return SharedFact(
        statement=one_line(lead.span.text)[:400],
        sources=sorted(first),
        coverage=coverage,  # type: ignore[arg-type]
        quotes=sorted(quotes, key=lambda q: q.source),
    )


def _quantities(text: str) -> list[tuple[str, str, float]]:
    """(unit, value as written, number) for every counted noun in `text`."""
    out = []
    for match in _QUANTITY.finditer(text):
        number, unit = match.group(2), match.group(3).lower()
        if unit in _NOT_UNITS:
            continue
        value = _NUMBER_WORDS.get(number.lower())
        amount = float(value) if value is not None else float(number.replace(",", ""))
        out.append((unit, one_line(match.group(0)), amount))
    return out


# When a sentence places its figure in time: a year, or a time before the story's own.
_TIME_FRAME = re.compile(
    r"\b(?:(?:19|20)\d\d|a year ago|years? ago|last (?:year|month|week)|previously|earlier|"
    r"in the past|so far|to date|by (?:the end of )?(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def _time_frame(text: str) -> frozenset[str]:
    return frozenset(m.lower() for m in _TIME_FRAME.findall(text))


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
        # The same thing counted at the same time: the two sentences share words beyond the
        # unit, and place the figure in the same time frame ("a year ago", "in 2021").
        related = [
            (a, b)
            for a, b in combinations(values, 2)
            if len((values[a][2].stems & values[b][2].stems) - {unit[:STEM]}) >= CONFLICT_SHARED
            and _time_frame(values[a][2].span.text) == _time_frame(values[b][2].span.text)
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
                quotes=[verified_quote(s, values[s][2].span.text, items) for s in involved],
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
    groups: list[list[_Claim]],
    items: list[Compared],
    rare: frozenset[str],
    profiles: list[SourcingProfile],
) -> list[Conflict]:
    attributions = [_attributions(profile) for profile in profiles]
    conflicts = []
    for group in groups:
        first: dict[int, _Claim] = {}
        for claim in group:
            first.setdefault(claim.source, claim)
        if len(first) < 2:
            continue
        whens = {s: _event_dates(c.span.text) for s, c in first.items()}
        named = {s: w for s, w in whens.items() if w}
        if len(named) >= 2 and len(set(named.values())) > 1:
            conflicts.append(
                Conflict(
                    kind="date",
                    topic=_topic(first),
                    values={s: ", ".join(sorted(w)) for s, w in named.items()},
                    quotes=[verified_quote(s, first[s].span.text, items) for s in named],
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
                    quotes=[verified_quote(s, first[s].span.text, items) for s in placed],
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
                        verified_quote(s, first[s].span.text, items, attribution=who[s][0])
                        for s in who
                    ],
                )
            )
    return conflicts


# "said on Wednesday", "announced Monday": the day something was said, not when it happened.
_SPEAKING_DAY = re.compile(
    r"\b(?:said|says|told\s+\w+|announced|added|stated|confirmed|reported|wrote)\s+"
    r"(?:(?:on|late|early|this|last)\s+)?" + _WHEN.pattern,
)


def _event_dates(text: str) -> frozenset[str]:
    """The weekdays and months a sentence gives for its event (the day of speaking left out)."""
    return frozenset(_WHEN.findall(_SPEAKING_DAY.sub(" ", text)))


def _attributions(profile: SourcingProfile) -> list[tuple[int, int, str, str]]:
    out = []
    for a in profile.attributions:
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
    words = [w for w in content_words(next(iter(first.values())).span.text) if w[:STEM] in common]
    return " ".join(dict.fromkeys(w.lower() for w in words))[:120] or "the same fact"
