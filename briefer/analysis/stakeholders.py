"""Find the stakeholders of an article with word lists and patterns, no downloaded models.

The rules, in order:

1. *Candidates* are runs of capitalised words (with inner "of", "for", "and", "&", "the", "de",
   possessives and trailing numbers such as "Local 417"), plus collective nouns from the word
   list ("residents", "shareholders") with the adjective before them ("coastal residents").
2. Leading words that are not names ("The", "Asked", weekdays) are dropped; a leading title
   ("Mayor", "Judge") marks a person and is kept as their role.
3. *Kind*: a known country or capital is a government; a name ending in a company suffix is a
   company; a name containing a government word is a government; one containing an
   organisation word is an organization; two or three name-like words are a person, when
   the text shows one (a title or role noun before it, a given name or middle initial, the
   surname alone, an age or "who" after it, a listing beside a person); without such a sign
   the name is an organization when it acts like one, and is left out otherwise. The
   collective nouns are groups. Single capitalised words count only as aliases of something
   already found ("Albright" after "Denise Albright", "Cardinal" after "Cardinal Coachworks",
   "Beijing" for China) or when they are known countries.
4. *Aliases merge*: a surname after the full name, a first word of a company's name, "U.S." and
   "United States", a capital standing for its government.
5. *Parties, not scenery*: a place only named as a setting, the press, a group that never
   acts are left out (`_worth_keeping`).
6. *Salience*: mentions (with aliases), being quoted or cited, and an early first mention.

How the words of one run read as names (steps 2 to 4) is `briefer.analysis.names`; this module
finds the runs and decides which names are parties to the story. The words both read (verbs
after a subject, a state's institutions, prepositions of a setting, press titles) are in
`stakeholders.toml`, each list with a comment saying which step or rule reads it; the
patterns here put them in their grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from briefer.analysis.mentions import at_sentence_start, candidate_runs, collectives, role_people
from briefer.analysis.names import (
    _BRAND,
    _POSSESSIVE,
    Tokens,
    _aliases,
    _is_person_like,
    _owner_only,
    _split_candidate,
    classify_name,
    is_press,
    is_titled_surname,
    owner_and_owned,
)
from briefer.analysis.people import (
    beside_people,
    list_joins,
    shows_a_person,
    workplace_before,
)
from briefer.analysis.rules import enabled
from briefer.analysis.sourcing import is_market_voice
from briefer.analysis.stakeholder_words import stakeholder_words
from briefer.analysis.words import (
    POSSESSIVE_DETERMINERS,
    PREPOSITIONS,
    SUBJECT_PRONOUNS,
    singular,
)
from briefer.schema import StakeholderKind
from briefer.text.lexicon import Lexicon, alternation, lexicon


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


# A short form defined in brackets right after a name: "(NYAG)", "(the EPA)".
_DEFINED_AS = re.compile(r"\s*\(\s*(?:the\s+)?([A-Z][A-Za-z&.]*[A-Z]\.?)\s*\)")


@cache
def _object_markers() -> frozenset[str]:
    """Words before a noun that make it an object or a description, not a subject: a
    preposition or a possessive ("hundreds of workers", "his passengers")."""
    return PREPOSITIONS | POSSESSIVE_DETERMINERS | stakeholder_words().object_markers


@cache
def _acts() -> re.Pattern[str]:
    """What a party does right after its name: "China said", "the Taliban freed"."""
    return re.compile(rf"\s+(?:{alternation(stakeholder_words().act_verbs)})\b")


@cache
def _state_body_pattern() -> re.Pattern[str]:
    """An institution that, after a demonym or a country's name, is the state itself ("the
    Afghan government")."""
    return re.compile(rf"\s+(?:{alternation(stakeholder_words().state_bodies)})\b")


@cache
def _head_follower() -> re.Pattern[str]:
    """The word after a name when the name is the head of its phrase: punctuation, a function
    word, or a verb ("said", "wants", "rejected", "also"); any other lower-case word is a noun
    the name modifies ("the Hoa Lo prison", "U.S. military aid", "Hong Kong unrest")."""
    lists = stakeholder_words()
    words = alternation(lists.head_followers | lists.irregular_past)
    return re.compile(rf"(?:\s*[^\w\s-]|\s+(?:{words}|[a-z]+(?:ed|ly|s))\b|\s*$|\s+[^a-z\s])")


