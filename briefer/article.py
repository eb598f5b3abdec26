"""Turn what the user gave us (a path, standard input, or a URL) into an `Article`.

Text files (.txt, .md, anything that is not HTML) are read as UTF-8; HTML files, HTML on
standard input and web pages go through trafilatura (`briefer.html`); URLs are fetched by
`briefer.fetch`. Every refusal is an `InputError` whose message names the problem and the
fix, and happens before any request to an LLM is sent.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from briefer.errors import InputError
from briefer.schema import ArticleInfo
from briefer.untrusted import strip_invisible

DEFAULT_MAX_BYTES = 2_000_000
STDIN = "-"

_WORD = re.compile(r"\w+(?:[’'.-]\w+)*")


@dataclass(frozen=True)
class Article:
    """One article's text and where it came from."""

    text: str
    source: str
    title: str | None = None
    author: str | None = None
    site_name: str | None = None
    published: str | None = None  # a date as the page states it (ISO 8601 when known)
    url: str | None = None

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the text (UTF-8): the article's identity in caches and envelopes."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def words(self) -> int:
        """Number of words in the text."""
        return len(_WORD.findall(self.text))

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
    name = "standard input" if source == STDIN else source
    if not strip_invisible(text).strip():
        raise InputError(f"{name}: the article is empty; give the article's text")
    if not any(ch.isalnum() for ch in text):
        raise InputError(f"{name}: the article has no words; give the article's text")
    if "\x00" in text:
        raise InputError(f"{name}: looks like binary data, not text; give a .txt article")
    if title is None:
        title = guess_title(text)
    return Article(text=text, source=source, title=title)


@dataclass(frozen=True)
class LoadOptions:
    """Limits for reading files and fetching pages."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_fetch_bytes: int = 5_000_000
    fetch_timeout: float = 20.0
    allow_private: bool = False


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def is_url(source: str) -> bool:
    """True when `source` is written as a URL (any scheme; only http(s) will be fetched)."""
    return bool(_URL.match(source))


def load_article(source: str, options: LoadOptions | None = None) -> Article:
    """Read an article from a path, '-' (standard input) or an http(s) URL."""
    options = options or LoadOptions()
    if source == STDIN:
        data = _read_capped(sys.stdin.buffer, options.max_bytes, "standard input")
        return _from_bytes(data, "standard input", source=STDIN)
    if is_url(source):
        return _from_url(source, options)
    path = Path(source)
    try:
        found = path.exists()
        size = path.stat().st_size if found else 0
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte: not a path at all
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        shown = source if len(source) <= 80 else source[:77] + "..."
        raise InputError(
            f"{shown!r} is not a usable file path ({reason}); check the path"
        ) from None
    if not found:
        raise InputError(f"{source}: no such file; check the path")
    if path.is_dir():
        raise InputError(f"{source}: is a directory; give the path of one article file")
    if size > options.max_bytes:
        raise InputError(
            f"{source}: {size:,} bytes is over the {options.max_bytes:,}-byte limit; "
            "raise it with --max-bytes or BRIEFER_MAX_BYTES"
        )
    try:
        with path.open("rb") as fh:
            data = _read_capped(fh, options.max_bytes, source)
    except OSError as exc:
        raise InputError(
            f"{source}: cannot be read ({exc.strerror}); check its permissions"
        ) from None
    return _from_bytes(data, source, source=source, html=path.suffix.lower() in _HTML_SUFFIXES)


def _from_bytes(data: bytes, name: str, *, source: str, html: bool = False) -> Article:
    from briefer.html import extract_article, looks_like_html

    if html or looks_like_html(data):
        if b"\x00" in data[:8192]:
            raise InputError(f"{name}: looks like a binary file, not a web page")
        return extract_article(data, source=source)
    return article_from_text(_decode(data, name), source=source)


def _from_url(url: str, options: LoadOptions) -> Article:
    from briefer.fetch import fetch_page
    from briefer.html import extract_article

    page = fetch_page(
        url,
        timeout=options.fetch_timeout,
        max_bytes=options.max_fetch_bytes,
        allow_private=options.allow_private,
    )
    if page.is_html:
        return extract_article(page.content, source=url, url=page.url, charset=page.charset)
    text = page.content.decode(page.charset or "utf-8", errors="replace")
    return replace(article_from_text(text, source=url), url=page.url)


def guess_title(text: str) -> str | None:
    """Return the first line when it looks like a headline: short, and not a full paragraph."""
    first = text.strip().split("\n", 1)[0].strip().lstrip("#").strip()
    if not first or len(first) > 200 or len(first.split()) > 25:
        return None
    rest = text.strip()[len(text.strip().split("\n", 1)[0]) :].strip()
    if not rest:
        return None  # the whole article is one line: that is the text, not a title
    return first


def _read_capped(stream: BinaryIO, max_bytes: int, name: str) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(
            f"{name}: more than {max_bytes:,} bytes, over the limit; "
            "raise it with --max-bytes or BRIEFER_MAX_BYTES"
        )
    return data


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like a binary file, not text; give a .txt article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: is not valid UTF-8 (byte {exc.start}); convert it, "
            "e.g. iconv -f latin1 -t utf-8"
        ) from None


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
