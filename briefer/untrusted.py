"""Handle article text as data, never as instructions.

Two defences before the text reaches a model:

* `strip_invisible` removes invisible and bidirectional control characters, which can hide
  instructions from a human reviewer while a model still reads them.
* `wrap_article` puts the text between markers carrying a fresh random token, so text inside
  the article cannot close the article early: it would have to guess the token. Anything in the
  article that imitates our markers is defused as well.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

# Cf (format) characters are invisible by definition: zero-width spaces and joiners, the
# bidirectional embeddings, overrides and isolates, the BOM, soft hyphens, tag characters.
# Cc (control) characters other than tab and newline have no place in an article either.
_KEEP = frozenset("\n\t")


def strip_invisible(text: str) -> str:
    """Remove invisible formatting and bidirectional control characters from `text`."""
    return "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in ("Cf", "Cc"))


_MARKER = "ARTICLE"
_FORGED_MARKER = re.compile(r"<{2,}\s*(?:/|END[-_ ]?)?\s*ARTICLE", re.IGNORECASE)


@dataclass(frozen=True)
class Boundary:
    """The per-request markers around the article text."""

    token: str

    @classmethod
    def new(cls) -> Boundary:
        """Return a boundary with a fresh random token."""
        return cls(secrets.token_hex(8))

    @property
    def start(self) -> str:
        return f"<<<{_MARKER}-{self.token}>>>"

    @property
    def end(self) -> str:
        return f"<<<END-{_MARKER}-{self.token}>>>"


def defuse_markers(text: str) -> str:
    """Break anything in `text` that imitates our article markers."""
    return _FORGED_MARKER.sub(lambda m: m.group(0).replace("<", "‹"), text)


def wrap_article(text: str, boundary: Boundary) -> str:
    """Return the article between the boundary's markers, cleaned and defused."""
    body = defuse_markers(strip_invisible(text))
    return f"{boundary.start}\n{body}\n{boundary.end}"
