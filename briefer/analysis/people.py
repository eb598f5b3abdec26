"""Signs in the text that a name is a person's: a given name or initial, a title or role
noun before it ("planetary scientist Karen Osei"), an age, a "who" or a role after it, a
workplace ("engineer at Blue Horizon"), or a place in a list beside other people's names.

The stakeholder finder (`briefer.analysis.stakeholders`) asks these questions of the names it
reads; they look only at the text and the shared word lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from briefer.text.lexicon import Lexicon, lexicon

# A relative clause for a thing after a name: nobody writes "which" of a person.
_WHICH_AFTER = re.compile(r",\s+which\s")
# A determiner or an ordinal before a word: no one's surname is written so.
_MODIFIED = re.compile(
    r"\b(?:the|a|an|this|its|their|first|second|third|fourth|fifth|latest|new)\s+$",
    re.IGNORECASE,
)
# Honours that open a person's name in British copy; never a role of their own.
_HONOURS = frozenset({"sir", "dame", "lord", "lady", "baroness", "baron"})
_OF_BEFORE = re.compile(r"\bof\s+$")  # "the story of Laurie Luhn, which": the story's "which"


def shows_a_person(name: str, mentions: Iterable[tuple[int, int]], text: str) -> bool:
    """Whether the text shows a person behind a name: a given name or a middle initial, the
    surname used alone ("Osei said"), a title or role noun before a mention ("study co-author
    Karen Osei", "ambassador to Veloria Tan Wei"), or an age, a "who" or a role after it."""
    lex = lexicon()
    words = name.split()
    if any(
        _WHICH_AFTER.match(text, end) and not _OF_BEFORE.search(text, max(start - 4, 0), start)
        for start, end in mentions
    ):
        return False  # "Europa Clipper, which is scheduled to launch": a thing, not a person
    if words[0].lower() in _HONOURS and len(words) > 1:
        return True  # "Dame Margaret Beckett", "Sir Alex Ferguson"
    if words[0].lower() in lex.given_names or any(_INITIAL_WORD.fullmatch(w) for w in words[1:-1]):
        return True
    if len(words) > 1 and initials_before_a_name(words[0], lex):
        return True  # "J.J. Abrams", "W. Mark Felt"
    surname = words[-1]
    for start, end in mentions:
        if text[start:end] == surname and not _MODIFIED.search(text, max(start - 12, 0), start):
            return True  # "Osei said"; not "the fourth Trek film", where it names a thing
        if person_before(text, start):
            return True
        if person_after(text, end):
            return True
    return False


@dataclass(frozen=True)
class Beside:
    """Where people's names start, and where a name listed after one of them may start."""

    before: set[int]
    after: set[int]


def beside_people(mentions: list[tuple[int, int]], text: str) -> Beside:
    """Where a name would be listed with a person's ("Omar Fields and Dana Reyes"), given the
    people's `mentions`."""
    after = {at for _, end in mentions for at in list_joins(text, end)}
    return Beside(before={start for start, _ in mentions}, after=after)


def list_joins(text: str, end: int) -> set[int]:
    """Where the next name of a list may start after a name ending at `end`."""
    joins = (_LIST_JOIN.match(text, end), _LIST_JOIN_WITH_ROLE.match(text, end))
    return {join.end() for join in joins if join}


_INITIAL_WORD = re.compile(r"[A-Z]\.")
_INITIALS = re.compile(r"(?:[A-Z]\.){1,3}")
# Initials that are a body's or a place's, not a person's: "U.S. Navy", "U.N. envoy".
_NOT_INITIALS_OF_A_PERSON = frozenset({"u.n.", "e.u.", "d.c.", "u.a.e.", "n.y.", "l.a."})


def initials_before_a_name(word: str, lex: Lexicon) -> bool:
    """Whether a name's first word is a person's initials ("J.J." Abrams), not a place's."""
    lower = word.lower()
    return (
        _INITIALS.fullmatch(word) is not None
        and lower not in lex.country_of
        and lower not in _NOT_INITIALS_OF_A_PERSON
        and lower.rstrip(".") not in lex.places
    )


# Between two names of a list, perhaps with the second one's role ("Dana Reyes and Norland
# center Omar Fields").
_LIST_JOIN = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_LIST_JOIN_WITH_ROLE = re.compile(
    rf"(?:{_LIST_JOIN.pattern})[A-Z][\w'’.-]*\s+(?:[a-z][\w-]*\s+){{1,2}}"
)


@cache
def _role_words() -> frozenset[str]:
    """The head words of titles and function nouns ("president", "minister", "scientist")."""
    lex = lexicon()
    return frozenset(role.split()[-1] for role in lex.person_titles | lex.function_nouns)


def is_role_word(word: str) -> bool:
    lower = word.lower().strip(".,")
    return lower in _role_words() or lower.rsplit("-", 1)[-1] in _role_words()  # "co-author"


def person_before(text: str, start: int) -> bool:
    """Whether a title or role noun stands before a person's name, perhaps with the place or
    body it serves ("planetary scientist", "Home Secretary,", "ambassador to Veloria")."""
    floor = max(start - 60, 0)
    word = _WORD_BEFORE.search(text, floor, start)
    served = _TITLE_TO_PLACE.search(text, floor, start)
    return any(m is not None and is_role_word(m.group(1)) for m in (word, served))


def person_after(text: str, end: int) -> bool:
    """Whether a relative "who", an age or an appositive with a role noun follows a name."""
    if _WHO_OR_AGE.match(text, end):
        return True
    appositive = _APPOSITIVE_WORDS.match(text, end)
    return appositive is not None and any(map(is_role_word, appositive.group(1).split()))


def workplace_before(text: str, start: int) -> bool:
    """Whether a person's role at a body stands before its name ("vice president of sales
    at")."""
    at = _AT_BEFORE.search(text, max(start - 12, 0), start)
    if at is None:
        return False
    clause = _CLAUSE_BEFORE.search(text, max(at.start() - 60, 0), at.start())
    return clause is not None and any(map(is_role_word, clause.group(0).split()))


_WORD_BEFORE = re.compile(r"\b([A-Za-z][\w-]*)\.?,?[ \t]+$")
_TITLE_TO_PLACE = re.compile(
    r"\b([A-Za-z][\w-]*)\s+(?:to|of|for|at)\s+(?:the\s+)?(?:[A-Z][\w.'’-]*\s+){1,3}$"
)
_WHO_OR_AGE = re.compile(r",?\s+(?:who|whose)\b|,\s+\d{1,3},|\s+\(\d{1,3}\)")
_APPOSITIVE_WORDS = re.compile(r",\s+((?:[\w'’-]+[ \t]+){0,5}[\w'’-]+)")
_AT_BEFORE = re.compile(r"\s(?:at|with)\s+(?:the\s+)?$")
_CLAUSE_BEFORE = re.compile(r"[^.;:!?]*$")
