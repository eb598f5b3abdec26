"""What kind of stakeholder a name is (a person, a company, an organisation, a government),
and the shorter forms an article may use for it: read from the words of one name, which
`briefer.analysis.names` has cut out of a run of capitalised words. The words of a name
it knows (particles, suffixes, connectors) are in `stakeholders.toml`.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from briefer.analysis.people import initials_before_a_name
from briefer.analysis.stakeholder_words import stakeholder_words
from briefer.analysis.words import is_news_outlet
from briefer.schema import StakeholderKind
from briefer.text.lexicon import Lexicon, alternation, lexicon

# "21st Century Fox": an ordinal that opens a name.
_ORDINAL = r"\d{1,3}(?:st|nd|rd|th)(?=[ \t]+[A-Z])"


@cache
def _name_word() -> re.Pattern[str]:
    """A word of a person's name: capitalised ("Osei", "McAdams"), an initial ("P."), or
    after a particle and a hyphen ("al-Bashir")."""
    particles = alternation(stakeholder_words().joined_particles)
    return re.compile(
        rf"^[A-Z][a-zà-ÿ'’-]+(?:[A-Z][a-zà-ÿ]+)?$|^[A-Z]\.$|^(?:{particles})-[A-Z][a-zà-ÿ'’-]+$"
    )


_POSSESSIVE = re.compile(r"['’]s$")


_OWNER = re.compile(r"(?:['’]s|s['’])$")  # a possessive, "Works'" too


def _is_country_or_place(words: list[str], lex: Lexicon) -> bool:
    name = _POSSESSIVE.sub("", " ".join(words)).lower().removeprefix("the ")
    return name in lex.country_of or name in lex.places or name in lex.regions


def _joined_like_a_body(name: str, lex: Lexicon) -> bool:
    """Whether a name is a body's, never a person's, joined by "for" or "of": "Doctors for
    Camp Closure", "Centers for Disease Control"; not when a title is among its words, nor
    when a place stands on either side ("the seizure by Russia of Crimea")."""
    words = name.split()
    return (
        len(words) >= 3
        and any(w in ("for", "of") for w in words[1:-1])
        and all(w in stakeholder_words().connectors or w[:1].isupper() for w in words)
        and not any(w.lower().rstrip(".,") in lex.person_titles for w in words)
        and not any(
            _is_country_or_place(side.split(), lex) for side in re.split(r"\s+(?:for|of)\s+", name)
        )
    )


# Endings of abstract nouns, rare at the end of a person's name: "First Amendment",
# "Public Prosecution", "Homeland Security".
_ABSTRACT = re.compile(r"(?:tion|sion|ment|ness|ity|ance|ence|ship|ism)$")


def _is_name_word(word: str) -> bool:
    lex = lexicon()
    bare = _POSSESSIVE.sub("", word.rstrip(",."))  # "General’s" is "General": a title
    lower = bare.lower()
    if not _name_word().match(bare) or _ABSTRACT.search(lower):
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


def _is_person_like(words: list[str]) -> bool:
    return (
        2 <= len(words) <= 3
        and all(_is_name_word(w) for w in words[:-1])
        and (_is_name_word(words[-1]) or is_titled_surname(words))
    )


def _reads_as_person(words: list[str]) -> bool:
    return _is_person_like(words) and classify_name(" ".join(words)) is StakeholderKind.PERSON


def is_titled_surname(words: list[str]) -> bool:
    """Whether a title word ends a person's name as their surname, after a given name: "Kevin
    King", "Ada Bishop" (while "Republican Gov" is a title with no name)."""
    return (
        len(words) >= 2
        and words[0].lower() in lexicon().given_names
        and _name_word().match(words[-1]) is not None
    )


@lru_cache(maxsize=4096)
def classify_name(name: str, *, title: str | None = None) -> StakeholderKind | None:
    """Classify a capitalised name as a kind of stakeholder, or None when it is not one."""
    lex = lexicon()
    lists = stakeholder_words()
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
    if len(raw_words) > 1 and is_news_outlet(name):
        return StakeholderKind.COMPANY  # "San Francisco Chronicle": the press, whatever its words
    if title and 1 <= len(raw_words) <= 3:
        return StakeholderKind.PERSON
    if _joined_like_a_body(name, lex):
        return StakeholderKind.ORGANIZATION
    if len(raw_words) > 1 and re.fullmatch(_ORDINAL.split("(?=")[0], raw_words[0]):
        return StakeholderKind.ORGANIZATION  # "21st Century Fox", "3rd Infantry Division"
    while len(raw_words) > 2 and raw_words[-1].rstrip(".,") in lists.name_suffixes:
        raw_words = raw_words[:-1]  # "James P. Kennedy Jr."
    named = [w for w in raw_words if w not in lists.name_particles]  # "bin" is no name word
    if (
        2 <= len(named) <= 3
        and raw_words[0] not in lists.name_particles
        and raw_words[0].lower().rstrip(".") not in lists.place_prefixes  # "San Francisco"
        and not any(_OWNER.search(w) for w in raw_words[:-1])  # "Tequila Works' Gylt"
        and all(
            _name_word().match(w) or (i == 0 and initials_before_a_name(w, lex))
            for i, w in enumerate(named)
        )  # "J.J. Abrams": a person's initials stand for a given name
        and not _ABSTRACT.search(named[-1].lower())
    ):
        return StakeholderKind.PERSON
    return None


def _aliases(name: str, kind: StakeholderKind) -> set[str]:
    lex = lexicon()
    lists = stakeholder_words()
    aliases = {name}
    words = name.split()
    if kind is StakeholderKind.PERSON and len(words) >= 2:
        if words[-1].rstrip(".,") in lists.name_suffixes and len(words) > 2:
            words = words[:-1]  # "Kennedy", not "Jr"
        aliases.add(words[-1])
        if len(words) >= 3 and words[-2] in lists.name_particles:
            # "bin Laden" for "Osama bin Laden", and "Bin Laden" opening a sentence
            aliases |= {f"{words[-2]} {words[-1]}", f"{words[-2].capitalize()} {words[-1]}"}
        if len(words) == 3 and all(len(w.rstrip(".")) <= 4 for w in words[1:]):
            aliases.add(words[0])  # family name first: "Yoon" for "Yoon Suk Yeol"
    if kind is StakeholderKind.COMPANY and len(words) >= 2:
        if is_press(name):
            # "the Chronicle" for "the San Francisco Chronicle"; its city is not the paper
            aliases.add(words[-1])
        else:
            aliases.add(words[0])
        if words[-1].lower().rstrip(".") in lex.company_suffixes:
            aliases.add(" ".join(words[:-1]))
    if kind is StakeholderKind.GOVERNMENT:
        aliases |= lex.aliases_of.get(name, frozenset())
    acronym = "".join(w[0] for w in words if w[0].isupper())
    if len(acronym) >= 3 and kind is not StakeholderKind.PERSON:
        aliases.add(acronym)
    return aliases


def is_press(name: str) -> bool:
    """Whether a name is a news outlet's, hyphenated ones too ("the Calder Post-Gazette")."""
    return is_news_outlet(name) or ("-" in name and is_news_outlet(name.replace("-", " ")))


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
