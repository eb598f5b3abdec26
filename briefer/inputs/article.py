"""An article's text and where it came from.

`briefer.inputs` decides what an input is and reads it; this module only holds the result.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from briefer.errors import InputError
from briefer.schema import ArticleInfo
from briefer.text import words
from briefer.text.untrusted import normalise_typesetting, strip_invisible


@dataclass(frozen=True)
class Article:
    """One article's text and where it came from.

    The text is stored without typesetting characters (soft hyphens, joiners at word breaks,
    a leading byte order mark: `normalise_typesetting`), however the article was built; every
    offset and every evidence quote refers to this text. Why here and not in a copy for
    analysis: see `briefer.text.untrusted`.
    """

    text: str
    source: str
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    published: str | None = None  # a date as the page states it (ISO 8601 when known)
    url: str | None = None
    # What the reader of its brief should know about where the text came from, as
    # (code, message): ("feed_summary", "the page could not be fetched; ...").
    notes: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        # Frozen: set once, here, so that no way of building an article skips it.
        object.__setattr__(self, "text", normalise_typesetting(self.text))
        if self.title is not None:  # the offline engine looks for the title in the text
            object.__setattr__(self, "title", normalise_typesetting(self.title))

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the text (UTF-8): the article's identity in caches and envelopes."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def words(self) -> int:
        """Number of words in the text."""
        return len(words(self.text))

    def info(self) -> ArticleInfo:
        """Describe the article for the envelope."""
        return ArticleInfo(
            title=self.title,
            source=self.source,
            sha256=self.sha256,
            words=self.words,
            chars=len(self.text),
            author=self.author,
            site_name=self.site_name,
            published=self.published,
            url=self.url,
        )


def article_from_text(text: str, *, source: str = "<text>", title: str | None = None) -> Article:
    """Build an `Article` from text already in memory, checking it is usable."""
    text = _normalise_newlines(text)
    name = "standard input" if source == "-" else source
    if not strip_invisible(text).strip():
        raise InputError(f"{name}: the article is empty; give the article's text")
    if not any(ch.isalnum() for ch in text):
        raise InputError(f"{name}: the article has no words; give the article's text")
    if "\x00" in text:
        raise InputError(f"{name}: looks like binary data, not text; give a .txt article")
    if title is None:
        title = guess_title(text)
    return Article(text=text, source=source, title=title)


def utf8_size(content: bytes | str) -> int:
    """The size of `content` in bytes (UTF-8 for text)."""
    if isinstance(content, bytes):
        return len(content)
    return len(content.encode("utf-8", errors="surrogatepass"))


def guess_title(text: str) -> str | None:
    """Return the first line when it looks like a headline: short, worded, not a paragraph."""
    first = text.strip().split("\n", 1)[0].strip().lstrip("#").strip()
    if not first or len(first) > 200 or len(first.split()) > 25:
        return None
    if not any(ch.isalnum() for ch in first):
        return None  # a rule ("* * *") or marks alone ("\u202e"): nothing to read as a headline
    rest = text.strip()[len(text.strip().split("\n", 1)[0]) :].strip()
    if not rest:
        return None  # the whole article is one line: that is the text, not a title
    return first


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
