"""How a run of capitalised words reads as names: where one name ends and the next begins,
and which owner a possessive run names ("NASA's Goddard Space Flight Center").

`briefer.analysis.stakeholders` finds the runs in an article and decides which names are
parties to its story; this module only cuts a run into names, and
`briefer.analysis.name_kinds` tells what kind of stakeholder each is. The words of a name
it knows (connectors, particles, words that never open one) are in `stakeholders.toml`.
"""

from __future__ import annotations

import re
from functools import cache

from briefer.analysis.name_kinds import (
    _OWNER,
    _POSSESSIVE,
    _head_word,
    _is_acronym,
    _is_country_or_place,
    _is_name_word,
    _is_person_like,
    _name_word,
    _reads_as_person,
    classify_name,
)
from briefer.analysis.rules import enabled
from briefer.analysis.stakeholder_words import stakeholder_words
from briefer.schema import StakeholderKind
from briefer.text.lexicon import MONTHS, WEEKDAYS, Lexicon, alternation, lexicon

_CALENDAR = frozenset(MONTHS + WEEKDAYS)
_BRAND = re.compile(r"[A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z][a-z]*[A-Z]{2,}")


# A run of capitalised words as (word, offset) tokens, and the names read from it, each
# with the title written before it ("Secretary of State") or None.
Tokens = list[tuple[str, int]]
Names = list[tuple[Tokens, str | None]]


def _split_candidate(tokens: Tokens) -> Names:
    """Split a run of capitalised words into names, peeling off titles and "X of Y"."""
    lex = lexicon()
    tokens = _without_hyphen_adjective(tokens)
    tokens = _without_trailing_common_words(_without_leading_common_words(tokens, lex), lex)
    words = [w for w, _ in tokens]
    for split in (
        _split_after_title,
        _split_place_before_name,
        _split_nationality_before_name,
        _split_at_and_word,
        _split_at_of,
    ):
        names = split(tokens, words, lex)
        if names is not None:
            return names
    return [(tokens, None)] if tokens else []


def _without_hyphen_adjective(tokens: Tokens) -> Tokens:
    """Keep what a hyphenated adjective describes, not the words it is built from: "the
    Democratic Party-controlled House", "Saudi-led coalition"; nothing of an adjective on its
    own ("Republican-dominated")."""
    adjective = _hyphen_adjective()
    described = [i for i, (w, _) in enumerate(tokens[:-1]) if adjective.search(w)]
    if described:
        return tokens[described[-1] + 1 :]
    if tokens and adjective.search(tokens[-1][0]):
        return []
    return tokens


def _without_leading_common_words(tokens: Tokens, lex: Lexicon) -> Tokens:
    """Drop the leading words that are not names ("The", "Asked", "Shares [of]"), unless they
    open a known name ("North Korea", "New York State Attorney General", "People Power
    Party")."""
    words = stakeholder_words()
    while tokens and (
        tokens[0][0].lower().strip(".,") in lex.not_entities
        or (len(tokens) > 1 and tokens[0][0] in words.connectors)  # "Shares [of] 21st Century Fox"
    ):
        if _opens_a_known_name(tokens, lex):
            break
        honorific = tokens[0][0].lower().strip(".,") in words.honorifics
        tokens = tokens[1:]
        if honorific and tokens and enabled("stakeholders.calendar-words"):
            break  # "Mrs May": the word after an honorific is a surname, not a month
    return tokens


def _opens_a_known_name(tokens: Tokens, lex: Lexicon) -> bool:
    """Whether the common word that opens a run belongs to the name: a country's ("North
    Korea"), a place's or a nationality's ("New York State", "North Korean"), or an
    organisation's ("People Power Party")."""
    whole = _POSSESSIVE.sub("", " ".join(w for w, _ in tokens)).lower()
    if whole in lex.country_of:
        return True
    if any(_known_prefix(" ".join(whole.split()[:n]), lex) for n in (2, 3)):
        return True
    first = tokens[0][0].lower().strip(".,")
    return (
        first not in stakeholder_words().never_name_start
        and len(tokens) > 2
        and classify_name(whole) in (StakeholderKind.ORGANIZATION, StakeholderKind.COMPANY)
    )


def _without_trailing_common_words(tokens: Tokens, lex: Lexicon) -> Tokens:
    """Drop the trailing words that are never names ("Mr. Trump's Oct. 11 announcement"), but
    not a place's ("Baltic Sea"), nor a surname after a given name or an honorific ("Theresa
    May", "Mrs May": the rule "stakeholders.calendar-words")."""
    if (
        len(tokens) > 2
        and tokens[-1][0].isdigit()
        and tokens[-2][0] in _CALENDAR
        and enabled("stakeholders.calendar-words")
    ):
        tokens = tokens[:-1]  # "reported to the EPA on March 20": a date, not "Local 417"
    while (
        len(tokens) > 1
        and tokens[-1][0].lower().strip(".,") in lex.not_entities
        and tokens[-1][0].lower().strip(".,") not in lex.place_words
        and not _calendar_surname([w for w, _ in tokens], lex)
    ):
        tokens = tokens[:-1]
    return tokens


