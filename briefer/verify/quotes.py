"""Find a quoted span in the article: exactly (after normalisation), approximately, or not at all.

Normalisation folds what differs between faithful copies of the same words: letter case,
accents, runs of whitespace and line breaks, curly and straight quotes, the dash family, the
ellipsis character, and invisible characters. Offsets always point into the original text.

A quote is

* ``exact`` when its normalised form occurs in the normalised article (a quote written with
  "..." between parts is exact when every part occurs, in order, close together);
* ``fuzzy`` when the best approximate alignment (rapidfuzz ``partial_ratio``) scores at least
  `FUZZY_THRESHOLD`, its numbers are the article's numbers, and at least
  `CONTENT_WORD_SHARE` of its content words occur in the aligned span: small slips pass,
  paraphrases and changed figures do not;
* ``missing`` otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

from briefer.schema import Brief

FUZZY_THRESHOLD = 90.0
CONTENT_WORD_SHARE = 0.9
MAX_PART_GAP = 400  # characters allowed between the parts of a quote with "..." in it

Status = Literal["exact", "fuzzy", "missing"]

_FOLD = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"),
    "…": "...",
    "\u00a0": " ",
}
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CONTENT = re.compile(r"[^\W\d_]{4,}")
_ELLIPSIS = re.compile(r"\s*(?:\.\s?){3}\s*|\s*\[\.\.\.\]\s*")


@dataclass(frozen=True)
class Located:
    """Where a quote was found: status, offsets `[start, end)` into the article, score."""

    status: Status
    start: int | None
    end: int | None
    score: float


@dataclass(frozen=True)
class Normalized:
    """Normalised text with, for each of its characters, the offset it came from."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int, original_length: int) -> tuple[int, int]:
        """Map a `[start, end)` span of the normalised text back to the original."""
        first = self.origin[start]
        last = self.origin[end - 1] + 1 if end > start else first
        return first, min(last, original_length)


# Plain ASCII letters, digits and punctuation (and single spaces between them) fold by lower()
# alone, one for one: they are copied in runs. Other whitespace runs become one space;
# everything else goes through _fold_char.
_PLAIN_RUN = re.compile(r"(?:[!#-&(-~]| (?=[!#-&(-~]))+")
_SPACE_RUN = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """How one character that is not plain ASCII normalises ('' to drop it)."""
    ch = _FOLD.get(ch, ch)
    if len(ch) != 1:
        return ch  # the ellipsis
    if unicodedata.category(ch) in ("Cf", "Mn", "Cc"):
        return ""  # invisible characters, combining accents, controls
    if ord(ch) > 127:
        base = unicodedata.normalize("NFKD", ch)
        ch = "".join(c for c in base if not unicodedata.combining(c)) or ch
    return ch.lower()


@lru_cache(maxsize=64)
def normalize(text: str) -> Normalized:
    """Fold case, accents, quotes, dashes, ellipses and whitespace; remember the offsets."""
    parts: list[str] = []
    origin: list[int] = []
    pos, length = 0, len(text)
    while pos < length:
        plain = _PLAIN_RUN.match(text, pos)
        if plain:
            run, start = plain.group(0), pos
            if run[0] == " " and (not origin or parts[-1].endswith(" ")):
                run, start = run[1:], start + 1  # no leading or doubled space
            parts.append(run.lower())
            origin.extend(range(start, plain.end()))
            pos = plain.end()
            continue
        space = _SPACE_RUN.match(text, pos)
        if space:
            if origin and not parts[-1].endswith(" "):  # no leading or doubled space
                parts.append(" ")
                origin.append(pos)
            pos = space.end()
            continue
        folded = _fold_char(text[pos])
        if folded:
            parts.append(folded)
            origin.extend([pos] * len(folded))
        pos += 1
    joined = "".join(parts)
    if joined.endswith(" "):
        joined = joined[:-1]
        origin.pop()
    return Normalized(joined, tuple(origin))


def locate(quote: str, article: str) -> Located:
    """Find `quote` in `article` and say how faithfully it is quoted."""
    hay = normalize(article)
    needle = normalize(quote).text.strip(" \"'")
    if not needle:
        return Located("missing", None, None, 0.0)
    at = hay.text.find(needle)
    if at >= 0:
        start, end = hay.span(at, at + len(needle), len(article))
        return Located("exact", start, end, 100.0)
    parts = [p.strip(" \"'") for p in _ELLIPSIS.split(needle) if p.strip(" \"'")]
    if len(parts) > 1:
        found = _parts_in_order(parts, hay.text)
        if found:
            start, end = hay.span(found[0], found[1], len(article))
            return Located("exact", start, end, 100.0)
    return _fuzzy(needle, hay, len(article))


def _parts_in_order(parts: list[str], hay: str) -> tuple[int, int] | None:
    first = hay.find(parts[0])
    if first < 0:
        return None
    pos = first + len(parts[0])
    for part in parts[1:]:
        at = hay.find(part, pos)
        if at < 0 or at - pos > MAX_PART_GAP:
            return None
        pos = at + len(part)
    return first, pos


def _fuzzy(needle: str, hay: Normalized, length: int) -> Located:
    alignment = fuzz.partial_ratio_alignment(needle, hay.text, score_cutoff=FUZZY_THRESHOLD)
    if alignment is None:
        best = fuzz.partial_ratio(needle, hay.text)
        return Located("missing", None, None, round(best, 1))
    found = hay.text[alignment.dest_start : alignment.dest_end]
    if not _same_substance(needle, found):
        return Located("missing", None, None, round(alignment.score, 1))
    start, end = hay.span(alignment.dest_start, alignment.dest_end, length)
    return Located("fuzzy", start, end, round(alignment.score, 1))


def _same_substance(quote: str, found: str) -> bool:
    """No changed figures, and nearly all of the quote's content words are really there."""
    if _NUMBER.findall(quote) != _NUMBER.findall(found):
        return False
    words = _CONTENT.findall(quote)
    if not words:
        return True
    present = set(_CONTENT.findall(found))
    return sum(w in present for w in words) >= CONTENT_WORD_SHARE * len(words)


def missing_quotes(brief: Brief, article: str) -> list[tuple[str, str]]:
    """List the evidence quotes of `brief` that cannot be found in `article` at all."""
    items = [(f"key_facts[{i}].evidence", f.evidence) for i, f in enumerate(brief.key_facts)]
    items += [
        (f"sourcing_caveats[{i}].evidence", c.evidence)
        for i, c in enumerate(brief.sourcing_caveats)
    ]
    return [(where, quote) for where, quote in items if locate(quote, article).status == "missing"]