@cache
def _subject_of() -> re.Pattern[str]:
    """A name that is the subject of a verb, perhaps after an adverb or beside another
    subject: "Nomura said", "Gannett reportedly laid off", "Gannett and McClatchy have
    resisted"."""
    lists = stakeholder_words()
    verbs = alternation(lists.act_verbs | lists.subject_verbs | lists.irregular_past)
    return re.compile(
        r"(?:\s+(?:and|or)\s+[A-Z][\w'’&-]*(?:\s+[A-Z][\w'’&-]*)*)?(?:\s+[a-z]+ly)?\s+"
        rf"(?:{verbs}|[a-z]+ed|won(?=['’]t))(?:n?['’]t)?\b"
    )


@cache
def _named_body() -> re.Pattern[str]:
    """A named institution: a name and the lower-case body it names ("Inner Mongolia health
    commission", "the Trump administration", "a Hong Kong court"). Countries have their own
    rule."""
    lists = stakeholder_words()
    modifiers, nouns = alternation(lists.body_modifiers), alternation(lists.body_nouns)
    return re.compile(rf"[ \t]+((?:(?:{modifiers})[ \t]+)?(?:{nouns}))\b")


@cache
def _one_of_many() -> re.Pattern[str]:
    """Before a name, one of several left unnamed: "one Nordic government", "another Western
    capital"."""
    return re.compile(rf"\b(?:{alternation(stakeholder_words().one_of_many)})\s+$", re.I)


@cache
def _has_staff() -> re.Pattern[str]:
    """An organisation's people or stock after its name: "Salesforce's CEO", "Gannett's
    shares"."""
    return re.compile(rf"['’]s\s+(?:{alternation(stakeholder_words().staff_words)})\b")


@cache
def _state_possession() -> re.Pattern[str]:
    """What a state has after its name: "Veloria's capital", "the country's central bank"."""
    return re.compile(rf"['’]s\s+(?:{alternation(stakeholder_words().state_possessions)})\b")


def find_stakeholders(text: str, *, body_start: int = 0, cited: Iterable[str] = ()) -> list[Entity]:
    """Return the stakeholders of `text`, most salient first.

    Names are looked for from `body_start` on (after a title-case headline, whose every word
    is capitalised). `cited` are source names from the sourcing analysis; being cited raises
    salience.
    """
    cited = list(cited)
    found = _Found(text)
    pending = _read_runs(found, body_start)
    _add_demonyms(found, pending.demonyms)
    _add_single_words(found, pending.singles, cited)
    _add_common_nouns(found, body_start)
    _add_market_voices(found, cited, body_start)
    entities = _settle_people(found.entities, text)
    cited_keys = {_key(c) for c in cited}
    body = max(len(text) - body_start, 1)
    entities = _without_products(entities)
    kept = [e for e in entities if _worth_keeping(e, text, body_start, body, cited_keys)]
    kept.sort(key=lambda e: (-_salience(e, body_start, body, cited_keys), e.first))
    return kept


@dataclass
class _Found:
    """The stakeholders found in a text so far, in order of first mention, by every name they
    go by."""

    text: str
    entities: list[Entity] = field(default_factory=list)
    by_name: dict[str, Entity] = field(default_factory=dict)

    def get(self, name: str) -> Entity | None:
        """Return the stakeholder found under `name` or one of its aliases, if any."""
        return self.by_name.get(_key(name))

    def add(
        self, name: str, kind: StakeholderKind, start: int, end: int, title: str | None = None
    ) -> Entity:
        """Record a mention of `name`: one more of the stakeholder it names, or a new one with
        its aliases and any short form defined after it ("the New York State Attorney General
        (NYAG)")."""
        key = _key(name)
        entity = self.by_name.get(key)
        if entity is None:
            entity = Entity(name=name, kind=kind, first=start, title=title)
            self.entities.append(entity)
            for alias in _aliases(name, kind):
                self.by_name.setdefault(_key(alias), entity)
            self.by_name[key] = entity
        entity.mentions.append((start, end))
        if title and not entity.title:
            entity.title = title
        defined = _DEFINED_AS.match(self.text, end)
        if defined and kind is not StakeholderKind.PERSON:
            short = defined.group(1)
            self.by_name.setdefault(_key(short), entity)
            entity.aliases.add(short)
        return entity


