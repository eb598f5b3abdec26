"""Tokens, clause boundaries and offset helpers: the text layer under the phrase reader."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from briefer.analysis.sourcing._lexicon import _KEEP_DOT

_TOKEN = re.compile(r"[\w$€£%&][\w$€£%&'’.\-]*")
# A mark that ends a clause: a comma (not one between digits, "4,000"), a semicolon, colon,
# bracket, quotation mark or dash.
_CLAUSE_MARK = r"(?<!\d),|,(?!\d)|[;:()\[\]“”\"]|[—–]|\s-\s"
_PUNCT_BOUNDARY = re.compile(_CLAUSE_MARK)
# Where the subject before a verb may begin: a clause mark, or a word that opens a clause.
_LEFT_BOUNDARY = re.compile(
    _CLAUSE_MARK + r"|\b(?:that|which|who|whom|but|and|or|while|whereas|though|although|"
    r"because|since|when|after|before|if|as|so|than|until|unless|where|whether|once)\b"
)
# Where the phrase after a verb ends: a clause mark, or a question or exclamation mark.
_RIGHT_END = re.compile(_CLAUSE_MARK + r"|[?!]")
_QUOTE = re.compile(r"“[^“”\n]*”|\"[^\"\n]*\"")
_CAP_RUN = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w'’.&-]*(?:[ \t\xa0]+[A-ZÀ-ÖØ-Þ][\w'’.&-]*)*")
_LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]*\b")


@lru_cache(maxsize=16384)
def _word_of(text: str) -> str:
    """Return the lower-case word without a trailing period or possessive."""
    word = text.lower()
    if word.endswith(".") and word not in _KEEP_DOT:
        word = word.rstrip(".")
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            word = word[: -len(suffix)]
    return word.rstrip("'’")


class _Tok(NamedTuple):
    """A token of the text: where it is, as written, and as a lower-case word.

    A named tuple, not a dataclass: the reader makes tens of thousands per article.
    """

    start: int
    end: int
    text: str
    word: str  # lower case, without a trailing period or possessive (the reader asks often)

    @property
    def cap(self) -> bool:
        """Return whether the token starts with a capital letter."""
        return self.text[0].isupper()

    @property
    def possessive(self) -> bool:
        """Return whether the token ends in 's."""
        return self.text.endswith(("'s", "’s"))


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    return [
        _Tok(m.start(), m.end(), token := m.group(), _word_of(token))
        for m in _TOKEN.finditer(text, start, end)
    ]


def _last(pattern: re.Pattern[str], text: str, start: int, end: int) -> re.Match[str] | None:
    found = None
    for match in pattern.finditer(text, start, end):
        found = match
    return found


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim spaces and punctuation (but not an abbreviation's period) off both ends."""
    while start < end and (text[start].isspace() or text[start] in ",;:.—–-\"“”'‘’()"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-\"“”'‘’()?!"):
        end -= 1
    if end > start and text[end - 1] == ".":
        word_start = text.rfind(" ", start, end) + 1
        if text[max(word_start, start) : end].lower() not in _KEEP_DOT:
            end -= 1
            while end > start and text[end - 1].isspace():
                end -= 1
    return start, end


def _name_text(tok: _Tok) -> str:
    """Return a name word as written, without a possessive or a sentence's period."""
    text = tok.text.removesuffix("'s").removesuffix("’s")
    return text[:-1] if _ends_sentence(tok) else text


def _ends_sentence(tok: _Tok) -> bool:
    """Return whether a capitalised token ends with a sentence's period, not an abbreviation's."""
    text = tok.text
    if not text.endswith("."):
        return False
    word = text[:-1]
    return len(word) > 3 and "." not in word and text.lower() not in _KEEP_DOT


def _opens_sentence(text: str, pos: int) -> bool:
    """Return whether pos starts a sentence (only spaces and quotes since the last stop)."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\"“‘'(":
        i -= 1
    return i < 0 or text[i] in ".!?\n"