def _calendar_surname(words: list[str], lex: Lexicon) -> bool:
    """Whether the run's last word is a surname that is also a calendar word: a month or a
    weekday right after a given name ("Theresa May", "Robin Friday"), where no date is
    written; or any capitalised word after an honorific ("Mrs May")."""
    if len(words) < 2 or not enabled("stakeholders.calendar-words"):
        return False
    before = words[-2].lower().strip(".,")
    last = _POSSESSIVE.sub("", words[-1]).rstrip(".,")
    if before in stakeholder_words().honorifics:
        return last[:1].isupper()
    return before in lex.given_names and last in _CALENDAR


def _split_after_title(tokens: Tokens, words: list[str], lex: Lexicon) -> Names | None:
    """Read a title, then a name of one to three words at the end, as a person with that
    title ("Secretary of State Mike Pompeo", "County Executive Miriam Castellano"); None when
    the run has no title before such a name.

    Before a last "and", the run is a name of its own ("President Trump and US Trade
    Representative Robert Lighthizer"); a place after the title is no name ("U.S. Attorney for
    the Western District of New York").
    """
    if not any(w.lower().rstrip(".,") in lex.person_titles for w in words[:-1]):
        return None
    n = _name_after_title(words, lex)
    head = words[: len(words) - n]
    before: Names = []
    if "and" in head:
        cut = len(head) - head[::-1].index("and")
        before = _split_candidate(tokens[: cut - 1]) if cut > 1 else []
        head = head[cut:]
    if not (
        n
        and head
        and head[-1].lower() not in stakeholder_words().connectors
        and any(w.lower().rstrip(".,") in lex.person_titles for w in head)
    ):
        return None
    if _is_country_or_place([head[-1], *words[len(words) - n :]], lex):
        return before
    return [*before, (tokens[len(words) - n :], " ".join(head))]


def _name_after_title(words: list[str], lex: Lexicon) -> int:
    """Count the words at the end of a run that are a person's name: up to three name words,
    with a particle ("Mohammed bin Salman"), a suffix ("Jr.") or an initial ("P.") inside,
    never a particle first."""
    lists = stakeholder_words()
    n = named = 0
    while n < len(words) - 1 and named < 3:
        word = words[-1 - n]
        if word in lists.name_particles and n and n + 1 < len(words) - 1:
            n += 1  # "bin" inside "Mohammed bin Salman"
            continue
        if (n == 0 and word.rstrip(".,") in lists.name_suffixes) or re.fullmatch(r"[A-Z]\.", word):
            n += 1  # "Jr." at the end, "P." inside: part of the name, not one of its words
            continue
        if not _is_name_word(word) and not (n == 0 and _calendar_surname(words, lex)):
            break
        n += 1
        named += 1
    while n and words[len(words) - n] in lists.name_particles:
        n -= 1  # a name does not start with "bin"
    return n


def _split_place_before_name(tokens: Tokens, words: list[str], lex: Lexicon) -> Names | None:
    """Read a place, then a person named after it, as two names: "China's ambassador to
    Britain Liu Xiaoming" (the rule "stakeholders.place-before-name")."""
    if len(words) <= 2 or not enabled("stakeholders.place-before-name"):
        return None
    particles = stakeholder_words().name_particles
    for n in (1, 2):
        if (
            len(words) > n + 1
            and _is_country_or_place(words[:n], lex)
            and _reads_as_person([w for w in words[n:] if w not in particles])
        ):
            return [(tokens[:n], None), (tokens[n:], None)]
    return None


def _split_nationality_before_name(tokens: Tokens, words: list[str], lex: Lexicon) -> Names | None:
    """Read a nationality, then a person, as the person: "Australian Timothy Weeks" (the rule
    "stakeholders.nationality-before-name")."""
    if (
        len(words) >= 3
        and words[0].lower() in lex.demonym_of
        and enabled("stakeholders.nationality-before-name")
        and _reads_as_person(words[1:])
    ):
        return [(tokens[1:], None)]
    return None


def _split_at_and_word(tokens: Tokens, words: list[str], lex: Lexicon) -> Names | None:
    """Split a run at its first "and" into the names it joins, or None when it is one name."""
    return _split_at_and(tokens, words.index("and"), lex) if "and" in words else None


def _split_at_of(tokens: Tokens, words: list[str], lex: Lexicon) -> Names | None:
    """End a person's name before "of" or "for", and read what follows as a name of its own:
    where they work ("Rosaly Lopes of NASA", "Robin Biesbroek of the CDF"), or whom a call is
    for ("Ruth Davidson for Theresa May") (the rule "stakeholders.person-ends-before-of")."""
    at = next((i for i, w in enumerate(words) if w in ("of", "for")), None)
    if at is None or not enabled("stakeholders.person-ends-before-of"):
        return None
    left, right = tokens[:at], tokens[at + 1 :]
    if not right or not _reads_as_person([w for w, _ in left]):
        return None
    if words[at] == "for" and not _reads_as_person([w for w, _ in right]):
        return None  # "the Assisted Dying for the Terminally Ill Bill": one name
    return [(left, None), *_split_candidate(right)]