@dataclass
class _Pending:
    """Mentions read from the runs that are placed once every longer name is known: single
    words and nationalities, each as (word or country, start, end)."""

    singles: list[tuple[str, int, int]] = field(default_factory=list)
    demonyms: list[tuple[str, int, int]] = field(default_factory=list)


def _read_runs(found: _Found, body_start: int) -> _Pending:
    """Add the names read from the runs of capitalised words; return the single words and
    nationalities left to place. A body an organisation owns is a name of its own ("NASA's
    Goddard Space Flight Center", the rule "stakeholders.owned-body")."""
    pending = _Pending()
    owned_bodies = enabled("stakeholders.owned-body")
    for tokens in candidate_runs(found.text, body_start):
        runs = _owner_and_owned(tokens, found.text) if owned_bodies else [_owner_only(tokens)]
        for part, title in [p for run in runs for p in _split_candidate(run)]:
            _read_name(found, pending, part, title)
    return pending


def _read_name(found: _Found, pending: _Pending, part: Tokens, title: str | None) -> None:
    """Add one name read from a run by what it names: a body named after it ("the Trump
    administration"), a country, a place, or a kind of name; keep a nationality or a single
    word of no known kind pending."""
    lex = lexicon()
    text = found.text
    name, start = _clean_name(_without_common_lead(part, text), text)
    if not name:
        return
    end = start + len(name)
    if name.split()[-1].lower() in lex.place_words:
        return
    country = lex.country_of.get(name.lower())
    body = _body_named_after(name, text, start, end) if country is None else None
    if body:
        found.add(f"{name} {body.group(1)}", StakeholderKind.GOVERNMENT, start, body.end())
    elif country and _names_the_country(name, text, start):
        state = found.add(country, StakeholderKind.GOVERNMENT, start, end)
        if _state_body(text, end):  # "the US military"
            state.acts = True
    elif name.lower() in lex.places:
        found.add(name, StakeholderKind.GOVERNMENT, start, end)
    elif people_of := lex.demonym_of.get(_POSSESSIVE.sub("", name).lower()):
        pending.demonyms.append((people_of, start, end))
    elif (kind := classify_name(name, title=title)) is not None:
        found.add(name, kind, start, end, title)
    elif len(name.split()) == 1:
        pending.singles.append((name, start, end))


def _body_named_after(name: str, text: str, start: int, end: int) -> re.Match[str] | None:
    """The institution named in lower case after a name, which it heads: "Inner Mongolia
    health commission", "the Trump administration"; not after a nationality, an owner, or one
    of many ("one Nordic government")."""
    body = _named_body().match(text, end)
    if (
        body
        and not lexicon().demonym_of.get(_POSSESSIVE.sub("", name).lower())
        and not _POSSESSIVE.search(name)
        and _head_follower().match(text, body.end())
        and not _one_of_many().search(text, max(start - 12, 0), start)
    ):
        return body
    return None


def _names_the_country(name: str, text: str, start: int) -> bool:
    """Whether a country's name is meant, not the word "us" in a line of capitals ("TELL
    US")."""
    return not name.isupper() or len(name) > 2 or "." in name or not _shouting(text, start)


def _add_demonyms(found: _Found, demonyms: list[tuple[str, int, int]]) -> None:
    """Count a nationality as a mention of its country when the country is a stakeholder
    ("Chinese goods"), never as one of its own; with an institution after it ("the Afghan
    government", "the US military") it is the state itself, acting."""
    for country, start, end in demonyms:
        known = found.get(country)
        institution = _state_body(found.text, end)
        if institution is not None:
            found.add(country, StakeholderKind.GOVERNMENT, start, institution.end()).acts = True
        elif known is not None:
            known.mentions.append((start, end))


