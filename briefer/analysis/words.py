"""The word lists and word rules only the analysis rules read, each loaded once.

* `words.toml` (beside this module), read once by `word_lists`: words that place a noun after
  them (prepositions, possessive determiners, subject pronouns), as the stakeholder finder and
  the sourcing analysis read a noun phrase; and the speech verbs, the verbs that attribute a
  statement to a source ("said", "told", "according to"), strong (whatever their subject) and
  weak (only with a speaker as subject).
* `singular` (a plural noun's singular, by rule) and `is_news_outlet` (over the outlet lists of
  `entities.toml`).

The lists other parts of briefer share (stop words, calendar words, the entity lists of
`entities.toml`) are in `briefer.text.lexicon`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType

from briefer.text.lexicon import lexicon


@cache
def word_lists(path: Path) -> Mapping[str, frozenset[str]]:
    """Load the word lists of a TOML file once: each table's `words`, as a set, by table name."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    lists: dict[str, frozenset[str]] = {}
    for name, table in data.items():
        words = table.get("words") if isinstance(table, dict) else None
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise ValueError(f"{path.name}: the table [{name}] needs words, a list of strings")
        lists[name] = frozenset(words)
    return MappingProxyType(lists)


_WORDS = word_lists(Path(__file__).with_name("words.toml"))

# --- words that place a noun after them -----------------------------------------------------------

PREPOSITIONS = _WORDS["prepositions"]
POSSESSIVE_DETERMINERS = _WORDS["possessive_determiners"]
SUBJECT_PRONOUNS = _WORDS["subject_pronouns"]

# --- speech verbs --------------------------------------------------------------------------------

STRONG_SPEECH_VERBS = _WORDS["strong_speech_verbs"]
NEWS_COPY_VERBS = _WORDS["news_copy_verbs"]  # the rule "sourcing.news-verbs"
FINDING_VERBS = _WORDS["finding_verbs"]  # the rule "sourcing.finding-verbs"
WEAK_SPEECH_VERBS = _WORDS["weak_speech_verbs"] | NEWS_COPY_VERBS | FINDING_VERBS
SPEECH_VERBS = STRONG_SPEECH_VERBS | WEAK_SPEECH_VERBS


# --- nouns ---------------------------------------------------------------------------------------


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
