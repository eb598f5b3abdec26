"""Handle article text as data, never as instructions.

Two defences before the text reaches a model:

* `strip_invisible` removes invisible and bidirectional control characters, which can hide
  instructions from a human reviewer while a model still reads them.
* `wrap_article` puts the text between markers carrying a fresh random token, so text inside
  the article cannot close the article early: it would have to guess the token. Anything in the
  article that imitates our markers is defused as well.

Not every invisible character hides something. Each run of them is one of three kinds
(`invisible_kind`):

* **typesetting**, meaningless once the text is off the page: a soft hyphen (U+00AD) or word
  joiner (U+2060) anywhere, a byte order mark (U+FEFF) at the very start, and a lone
  zero-width non-joiner, joiner or space (U+200C, U+200D, U+200B) at a word break; a lone
  non-joiner or joiner between Latin, Greek or Cyrillic letters or digits (ligature control).
  `normalise_typesetting` removes these, and `Article` does so when it is built.
* **orthography**, part of the writing: a joiner inside an emoji sequence, a joiner or
  non-joiner between letters of a script that uses them (Persian, Arabic, the Indic scripts),
  the tag letters of a subdivision flag. Kept everywhere, never a warning.
* **hidden**, everything else: a zero-width space inside a word, bidi embeddings, overrides and
  isolates, controls, tag text, runs of several zero-width characters. Stripped before the
  model, and reported by `find_suspicious` as ``hidden_text``.

Where typesetting is removed, and why there: in the `Article` itself, at load time, rather than
in a copy for analysis with an offset map back to the original. Every offset briefer reports
(evidence, warnings, sourcing spans) and every quote it verifies then refers to one text, the
one every renderer shows; nothing has to translate offsets, and no analysis can forget to.
What is lost is nothing a reader can see: the removed characters are invisible, and the
verifier (`briefer.verify.quotes`) folds invisible characters anyway, so a quote copied from
the page as given, soft hyphens and all, still verifies exactly against the article. The
article's sha256 is that of the normalised text, so one story typeset two ways is one article.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Literal

from briefer.text import one_line
from briefer.text.instructions import find_instructions

# Cf (format) characters are invisible by definition: zero-width spaces and joiners, the
# bidirectional embeddings, overrides and isolates, the BOM, soft hyphens, tag characters.
# Cc (control) characters other than tab and newline have no place in an article either.
_KEEP = frozenset("\n\t")


# Every Cf and Cc code point but tab and newline (Unicode 14), as ranges: checking each code
# point with unicodedata at start-up would cost a third of a second.
_HIDDEN = re.compile(
    "[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]+"
)


InvisibleKind = Literal["typesetting", "orthography", "hidden"]

_SOFT_HYPHEN, _WORD_JOINER, _BOM = "\u00ad", "\u2060", "\ufeff"
_ZWSP, _ZWNJ, _ZWJ = "\u200b", "\u200c", "\u200d"
# Anywhere, any number of them: they only say where a line may or may not break.
_ANYWHERE = frozenset(_SOFT_HYPHEN + _WORD_JOINER)
# Scripts where a joiner between two letters is a line-breaking or ligature hint, no more.
_PLAIN_SCRIPTS = ("LATIN ", "GREEK ", "CYRILLIC ", "DIGIT ", "COMBINING ")
# A subdivision flag: U+1F3F4, two to six tag letters or digits, CANCEL TAG.
_FLAG_TAGS = re.compile("[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,6}\U000e007f")


def invisible_kind(text: str, start: int, end: int) -> InvisibleKind:
    """What the run of invisible characters `text[start:end]` is (see the module docstring).

    The run must be a whole run, as `_HIDDEN` finds it: its neighbours are visible.
    """
    run = text[start:end]
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if all(ch in _ANYWHERE for ch in run) or (run == _BOM and start == 0):
        return "typesetting"
    if before == "\U0001f3f4" and _FLAG_TAGS.fullmatch(run):
        return "orthography"
    if len(run) != 1 or run not in (_ZWSP, _ZWNJ, _ZWJ):
        return "hidden"
    if run == _ZWJ and (_is_emoji(before) or _is_emoji(after)):
        return "orthography"
    if not (_in_word(before) and _in_word(after)):
        return "typesetting"  # at a word break
    if run == _ZWSP:
        return "hidden"  # splits a word, unseen
    if _plain_script(before) and _plain_script(after):
        return "typesetting"
    return "orthography"


def _in_word(ch: str) -> bool:
    return bool(ch) and unicodedata.category(ch)[0] in "LMN"


def _plain_script(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith(_PLAIN_SCRIPTS)


def _is_emoji(ch: str) -> bool:
    """A pictograph, an emoji modifier, or the variation selector that asks for emoji style."""
    if not ch or ord(ch) < 0x2000:
        return False
    return ch == "\ufe0f" or ch == "\u20e3" or unicodedata.category(ch) in ("So", "Sk")


def _remove(text: str, kinds: frozenset[InvisibleKind]) -> str:
    if not _HIDDEN.search(text):
        return text  # the usual case, at the cost of one scan
    return _HIDDEN.sub(
        lambda m: "" if invisible_kind(text, m.start(), m.end()) in kinds else m.group(0), text
    )


def normalise_typesetting(text: str) -> str:
    """Remove typesetting characters (soft hyphens, joiners at word breaks, a leading BOM...)
    from `text`; keep everything that is writing, and everything that hides text."""
    return _remove(text, frozenset({"typesetting"}))


def strip_invisible(text: str) -> str:
    """Remove invisible formatting and bidirectional control characters from `text`, but not
    the joiners that are part of the writing (emoji sequences, Persian and Indic words)."""
    return _remove(text, frozenset({"typesetting", "hidden"}))


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


# --- after the answer: what the article tried, and what the brief must not carry ------------


@dataclass(frozen=True)
class Suspicious:
    """A stretch of the article that looks like an attack on the model."""

    code: str  # "instruction_like_text" or "hidden_text"
    start: int
    end: int
    text: str


def find_suspicious(text: str) -> list[Suspicious]:
    """Find instruction-like passages (`briefer.text.instructions`) and hidden (invisible or
    bidi-control) characters: typesetting characters and joiners that are part of the writing
    are not hidden text."""
    found = [
        Suspicious("instruction_like_text", start, end, text[start:end].strip())
        for start, end in find_instructions(text)
    ]
    for run in _HIDDEN.finditer(text):
        if invisible_kind(text, run.start(), run.end()) != "hidden":
            continue  # typesetting or writing: hides nothing
        codes = " ".join(f"U+{ord(c):04X}" for c in run.group(0)[:8])
        found.append(Suspicious("hidden_text", run.start(), run.end(), codes))
    return sorted(found, key=lambda s: s.start)


_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)[^)]*\)")
# An address: with a scheme, "www.", or protocol-relative ("//evil.example/p.png", which a
# browser completes with the page's own scheme).
_URL = re.compile(
    r"(?:\b(?:https?://|www\.)|(?<![\w:/])//(?=[A-Za-z0-9-]+\.[A-Za-z]))[^\s<>\"'“”)\]]+",
    re.IGNORECASE,
)
# An HTML tag or comment written into a brief ("<img src=...>", "<script>"): never markup.
_TAG = re.compile(r"<(?=[A-Za-z/!?])")


def escape_tags(text: str) -> str:
    """Defuse HTML in text bound for Markdown: "<script>" becomes "&lt;script>", inert in
    every Markdown renderer, readable in a terminal."""
    return _TAG.sub("&lt;", text)


def remove_foreign_links(text: str, article: str) -> tuple[str, list[str]]:
    """Remove links, images and URLs that the article does not contain; return what went."""
    removed: list[str] = []
    known = article.lower()

    def in_article(url: str) -> bool:
        return url.rstrip(".,;:").lower() in known

    def image(m: re.Match[str]) -> str:
        if in_article(m.group(2)):
            return m.group(0)
        removed.append(m.group(2))
        return ""

    def link(m: re.Match[str]) -> str:
        if in_article(m.group(2)):
            return m.group(0)
        removed.append(m.group(2))
        return m.group(1)

    def url(m: re.Match[str]) -> str:
        if in_article(m.group(0)):
            return m.group(0)
        address = m.group(0).rstrip(".,;:")
        removed.append(address)
        return m.group(0)[len(address) :]  # the sentence's own punctuation stays

    text = _IMAGE.sub(image, text)
    text = _LINK.sub(link, text)
    text = _URL.sub(url, text)
    if removed:
        # No dangling words where an address was: "Read more at ." -> "Read more."
        text = _POINTER_LEFT.sub("", text)
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", one_line(text))
        text = _DOUBLE_PUNCT.sub(r"\2", text)
    return text, removed


# What pointed at a removed address: "at", "see", "via", "here:", "visit", left before nothing.
_POINTER_LEFT = re.compile(
    r"\s*\b(?:at|see|via|visit|here|on|from|link|click)\s*:?\s*(?=[\s.,;:)!?]*(?:$|[.,;:)!?]))",
    re.IGNORECASE,
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?)])")
_DOUBLE_PUNCT = re.compile(r"([,;:])\s*([.!?])")