def _add_single_words(
    found: _Found, singles: list[tuple[str, int, int]], cited: Iterable[str]
) -> None:
    """Place single capitalised words: as aliases of what was found ("Albright", a family name
    written first), as a state named by what it has ("Veloria's capital"), or as a frequent
    actor ("the Taliban said"); else they are ignored."""
    unknown = _place_single_words(found, singles)
    cited_words = {w for c in cited for w in c.split()}
    for mentions in unknown.values():
        word = mentions[0][0]
        kind = _acting_word_kind(word, mentions, found.text, cited_words)
        if kind is not None:
            for _, start, end in mentions:
                found.add(word, kind, start, end)


def _place_single_words(
    found: _Found, singles: list[tuple[str, int, int]]
) -> dict[str, list[tuple[str, int, int]]]:
    """Add single words that are aliases of what was found or states named by what they have
    ("Veloria's capital"); return the others' mentions by word.

    A family name written first ("Liu Xiaming", then "Liu said") is the one person whose name
    starts with the word, when only one does and the full name comes first: news names a
    person in full first, so a word used alone before the full name ("Stadia ... Stadia Pro")
    names something else.
    """
    text = found.text
    first_words: dict[str, list[Entity]] = {}
    for e in found.entities:
        if e.kind is StakeholderKind.PERSON and len(e.name.split()) > 1:
            first_words.setdefault(_key(e.name.split()[0]), []).append(e)
    first_alone: dict[str, int] = {}
    for name, start, _ in singles:
        first_alone.setdefault(_key(name), start)
    unknown: dict[str, list[tuple[str, int, int]]] = {}
    for name, start, end in singles:
        entity = found.get(name)
        owners = first_words.get(_key(name), [])
        if entity is None and len(owners) == 1 and owners[0].first < first_alone[_key(name)]:
            entity = owners[0]
        if entity is None and _state_possession().match(text, end):
            found.add(name, StakeholderKind.GOVERNMENT, start, end)
        elif entity is not None:
            entity.mentions.append((start, end))
            entity.aliases.add(name)
        else:
            unknown.setdefault(_key(name), []).append((name, start, end))
    return unknown


def _acting_word_kind(
    word: str, mentions: list[tuple[str, int, int]], text: str, cited_words: set[str]
) -> StakeholderKind | None:
    """The kind of a single capitalised word that names an actor, or None.

    A common word capitalised ("Officials", "We're") is no name, nor a word only ever used as
    a modifier ("a Baltic state"). A word counts when it acts or has staff ("Nomura said",
    "Gannett's shares"), is a brand ("SpaceX", a capital inside a word) or is cited, and is
    named twice; named once, when it acts and is cited. "SpaceX" is a company's brand; "CBP",
    an acronym, is as often an agency as a firm.
    """
    acting = sum(
        1
        for _, start, end in mentions
        if _subject_of().match(text, end) or _has_staff().match(text, end)
    )
    brand = _BRAND.fullmatch(word) is not None
    if _is_common_word(word, text, lexicon()) or not any(
        _head_follower().match(text, end) for _, _, end in mentions
    ):
        return None
    if (len(mentions) >= 2 and (acting or brand or word in cited_words)) or (
        acting and word in cited_words
    ):
        camel = brand and not word.isupper()
        return StakeholderKind.COMPANY if camel else StakeholderKind.ORGANIZATION
    return None


def _add_common_nouns(found: _Found, body_start: int) -> None:
    """Add the groups and institutions named by collective nouns ("coastal residents", "the
    police"), and the people named by their part at least twice ("the victim")."""
    for start, end, name, kind in collectives(found.text, body_start):
        found.add(name, kind, start, end)
    for role, spans in role_people(found.text, body_start).items():
        for start, end in spans:
            found.add(role, StakeholderKind.PERSON, start, end)


def _add_market_voices(found: _Found, cited: Iterable[str], body_start: int) -> None:
    """Add the market the sourcing analysis hears speak ("Wall Street predicted ..."): the
    group of analysts it stands for, not a street (the rule "sourcing.market-voice")."""
    if not enabled("sourcing.market-voice"):
        return
    for name in {" ".join(c.split()).removeprefix("the ") for c in cited if is_market_voice(c)}:
        for match in re.finditer(rf"\b{re.escape(name)}\b", found.text[body_start:]):
            start = body_start + match.start()
            found.add(name, StakeholderKind.GROUP, start, start + len(name))


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


