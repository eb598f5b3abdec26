"""Where an article mentions parties: runs of capitalised words that may be names, collective
nouns that name groups and institutions ("coastal residents", "the police"), and people named
by their part ("the victim"). The stakeholder finder (`briefer.analysis.stakeholders`) reads
these mentions and decides which are parties to the story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from briefer.analysis.name_kinds import _ORDINAL
from briefer.analysis.rules import enabled
from briefer.analysis.stakeholder_words import stakeholder_words
from briefer.schema import StakeholderKind
from briefer.text import finditer_any_case
from briefer.text.lexicon import alternation, lexicon

# An initial: "Christopher D. Battin", "W. M. Keck Observatory".
_INITIAL = r"[A-Z]\.(?=(?:[ \t]+[A-Z]\.)*[ \t]+[A-Z][a-z])"


_TOKEN = re.compile(r"\S+")
# The form of an adjective of place or region: "Western", "European", "Korean", "Turkish".
_PLACE_ADJECTIVE = r"[A-Z][a-z]+(?:ern|ean|ian|ese|ish|can|ic)"


@cache
def _candidate() -> re.Pattern[str]:
    """A run of capitalised words, initials, particles joined to a name ("al-Bashir") and
    ordinals ("21st"), with the connectors and particles that join them ("of", "bin") and a
    trailing number ("Local 417"), not one that opens a compound ("the Leeds City Council
    13-week strike")."""
    lists = stakeholder_words()
    particle = rf"(?:{alternation(lists.joined_particles)})-[A-Z][\w'’-]*"
    word = rf"(?:[A-Z]\.(?:[A-Z]\.)+|{_INITIAL}|[A-Z][\w'’&-]*|{particle}|{_ORDINAL}|&)"
    joins = alternation(lists.connectors | lists.name_particles)
    join = rf"(?:(?:[ \t]+(?:{joins}))+[ \t]+|[ \t]+)"
    # What a word can start with: the look-ahead passes over every other character at once.
    particle_starts = "".join(sorted({re.escape(p[0]) for p in lists.joined_particles}))
    first = rf"(?=[A-Z\d&{particle_starts}])"
    return re.compile(rf"{first}{word}(?:{join}{word})*(?:[ \t]+(\d{{1,5}})\b(?![-–]))?")


def candidate_runs(text: str, body_start: int) -> Iterator[list[tuple[str, int]]]:
    """Yield the runs of capitalised words from `body_start` on, as (word, offset) tokens,
    without staff credits and datelines. A body's name that lists its fields is one run:
    "the Ministry of Trade, Industry and Energy"."""
    credits = _staff_credits(text, body_start)
    resume = body_start
    listed_fields = enabled("stakeholders.listed-fields")
    for match in _candidate().finditer(text, body_start):
        if match.start() < resume or any(s <= match.start() < e for s, e in credits):
            continue  # "Reporting by Rodrigo Campos; Editing by ...": the newsroom's staff
        dateline = _DATELINE.match(text, match.end())
        if (
            dateline
            and _line_start(text, match.start())
            and (match.group().isupper() or "(" in dateline.group())
        ):
            continue  # "LONDON —", "HAYWARD, Calif. —", "London (Reuters) -": where it was filed
        begin = _time_zone_end(text, match)  # "15:00 BST", "3pm GMT": a time zone
        end = match.end()
        if _in_a_score(text, match):
            end = match.start(1)  # "Ipswich Town 0, Derby County 3": the score is no name's
        end = _before_an_adjective(text, match, end)  # "Thousands [of Ethiopian troops]"
        body = _BODY_OF.search(match.group()) if listed_fields and " of " in match.group() else None
        fields = _LISTED_FIELDS.match(text, end) if body else None
        if body and fields and body.group(1).lower() in lexicon().government_words:
            end = resume = fields.end()
        tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(text, begin, end)]
        if tokens:
            yield tokens


# A clock time just before a word: "15:00", "3pm", "10 a.m." (a time zone follows, "BST").
_CLOCK = re.compile(r"(?:\d[:.]\d\d|\d\s?[ap]\.?m\.?)[ \t]*\(?$", re.IGNORECASE)
_TIME_ZONE = re.compile(r"[A-Z]{1,4}T(?=[ \t]|$)")  # a word of its own: "BST", not "BSTX"


def _time_zone_end(text: str, match: re.Match[str]) -> int:
    """Where a time zone written after a clock time ends, when a run opens with one ("(15:00
    BST)", "3pm GMT and Sunday ..."); else the run's start."""
    zone = _TIME_ZONE.match(match.group())
    if (
        zone is None
        or _CLOCK.search(text, max(0, match.start() - 12), match.start()) is None
        or not enabled("stakeholders.time-zone")
    ):
        return match.start()
    return match.start() + zone.end()


# A score beside a team's: "Ipswich Town 0, Derby County 3", "... 3, Derby County 1".
_SCORE_AFTER = re.compile(r",[ \t]+[A-Z][\w'’. -]{0,40}?[ \t]\d{1,2}\b")
_SCORE_BEFORE = re.compile(r"[A-Za-z][ \t]\d{1,2},[ \t]+$")


def _in_a_score(text: str, match: re.Match[str]) -> bool:
    """Whether a run's trailing number is a team's score, not part of its name ("Local 417")."""
    return (
        match.group(1) is not None
        and (
            _SCORE_AFTER.match(text, match.end()) is not None
            or _SCORE_BEFORE.search(text, max(0, match.start() - 60), match.start()) is not None
        )
        and enabled("stakeholders.score")
    )


