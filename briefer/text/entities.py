"""Find the stakeholders of an article with word lists and patterns, no downloaded models.

The rules, in order:

1. *Candidates* are runs of capitalised words (with inner "of", "for", "and", "&", "the", "de",
   possessives and trailing numbers such as "Local 417"), plus collective nouns from the word
   list ("residents", "shareholders") with the adjective before them ("coastal residents").
2. Leading words that are not names ("The", "Asked", weekdays) are dropped; a leading title
   ("Mayor", "Judge") marks a person and is kept as their role.
3. *Kind*: a known country or capital is a government; a name ending in a company suffix is a
   company; a name containing a government word is a government; one containing an
   organisation word is an organization; two or three name-like words are a person; the
   collective nouns are groups. Single capitalised words count only as aliases of something
   already found ("Albright" after "Denise Albright", "Cardinal" after "Cardinal Coachworks",
   "Beijing" for China) or when they are known countries.
4. *Aliases merge*: a surname after the full name, a first word of a company's name, "U.S." and
   "United States", a capital standing for its government.
5. *Salience*: mentions (with aliases), being quoted or cited, and an early first mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache

from briefer.schema import StakeholderKind
from briefer.text import finditer_any_case
from briefer.text.lexicon import (
    POSSESSIVE_DETERMINERS,
    PREPOSITIONS,
    SUBJECT_PRONOUNS,
    Lexicon,
    alternation,
    is_news_outlet,
    lexicon,
    singular,
)


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


# Arabic and other name particles joined to the next word: "al-Bashir", "el-Sisi".
_PARTICLE = r"(?:al|el|ad|as|ibn|bin|abu|ben)-[A-Z][\w'’-]*"
# "21st Century Fox": an ordinal that opens a name.
_ORDINAL = r"\d{1,3}(?:st|nd|rd|th)(?=[ \t]+[A-Z])"
# A middle initial: "Christopher D. Battin".
_INITIAL = r"[A-Z]\.(?=[ \t]+[A-Z][a-z])"
_WORD = rf"(?:[A-Z]\.(?:[A-Z]\.)+|{_INITIAL}|[A-Z][\w'’&-]*|{_PARTICLE}|{_ORDINAL}|&)"
_JOIN = (
    r"(?:(?:[ \t]+(?:of|for|and|the|de|du|del|la|von|van|on|bin|ibn|bint|abu|da|di|dos|&))+"
    r"[ \t]+|[ \t]+)"
)
_CANDIDATE = re.compile(rf"{_WORD}(?:{_JOIN}{_WORD})*(?:[ \t]+\d{{1,5}}\b)?")
_TOKEN = re.compile(r"\S+")
_CONNECTORS = frozenset(
    {"of", "for", "and", "the", "de", "du", "del", "la", "von", "van", "on", "&"}
)
_NAME_SUFFIXES = frozenset({"Jr", "Sr", "II", "III", "IV"})
# Lower-case words inside a person's name ("Mohammed bin Salman", "Luiz Inácio da Silva").
_NAME_PARTICLES = frozenset({"bin", "ibn", "bint", "abu", "da", "di", "dos", "de", "van", "von"})
_NAME_WORD = re.compile(
    r"^[A-Z][a-zà-ÿ'’-]+(?:[A-Z][a-zà-ÿ]+)?$|^[A-Z]\.$|^(?:al|el|ad|as|ibn|bin|abu|ben)-[A-Z][a-zà-ÿ'’-]+$"
)
_POSSESSIVE = re.compile(r"['’]s$")
_OWNER = re.compile(r"(?:['’]s|s['’])$")  # a possessive, "Works'" too
# A short form defined in brackets right after a name: "(NYAG)", "(the EPA)".
_DEFINED_AS = re.compile(r"\s*\(\s*(?:the\s+)?([A-Z][A-Za-z&.]*[A-Z]\.?)\s*\)")
# Words before a noun that make it an object or a description, not a subject: a preposition
# or a possessive ("hundreds of workers", "his passengers").
_OBJECT_MARKERS = (
    PREPOSITIONS | POSSESSIVE_DETERMINERS | {"toward", "towards", "after", "before", "than", "like"}
)


def _alternation(words: frozenset[str] | set[str]) -> str:
    return alternation(tuple(sorted(words, key=lambda w: (-len(w), w))))


# What a party does right after its name: "China said", "the Taliban freed".
_ACT_VERBS = (
    "said|says|say|told|announced|denied|claimed|insisted|warned|has|have|had|is|are|"
    "was|were|will|would|wants?|demanded|agreed|refused|rejected|released|freed|seized"
)
_ACTS = re.compile(rf"\s+(?:{_ACT_VERBS})\b")
_BRAND = re.compile(r"[A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z][a-z]*[A-Z]{2,}")
# An institution that, after a demonym or a country's name, is the state itself.
_STATE_BODY = re.compile(
    r"\s+(?:government|administration|military|army|navy|air force|armed forces|forces|"
    r"authorities|police|cabinet|parliament|foreign ministry|health ministry|coast guard)\b"
)
_IRREGULAR_PAST = (
    "began|became|bought|brought|built|came|fell|felt|fought|found|gave|got|grew|heard|held|"
    "kept|knew|laid|led|left|lost|made|meant|met|paid|put|ran|rose|saw|sent|set|sold|spent|"
    "spoke|stood|took|taught|thought|went|won|wrote"
)
# The word after a name when the name is the head of its phrase: punctuation, a function
# word, or a verb ("said", "wants", "rejected", "also"); any other lower-case word is a noun
# the name modifies ("the Hoa Lo prison", "U.S. military aid", "Hong Kong unrest").
_HEAD_FOLLOWER = re.compile(
    r"(?:\s*[^\w\s-]|\s+(?:and|or|but|nor|who|whom|whose|which|that|is|are|was|were|be|been|"
    r"has|have|had|will|would|can|could|may|might|must|shall|should|did|does|do|to|in|on|at|"
    r"of|for|with|from|by|as|about|after|before|into|over|under|during|since|until|when|"
    r"while|where|if|than|not|never|still|just|only|again|too|even|then|now|first|last|"
    r"himself|herself|itself|themselves|said|say|told|tell|" + _IRREGULAR_PAST + r"|"
    r"[a-z]+(?:ed|ly|s))\b|\s*$|\s+[^a-z\s])"
)
# A name that is the subject of a verb, perhaps after an adverb or beside another subject:
# "Nomura said", "Gannett reportedly laid off", "Gannett and McClatchy have resisted".
_SUBJECT_OF = re.compile(
    r"(?:\s+(?:and|or)\s+[A-Z][\w'’&-]*(?:\s+[A-Z][\w'’&-]*)*)?(?:\s+[a-z]+ly)?\s+"
    rf"(?:{_ACT_VERBS}|tells|can|could|may|might|must|should|did|do|does|launched|"
    rf"{_IRREGULAR_PAST}|[a-z]+ed)\b"
)
# A named institution: a name and the lower-case body it names ("Inner Mongolia health
# commission", "the Trump administration", "a Hong Kong court"). Countries have their own rule.
_NAMED_BODY = re.compile(
    r"[ \t]+((?:(?:health|foreign|finance|interior|justice|education|defense|defence|"
    r"transport|environment|police|county|city|state|provincial|district|federal|regional)"
    r"[ \t]+)?(?:commission|authority|authorities|ministry|department|police|court|"
    r"government|administration|council|military|prosecutors))\b"
)
# "one Nordic government", "another Western capital": one of several, left unnamed.
_ONE_OF_MANY = re.compile(r"\b(?:one|another|some|several|any|each|every|other)\s+$", re.I)
# An organisation's people or stock after its name: "Salesforce's CEO", "Gannett's shares".
_HAS_STAFF = re.compile(
    r"['’]s\s+(?:CEO|chief|founder|co-founder|president|chairman|chairwoman|spokesperson|"
    r"spokesman|spokeswoman|board|shareholders|employees|staff|shares|stock|executives?)\b"
)
_STATE_POSSESSION = re.compile(
    r"['’]s\s+(?:capital|government|president|prime minister|parliament|army|military|"
    r"police|cabinet|finance ministry|foreign ministry|interior ministry|embassy|central bank)\b"
)


def find_stakeholders(text: str, *, body_start: int = 0, cited: Iterable[str] = ()) -> list[Entity]:
    """Return the stakeholders of `text`, most salient first.

    Names are looked for from `body_start` on (after a title-case headline, whose every word
    is capitalised). `cited` are source names from the sourcing analysis; being cited raises
    salience.
    """
    lex = lexicon()
    entities: list[Entity] = []
    alias_index: dict[str, Entity] = {}
    singles: list[tuple[str, int, int]] = []
    demonyms: list[tuple[str, int, int]] = []  # (country, start, end)

    def add(name: str, kind: StakeholderKind, start: int, end: int, title: str | None) -> None:
        key = _key(name)
        entity = alias_index.get(key)
        if entity is None:
            entity = Entity(name=name, kind=kind, first=start, title=title)
            entities.append(entity)
            for alias in _aliases(name, kind):
                alias_index.setdefault(_key(alias), entity)
            alias_index[key] = entity
        entity.mentions.append((start, end))
        if title and not entity.title:
            entity.title = title
        defined = _DEFINED_AS.match(text, end)  # "the New York State Attorney General (NYAG)"
        if defined and kind is not StakeholderKind.PERSON:
            short = defined.group(1)
            alias_index.setdefault(_key(short), entity)
            entity.aliases.add(short)

    credits = _staff_credits(text, body_start)
    for match in _CANDIDATE.finditer(text, body_start):
        if any(start <= match.start() < end for start, end in credits):
            continue  # "Reporting by Rodrigo Campos; Editing by ...": the newsroom's staff
        dateline = _DATELINE.match(text, match.end())
        if (
            dateline
            and _line_start(text, match.start())
            and (match.group().isupper() or "(" in dateline.group())
        ):
            continue  # "LONDON —", "HAYWARD, Calif. —", "London (Reuters) -": where it was filed
        tokens = [(m.group(0), match.start() + m.start()) for m in _TOKEN.finditer(match.group(0))]
        for part, title in _split_candidate(_owner_only(tokens)):
            part = _without_common_lead(part, text)
            name, start = _clean_name(part, text)
            if not name:
                continue
            end = start + len(name)
            if name.split()[-1].lower() in lex.place_words:
                continue
            country = lex.country_of.get(name.lower())
            named_body = _NAMED_BODY.match(text, end)
            if (
                named_body
                and country is None
                and not lex.demonym_of.get(_POSSESSIVE.sub("", name).lower())
                and not _POSSESSIVE.search(name)
                and _HEAD_FOLLOWER.match(text, named_body.end())
                and not _ONE_OF_MANY.search(text, max(start - 12, 0), start)
            ):  # "Inner Mongolia health commission", "the Trump administration"
                body_name = f"{name} {named_body.group(1)}"
                add(body_name, StakeholderKind.GOVERNMENT, start, named_body.end(), None)
                continue
            if country and (
                not name.isupper() or len(name) > 2 or "." in name or not _shouting(text, start)
            ):
                add(country, StakeholderKind.GOVERNMENT, start, end, None)
                if _state_body(text, end):  # "the US military"
                    alias_index[_key(country)].acts = True
                continue
            if name.lower() in lex.places:
                add(name, StakeholderKind.GOVERNMENT, start, end, None)
                continue
            people_of = lex.demonym_of.get(_POSSESSIVE.sub("", name).lower())
            if people_of:
                demonyms.append((people_of, start, end))
                continue
            kind = classify_name(name, title=title)
            if kind is None:
                if len(name.split()) == 1:
                    singles.append((name, start, end))
                continue
            add(name, kind, start, end, title)

    # "Chinese goods": a mention of China when China is a stakeholder, never one of its own.
    for country, start, end in demonyms:
        known = alias_index.get(_key(country))
        institution = _state_body(text, end)
        if institution is not None:
            # "the Afghan government", "the US military": the state itself, acting.
            add(country, StakeholderKind.GOVERNMENT, start, institution.end(), None)
            alias_index[_key(country)].acts = True
        elif known is not None:
            known.mentions.append((start, end))

    # Single capitalised words: aliases of what was found, a state named by what it has
    # ("Veloria's capital"), a frequent actor ("the Taliban said"), or else ignored.
    unknown: dict[str, list[tuple[str, int, int]]] = {}
    # A family name written first ("Liu Xiaming", then "Liu said"): the one person whose name
    # starts with the word, when only one does.
    first_words: dict[str, list[Entity]] = {}
    for e in entities:
        if e.kind is StakeholderKind.PERSON and len(e.name.split()) > 1:
            first_words.setdefault(_key(e.name.split()[0]), []).append(e)
    # News names a person in full first: a word that is used alone before the full name
    # ("Stadia ... Stadia Pro", "Apple ... Apple Arcade") names something else.
    first_alone: dict[str, int] = {}
    for name, start, _ in singles:
        first_alone.setdefault(_key(name), start)
    for name, start, end in singles:
        entity = alias_index.get(_key(name))
        owners = first_words.get(_key(name), [])
        if entity is None and len(owners) == 1 and owners[0].first < first_alone[_key(name)]:
            entity = owners[0]
        if entity is None and _STATE_POSSESSION.match(text, end):
            add(name, StakeholderKind.GOVERNMENT, start, end, None)
        elif entity is not None:
            entity.mentions.append((start, end))
            entity.aliases.add(name)
        else:
            unknown.setdefault(_key(name), []).append((name, start, end))
    cited_words = {w for c in cited for w in c.split()}
    for mentions in unknown.values():
        word = mentions[0][0]
        acting = sum(
            1
            for _, start, end in mentions
            if _SUBJECT_OF.match(text, end) or _HAS_STAFF.match(text, end)
        )
        # "SpaceX", "OrbitBeyond": a capital inside a word is a brand's, not a sentence's.
        brand = _BRAND.fullmatch(word) is not None
        # A common word capitalised ("Officials", "We're") is no name. Named once, a word
        # counts when the sourcing analysis cites it and it acts ("Nomura said").
        if _is_common_word(word, text, lex) or not any(
            _HEAD_FOLLOWER.match(text, end) for _, _, end in mentions
        ):
            continue  # a common word, or only ever a modifier ("a Baltic state")
        if (len(mentions) >= 2 and (acting or brand or word in cited_words)) or (
            acting and word in cited_words
        ):
            # "SpaceX" is a company's brand; "CBP", an acronym, as often an agency as a firm.
            camel = brand and not word.isupper()
            kind = StakeholderKind.COMPANY if camel else StakeholderKind.ORGANIZATION
            for _, start, end in mentions:
                add(word, kind, start, end, None)

    for start, end, name, kind in _collectives(text, body_start):
        add(name, kind, start, end, None)
    for role, spans in _role_people(text, body_start).items():
        for start, end in spans:
            add(role, StakeholderKind.PERSON, start, end, None)

    cited_keys = {_key(c) for c in cited}
    body = max(len(text) - body_start, 1)

    def salience(entity: Entity) -> float:
        keys = {_key(entity.name), *(_key(a) for a in entity.aliases)}
        score = float(entity.count)
        if any(k and any(k in c for c in cited_keys) for k in keys):
            score += 2.0
        score += 1.5 * (1 - min((entity.first - body_start) / body, 1.0))
        if entity.kind is StakeholderKind.GROUP:
            score -= 0.5
        return score

    # "Apple Arcade", "Stadia Pro": a name that starts with another party's name is that
    # party's product or unit, not a person.
    parties = {
        _key(n)
        for e in entities
        if e.kind is not StakeholderKind.PERSON
        for n in (e.name, *e.aliases)
    }
    entities = [
        e
        for e in entities
        if e.kind is not StakeholderKind.PERSON
        or e.title
        or len(e.name.split()) < 2
        or _key(e.name.split()[0]) not in parties
    ]
    kept = [e for e in entities if _worth_keeping(e, text, body_start, body, cited_keys)]
    kept.sort(key=lambda e: (-salience(e), e.first))
    return kept


# A wire story's staff credits: "Reporting by X; additional reporting by Y; Editing by Z",
# "Associated Press writers X and Y contributed to this report."
_CREDIT_LINE = re.compile(
    r"(?im)^[ \t(]*(?:(?:additional\s+)?reporting|editing|writing|compiled|edited|produced)"
    r"\s+by\b[^\n]*"
)
_CONTRIBUTED = re.compile(r"\bcontributed\s+(?:to\s+)?(?:this\s+)?(?:report|story|article)\b")


MAX_CREDITED_MENTIONS = 3  # a reporter credited for a story is named once or twice
MAX_CREDIT_CHARS = 300  # a credit sentence is short: "X and Y in Seoul contributed to ..."


def _staff_credits(text: str, start: int) -> list[tuple[int, int]]:
    """The spans of the staff credits in `text` from `start` on."""
    spans = [m.span() for m in _CREDIT_LINE.finditer(text, start)]
    for match in _CONTRIBUTED.finditer(text, start):
        # The credit is its whole sentence: back to the last full stop or line break.
        floor = max(start, match.start() - MAX_CREDIT_CHARS)
        begin = max(text.rfind(".", floor, match.start()), text.rfind("\n", floor, match.start()))
        spans.append((max(begin + 1, floor), match.end()))
    return spans


_LOCATIVE = re.compile(
    r"(?:\b(?:in|to|from|across|at|near|throughout|into|off|around|outside|inside|through|"
    r"via)\s+(?:the\s+)?)$"
)
# Before a name only ever used as a place ("in the West Bank"): narrower than _LOCATIVE,
# since "according to X" and "a report from X" name a source, not a place.
_SETTING = re.compile(r"(?:\b(?:in|at|near|throughout|across|outside|inside)\s+(?:the\s+)?)$")
# A mention that stands for the thing itself, not as a modifier of the next word ("U.S.
# officials") or a setting: it ends a clause, acts, or owns something.
_STANDS_ALONE = re.compile(r"\s*(?:[,;:)!?”\"]|['’]s\b|and\b|or\b|[a-z]+ed\b)")
# A byline or a reporter's credit: "Emily Feng reports for NPR", "Sui-Lee Wee of the Times".
_PRESS_TITLES = frozenset({"reporter", "correspondent", "columnist"})
_PRESS_WORD = "(?:" + "|".join(sorted(_PRESS_TITLES)) + ")"
_CREDIT = re.compile(
    rf",\s+(?:[\w.'’-]+\s+){{0,3}}{_PRESS_WORD}\b|"
    r"\s+(?:reports?|reported|writes?|wrote|reporting)\s+(?:for|in)\b|"
    r"\s+(?:of|for|at)\s+(?P<outlet>(?:the\s+)?[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*)"
)
_PRESS_BEFORE = re.compile(rf"\b{_PRESS_WORD}\s+$", re.IGNORECASE)


def _worth_keeping(entity: Entity, text: str, body_start: int, body: int, cited: set[str]) -> bool:
    """Whether what was found is a party to the story rather than its setting or its press.

    * The press (a news outlet, a reporter credited as one) is kept only when the story is
      about it (three mentions or more).
    * A country or place counts when it acts, owns, is cited or is named on its own once; one
      only ever named as a setting ("a partner in Taiwan") or as a modifier ("U.S.
      officials") is scenery.
    * A person credited as the press ("Emily Feng reports for NPR", "Alex Horton of the
      Washington Post", a correspondent) is the press.
    * A name of anything else only ever named as a location is a setting.
    * A collective noun mentioned once, late, is colour.
    """
    lex = lexicon()
    names = [entity.name, *entity.aliases]
    if any(is_news_outlet(n) for n in names):
        return entity.count >= 3
    if entity.name in lex.country_of.values() or entity.name.lower() in lex.places:
        if entity.acts or any(
            # "Prosecutors in Sweden have dropped": the prosecutors act, Sweden is the setting
            (_ACTS.match(text, end) and not _LOCATIVE.search(text, max(start - 20, 0), start))
            or _STATE_POSSESSION.match(text, end)
            for start, end in entity.mentions
        ):
            return True
        if _is_cited(names, cited):
            return True
        return any(
            not _LOCATIVE.search(text, max(start - 20, 0), start)
            and _STANDS_ALONE.match(text, end) is not None
            for start, end in entity.mentions
        )
    words = [w.lower().rstrip(".,") for w in entity.name.split()]
    person_ending_in_title = (
        entity.kind is StakeholderKind.PERSON and words[-1] in lex.person_titles
    )
    if (len(words) > 1 and person_ending_in_title) or (
        len(words) > 2 and words[0] in lex.person_titles and words[1] == "of"
    ):
        return False  # "Republican Gov", "Head of Research": a title, no name
    if entity.kind is StakeholderKind.PERSON:
        if entity.title and entity.title.lower() in _PRESS_TITLES:
            return False
        first_start, first_end = min(entity.mentions)
        if _PRESS_BEFORE.search(text, max(first_start - 40, 0), first_start):
            return False  # "BBC diplomatic correspondent Caroline Hawley"
        if (
            not entity.title
            and entity.name[:1].isupper()  # not "the victim"
            and entity.count <= 2
            and not _is_cited(names, cited)
            and _used_as_common_noun(entity.name.split()[-1], text)
        ):
            return False  # "Blue Moon", "Black Death", "Tomb Raider": a thing, not a person
        if (
            not entity.title
            and not _is_cited(names, cited)
            and not any(_as_person(text, start, end) for start, end in entity.mentions)
        ):
            return False  # "in Palo Alto, California", "the Hoa Lo prison": a place or a thing
        if (
            not entity.title
            and not _is_cited(names, cited)
            and all(_THE_BEFORE.search(text, max(s - 8, 0), s) for s, _ in entity.mentions)
        ):
            return False  # "the Black Death", "the Nasdaq Composite": a thing, never a person
        credit = _CREDIT.match(text, first_end)
        # A reporter credited with the story is not a party to it; someone the story keeps
        # coming back to is ("the reign of Roger Ailes at Fox News", then "Ailes" 180 times).
        if credit is None or entity.count > MAX_CREDITED_MENTIONS:
            return True
        outlet = credit.group("outlet")
        # "of the New York Times. All": the outlet's name ends with its sentence.
        return outlet is not None and not is_news_outlet(outlet.split(". ")[0].rstrip("."))
    if all(_SETTING.search(text, max(s - 20, 0), s) for s, _ in entity.mentions):
        return False
    if (
        entity.name[:1].islower()
        and entity.kind is StakeholderKind.GOVERNMENT
        and not any(_is_subject(text, start, end) for start, end in entity.mentions)
    ):
        return False  # "he told lawmakers", "sold to corporations and governments": never acts
    if entity.kind is not StakeholderKind.GROUP:
        return True
    if entity.count == 1 and _OBJECT_BEFORE.search(text, max(entity.first - 30, 0), entity.first):
        return False  # "hundreds of workers", "his passengers": named once, and not acting
    return entity.count >= 2 or (entity.first - body_start) / body < 0.5


# Before a noun that is an object or a description, not a subject: a preposition, a
# possessive pronoun.
_OBJECT_BEFORE = re.compile(rf"\b(?:{_alternation(_OBJECT_MARKERS)})\s+(?:[a-z][\w'’-]*\s+)?$")


# Words that never begin a name, even capitalised: a capitalised common word that does
# ("People" in "People Power Party") stays when the whole is an organisation's name.
_NEVER_NAME_START = frozenset(
    """the a an this that these those and but or as in on at for from by with after before
    when while if asked meanwhile however monday tuesday wednesday thursday friday saturday
    sunday one two three four five six seven eight nine ten several many some most all both
    each""".split()
)


# After a place's name: its state or country ("San Ysidro, California") or "-based".
_PLACE_AFTER = re.compile(r"-based\b|,\s+(?P<region>[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)")


_THE_BEFORE = re.compile(r"\b[Tt]he\s+[“\"‘']?$")


def _as_person(text: str, start: int, end: int) -> bool:
    """Whether a mention can be a person's: not a setting ("in San Francisco"), not a place
    given with its region ("Palo Alto, California") and not a modifier of the noun after it
    ("the Hoa Lo prison")."""
    if _SETTING.search(text, max(start - 20, 0), start):
        return False
    after = _PLACE_AFTER.match(text, end)
    if after:
        region = after.group("region")
        if region is None or _is_place(region) or _is_place(region.split()[0]):
            return False
    return _HEAD_FOLLOWER.match(text, end) is not None


def _is_place(name: str) -> bool:
    lex = lexicon()
    name = name.lower().rstrip(".,")
    return name in lex.country_of or name in lex.places or name in lex.regions


def _is_subject(text: str, start: int, end: int) -> bool:
    """Whether a mention is the subject of its clause: a verb follows ("dealers sold"), or it
    opens its sentence or clause after a few words and no preposition ("Many of the
    protesters wear", "The first two infected patients - still in quarantine -")."""
    if _SUBJECT_OF.match(text, end):
        return True
    opening = _CLAUSE_OPENING.search(text, max(start - 60, 0), start)
    return opening is not None and not _PREPOSITION.search(opening.group("words"))


_CLAUSE_OPENING = re.compile(r"(?:^|\n|[.!?:;,][\"”’]?[ \t]+)(?P<words>(?:[\w'’-]+[ \t]+){0,4})$")
# Words before a noun that make it an object: a preposition, a possessive, or a pronoun that
# is the clause's subject already ("He begged lawmakers").
# A quantifier's "of" keeps the subject: "Many of the protesters wear masks".
_NOT_OPENING_A_SUBJECT = (_OBJECT_MARKERS - {"of"}) | SUBJECT_PRONOUNS
_PREPOSITION = re.compile(rf"\b(?:{_alternation(_NOT_OPENING_A_SUBJECT)})\b", re.IGNORECASE)


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


def _split_candidate(
    tokens: list[tuple[str, int]],
) -> list[tuple[list[tuple[str, int]], str | None]]:
    """Split a run of capitalised words into names, peeling off titles and "X of Y"."""
    lex = lexicon()
    # "the Democratic Party-controlled House", "Saudi-led coalition": the name is what the
    # hyphenated adjective describes, not the words it is built from.
    described = [i for i, (w, _) in enumerate(tokens[:-1]) if _HYPHEN_ADJECTIVE.search(w)]
    if described:
        tokens = tokens[described[-1] + 1 :]
    elif tokens and _HYPHEN_ADJECTIVE.search(tokens[-1][0]):
        return []  # "Republican-dominated": an adjective on its own
    while tokens and (
        tokens[0][0].lower().strip(".,") in lex.not_entities
        or (len(tokens) > 1 and tokens[0][0] in _CONNECTORS)  # "Shares [of] 21st Century Fox"
    ):
        whole = _POSSESSIVE.sub("", " ".join(w for w, _ in tokens)).lower()
        if whole in lex.country_of:  # "North Korea" keeps its "North"
            break
        if any(_known_prefix(" ".join(whole.split()[:n]), lex) for n in (2, 3)):
            break  # "New York State Attorney General" keeps its "New", "North Korean" its "North"
        first = tokens[0][0].lower().strip(".,")
        if (
            first not in _NEVER_NAME_START
            and len(tokens) > 2
            and classify_name(whole)
            in (
                StakeholderKind.ORGANIZATION,
                StakeholderKind.COMPANY,
            )
        ):
            break  # "People Power Party" keeps its "People"
        tokens = tokens[1:]
    # Trailing words that are never names go too: "Mr. Trump's Oct. 11 announcement".
    while (
        len(tokens) > 1
        and tokens[-1][0].lower().strip(".,") in lex.not_entities
        and tokens[-1][0].lower().strip(".,") not in lex.place_words  # "Baltic Sea" is a place
    ):
        tokens = tokens[:-1]
    words = [w for w, _ in tokens]
    # "Secretary of State Mike Pompeo", "County Executive Miriam Castellano": a title, then
    # a name of one to three words at the end.
    if any(w.lower().rstrip(".,") in lex.person_titles for w in words[:-1]):
        n = named = 0
        while n < len(words) - 1 and named < 3:
            word = words[-1 - n]
            if word in _NAME_PARTICLES and n and n + 1 < len(words) - 1:
                n += 1  # "bin" inside "Mohammed bin Salman"
                continue
            if (n == 0 and word.rstrip(".,") in _NAME_SUFFIXES) or re.fullmatch(r"[A-Z]\.", word):
                n += 1  # "Jr." at the end, "P." inside: part of the name, not one of its words
                continue
            if not _is_name_word(word):
                break
            n += 1
            named += 1
        while n and words[len(words) - n] in _NAME_PARTICLES:
            n -= 1  # a name does not start with "bin"
        head = words[: len(words) - n]
        # "President Trump and US Trade Representative Robert Lighthizer": the title is what
        # follows the last "and"; what comes before it is a name of its own.
        before: list[tuple[list[tuple[str, int]], str | None]] = []
        if "and" in head:
            cut = len(head) - head[::-1].index("and")
            before = _split_candidate(tokens[: cut - 1]) if cut > 1 else []
            head = head[cut:]
        if (
            n
            and head
            and head[-1].lower() not in _CONNECTORS
            and any(w.lower().rstrip(".,") in lex.person_titles for w in head)
        ):
            if _is_country_or_place([head[-1], *words[len(words) - n :]], lex):
                return before  # "U.S. Attorney for the Western District of New York": no name
            return [*before, (tokens[len(words) - n :], " ".join(head))]
    # "China's ambassador to Britain Liu Xiaming": a place, then a person named after it.
    for n in (1, 2):
        if len(words) > n + 1 and _is_country_or_place(words[:n], lex):
            rest = words[n:]
            if _is_person_like(rest) and classify_name(" ".join(rest)) is StakeholderKind.PERSON:
                return [(tokens[:n], None), (tokens[n:], None)]
    # "Australian Timothy Weeks": a nationality, then the person.
    if (
        len(words) >= 3
        and words[0].lower() in lex.demonym_of
        and _is_person_like(words[1:])
        and classify_name(" ".join(words[1:])) is StakeholderKind.PERSON
    ):
        return [(tokens[1:], None)]
    # "Vladimir Putin and Kim Jong Un": two people; "the United States and China": two states.
    if "and" in words:
        at = words.index("and")
        left, right = tokens[:at], tokens[at + 1 :]
        if " ".join(w for w, _ in right).lower() in lex.demonym_of:
            return _split_candidate(left)  # "NASA and American [taxpayers]": an adjective
        if all(_is_person_like([w for w, _ in side]) for side in (left, right)):
            return [(left, None), (right, None)]
        if all(_is_country_or_place([w for w, _ in side], lex) for side in (left, right)):
            return [(left, None), (right, None)]
        if len(right) == 1 and _OWNER.search(right[0][0]):
            # "the Democratic Party and Yoon's rival": the owner is a name of its own
            return [*_split_candidate(left), (right, None)]
        left_words = [w for w, _ in left]
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
            and _NAME_WORD.match(sides[0])
            and classify_name(sides[1]) in (StakeholderKind.COMPANY, StakeholderKind.ORGANIZATION)
        ):
            return [(left, None), (right, None)]
    if "of" in words:
        at = words.index("of")
        left, right = tokens[:at], tokens[at + 1 :]
        if _is_person_like([w for w, _ in left]) and right:
            right_name = " ".join(w for w, _ in right)
            if classify_name(right_name) not in (None, StakeholderKind.PERSON):
                return [(left, None), (right, None)]
    return [(tokens, None)] if tokens else []


_HYPHEN_ADJECTIVE = re.compile(r"-(?:[a-z]+ed|led|born|run|based|backed|owned)$")


def _is_country_or_place(words: list[str], lex: Lexicon) -> bool:
    name = _POSSESSIVE.sub("", " ".join(words)).lower().removeprefix("the ")
    return name in lex.country_of or name in lex.places or name in lex.regions


# After a dateline: a comma and a state or agency, or a dash ("LONDON —", "HAYWARD, Calif.").
_DATELINE = re.compile(r"(?:,\s*[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?\s*(?:\([A-Za-z ]+\)\s*)?[—–-]")


def _line_start(text: str, at: int) -> bool:
    """Whether `at` begins its line (a dateline starts the story's first paragraph)."""
    return not text[text.rfind("\n", 0, at) + 1 : at].strip()


def _state_body(text: str, end: int) -> re.Match[str] | None:
    """The state's institution named after a country at `end` ("the US military"), when it is
    the head of its phrase (not "U.S. military aid")."""
    body = _STATE_BODY.match(text, end)
    return body if body and _HEAD_FOLLOWER.match(text, body.end()) else None


def _owner_only(tokens: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """In "Salesforce's Dreamforce" or "San Francisco's Moscone Center" the party is the owner:
    what it owns (an event, a venue, a product) is not one of its own. An office named after
    its holder is one name: "the Bartholomew County Sheriff's Department"."""
    for i, (word, _) in enumerate(tokens[:-1]):
        if _POSSESSIVE.search(word) and tokens[i + 1][0] not in _OFFICE_WORDS:
            return tokens[: i + 1]
    return tokens


_OFFICE_WORDS = frozenset({"Department", "Office", "Court", "Bureau", "Council", "Association"})


def _shouting(text: str, at: int) -> bool:
    """Whether the line around `at` is written in capitals ("TELL US"), where "US" is a word."""
    start = max(text.rfind("\n", 0, at) + 1, at - 200)
    end = text.find("\n", at, at + 200)
    letters = [c for c in text[start : end if end >= 0 else at + 200] if c.isalpha()]
    return sum(c.isupper() for c in letters) > 0.6 * len(letters)


def _known_prefix(words: str, lex: Lexicon) -> bool:
    return words in lex.places or words in lex.demonym_of


# Endings of abstract nouns, rare at the end of a person's name: "First Amendment",
# "Public Prosecution", "Homeland Security".
_ABSTRACT = re.compile(r"(?:tion|sion|ment|ness|ity|ance|ence|ship|ism)$")


def _is_name_word(word: str) -> bool:
    lex = lexicon()
    bare = _POSSESSIVE.sub("", word.rstrip(",."))  # "General’s" is "General": a title
    lower = bare.lower()
    if not _NAME_WORD.match(bare) or _ABSTRACT.search(lower):
        return False
    if len(lower) <= 3 and not bare.isupper():
        return lower not in lex.not_entities and lower not in lex.person_titles  # "Un", "Ito"
    return not (
        lower in lex.government_words
        or lower in lex.organization_words
        or lower in lex.company_suffixes
        or lower in lex.person_titles
        or lower in lex.not_entities
    )


def _without_common_lead(tokens: list[tuple[str, int]], text: str) -> list[tuple[str, int]]:
    """Drop a common word that opens a sentence before a person's name: "Employee Steve
    Castro said" when the article also writes "employees". An organisation keeps its word
    ("People Power Party")."""
    if len(tokens) < 3 or not _at_sentence_start(text, tokens[0][1]):
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


def _is_person_like(words: list[str]) -> bool:
    return 2 <= len(words) <= 3 and all(_is_name_word(w) for w in words)


def _clean_name(tokens: list[tuple[str, int]], text: str) -> tuple[str, int]:
    while tokens and tokens[-1][0].lower() in _CONNECTORS:
        tokens = tokens[:-1]
    if not tokens:
        return "", 0
    start = tokens[0][1]
    last_word, last_at = tokens[-1]
    name = text[start : last_at + len(last_word)]
    name = _POSSESSIVE.sub("", name)
    return name.rstrip("'’,;:"), start


@lru_cache(maxsize=4096)
def classify_name(name: str, *, title: str | None = None) -> StakeholderKind | None:
    """Classify a capitalised name as a kind of stakeholder, or None when it is not one."""
    lex = lexicon()
    lower = name.lower()
    words = lower.replace("’", "'").split()
    if not words:
        return None
    if lower in lex.country_of:
        return StakeholderKind.GOVERNMENT
    head = _head_word(words)
    if len(head) <= 3 and head.upper() not in name:
        head = ""  # "Un" in "Kim Jong Un" is not the UN
    if head in lex.organization_words and len(words) > 1:
        return StakeholderKind.ORGANIZATION
    if head in lex.government_words and len(words) > 1:
        return StakeholderKind.GOVERNMENT
    if words[-1].rstrip(".").split("-")[-1] in lex.company_suffixes:
        return StakeholderKind.COMPANY if len(words) > 1 else None
    phrases = _phrases(name)
    if phrases & lex.government_words:
        return StakeholderKind.GOVERNMENT if len(words) > 1 or _is_acronym(name) else None
    if phrases & lex.organization_words:
        if len(words) > 1 or _is_acronym(name):
            return StakeholderKind.ORGANIZATION
        return None
    raw_words = name.split()
    if title and 1 <= len(raw_words) <= 3:
        return StakeholderKind.PERSON
    if (
        len(raw_words) >= 3
        and any(w in ("for", "of") for w in raw_words[1:-1])
        and all(w in _CONNECTORS or w[:1].isupper() for w in raw_words)
        and not any(w.lower().rstrip(".,") in lex.person_titles for w in raw_words)
        and not any(
            _is_country_or_place(side.split(), lex)  # "the seizure by Russia of Crimea"
            for side in re.split(r"\s+(?:for|of)\s+", name)
        )
    ):
        # "Doctors for Camp Closure", "Centers for Disease Control": a body's name, joined by
        # "for" or "of", never a person's.
        return StakeholderKind.ORGANIZATION
    if len(raw_words) > 1 and re.fullmatch(_ORDINAL.split("(?=")[0], raw_words[0]):
        return StakeholderKind.ORGANIZATION  # "21st Century Fox", "3rd Infantry Division"
    while len(raw_words) > 2 and raw_words[-1].rstrip(".,") in _NAME_SUFFIXES:
        raw_words = raw_words[:-1]  # "James P. Kennedy Jr."
    named = [w for w in raw_words if w not in _NAME_PARTICLES]  # "bin" in "Mohammed bin Salman"
    if (
        2 <= len(named) <= 3
        and raw_words[0] not in _NAME_PARTICLES
        and raw_words[0].lower().rstrip(".") not in _PLACE_PREFIXES  # "San Francisco"
        and not any(_OWNER.search(w) for w in raw_words[:-1])  # "Tequila Works' Gylt"
        and all(_NAME_WORD.match(w) for w in named)
        and not _ABSTRACT.search(named[-1].lower())
    ):
        return StakeholderKind.PERSON
    return None


# First words of places' names, never of people's: "San Francisco", "Fort Worth", "Lake Tahoe".
_PLACE_PREFIXES = frozenset(
    "san santa santo sao los las el fort mount mt lake port saint st cape".split()
)


@cache
def _collective_nouns() -> dict[str, StakeholderKind]:
    lex = lexicon()
    kinds = {w: StakeholderKind.GROUP for w in lex.group_words}
    kinds.update({w: StakeholderKind.GOVERNMENT for w in lex.institution_nouns})
    return kinds


@cache
def _collective_pattern() -> re.Pattern[str]:
    """The collective nouns as one pattern, two-word entries before one-word ones."""
    nouns = sorted(_collective_nouns(), key=lambda n: (-len(n.split()), -len(n)))
    words = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in nouns)
    return re.compile(rf"(?<![a-z])(?:{words})(?![a-z])", re.IGNORECASE)


def _collectives(text: str, body_start: int) -> Iterable[tuple[int, int, str, StakeholderKind]]:
    """Yield lower-case collective nouns: groups ("residents") and institutions ("police").

    Words are looked up in the word lists (two-word entries first), one pass over the text.
    """
    kinds = _collective_nouns()
    for match in finditer_any_case(_collective_pattern(), text, body_start):
        noun = " ".join(match.group().lower().split())
        if text[match.start()].isupper() and not _at_sentence_start(text, match.start()):
            continue  # part of a name: "Citizens' Fuel Coalition"
        start, end, name = match.start(), match.end(), noun
        adjective = _REGIONAL_ADJECTIVE.search(text, max(start - 24, 0), start)
        if adjective:  # "Western governments", "European regulators"
            start, name = adjective.start(1), f"{adjective.group(1)} {noun}"
        yield start, end, name, kinds[noun]


def _role_people(text: str, body_start: int) -> dict[str, list[tuple[int, int]]]:
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
    return re.compile(rf"\b[Tt]he\s+({nouns})\b(?!['’]s\s+(?:family|lawyer|attorney))")


_REGIONAL_ADJECTIVE = re.compile(r"\b([A-Z][a-z]+(?:ern|ean|ian|ese|ish|can|ic))\s+$")


def _at_sentence_start(text: str, pos: int) -> bool:
    before = text[max(pos - 3, 0) : pos].rstrip(" \t")
    return not before or before[-1] in '.!?\n"“”'


def _aliases(name: str, kind: StakeholderKind) -> set[str]:
    lex = lexicon()
    aliases = {name}
    words = name.split()
    if kind is StakeholderKind.PERSON and len(words) >= 2:
        if words[-1].rstrip(".,") in _NAME_SUFFIXES and len(words) > 2:
            words = words[:-1]  # "Kennedy", not "Jr"
        aliases.add(words[-1])
        if len(words) >= 3 and words[-2] in _NAME_PARTICLES:
            # "bin Laden" for "Osama bin Laden", and "Bin Laden" opening a sentence
            aliases |= {f"{words[-2]} {words[-1]}", f"{words[-2].capitalize()} {words[-1]}"}
        if len(words) == 3 and all(len(w.rstrip(".")) <= 4 for w in words[1:]):
            aliases.add(words[0])  # family name first: "Yoon" for "Yoon Suk Yeol"
    if kind is StakeholderKind.COMPANY and len(words) >= 2:
        aliases.add(words[0])
        if words[-1].lower().rstrip(".") in lex.company_suffixes:
            aliases.add(" ".join(words[:-1]))
    if kind is StakeholderKind.GOVERNMENT:
        for alias, country in lex.country_of.items():
            if country == name:
                aliases.add(alias)
    acronym = "".join(w[0] for w in words if w[0].isupper())
    if len(acronym) >= 3 and kind is not StakeholderKind.PERSON:
        aliases.add(acronym)
    return aliases


def _head_word(words: list[str]) -> str:
    """Return the word a name is about: the last one before "of" or "for", else the last."""
    for i, word in enumerate(words):
        if word in ("of", "for") and i > 0:
            return words[i - 1]
    return words[-1]


def _has_phrase(lower: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", lower) is not None


def _phrases(name: str) -> set[str]:
    """Every run of one to three words of `name`, lower case, to look up in the word lists.

    Short words ("un", "who", "sec") count only when written as capitals ("UN").
    """
    raw = re.findall(r"[\w'’&.-]+", name)
    words = [w.lower().replace("’", "'").rstrip(".") for w in raw]
    out: set[str] = set()
    for i in range(len(words)):
        for j in range(i + 1, min(i + 3, len(words)) + 1):
            phrase = " ".join(words[i:j])
            if j - i == 1 and len(phrase) <= 3 and not raw[i].isupper():
                continue
            out.add(phrase)
    return out


def _is_acronym(name: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z]\.){2,}|[A-Z]{2,6}", name))


@lru_cache(maxsize=8192)
def _key(name: str) -> str:
    return _NOT_WORD.sub("", name.lower().removeprefix("the "))


_NOT_WORD = re.compile(r"[^\w]")
