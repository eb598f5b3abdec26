"""The grammar the stakeholder rules read around a name, as patterns built once from the word
lists: what follows a subject, an actor or the head of a phrase, what marks an object, a
setting, a credit line or the press, and where a clause opens."""

from __future__ import annotations

import re
from functools import cache

from briefer.analysis.stakeholder_words import stakeholder_words
from briefer.analysis.words import (
    POSSESSIVE_DETERMINERS,
    PREPOSITIONS,
    SUBJECT_PRONOUNS,
)
from briefer.text.lexicon import alternation


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
def _says_he() -> re.Pattern[str]:
    """After a name, a verb and "he" or "she" speaking of its subject: "Evans said he would
    stay", "Hockney admitted that she ..."."""
    verbs = alternation(stakeholder_words().self_report_verbs)
    return re.compile(rf"\s+(?:[a-z]+ly\s+)?(?:{verbs})\s+(?:that\s+)?(?:he|she)\b")


@cache
def _state_possession() -> re.Pattern[str]:
    """What a state has after its name: "Veloria's capital", "the country's central bank"."""
    return re.compile(rf"['’]s\s+(?:{alternation(stakeholder_words().state_possessions)})\b")


def _preposition_before(words: frozenset[str]) -> str:
    """The pattern of one of `words` and perhaps "the" before a name: "in", "across the"."""
    return rf"\b(?:{alternation(words)})\s+(?:the\s+)?"


@cache
def _locative() -> re.Pattern[str]:
    """A preposition of place before a name: "in", "across the"."""
    return re.compile(_preposition_before(stakeholder_words().locatives) + "$")


@cache
def _setting() -> re.Pattern[str]:
    """Before a name only ever used as a place ("in the West Bank"): narrower than
    `_locative`, since "according to X" and "a report from X" name a source, not a place."""
    return re.compile(_preposition_before(stakeholder_words().settings) + "$")


@cache
def _locative_list() -> re.Pattern[str]:
    """A locative before a list of places, which reaches each of them: "in Oslo, Bergen and
    Tromsø", "in east Jerusalem and the West Bank"."""
    return re.compile(
        _preposition_before(stakeholder_words().locatives)
        + r"(?:(?:[a-z]+\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*"
        r"(?:,\s+(?:and\s+)?|,?\s+(?:and|or)\s+)(?:the\s+)?)*$"
    )


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


@cache
def _object_before() -> re.Pattern[str]:
    """Before a noun that is an object or a description, not a subject: a preposition, a
    possessive pronoun, perhaps with a word between ("hundreds of workers")."""
    return re.compile(rf"\b(?:{alternation(_object_markers())})\s+(?:[a-z][\w'’-]*\s+)?$")


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


@cache
def _has_staff() -> re.Pattern[str]:
    """An organisation's people or stock after its name: "Salesforce's CEO", "Gannett's
    shares"."""
    return re.compile(rf"['’]s\s+(?:{alternation(stakeholder_words().staff_words)})\b")
