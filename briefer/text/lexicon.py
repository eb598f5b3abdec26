"""The word lists every rule shares, in one place, each loaded once.

* `entities.toml` (in `briefer/analysis/`, beside the stakeholder finder, its main reader):
  person titles, common given names, company suffixes, government and organisation words,
  group nouns, places, countries with their aliases, demonyms, and words that look like names
  but are not.
  `lexicon()` reads it once, for the analysis rules, the offline engine, the evaluation and the
  digest alike.
* Stop words: function words and reporting words too common to tell two statements apart.
  `content_words` and `stems` are what the offline engine's ranking, the offline comparer,
  the brief diff and the digest's story grouping compare.
* Calendar words (weekdays, months) and `alternation`, to write them into a regex.

The lists only the analysis rules read (speech verbs, prepositions, pronouns) are in
`briefer.analysis.words`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_DATA = Path(__file__).parents[1] / "analysis" / "entities.toml"


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
    pattern = _CONTENT_WORD if min_letters >= 4 else _WORD
    words = [word.rstrip("'’") for word in pattern.findall(text.lower())]
    return [word for word in words if len(word) >= min_letters and word not in stop]


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


def alternation(words: Iterable[str], *, any_space: bool = False) -> str:
    """A regex alternation matching any of `words` literally, longest first.

    The words are grouped by their first letter ("s(?:aid|ays)|t(?:old|ells)"): the regex
    engine then tries one group at each position instead of every word, several times faster
    for long lists. With `any_space`, the spaces inside an entry match any run of spaces.
    """
    groups: dict[str, list[str]] = {}
    for word in sorted(set(words), key=lambda w: (-len(w), w)):
        rest = re.escape(word[1:])
        if any_space:
            rest = rest.replace(r"\ ", r"\s+")
        groups.setdefault(word[:1], []).append(rest)
    return "|".join(
        re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in groups.items()
    )


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
    given_names: frozenset[str]  # "karen", "david": first words of people's names
    country_of: dict[str, str]  # any alias, lower case -> canonical country name
    demonym_of: dict[str, str]  # "chinese", "north korean" -> canonical country name
    aliases_of: dict[str, frozenset[str]]  # canonical country name -> its aliases, lower case


@cache
def lexicon() -> Lexicon:
    """Load the shipped word lists once."""
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    country_of: dict[str, str] = {}
    for names in data["countries"]:
        for alias in names:
            country_of[alias.lower()] = names[0]
    aliases: dict[str, set[str]] = {}
    for alias, country in country_of.items():
        aliases.setdefault(country, set()).add(alias)
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
            "given_names",
        )
    }
    demonym_of = {d.lower(): names[0] for names in data["demonyms"] for d in names[1:]}
    return Lexicon(
        country_of=country_of,
        demonym_of=demonym_of,
        aliases_of={country: frozenset(names) for country, names in aliases.items()},
        **lists,
    )
