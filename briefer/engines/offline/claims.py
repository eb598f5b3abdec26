"""Fact-check pages: the claim a page checks is never stated as a fact in its own voice.

A fact-check page sets the claim it checks under a label line ("Claim", or "Claim:" before
it) and often its verdict under another ("Rating" and then "False", "Unproven" ...). The
claim is an allegation. As a key fact it is said to be the claim checked, with the verdict
when the page gives one right after it, not restated as the reporter's statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefer.text import one_line

# What follows a label: the end of its line (and any blank lines), or a colon on its line.
_AFTER_LABEL = r"(?::?[ \t]*\n(?:[ \t]*\n)*|:[ \t]+)[ \t]*"
# The claim under its label: "Claim" on a line of its own, or "Claim:" opening the line.
_CLAIM = re.compile(rf"^[ \t]*(?:The )?Claim{_AFTER_LABEL}(?P<claim>\S[^\n]*)", re.MULTILINE)
# The verdict right after the claim: "Rating" on its line and the verdict on the next, or
# "Rating: False".
_RATING = re.compile(
    rf"(?:[ \t]*\n)+[ \t]*Rating{_AFTER_LABEL}(?P<rating>[^\n]{{1,40}})$", re.MULTILINE
)


@dataclass(frozen=True)
class CheckedClaim:
    """The span of a claim a fact-check page checks, and its verdict if the page gives one."""

    start: int
    end: int
    rating: str | None


def checked_claims(text: str) -> list[CheckedClaim]:
    """The claims `text` labels as the ones it checks, in text order."""
    if "Claim" not in text:
        return []
    out = []
    for match in _CLAIM.finditer(text):
        rating = _RATING.match(text, match.end())
        verdict = one_line(rating.group("rating")).rstrip(".") if rating else None
        out.append(CheckedClaim(match.start("claim"), match.end("claim"), verdict or None))
    return out


def claim_statement(claim: CheckedClaim, sentence: str) -> str:
    """A sentence of a checked claim, said to be the claim checked (and how it was rated)."""
    rated = f", rated {claim.rating}" if claim.rating else ""
    return one_line(f"Claim checked{rated}: “{sentence.strip()}”", 400, at_word=True)
