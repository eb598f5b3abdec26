"""An entry's fields as a feed gives them, made plain and safe: text without markup (and
with what the markup hid said), links made absolute, authors, dates in either of the feeds'
forms, and summaries cut to `MAX_SUMMARY_CHARS`."""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

from briefer.errors import InputError
from briefer.inputs import URL
from briefer.inputs.feed_lists import canonical_url
from briefer.inputs.hidden import hidden_note, remove_hidden

MAX_SUMMARY_CHARS = 20_000


# "desk@example.org (Ana Diaz)": RSS's author element is an address with the name after it.
_RSS_AUTHOR = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^()]+)\)\s*$")


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _link(value: object, base: str | None) -> str | None:
    """`value` resolved against `base` and made canonical; None unless a usable http(s) URL."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        link = urljoin(base, value.strip()) if base else value.strip()
        return canonical_url(URL(link).value)
    except (InputError, ValueError):  # ValueError: e.g. "http://[::1", an unclosed IPv6 host
        return None


def _author(value: object) -> str | None:
    text = _plain_text(_str(value))
    if text:
        named = _RSS_AUTHOR.match(text)
        if named:
            return named.group("name").strip()
    return text


def _struct_time(value: object) -> datetime | None:
    """A feedparser date (a struct_time in UTC) as an aware datetime."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (ValueError, OverflowError, OSError):
        return None


def _iso_date(value: object) -> datetime | None:
    """An RFC 3339 date (JSON Feed's) in UTC; a date without a zone is taken as UTC."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _detail_text(detail: object, value: object) -> str | None:
    """A feedparser text construct as plain text: HTML stripped unless it is plain text."""
    kind = detail.get("type") if isinstance(detail, Mapping) else None
    if kind == "text/plain":
        return _plain_text(_str(value))
    return _html_text(_str(value))


def _plain_text(text: str | None) -> str | None:
    """`text` with its whitespace collapsed; None when nothing is left."""
    if not text:
        return None
    return " ".join(text.split()) or None


def _html_text(html: str | None) -> str | None:
    """The text of an HTML fragment a reader sees (`remove_hidden`), whitespace collapsed;
    None when nothing is left."""
    if not html:
        return None
    if "<" not in html and "&" not in html:
        return _plain_text(html)
    shown, _hidden = remove_hidden(html)
    parser = _TextOf()
    parser.feed(shown if isinstance(shown, str) else html)
    parser.close()
    return _plain_text("".join(parser.parts))


def _hidden_in(*fragments: object) -> str | None:
    """The warning for text that HTML `fragments` of an entry hide from readers, if any."""
    hidden = [h for f in fragments if isinstance(f, str) and "<" in f for h in remove_hidden(f)[1]]
    if not hidden:
        return None
    return hidden_note(hidden).replace("the page hides", "the feed entry hides", 1)


def _cap(text: str | None) -> str | None:
    """`text` cut to `MAX_SUMMARY_CHARS`, at a space when there is one near the end."""
    if text is None or len(text) <= MAX_SUMMARY_CHARS:
        return text
    cut = text[:MAX_SUMMARY_CHARS]
    space = cut.rfind(" ", MAX_SUMMARY_CHARS - 200)
    return (cut[:space] if space > 0 else cut).rstrip()


class _TextOf(HTMLParser):
    """Collects the text of an HTML fragment: no scripts or styles, blocks apart."""

    _SKIP = frozenset({"script", "style", "template", "noscript", "head", "title"})
    _BLOCK = frozenset(
        "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 "
        "h4 h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)