def _salience(entity: Entity, body_start: int, body: int, cited_keys: set[str]) -> float:
    """Score how central a stakeholder is: its mentions, being cited, an early first mention;
    a group counts a little less."""
    keys = {_key(entity.name), *(_key(a) for a in entity.aliases)}
    score = float(entity.count)
    if any(k and any(k in c for c in cited_keys) for k in keys):
        score += 2.0
    score += 1.5 * (1 - min((entity.first - body_start) / body, 1.0))
    if entity.kind is StakeholderKind.GROUP:
        score -= 0.5
    return score


def _owner_and_owned(tokens: list[tuple[str, int]], text: str) -> list[list[tuple[str, int]]]:
    """The owner of a run and a body it owns, when that body heads its phrase and is not a
    setting: "a scientist at NASA's Goddard Space Flight Center", not "remarks at Veloria's
    Communist Party headquarters"."""
    runs = owner_and_owned(tokens)
    word, at = tokens[-1]
    start = tokens[0][1]
    if len(runs) > 1 and (
        not _head_follower().match(text, at + len(word))
        or (
            _setting().search(text, max(start - 20, 0), start) and not workplace_before(text, start)
        )
    ):
        return runs[:1]
    return runs


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


_OWNS_A_NAME = re.compile(r"['’]s\s+[A-Z]")


MAX_CREDITED_MENTIONS = 3  # a reporter credited for a story is named once or twice


@cache
def _locative() -> re.Pattern[str]:
    """A preposition of place before a name: "in", "across the"."""
    return re.compile(rf"(?:\b(?:{alternation(stakeholder_words().locatives)})\s+(?:the\s+)?)$")


@cache
def _setting() -> re.Pattern[str]:
    """Before a name only ever used as a place ("in the West Bank"): narrower than
    `_locative`, since "according to X" and "a report from X" name a source, not a place."""
    return re.compile(rf"(?:\b(?:{alternation(stakeholder_words().settings)})\s+(?:the\s+)?)$")


@cache
def _locative_list() -> re.Pattern[str]:
    """A locative before a list of places, which reaches each of them: "in Oslo, Bergen and
    Tromsø", "in east Jerusalem and the West Bank"."""
    return re.compile(
        rf"\b(?:{alternation(stakeholder_words().locatives)})"
        r"\s+(?:the\s+)?(?:(?:[a-z]+\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*"
        r"(?:,\s+(?:and\s+)?|,?\s+(?:and|or)\s+)(?:the\s+)?)*$"
    )


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


@cache
def _credit() -> re.Pattern[str]:
    """A byline or a reporter's credit after their name: "Emily Feng reports for NPR",
    "Sui-Lee Wee of the Times", ", a Reuters correspondent"."""
    lists = stakeholder_words()
    titles, verbs = alternation(lists.press_titles), alternation(lists.credit_verbs)
    return re.compile(
        rf",\s+(?:[\w.'’-]+\s+){{0,3}}(?:{titles})\b|"
        rf"\s+(?:{verbs})\s+(?:for|in)\b|"
        r"\s+(?:of|for|at)\s+(?P<outlet>(?:the\s+)?[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*)"
    )


@cache
def _press_before() -> re.Pattern[str]:
    """A press title right before a name: "BBC diplomatic correspondent"."""
    return re.compile(rf"\b(?:{alternation(stakeholder_words().press_titles)})\s+$", re.IGNORECASE)


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
    if entity.name in lex.country_of.values() or entity.name.lower() in lex.places:
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


@cache
def _object_before() -> re.Pattern[str]:
    """Before a noun that is an object or a description, not a subject: a preposition, a
    possessive pronoun, perhaps with a word between ("hundreds of workers")."""
    return re.compile(rf"\b(?:{alternation(_object_markers())})\s+(?:[a-z][\w'’-]*\s+)?$")


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


