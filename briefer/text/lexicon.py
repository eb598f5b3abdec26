"""The word lists every rule shares, in one place, each loaded once.

* `entities.toml` (beside this module): person titles, company suffixes, government and
  organisation words, group nouns, places, countries with their aliases, demonyms, and words
  that look like names but are not. `lexicon()` reads it once.
* Stop words: function words and reporting words too common to tell two statements apart.
  `content_words` and `stems` are what the offline engine's ranking, the offline comparer,
  the brief diff and the digest's story grouping compare.
* Speech verbs: the verbs that attribute a statement to a source ("said", "told", "according
  to"), as the sourcing analysis and the entity finder read them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

_DATA = Path(__file__).parent / "entities.toml"


def wordset(words: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string."""
    return frozenset(words.split())


# --- stop words and content words --------------------------------------------------------------

STOP_WORDS = wordset(
    """a an the and or but nor so yet of for from at in on with to by about among between into
    under over near across against within without behind beyond during via per upon onto
    through until since because while whereas though although after before also than then
    that this these those there their they them its it's his her hers him he she we you our
    your i me my who whom whose which what when where why how whether if as once
    is are was were be been being am has have had having do does did will would could should
    can may might must shall not no yes
    more most some such only other others just very much many every each both few all any
    again still further first second third last next three found
    said says say told tells according stated added report reported reporter article
    people officials year years week weeks month months day days"""
)
_CONTENT_WORD = re.compile(r"[^\W\d_][\w'’-]{3,}")  # four characters or more
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
STEM = 6  # letters kept by `stems`: "evacuated" and "evacuation" meet at "evacua"


def content_words(text: str, min_letters: int = 4) -> list[str]:
    """The words of `text` that carry content, lower case, in order (stop words out)."""
    stop = STOP_WORDS
    out = []
    pattern = _CONTENT_WORD if min_letters >= 4 else _WORD
    for word in pattern.findall(text.lower()):
        if word[-1] in "'’":
            word = word.rstrip("'’")
        if len(word) >= min_letters and word not in stop:
            out.append(word)
    return out


def stems(text: str) -> frozenset[str]:
    """The content words of `text`, cut to their first `STEM` letters."""
    return frozenset(w[:STEM] for w in content_words(text))


# --- calendar words ------------------------------------------------------------------------------

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
MONTH_ABBREVIATIONS = ("Jan.", "Feb.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")


def alternation(words: tuple[str, ...]) -> str:
    """A regex alternation matching any of `words` literally."""
    return "|".join(re.escape(w) for w in words)


# --- words that place a noun after them -----------------------------------------------------------

PREPOSITIONS = wordset(
    """of for from at in on with to by about among between into under over near across
    against within without behind beyond during via per"""
)
# A noun after one of these belongs to someone: "his passengers", "their workers".
POSSESSIVE_DETERMINERS = wordset("his her their its our my your")
SUBJECT_PRONOUNS = wordset("he she they we i you it")


# --- speech verbs --------------------------------------------------------------------------------

# Verbs that attribute whatever their subject is: "X said", "X told".
STRONG_SPEECH_VERBS = wordset(
    """said says say told tells tell added adds declined declines wrote writes explained
    explains insisted insists testified testifies acknowledged acknowledges stated"""
)
# Verbs that attribute only when their subject is a speaker ("the ministry confirmed").
WEAK_SPEECH_VERBS = wordset(
    """states announced announces confirmed confirms estimated estimates argued argues warned
    warns reported reports noted notes claimed claims alleged alleges predicted predicts cited
    cites disclosed discloses cautioned cautions denied denies recounted recounts recalled recalls
    asserted asserts contended contends maintained stressed stresses conceded concedes admitted
    admits complained complains expect expects highlight highlights revealed reveals
    reiterated reiterates tweeted tweets touted touts believes urged urges criticised
    criticized criticises criticizes condemned condemns welcomed welcomes described describes
    accused accuses"""
)
SPEECH_VERBS = STRONG_SPEECH_VERBS | WEAK_SPEECH_VERBS


# --- the entity word lists (entities.toml) -----------------------------------------------------


@dataclass(frozen=True)
class Lexicon:
    """The word lists of `entities.toml`."""

    person_titles: frozenset[str]
    company_suffixes: frozenset[str]
    government_words: frozenset[str]
    organization_words: frozenset[str]
    group_words: frozenset[str]
    institution_nouns: frozenset[str]
    place_words: frozenset[str]
    not_entities: frozenset[str]
    places: frozenset[str]
    regions: frozenset[str]  # states and provinces, with their press abbreviations
    news_outlet_words: frozenset[str]
    news_outlets: frozenset[str]
    role_nouns: frozenset[str]
    function_nouns: frozenset[str]  # "official", "teacher": roles before a name, besides titles
    country_of: dict[str, str]  # any alias, lower case -> canonical country name
    demonym_of: dict[str, str]  # "chinese", "north korean" -> canonical country name


@cache
def lexicon() -> Lexicon:
    """Load the shipped word lists once."""
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    country_of: dict[str, str] = {}
    for names in data["countries"]:
        for alias in names:
            country_of[alias.lower()] = names[0]
    lists = {
        key: frozenset(data[key])
        for key in (
            "person_titles",
            "company_suffixes",
            "government_words",
            "organization_words",
            "group_words",
            "institution_nouns",
            "place_words",
            "not_entities",
            "places",
            "regions",
            "news_outlet_words",
            "news_outlets",
            "role_nouns",
            "function_nouns",
        )
    }
    demonym_of = {d.lower(): names[0] for names in data["demonyms"] for d in names[1:]}
    return Lexicon(country_of=country_of, demonym_of=demonym_of, **lists)


@lru_cache(maxsize=4096)
def is_news_outlet(name: str) -> bool:
    """Whether a name is a news outlet's: a known one, or one ending in an outlet word."""
    lex = lexicon()
    words = name.lower().replace("’", "'").removeprefix("the ").split()
    if not words:
        return False
    return " ".join(words) in lex.news_outlets or (
        len(words) > 1 and words[-1] in lex.news_outlet_words
    )


def singular(word: str) -> str:
    """A plural noun's singular, by rule ("agencies" -> "agency", "sources" -> "source")."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word
