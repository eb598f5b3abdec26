"""The word lists and word rules only the analysis rules read, each loaded once.

* Words that place a noun after them: prepositions, possessive determiners, subject pronouns,
  as the stakeholder finder and the sourcing analysis read a noun phrase.
* Speech verbs: the verbs that attribute a statement to a source ("said", "told", "according
  to"), strong (whatever their subject) and weak (only with a speaker as subject).
* `singular` (a plural noun's singular, by rule) and `is_news_outlet` (over the outlet lists of
  `entities.toml`).

The lists other parts of briefer share (stop words, calendar words, the entity lists of
`entities.toml`) are in `briefer.text.lexicon`.
"""

from __future__ import annotations

from functools import lru_cache

from briefer.text.lexicon import lexicon, wordset

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
_WEAK_VERBS = wordset(
    """states announced announces confirmed confirms estimated estimates argued argues warned
    warns reported reports noted notes claimed claims alleged alleges predicted predicts cited
    cites disclosed discloses cautioned cautions denied denies recounted recounts recalled recalls
    asserted asserts contended contends maintained stressed stresses conceded concedes admitted
    admits complained complains expect expects highlight highlights revealed reveals
    reiterated reiterates tweeted tweets touted touts believes urged urges criticised
    criticized criticises criticizes condemned condemns welcomed welcomes described describes
    accused accuses"""
)
# More verbs of news copy, weak too (the rule "sourcing.news-verbs").
NEWS_COPY_VERBS = wordset(
    """commented comments remarked remarks observed observes replied replies responded
    responds countered counters suggested suggests quipped quips joked jokes lamented laments
    emphasised emphasises emphasized emphasizes suspected suspects regard regards"""
)
# Verbs of finding, which attribute only for a document (the rule "sourcing.finding-verbs").
FINDING_VERBS = wordset("found finds showed shows concluded concludes")
WEAK_SPEECH_VERBS = _WEAK_VERBS | NEWS_COPY_VERBS | FINDING_VERBS
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