@cache
def _predicate_next() -> re.Pattern[str]:
    """After a subject that opens its clause: its verb ("automakers sweeten deals") or an
    aside ("patients - still in quarantine -"); not a conjunction or a preposition, which make
    it one of a verb's objects ("to cut costs, close ancillary businesses and narrow ...")."""
    objects = alternation(stakeholder_words().not_a_predicate)
    return re.compile(rf"\s*[—–-]|\s*,|\s+(?!(?:{objects})\b)[a-z]")


@cache
def _clause_opening() -> re.Pattern[str]:
    """Where a clause opens: a new line, punctuation, or a conjunction that starts a clause
    ("low as automakers sweeten deals"); then up to four words."""
    conjunctions = alternation(stakeholder_words().clause_conjunctions)
    return re.compile(
        rf"(?:^|\n|[.!?:;,][\"”’]?[ \t]+|\b(?:{conjunctions})[ \t]+)"
        r"(?P<words>(?:[\w'’-]+[ \t]+){0,4})$"
    )


@cache
def _not_opening_a_subject() -> re.Pattern[str]:
    """Words before a noun that make it an object: a preposition, a possessive, or a pronoun
    that is the clause's subject already ("He begged lawmakers"). A quantifier's "of" keeps
    the subject: "Many of the protesters wear masks"."""
    words = (_object_markers() - {"of"}) | SUBJECT_PRONOUNS
    return re.compile(rf"\b(?:{alternation(words)})\b", re.IGNORECASE)


def _is_common_word(word: str, text: str, lex: Lexicon) -> bool:
    """Whether a capitalised word is a common word ("Officials", "Critics"), not a name."""
    if _CONTRACTION.search(word):
        return True  # "We're", "It'll"
    lower = _POSSESSIVE.sub("", word).lower()
    words = lex.not_entities | lex.group_words | lex.institution_nouns | lex.person_titles
    if lower in words or singular(lower) in words:
        return True
    return _used_as_common_noun(word, text) or _used_as_common_noun(singular(lower), text)


_CONTRACTION = re.compile(r"['’](?:re|ll|ve|d|m|t)$", re.IGNORECASE)


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


def _state_body(text: str, end: int) -> re.Match[str] | None:
    """The state's institution named after a country at `end` ("the US military"), when it is
    the head of its phrase (not "U.S. military aid")."""
    body = _state_body_pattern().match(text, end)
    return body if body and _head_follower().match(text, body.end()) else None


def _shouting(text: str, at: int) -> bool:
    """Whether the line around `at` is written in capitals ("TELL US"), where "US" is a word."""
    start = max(text.rfind("\n", 0, at) + 1, at - 200)
    end = text.find("\n", at, at + 200)
    letters = [c for c in text[start : end if end >= 0 else at + 200] if c.isalpha()]
    return sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _without_common_lead(tokens: list[tuple[str, int]], text: str) -> list[tuple[str, int]]:
    """Drop a common word that opens a sentence before a person's name: "Employee Steve
    Castro said" when the article also writes "employees". An organisation keeps its word
    ("People Power Party")."""
    if len(tokens) < 3 or not at_sentence_start(text, tokens[0][1]):
        return tokens
    lead = tokens[0][0].lower()
    rest = [w for w, _ in tokens[1:]]
    if (
        (lead in _lowercase_words(text) or f"{lead}s" in _lowercase_words(text))
        and _is_person_like(rest)
        and classify_name(" ".join(w for w, _ in tokens)) is StakeholderKind.PERSON
    ):
        return tokens[1:]
    return tokens


def _clean_name(tokens: list[tuple[str, int]], text: str) -> tuple[str, int]:
    connectors = stakeholder_words().connectors
    while tokens and tokens[-1][0].lower() in connectors:
        tokens = tokens[:-1]
    if not tokens:
        return "", 0
    start = tokens[0][1]
    last_word, last_at = tokens[-1]
    name = text[start : last_at + len(last_word)]
    name = _POSSESSIVE.sub("", name)
    return name.rstrip("'’,;:"), start


@lru_cache(maxsize=8192)
def _key(name: str) -> str:
    return _NOT_WORD.sub("", name.lower().removeprefix("the "))


_NOT_WORD = re.compile(r"[^\w]")
