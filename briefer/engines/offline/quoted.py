"""Quotations of several sentences: a sentence from the middle or the end of one is no fact
on its own ('But the third is hard to find," she said.' begins inside the quotation)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from briefer.analysis.sourcing import quotations
from briefer.text import QUOTE_MARK, Span
from briefer.text.lexicon import content_words

# A sentence that begins inside a quotation becomes the whole quotation, from its opening
# mark through the sentence, when that stays this short; a longer one is left out.
WHOLE_QUOTATION_WORDS = 45
_WHOLE_QUOTATION_CHARS = 20 * WHOLE_QUOTATION_WORDS  # longer is never that few words


def whole_quotations(
    text: str, body: Sequence[Span], words_of: Sequence[list[str]]
) -> tuple[list[Span], list[list[str]]]:
    """The body with each sentence that begins inside a quotation (opened in an earlier
    sentence of its paragraph) made the quotation from its opening mark through the
    sentence, or left out when that is longer than WHOLE_QUOTATION_WORDS; with the content
    words of each span."""
    opens = mid_quotation(text, body)
    if not opens:
        return list(body), list(words_of)
    spans: list[Span] = []
    words: list[list[str]] = []
    for sentence, sentence_words in zip(body, words_of, strict=True):
        at = opens.get(sentence.start)
        if at is None:
            spans.append(sentence)
            words.append(sentence_words)
        elif sentence.end - at <= _WHOLE_QUOTATION_CHARS:
            quotation = text[at : sentence.end]
            if len(quotation.split()) <= WHOLE_QUOTATION_WORDS:
                spans.append(Span(at, sentence.end, quotation))
                words.append(content_words(quotation))
    return spans, words


def mid_quotation(text: str, body: Sequence[Span]) -> dict[int, int]:
    """The sentences that begin inside a quotation opened in an earlier sentence of their
    paragraph ('"Water is scarce. [But the third is hard to find," she said.]'), by their
    start, each with where its quotation opens.

    Only clear quotations: curly marks, or straight marks in a line that holds an even
    number of them (some copies carry a stray mark), the opening one after a space.
    """
    out: dict[int, int] = {}
    starts = [s.start for s in body]
    breaks = [-1, *(m.start() for m in re.finditer("\n", text)), len(text)]
    even: dict[int, bool] = {}  # by line: whether it holds an even number of straight marks
    for start, end in sorted([*quotations(text), *single_quotations(text)]):
        if text[start] == '"':
            line = bisect.bisect_left(breaks, start)
            if line not in even:
                even[line] = text.count('"', breaks[line - 1] + 1, breaks[line]) % 2 == 0
            if not (even[line] and _clear_straight_quotation(text, start, end)):
                continue
        i = bisect.bisect_right(starts, start + 1)
        while i < len(body) and body[i].start < end - 1:
            out[body[i].start] = start
            i += 1
    return out


def _clear_straight_quotation(text: str, start: int, end: int) -> bool:
    """Whether the straight marks at `start` and `end - 1` open and close a quotation: the
    first after a space or a line's start, each next to a word, not a space, and the second
    not after a figure (5'11")."""
    if start > 0 and text[start - 1] not in " \t\n(—–[":
        return False
    before_close = text[end - 2 : end - 1]
    return not (text[start + 1 : start + 2].isspace() or before_close.isspace()) and not (
        before_close.isdigit()
    )


# Single marks ('...' or ‘...’), as some papers quote: an opening one after a space before a
# capital; a closing one after a word or a stop and before no letter or figure (a scare quote
# "‘The Great Escape’." closes too; so does an apostrophe, "players' ", which only shortens
# the quotation). An apostrophe within a word ("world's") is neither.
# (The look-ahead for the three characters a match starts with lets the scan pass over the
# others at once.)
_SINGLE_MARK = re.compile(
    r"(?=['‘’\n])(?:(?P<open>(?:(?<=\s)|(?<=^)|(?<=\())['‘](?=[A-Z]))|(?<=\S)['’](?![\w])"
    r"|(?P<line>\n))",
    re.MULTILINE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'[a-z]{1,2}|I’[a-z]{1,2}|[Ww]e|[Mm]y|[Oo]ur)\b")
_SENTENCE_BEFORE = re.compile(r"(?:^|[.!?:]\s{1,2})['‘]", re.MULTILINE)


def single_quotations(text: str) -> list[tuple[int, int]]:
    """The spans of the quotations in single marks, in the lines that quote only so (no
    double mark) and where each opening mark closes before the next opens."""
    out: list[tuple[int, int]] = []
    line: list[tuple[int, int]] = []
    opened, clear, line_start = -1, True, 0
    for match in _SINGLE_MARK.finditer(text + "\n"):
        at = match.start()
        if match.group("line"):
            if clear and opened < 0 and not QUOTE_MARK.search(text, line_start, at):
                out.extend(line)
            line, opened, clear, line_start = [], -1, True, at + 1
        elif match.group("open"):
            # A quotation that opens a sentence and runs on into the next paragraph, where a
            # mark opens it again (a paragraph break lost in the copy).
            if opened >= 0 and (
                _SENTENCE_BEFORE.search(text, max(opened - 3, 0), opened + 1)
                or _FIRST_PERSON.search(text, opened, at)
            ):
                line.append((opened, at))
            opened = at
        elif opened < 0:
            pass  # a closing mark with none open: a quotation opened lower-case
        else:
            line.append((opened, at + 1))
            opened = -1
    return out
