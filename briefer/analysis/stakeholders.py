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

How the words of one run read as names (steps 2 to 4) is `briefer.analysis.names` and
`briefer.analysis.name_kinds`; this module
finds the runs and decides which names are parties to the story. The words both read (verbs
after a subject, a state's institutions, prepositions of a setting, press titles) are in
`stakeholders.toml`, each list with a comment saying which step or rule reads it; the
patterns here put them in their grammar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from briefer.analysis.grammar import (
    _has_staff,
    _head_follower,
    _says_he,
    _setting,
    _state_possession,
    _subject_of,
)
from briefer.analysis.mentions import at_sentence_start, candidate_runs, collectives, role_people
from briefer.analysis.name_kinds import _POSSESSIVE, _aliases, _is_person_like, classify_name
from briefer.analysis.names import (
    _BRAND,
    Tokens,
    _owner_only,
    _split_candidate,
    owner_and_owned,
)
from briefer.analysis.parties import (
    Entity,
    _key,
    _lowercase_words,
    _settle_people,
    _shouting,
    _used_as_common_noun,
    _without_products,
    _worth_keeping,
)
from briefer.analysis.people import (
    workplace_before,
)
from briefer.analysis.rules import enabled
from briefer.analysis.sourcing import is_market_voice
from briefer.analysis.stakeholder_words import stakeholder_words
from briefer.analysis.words import (
    singular,
)
from briefer.schema import StakeholderKind
from briefer.text.lexicon import alternation, lexicon

# A short form defined in brackets right after a name: "(NYAG)", "(the EPA)".
_DEFINED_AS = re.compile(r"\s*\(\s*(?:the\s+)?([A-Z][A-Za-z&.]*[A-Z]\.?)\s*\)")


@cache
def _state_body_pattern() -> re.Pattern[str]:
    """An institution that, after a demonym or a country's name, is the state itself ("the
    Afghan government")."""
    return re.compile(rf"\s+(?:{alternation(stakeholder_words().state_bodies)})\b")


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
    if _is_common_word(word, text) or not any(
        _head_follower().match(text, end) for _, _, end in mentions
    ):
        return None
    if (len(mentions) >= 2 and (acting or brand or word in cited_words)) or (
        acting and word in cited_words
    ):
        if not brand and _says_he_or_she(mentions, text):
            return StakeholderKind.PERSON  # "Evans said he would stay": a surname alone
        camel = brand and not word.isupper()
        return StakeholderKind.COMPANY if camel else StakeholderKind.ORGANIZATION
    return None


def _says_he_or_she(mentions: list[tuple[str, int, int]], text: str) -> bool:
    """Whether a single word is a person's name by what follows it: "Evans said he would
    stay" (the rule "stakeholders.says-he")."""
    return enabled("stakeholders.says-he") and any(
        _says_he().match(text, end) for _, _, end in mentions
    )


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


def _is_common_word(word: str, text: str) -> bool:
    """Whether a capitalised word is a common word ("Officials", "Critics"), not a name."""
    if _CONTRACTION.search(word):
        return True  # "We're", "It'll"
    lower = _POSSESSIVE.sub("", word).lower()
    words = _common_words()
    if lower in words or singular(lower) in words:
        return True
    return _used_as_common_noun(word, text) or _used_as_common_noun(singular(lower), text)


@cache
def _common_words() -> frozenset[str]:
    """The words of the lists that are no name: common words, groups, institutions, titles."""
    lex = lexicon()
    return lex.not_entities | lex.group_words | lex.institution_nouns | lex.person_titles


_CONTRACTION = re.compile(r"['’](?:re|ll|ve|d|m|t)$", re.IGNORECASE)


def _state_body(text: str, end: int) -> re.Match[str] | None:
    """The state's institution named after a country at `end` ("the US military"), when it is
    the head of its phrase (not "U.S. military aid")."""
    body = _state_body_pattern().match(text, end)
    return body if body and _head_follower().match(text, body.end()) else None


def _without_common_lead(tokens: list[tuple[str, int]], text: str) -> list[tuple[str, int]]:
    """Drop a common word that opens a sentence before a person's name: "Employee Steve
    Castro said" when the article also writes "employees". An organisation keeps its word
    ("People Power Party")."""
    if len(tokens) < 3 or not at_sentence_start(text, tokens[0][1]):
        return tokens
    lead = tokens[0][0].lower()
    rest = [w for w, _ in tokens[1:]]
    given = lexicon().given_names
    if (
        (
            lead in _lowercase_words(text)
            or f"{lead}s" in _lowercase_words(text)
            or (  # "Frontrunners Donald Trump": a name starts at its given name
                rest[0].lower() in given
                and lead not in given
                and enabled("stakeholders.name-starts-at-given-name")
            )
        )
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
