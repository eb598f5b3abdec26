"""Which mentions are parties to the story (the rules behind `_worth_keeping`): a place only
when it acts or is acted on, a person not merely credited or quoted as press, a group only
when it acts, a title alone never; and the grammar those rules read (subjects, predicates,
the place after a name)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from briefer.analysis.grammar import (
    _acts,
    _clause_opening,
    _credit,
    _has_staff,
    _head_follower,
    _locative,
    _locative_list,
    _not_opening_a_subject,
    _object_before,
    _predicate_next,
    _press_before,
    _setting,
    _state_possession,
    _subject_of,
)
from briefer.analysis.mentions import at_sentence_start
from briefer.analysis.name_kinds import is_press, is_titled_surname
from briefer.analysis.people import beside_people, list_joins, shows_a_person, workplace_before
from briefer.analysis.rules import enabled
from briefer.analysis.stakeholder_words import stakeholder_words
from briefer.schema import StakeholderKind
from briefer.text.lexicon import lexicon


@dataclass
class Entity:
    """One stakeholder as found in the text."""

    name: str
    kind: StakeholderKind
    first: int  # offset of the first mention
    aliases: set[str] = field(default_factory=set)
    mentions: list[tuple[int, int]] = field(default_factory=list)
    title: str | None = None  # a title seen before the name ("Mayor")
    acts: bool = False  # named as an actor by its institution ("the Afghan government")

    @property
    def count(self) -> int:
        return len(self.mentions)


@lru_cache(maxsize=8192)
def _key(name: str) -> str:
    return _NOT_WORD.sub("", name.lower().removeprefix("the "))


_NOT_WORD = re.compile(r"[^\w]")


_OWNS_A_NAME = re.compile(r"['’]s\s+[A-Z]")


MAX_CREDITED_MENTIONS = 3  # a reporter credited for a story is named once or twice


# A town's name and a comma before a country's: the country ends an address ("Munich, Veloria").
_ADDRESS = re.compile(r"\b([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*),\s+$")


def _stands_for_itself(text: str, start: int, end: int) -> bool:
    """Whether a mention of a place stands for the place itself ("sanctions on Veloria."),
    not for a setting: not after a locative, even across a list ("clubs in Veloria, Norland
    and Tarn"), and not the end of an address ("in Munich, Veloria")."""
    floor = max(start - 80, 0)
    if _locative_list().search(text, floor, start):
        return False
    town = _ADDRESS.search(text, floor, start)
    if town and not _is_place(town.group(1)) and not at_sentence_start(text, town.start(1)):
        return False  # not "Separately, Veloria's output rose"
    listed_to = _end_of_place_list(text, start, end)
    if listed_to is not None and not _subject_of().match(text, listed_to):
        return False  # "four countries (Veloria, Norland and Tarn)": examples, not parties
    return _STANDS_ALONE.match(text, end) is not None


def _end_of_place_list(text: str, start: int, end: int) -> int | None:
    """Where a list of places that holds this mention ends, or None when it is in none."""
    before = _NAME_AND_JOIN.search(text, max(start - 60, 0), start)
    listed = before is not None and _is_place(before.group(1))
    while (after := _JOIN_AND_NAME.match(text, end)) and _is_place(after.group(1)):
        listed, end = True, after.end()
    return end if listed else None


_LIST_OF = r"(?:,\s*(?:and\s+)?|,?\s+(?:and|or)\s+)(?:the\s+)?"


_NAME_AND_JOIN = re.compile(rf"\b([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*){_LIST_OF}$")


_JOIN_AND_NAME = re.compile(rf"{_LIST_OF}([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)")


# A mention that stands for the thing itself, not as a modifier of the next word ("U.S.
# officials") or a setting: it ends a clause, acts, or owns something.
_STANDS_ALONE = re.compile(r"\s*(?:[,;:)!?”\"]|['’]s\b|and\b|or\b|[a-z]+ed\b)")


def _worth_keeping(entity: Entity, text: str, body_start: int, body: int, cited: set[str]) -> bool:
    """Whether what was found is a party to the story rather than its setting or its press.

    * The press (a news outlet, a reporter credited as one) is kept only when the story is
      about it (three mentions or more).
    * A country or place counts when it acts, owns, is cited or is named on its own once; one
      only ever named as a setting ("a partner in Taiwan", "in Oslo, Bergen and Tromsø"),
      at the end of an address ("in Munich, Germany"), in a list of examples that does not
      act ("four countries (Chile, Peru and Bolivia)") or as a modifier ("U.S. officials")
      is scenery.
    * A person credited as the press ("Emily Feng reports for NPR", "Alex Horton of the
      Washington Post", a correspondent) is the press.
    * A name of anything else only ever named as a location is a setting.
    * A group or a lower-case institution that is never the subject of a verb ("freed 11
      prisoners") neither acts nor speaks; a collective noun mentioned once, late, is colour.
    """
    lex = lexicon()
    names = [entity.name, *entity.aliases]
    if any(is_press(n) for n in names) and enabled("stakeholders.press"):
        return entity.count >= 3
    if entity.name in lex.aliases_of or entity.name.lower() in lex.places:
        return _place_is_a_party(entity, text, names, cited)
    if _only_a_title(entity):
        return False  # "Republican Gov", "Head of Research": a title, no name
    if entity.kind is StakeholderKind.PERSON:
        return _person_is_a_party(entity, text, names, cited)
    if _never_acts(entity, text):
        return False  # "he told lawmakers", "freed 11 prisoners": never acts nor speaks
    if entity.kind is not StakeholderKind.GROUP:
        return True
    return _group_is_a_party(entity, text, body_start, body)


def _place_is_a_party(entity: Entity, text: str, names: list[str], cited: set[str]) -> bool:
    """Whether a country or place is a party: it acts or owns ("Veloria's capital"), is cited,
    or stands for itself once, not as a setting, an address or a list of examples (the rule
    "stakeholders.setting-in-list"; without it, once not after a locative)."""
    if entity.acts or any(
        # "Prosecutors in Sweden have dropped": the prosecutors act, Sweden is the setting
        (_acts().match(text, end) and not _locative().search(text, max(start - 20, 0), start))
        or _state_possession().match(text, end)
        for start, end in entity.mentions
    ):
        return True
    if _is_cited(names, cited):
        return True
    if not enabled("stakeholders.setting-in-list"):
        return any(
            not _locative().search(text, max(start - 20, 0), start)
            and _STANDS_ALONE.match(text, end) is not None
            for start, end in entity.mentions
        )
    return any(_stands_for_itself(text, start, end) for start, end in entity.mentions)


def _only_a_title(entity: Entity) -> bool:
    """Whether a name is a title with no name: "Republican Gov", "Head of Research"."""
    lex = lexicon()
    words = [w.lower().rstrip(".,") for w in entity.name.split()]
    person_ending_in_title = (
        entity.kind is StakeholderKind.PERSON
        and words[-1] in lex.person_titles
        and not is_titled_surname(entity.name.split())
    )
    return (len(words) > 1 and person_ending_in_title) or (
        len(words) > 2 and words[0] in lex.person_titles and words[1] == "of"
    )


def _person_is_a_party(entity: Entity, text: str, names: list[str], cited: set[str]) -> bool:
    """Whether a person is a party: not the press (a correspondent, a reporter credited with
    the story: the rule "stakeholders.press-credit") and not a thing named like a person."""
    press_credit = enabled("stakeholders.press-credit")
    if press_credit and _named_as_press(entity, text):
        return False
    if _thing_named_like_a_person(entity, text, names, cited):
        return False
    return not (press_credit and _credited_reporter(entity, text))


def _named_as_press(entity: Entity, text: str) -> bool:
    """Whether a person is named as the press: with a press title, or after one ("BBC
    diplomatic correspondent Caroline Hawley")."""
    if entity.title and entity.title.lower() in stakeholder_words().press_titles:
        return True
    first_start = min(entity.mentions)[0]
    return _press_before().search(text, max(first_start - 40, 0), first_start) is not None


def _thing_named_like_a_person(
    entity: Entity, text: str, names: list[str], cited: set[str]
) -> bool:
    """Whether a name read as a person's, with no title and never cited, names a thing.

    * A word the article also writes in lower case, named once or twice: "Blue Moon", "Black
      Death", "Tomb Raider" ("moon" elsewhere).
    * No mention that can be a person's: "in Palo Alto, California", "the Hoa Lo prison".
    * Only ever after "the": "the Nasdaq Composite" (the rule "stakeholders.the-thing").
    """
    if entity.title or _is_cited(names, cited):
        return False
    if (
        entity.name[:1].isupper()  # not "the victim"
        and entity.count <= 2
        and _used_as_common_noun(entity.name.split()[-1], text)
    ):
        return True
    if not any(_as_person(text, start, end) for start, end in entity.mentions):
        return True
    return enabled("stakeholders.the-thing") and all(
        _THE_BEFORE.search(text, max(s - 8, 0), s) for s, _ in entity.mentions
    )


def _credited_reporter(entity: Entity, text: str) -> bool:
    """Whether a person is a reporter credited with the story ("Emily Feng reports for NPR",
    "Alex Horton of the Washington Post"), not someone the story keeps coming back to ("the
    reign of Roger Ailes at Fox News", then "Ailes" 180 times)."""
    credit = _credit().match(text, min(entity.mentions)[1])
    if credit is None or entity.count > MAX_CREDITED_MENTIONS:
        return False
    outlet = credit.group("outlet")
    # "of the New York Times. All": the outlet's name ends with its sentence.
    return outlet is None or is_press(outlet.split(". ")[0].rstrip("."))


def _never_acts(entity: Entity, text: str) -> bool:
    """Whether a group or a lower-case institution is never the subject of a verb ("he told
    lawmakers", "freed 11 prisoners"; the rule "stakeholders.never-acts")."""
    return (
        entity.name[:1].islower()
        and entity.kind in (StakeholderKind.GOVERNMENT, StakeholderKind.GROUP)
        and enabled("stakeholders.never-acts")
        and not any(_is_subject(text, start, end) for start, end in entity.mentions)
    )


def _group_is_a_party(entity: Entity, text: str, body_start: int, body: int) -> bool:
    """Whether a group is a party: named twice, or once early and not as an object
    ("hundreds of workers", "his passengers")."""
    if entity.count == 1 and _object_before().search(text, max(entity.first - 30, 0), entity.first):
        return False
    return entity.count >= 2 or (entity.first - body_start) / body < 0.5


# After a place's name: its state or country ("San Ysidro, California") or "-based".
_PLACE_AFTER = re.compile(r"-based\b|,\s+(?P<region>[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)")


_THE_BEFORE = re.compile(r"\b[Tt]he\s+[“\"‘']?$")


def _as_person(text: str, start: int, end: int) -> bool:
    """Whether a mention can be a person's: not a setting ("in San Francisco"), not a place
    given with its region ("Palo Alto, California") and not a modifier of the noun after it
    ("the Hoa Lo prison")."""
    if _setting().search(text, max(start - 20, 0), start):
        return False
    after = _PLACE_AFTER.match(text, end)
    if after:
        region = after.group("region")
        if region is None or _is_place(region) or _is_place(region.split()[0]):
            return False
    return _head_follower().match(text, end) is not None


def _is_place(name: str) -> bool:
    lex = lexicon()
    name = name.lower().rstrip(".,")
    return name in lex.country_of or name in lex.places or name in lex.regions


def _is_subject(text: str, start: int, end: int) -> bool:
    """Whether a mention is the subject of its clause: a verb follows ("dealers sold"), or it
    opens its sentence or clause after a few words and no preposition ("Many of the
    protesters wear", "The first two infected patients - still in quarantine -")."""
    if _subject_of().match(text, end):
        return True
    opening = _clause_opening().search(text, max(start - 60, 0), start)
    return (
        opening is not None
        and not _not_opening_a_subject().search(opening.group("words"))
        and _predicate_next().match(text, end) is not None
    )


def _is_cited(names: list[str], cited: set[str]) -> bool:
    """Whether the sourcing analysis cites any of these names as a source."""
    keys = [k for k in map(_key, names) if k]
    return any(k in c for k in keys for c in cited)


def _used_as_common_noun(word: str, text: str) -> bool:
    """Whether the article also writes `word` in lower case ("moon" beside "Blue Moon")."""
    lower = word.lower().strip("'’.,")
    return len(lower) > 2 and lower in _lowercase_words(text)


_LOWERCASE_WORD = re.compile(r"(?<![\w'’-])[a-z][a-z]+(?![\w'’-])")


@lru_cache(maxsize=4)
def _lowercase_words(text: str) -> frozenset[str]:
    return frozenset(_LOWERCASE_WORD.findall(text))


def _shouting(text: str, at: int) -> bool:
    """Whether the line around `at` is written in capitals ("TELL US"), where "US" is a word."""
    start = max(text.rfind("\n", 0, at) + 1, at - 200)
    end = text.find("\n", at, at + 200)
    letters = [c for c in text[start : end if end >= 0 else at + 200] if c.isalpha()]
    return sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _without_products(entities: list[Entity]) -> list[Entity]:
    """Leave out a person's name that starts with another party's name ("Apple Arcade",
    "Stadia Pro"): that party's product or unit, not a person."""
    parties = {
        _key(n)
        for e in entities
        if e.kind is not StakeholderKind.PERSON
        for n in (e.name, *e.aliases)
    }
    return [
        e
        for e in entities
        if e.kind is not StakeholderKind.PERSON
        or e.title
        or len(e.name.split()) < 2
        or _key(e.name.split()[0]) not in parties
    ]


def _settle_people(entities: list[Entity], text: str) -> list[Entity]:
    """Keep a name read as a person's only with a sign of a person, or beside a person's name
    ("Sens. Dana Reyes and Omar Fields"); else it is an organisation when it acts like one
    ("Blue Horizon will fly", "engineer at Blue Horizon"), or left out: say less, be right."""
    if not enabled("stakeholders.person-needs-a-sign"):
        return entities
    unsure = [
        e for e in entities if _unsure_person(e) and not shows_a_person(e.name, e.mentions, text)
    ]
    if not unsure:
        return entities
    people = [e for e in entities if e.kind is StakeholderKind.PERSON and e not in unsure]
    beside = beside_people([m for e in people for m in e.mentions], text)
    kept = []
    for entity in entities:
        if entity not in unsure or any(
            start in beside.after or beside.before.intersection(list_joins(text, end))
            for start, end in entity.mentions
        ):
            kept.append(entity)
        elif _acts_as_body(entity, text):
            entity.kind = StakeholderKind.ORGANIZATION
            kept.append(entity)
    return kept


def _unsure_person(entity: Entity) -> bool:
    """Whether a name was read as a person's from its words alone: two or three capitalised
    words and no title."""
    words = entity.name.split()
    return (
        entity.kind is StakeholderKind.PERSON
        and not entity.title
        and len(words) >= 2
        and entity.name[:1].isupper()
    )


def _acts_as_body(entity: Entity, text: str) -> bool:
    """Whether a name acts as an organisation does: it is a subject ("Blue Horizon will
    fly"), has staff or owns a named thing ("Blue Horizon's Skylark"), or employs someone
    ("chief engineer at Blue Horizon"). One only ever written after "the" is a thing ("the
    Harbor Composite lost 20 points")."""
    if enabled("stakeholders.the-thing") and all(
        _THE_BEFORE.search(text, max(s - 8, 0), s) for s, _ in entity.mentions
    ):
        return False
    return any(
        _subject_of().match(text, end)
        or _has_staff().match(text, end)
        or _OWNS_A_NAME.match(text, end)
        or workplace_before(text, start)
        for start, end in entity.mentions
    )
