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
  counted), place the figure in the same time frame (a year named, "a year ago", "last
  year", "previously": the same time), and the values cannot both be true: each is a range
  ("about 40,000" is within `ABOUT` of it, "more than 3,000" is 3,000 or more, "up to 8" at
  most 8) and the ranges do not meet; a round figure that rounds the other ("40,000" and
  "40,312") is the same figure.
* **Date conflicts**: sentences of one fact that each name one weekday, or one month, for
  the event, and different ones, where the words beside both dates name the same thing ("the
  meeting on Tuesday" and "Friday's meeting", not "the July call" and "released in
  September");
  the day something was said ("said on Wednesday"), a sentence naming two days of the same
  kind, or a change of date ("postponed from Tuesday to Friday") is not a conflict.
* **Place conflicts**: sentences of one fact placing it ("in X", "near X", "outside X") in
  places that do not overlap at all.
* **Attribution conflicts**: sentences of one fact attributed to a named source in one
  article and to an anonymous one in another (sourcing analysis).
* **Stakeholders**: every stakeholder any brief names, with the sources whose text names
  them (a person's surname is enough).
"""

from __future__ import annotations

import math
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


def quantities(text: str) -> list[tuple[str, str, float, str]]:
    """(unit, value as written, number, hedge) for every counted noun in `text`."""
    out = []
    for match in _QUANTITY.finditer(text):
        number, unit = match.group(2), match.group(3).lower()
        if unit in _NOT_UNITS:
            continue
        value = _NUMBER_WORDS.get(number.lower())
        amount = float(value) if value is not None else float(number.replace(",", ""))
        hedge = " ".join((match.group(1) or "").lower().split())
        out.append((unit, one_line(match.group(0)), amount, hedge))
    return out


ABOUT = 0.1  # "about 1,200" is 1,080 to 1,320
ROUNDING = 0.05  # a round figure stands for one within this share of it that it rounds
_AT_LEAST = frozenset({"over", "more than", "at least"})
_AT_MOST = frozenset({"up to", "as many as", "fewer than", "less than"})
_NEARLY = frozenset({"nearly", "almost"})


def _range(amount: float, hedge: str) -> tuple[float, float]:
    """The values a figure allows, given its hedge."""
    if hedge in _AT_LEAST:
        return amount, math.inf
    if hedge in _AT_MOST:
        return 0.0, amount
    if hedge in _NEARLY:
        return amount * (1 - ABOUT), amount
    if hedge:  # about, around, roughly, some, an estimated
        return amount * (1 - ABOUT), amount * (1 + ABOUT)
    return amount, amount


def _rounds(round_figure: float, other: float) -> bool:
    """Whether `round_figure` is `other` rounded to its own last non-zero digit, and close."""
    text = f"{round_figure:.0f}" if round_figure == int(round_figure) else ""
    zeros = len(text) - len(text.rstrip("0")) if text.strip("0") else 0
    if zeros == 0:
        return False
    unit = 10.0**zeros
    return (
        math.floor(other / unit + 0.5) * unit == round_figure
        and abs(other - round_figure) <= ROUNDING * round_figure
    )


def can_both_be_true(a: tuple[float, str], b: tuple[float, str]) -> bool:
    """Whether two figures (number, hedge) for the same thing can both be right."""
    (lo_a, hi_a), (lo_b, hi_b) = _range(*a), _range(*b)
    if lo_a <= hi_b and lo_b <= hi_a:
        return True
    if a[1] or b[1]:
        return False
    return _rounds(a[0], b[0]) or _rounds(b[0], a[0])


# When a sentence places its figure in time: a year, or a time before the story's own.
_TIME_FRAME = re.compile(
    r"\b(?:(?:19|20)\d\d|a year ago|years? ago|last (?:year|month|week)|previously|earlier|"
    r"in the past|so far|to date|by (?:the end of )?(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def _time_frame(text: str) -> frozenset[str]:
    return frozenset(m.lower() for m in _TIME_FRAME.findall(text))


def _quantity_conflicts(claims: list[_Claim], items: list[Compared]) -> list[Conflict]:
    found: dict[str, dict[int, tuple[str, float, str, _Claim]]] = {}
    for claim in claims:
        for unit, written, amount, hedge in quantities(claim.span.text):
            found.setdefault(unit, {}).setdefault(claim.source, (written, amount, hedge, claim))
    conflicts = []
    for unit, values in found.items():
        if len(values) < 2:
            continue
        # The same thing counted at the same time: the two sentences share words beyond the
        # unit, place the figure in the same time frame ("a year ago", "in 2021"), and give
        # figures that cannot both be true.
        related = [
            (a, b)
            for a, b in combinations(values, 2)
            if len((values[a][3].stems & values[b][3].stems) - {unit[:STEM]}) >= CONFLICT_SHARED
            and _time_frame(values[a][3].span.text) == _time_frame(values[b][3].span.text)
            and not can_both_be_true(values[a][1:3], values[b][1:3])
        ]
        if not related:
            continue
        involved = sorted({s for pair in related for s in pair})
        conflicts.append(
            Conflict(
                kind="quantity",
                topic=unit,
                values={s: values[s][0] for s in involved},
                quotes=[verified_quote(s, values[s][3].span.text, items) for s in involved],
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
        if (dated := _date_conflict(first)) is not None:
            conflicts.append(
                Conflict(
                    kind="date",
                    topic=_topic(first),
                    values={s: when for s, (when, _) in dated.items()},
                    quotes=[verified_quote(s, first[s].span.text, items) for s in dated],
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


def _event_dates(text: str) -> list[re.Match[str]]:
    """The weekdays and months a sentence gives for its event (the day of speaking left out)."""
    said = [m.span() for m in _SPEAKING_DAY.finditer(text)]
    return [m for m in _WHEN.finditer(text) if not any(a <= m.start() < b for a, b in said)]


# A date that moved: the sentence names the old and the new one, not a disagreement.
_CHANGED_DATE = re.compile(
    r"\b(?:postpon|delay|reschedul|moved|pushed back|brought forward|called off|cancel)",
    re.IGNORECASE,
)
_WEEKDAY_NAMES = frozenset(WEEKDAYS)
DATE_CONTEXT = 3  # words each side of a date that say what it is the date of


def _date_conflict(first: dict[int, _Claim]) -> dict[int, tuple[str, frozenset[str]]] | None:
    """Each source's date for the fact, when at least two name different ones of one kind
    (weekday or month) for the same thing; None when they do not conflict."""
    for kind in (True, False):  # weekdays, then months
        dated: dict[int, tuple[str, frozenset[str]]] = {}
        for source, claim in first.items():
            text = claim.span.text
            if _CHANGED_DATE.search(text):
                return None
            of_kind = [m for m in _event_dates(text) if (m.group(1) in _WEEKDAY_NAMES) is kind]
            if len({m.group(1) for m in of_kind}) == 1:
                dated[source] = (of_kind[0].group(1), _date_context(text, of_kind[0]))
        pairs = [
            (a, b)
            for a, b in combinations(dated, 2)
            if dated[a][0] != dated[b][0] and dated[a][1] & dated[b][1]
        ]
        if pairs:
            return {s: dated[s] for s in sorted({s for pair in pairs for s in pair})}
    return None


def _date_context(text: str, date: re.Match[str]) -> frozenset[str]:
    """The stems of the words beside a date: what it is the date of."""
    before = text[: date.start()].split()[-DATE_CONTEXT:]
    after = text[date.end() :].split()[:DATE_CONTEXT]
    return stems(" ".join(before + after)) - stems(" ".join(WEEKDAYS + MONTHS))


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