# A run's last words "of" and a word of place that describes the lower-case noun after it:
# "Thousands of Ethiopian troops", "8.69 GW of Korean production lines".
_OF_ADJECTIVE = re.compile(r"[ \t]+of[ \t]+([A-Z][a-z]+)$")
_ADJECTIVE_FORM = re.compile(_PLACE_ADJECTIVE)
_LOWER_WORD = re.compile(r"[ \t]+[a-z]")


def _before_an_adjective(text: str, match: re.Match[str], end: int) -> int:
    """Where a run ends when its last words are "of" and an adjective of place describing the
    noun after it (the rule "stakeholders.of-adjective"); else `end`."""
    tail = _OF_ADJECTIVE.search(text, match.start(), end)
    if tail is None or not _LOWER_WORD.match(text, end) or not enabled("stakeholders.of-adjective"):
        return end
    word = tail.group(1)
    if _ADJECTIVE_FORM.fullmatch(word) or word.lower() in lexicon().demonym_of:
        return tail.start()
    return end


# "Ministry of Trade": a body's word before "of"; then ", Industry and Energy".
_BODY_OF = re.compile(r"\b([A-Z][a-z]+)[ \t]+of[ \t]+[A-Z]")


_LISTED_FIELDS = re.compile(r"(?:,[ \t]+[A-Z][a-z]+)+,?[ \t]+and[ \t]+[A-Z][a-z]+\b")


# A wire story's staff credits: "Reporting by X; additional reporting by Y; Editing by Z",
# "Associated Press writers X and Y contributed to this report."
_CREDIT_LINE = re.compile(
    r"(?im)^[ \t(]*(?:(?:additional\s+)?reporting|editing|writing|compiled|edited|produced)"
    r"\s+by\b[^\n]*"
)


_CONTRIBUTED = re.compile(r"\bcontributed\s+(?:to\s+)?(?:this\s+)?(?:report|story|article)\b")


MAX_CREDIT_CHARS = 300  # a credit sentence is short: "X and Y in Seoul contributed to ..."


def _staff_credits(text: str, start: int) -> list[tuple[int, int]]:
    """The spans of the staff credits in `text` from `start` on."""
    spans = [m.span() for m in _CREDIT_LINE.finditer(text, start)]
    # Looking for the word first is much faster than the pattern finding nothing.
    credited = _CONTRIBUTED.finditer(text, start) if "contributed" in text else ()
    for match in credited:
        # The credit is its whole sentence: back to the last full stop or line break.
        floor = max(start, match.start() - MAX_CREDIT_CHARS)
        begin = max(text.rfind(".", floor, match.start()), text.rfind("\n", floor, match.start()))
        spans.append((max(begin + 1, floor), match.end()))
    return spans


# After a dateline: a comma and a state or agency, or a dash ("LONDON —", "HAYWARD, Calif.").
_DATELINE = re.compile(r"(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?\s*(?:\([A-Za-z ]+\)\s*)?[—–-]")


def _line_start(text: str, at: int) -> bool:
    """Whether `at` begins its line (a dateline starts the story's first paragraph)."""
    return not text[text.rfind("\n", 0, at) + 1 : at].strip()


@cache
def _collective_nouns() -> dict[str, StakeholderKind]:
    lex = lexicon()
    kinds = {w: StakeholderKind.GROUP for w in lex.group_words}
    kinds.update({w: StakeholderKind.GOVERNMENT for w in lex.institution_nouns})
    return kinds


@cache
def _collective_pattern() -> re.Pattern[str]:
    """The collective nouns as one pattern, longest first ("police officers" before
    "police")."""
    words = alternation(_collective_nouns(), any_space=True)
    return re.compile(rf"(?<![a-z])(?:{words})(?![a-z])", re.IGNORECASE)


def collectives(text: str, body_start: int) -> Iterable[tuple[int, int, str, StakeholderKind]]:
    """Yield lower-case collective nouns: groups ("residents") and institutions ("police").

    Words are looked up in the word lists (two-word entries first), one pass over the text.
    """
    kinds = _collective_nouns()
    for match in finditer_any_case(_collective_pattern(), text, body_start):
        noun = " ".join(match.group().lower().split())
        if text[match.start()].isupper() and not at_sentence_start(text, match.start()):
            continue  # part of a name: "Citizens' Fuel Coalition"
        start, end, name = match.start(), match.end(), noun
        adjective = _REGIONAL_ADJECTIVE.search(text, max(start - 24, 0), start)
        if adjective:  # "Western governments", "European regulators"
            start, name = adjective.start(1), f"{adjective.group(1)} {noun}"
        yield start, end, name, kinds[noun]


def role_people(text: str, body_start: int) -> dict[str, list[tuple[int, int]]]:
    """People the article names by their part ("the victim", "the suspect"), when it does so
    at least twice: the victim of a crime story is one of its parties."""
    pattern = _role_pattern()
    found: dict[str, list[tuple[int, int]]] = {}
    for match in pattern.finditer(text, body_start):
        found.setdefault(f"the {match.group(1).lower()}", []).append(match.span())
    return {name: spans for name, spans in found.items() if len(spans) >= 2}


@cache
def _role_pattern() -> re.Pattern[str]:
    nouns = "|".join(sorted(lexicon().role_nouns, key=len, reverse=True))
    representatives = alternation(stakeholder_words().role_representatives)
    return re.compile(rf"\b[Tt]he\s+({nouns})\b(?!['’]s\s+(?:{representatives}))")


_REGIONAL_ADJECTIVE = re.compile(rf"\b({_PLACE_ADJECTIVE})\s+$")


def at_sentence_start(text: str, pos: int) -> bool:
    before = text[max(pos - 3, 0) : pos].rstrip(" \t")
    return not before or before[-1] in '.!?\n"“”'
