"""Sentences and paragraphs with character offsets, without downloaded models.

Offsets are always into the original text, so every span can be quoted back verbatim.
All functions here run in linear time: they are used on articles of any length.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# Words that end with a period without ending a sentence: titles and ranks, words of a
# body's name, words of a reference, months, weekdays and dotted initials.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cmdr adm sgt sen rep gov pres supt insp det st jr sr
    inc corp co ltd llc plc bros dept univ
    no nos vs etc al approx est fig
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    a.m p.m u.s u.k u.n e.u d.c n.y l.a ph.d b.c a.d
    """.split()
)

# A double quotation mark, straight or curly, opening or closing.
QUOTE_MARK = re.compile('["“”]')
# A candidate sentence end: terminal punctuation, optional closing quotes or brackets, space.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_SPACE = re.compile(r"\s+")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*[\"“‘A-Z0-9])")
MAX_SENTENCE_CHARS = 600


@dataclass(frozen=True)
class Span:
    """A stretch of the article: `text` is exactly `article[start:end]`."""

    start: int
    end: int
    text: str


def paragraphs(text: str) -> list[Span]:
    """Split `text` into paragraphs (blank lines, or line breaks before a new sentence)."""
    spans: list[Span] = []
    pos = 0
    for match in _PARAGRAPH.finditer(text):
        spans.extend(_trimmed(text, pos, match.start()))
        pos = match.end()
    spans.extend(_trimmed(text, pos, len(text)))
    return spans


def sentences(text: str) -> list[Span]:
    """Split `text` into sentences with offsets; long run-ons are cut at clause boundaries."""
    return list(_sentences(text))


@functools.lru_cache(maxsize=2)
def _sentences(text: str) -> tuple[Span, ...]:
    # Cached: the engine and the analyses it runs each split the same article. Only the last
    # two texts are kept: their sentences hold a copy of the text.
    out: list[Span] = []
    for para in paragraphs(text):
        for span in _split_paragraph(text, para.start, para.end):
            out.extend(_cap_length(text, span))
    return tuple(out)


def sentence_bounds(text: str, start: int, end: int | None = None) -> tuple[int, int]:
    """Where the sentence (or run of sentences) holding `text[start:end]` starts and ends.

    Abbreviations do not end it ("the U.S. Navy"), as in `sentences`.
    """
    starts, ends = _sentence_index(text)
    if not starts:
        return 0, len(text)
    end = start if end is None else max(end, start)
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    last = max(bisect.bisect_right(starts, max(end - 1, start)) - 1, first)
    return starts[first], ends[last]


@functools.lru_cache(maxsize=8)
def _sentence_index(text: str) -> tuple[list[int], list[int]]:
    spans = _sentences(text)
    return [s.start for s in spans], [s.end for s in spans]


def _split_paragraph(text: str, start: int, end: int) -> Iterator[Span]:
    pos = start
    for match in _END.finditer(text, start, end):
        cut = match.end()
        if not _is_boundary(text, match.start(), cut, end):
            continue
        yield from _trimmed(text, pos, cut)
        pos = cut
    yield from _trimmed(text, pos, end)


def _is_boundary(text: str, punct: int, cut: int, end: int) -> bool:
    nxt = _next_visible(text, cut, end)
    if nxt is None:
        return True
    if _in_short_quotation(text, punct, end):
        return False
    if text[punct] != ".":
        return nxt.isupper() or nxt.isdigit() or nxt in "\"“‘'("
    word_start = punct
    while (
        word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] not in '("“'
    ):
        word_start -= 1
    word = text[word_start:punct].lower().strip("'’\"“”")
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or _INITIALS.fullmatch(word):
        # "U.S. officials" continues; "in the U.S. The next day" ends: only a capital after an
        # abbreviation that usually ends sentences (dates, countries) counts as a boundary.
        return word in {"u.s", "u.k", "u.n", "e.u", "d.c", "etc", "inc", "corp", "ltd", "co"} and (
            nxt.isupper() and _starts_sentence_word(text, cut, end)
        )
    return nxt.isupper() or nxt.isdigit() or nxt in "\"“‘'("


SHORT_QUOTATION = 8  # words: a slogan or a title, not a speaker's sentences
_CLOSING = {"“": "”", "‘": "’"}