def _split_at_and(tokens: Tokens, at: int, lex: Lexicon) -> Names | None:
    """Split a run at its "and" into the names it joins, or None when it is one name.

    "Vladimir Putin and Kim Jong Un": two people, each read on its own ("American Kevin King
    and Australian Timothy Weeks"); a person's name ends before "and" ("Myles Garrett and
    Pittsburgh [center ...]"); "the United States and China": two states.
    """
    left, right = tokens[:at], tokens[at + 1 :]
    left_words = [w for w, _ in left]
    if " ".join(w for w, _ in right).lower() in lex.demonym_of:
        return _split_candidate(left)  # "NASA and American [taxpayers]": an adjective
    if enabled("stakeholders.person-ends-before-and"):
        left_names = _split_candidate(left)
        if len(left_names) == 1 and _reads_as_person([w for w, _ in left_names[0][0]]):
            return [*left_names, *_split_candidate(right)]
    if all(_is_person_like([w for w, _ in side]) for side in (left, right)):
        return [(left, None), (right, None)]
    if all(_is_country_or_place([w for w, _ in side], lex) for side in (left, right)):
        return [(left, None), (right, None)]
    if len(right) == 1 and _OWNER.search(right[0][0]):
        # "the Democratic Party and Yoon's rival": the owner is a name of its own
        return [*_split_candidate(left), (right, None)]
    bare = left_words[1:] if _is_country_or_place(left_words[:1], lex) else left_words
    if (
        len(bare) == 1
        and not _is_country_or_place(left_words, lex)
        and _head_word([w.lower() for w, _ in right])
        in lex.government_words | lex.organization_words
    ):
        # "Securities and Exchange Commission", "Food and Drug Administration": one body
        return [(tokens, None)]
    # "SpaceX and Tyvak Nano-Satellite Systems", "Gannett and GateHouse Media": two names,
    # each one on its own (a one-word name beside an organisation's).
    sides = [" ".join(w for w, _ in side) for side in (left, right)]
    if all(classify_name(n) or _BRAND.fullmatch(n) for n in sides if n) or (
        len(left) == 1
        and _name_word().match(sides[0])
        and classify_name(sides[1]) in (StakeholderKind.COMPANY, StakeholderKind.ORGANIZATION)
    ):
        return [(left, None), (right, None)]
    if _ends_a_body(left_words, lex) and len(right) > 1 and right[0][0][:1].isupper():
        # "the OCI Group and Hanwha Q Cells": a body's name ends at the word that makes it one
        # (not "Falkland Oil and Gas", where a single word follows)
        return [(left, None), *_split_candidate(right)]
    return None


def _ends_a_body(words: list[str], lex: Lexicon) -> bool:
    """Whether a name of two words or more ends in a company suffix or an organisation's word
    ("OCI Group", "Acme Holdings")."""
    last = words[-1].lower().rstrip(".,") if len(words) > 1 else ""
    return last in lex.company_suffixes or last in lex.organization_words


@cache
def _hyphen_adjective() -> re.Pattern[str]:
    """The end of a hyphenated adjective: "-controlled", "-led", "-born"."""
    participles = alternation(stakeholder_words().hyphen_participles)
    return re.compile(rf"-(?:[a-z]+ed|{participles})$")


def _owner_only(tokens: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """In "Salesforce's Dreamforce" or "San Francisco's Moscone Center" the party is the owner:
    what it owns (an event, a venue, a product) is not one of its own. An office named after
    its holder is one name: "the Bartholomew County Sheriff's Department"."""
    for i, (word, _) in enumerate(tokens[:-1]):
        if _POSSESSIVE.search(word) and tokens[i + 1][0] not in stakeholder_words().office_words:
            return tokens[: i + 1]
    return tokens


def owner_and_owned(tokens: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    """The owner of a run, and what it owns when that is a body of its own: "NASA's Goddard
    Space Flight Center" names NASA and its centre; "Salesforce's Dreamforce" and "San
    Francisco's Moscone Center" name only their owner."""
    owner = _owner_only(tokens)
    owned = tokens[len(owner) :]
    if not owned:
        return [owner]
    owner_name = _POSSESSIVE.sub("", " ".join(w for w, _ in owner))
    if (
        not owned
        or classify_name(" ".join(w for w, _ in owned))
        not in (StakeholderKind.ORGANIZATION, StakeholderKind.GOVERNMENT, StakeholderKind.COMPANY)
        or not (classify_name(owner_name) or _is_acronym(owner_name))
    ):
        return [owner]
    return [owner, owned]


def _known_prefix(words: str, lex: Lexicon) -> bool:
    return words in lex.places or words in lex.demonym_of