def _in_short_quotation(text: str, punct: int, end: int) -> bool:
    """Whether the mark at `punct` is inside a short quotation the sentence goes on after:
    'South Dakota's “Meth. We're on it.” campaign drew mockery' is one sentence."""
    window = text[max(punct - 80, 0) : punct]
    opening = max(window.rfind("“"), window.rfind("‘"))
    if opening < 0:
        return False
    mark = window[opening]
    closing = _CLOSING[mark]
    inside = window[opening + 1 :]
    if closing in inside.replace("’", "") if mark == "“" else re.search(r"’(?!\w)", inside):
        return False  # the quotation closed before the mark
    after = re.compile(r"’(?!\w)" if mark == "‘" else "”").search(text, punct, min(punct + 80, end))
    if after is None:
        return False
    quoted = window[opening + 1 :] + text[punct : after.start()]
    if len(quoted.split()) > SHORT_QUOTATION or quoted.rstrip().endswith(","):
        return False  # long, or speech closing on its comma before "he said"
    rest = text[after.end() : min(after.end() + 3, end)].lstrip(".!?,;:)’” ")
    continues = text[after.end() : after.end() + 1] in ",;:" or (rest[:1].islower())
    return continues


# Initials before a name, the last one's full stop not yet read: "B.B" (King), "W.M" (Keck).
_INITIALS = re.compile(r"(?:[a-z]\.)+[a-z]")

_COMMON_SENTENCE_STARTS = frozenset(
    [
        "the",
        "a",
        "an",
        "in",
        "on",
        "at",
        "it",
        "its",
        "he",
        "she",
        "they",
        "we",
        "i",
        "but",
        "and",
        "so",
        "this",
        "that",
        "these",
        "those",
        "there",
        "his",
        "her",
        "their",
        "our",
        "as",
        "after",
        "before",
        "when",
        "while",
        "if",
        "for",
        "by",
        "with",
        "from",
        "to",
        "of",
        "officials",
    ]
)


def _starts_sentence_word(text: str, pos: int, end: int) -> bool:
    match = re.compile(r"\s*([A-Za-z]+)").match(text, pos, end)
    return bool(match and match.group(1).lower() in _COMMON_SENTENCE_STARTS)


def _next_visible(text: str, pos: int, end: int) -> str | None:
    match = _SPACE.match(text, pos, end)
    nxt = match.end() if match else pos
    return text[nxt] if nxt < end else None


def _trimmed(text: str, start: int, end: int) -> list[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [Span(start, end, text[start:end])] if end > start else []


_CLAUSE = re.compile(r"[;:,—–]\s|\s-\s")


def _cap_length(text: str, span: Span) -> list[Span]:
    """Cut a sentence longer than MAX_SENTENCE_CHARS at clause marks, else at spaces."""
    if span.end - span.start <= MAX_SENTENCE_CHARS:
        return [span]
    out: list[Span] = []
    pos = span.start
    while span.end - pos > MAX_SENTENCE_CHARS:
        limit = pos + MAX_SENTENCE_CHARS
        cut = -1
        for match in _CLAUSE.finditer(text, pos + MAX_SENTENCE_CHARS // 3, limit):
            cut = match.end()
        if cut == -1:
            cut = text.rfind(" ", pos + 1, limit)
        if cut <= pos:
            cut = limit
        out.extend(_trimmed(text, pos, cut))
        pos = cut
    out.extend(_trimmed(text, pos, span.end))
    return out


def finditer_any_case(pattern: re.Pattern[str], text: str, pos: int = 0) -> Iterator[re.Match[str]]:
    """Matches of a case-insensitive, lower-case `pattern` in `text`, with `text`'s offsets.

    The scan runs on the lower-cased text with the case-sensitive pattern (about twice as
    fast) when lower-casing keeps every offset, which it does for all but a few letters.
    """
    lowered = _lowered(text)
    if len(lowered) == len(text):
        return _case_sensitive(pattern).finditer(lowered, pos)
    return pattern.finditer(text, pos)


@functools.lru_cache(maxsize=2)
def _lowered(text: str) -> str:
    # Cached: several analyses of one article (and of its folded text) each scan it this way.
    return text.lower()


@functools.cache
def _case_sensitive(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


def words(text: str) -> list[str]:
    """Return the words of `text` (letters, digits, inner apostrophes and hyphens)."""
    return re.findall(r"\w+(?:[’'.-]\w+)*", text)


def columns(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned columns for people, the first row a header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun, singular for one: "1 story", "3 stories", "1,204 entries"."""
    word = noun if count == 1 else plural or f"{noun}s"
    return f"{count:,} {word}"


def one_line(text: str, limit: int | None = None, *, at_word: bool = False) -> str:
    """`text` on one line, runs of whitespace made one space; cut with "…" past `limit`.

    With `at_word`, a cut falls between words rather than inside one.
    """
    line = " ".join(text.split())
    if limit is None or len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if at_word and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut + "…"
