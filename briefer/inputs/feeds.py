"""Read news feeds (RSS, Atom, JSON Feed) and lists of feeds (OPML or plain text).

Rules:

* A feed named by an http(s) URL is fetched under the same rules as a web page
  (`briefer.inputs.fetch`): public addresses only unless `LoadOptions.allow_private`, every
  redirect re-checked, at most `LoadOptions.max_fetch_bytes` (counted while the body streams
  in), `LoadOptions.fetch_timeout`. Only feed content types are accepted; a web page is
  refused. Given the validators of the last fetch (`etag`, `last_modified`), the request is
  conditional, and a 304 answer is a `Feed` with `not_modified` set and no entries.
* Any other source is a feed file on this machine, read under `LoadOptions.max_bytes`.
  `load_feed` is for sources the user named (the command line, a list file of theirs): it
  opens the paths it is given.
* Parsing never fetches anything: feedparser is handed the bytes already read (in a file
  object, since a bare string would be taken for a path or a URL). JSON Feed (1 and 1.1) is
  read with the json module.
* Parsing expands no entity: an XML feed that declares entities, or carries a DTD of its own
  (`<!DOCTYPE rss [...]>`), is refused before feedparser sees it, by both of its parsers
  (expat, and the lenient one it falls back to, which would expand what expat refused). The
  check reads the text as feedparser decodes it, so no encoding hides a declaration. A
  DOCTYPE that only names an outside DTD (RSS 0.91's) is read; that DTD is never fetched.
* A JSON Feed is held to limits as it is parsed: its size (the byte limits above), at most
  `MAX_JSON_DEPTH` levels of nesting, numbers of at most `MAX_NUMBER_CHARS` characters.
* Entries are plain data: titles and summaries as plain text (HTML stripped, whitespace
  collapsed, summaries cut to `MAX_SUMMARY_CHARS`), dates in UTC, links resolved against the
  feed's address and made canonical (`canonical_url`). A link that is not a usable http(s)
  address is dropped (`url=None`), like a missing one: the caller briefs the summary.
* A source that is not a feed, or a feed too broken to give any entry, raises `InputError`,
  whatever is wrong with its bytes: malformed data from outside never escapes as another
  exception.
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from briefer.errors import InputError
from briefer.inputs import URL, LoadOptions, read_file

if TYPE_CHECKING:
    import httpx

    from briefer.inputs.fetch import Page
from briefer.inputs.feed_fields import (
    _author,
    _cap,
    _detail_text,
    _hidden_in,
    _html_text,
    _iso_date,
    _link,
    _plain_text,
    _str,
    _struct_time,
)
from briefer.inputs.feed_lists import _OPML_START, _SCHEME

MAX_JSON_DEPTH = 64  # a JSON Feed's nesting: the feed, items, an item, its authors, extensions
MAX_NUMBER_CHARS = 100  # JSON Feed has no use for longer numbers; ids are strings
# Feed types, and the types servers commonly give feed files (a raw file host, RSS 1.0).
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/x-rss+xml",
    "application/x-atom+xml",
    "text/plain",
)
JSON_TYPES = ("application/feed+json", "application/json")
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.1"
)
# What entity expansion needs, and no feed does: an entity declaration, or a DTD inside the
# document. `[^>\[<]*` stops at the next tag, so the search stays linear.
_DTD = re.compile(rb"<!(?:ENTITY|DOCTYPE[^>\[<]*\[)", re.IGNORECASE)


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, as plain data."""

    feed: str  # the feed's title (else its host)
    title: str | None
    url: str | None  # the entry's link, canonical; None when it has none
    author: str | None
    published: datetime | None  # timezone-aware (UTC); None when the entry gives no date
    summary: str | None  # the feed's own summary or content as plain text, capped
    # The warning for text the summary's HTML hides from readers (left out of `summary`).
    hidden: str | None = None


@dataclass(frozen=True)
class Feed:
    """What reading a feed gave."""

    source: str  # the URL or path it was read from
    title: str
    entries: list[FeedEntry]  # in the feed's order; empty when not_modified
    etag: str | None  # validators the server sent, to send back next time
    last_modified: str | None
    not_modified: bool = False  # the server answered 304 to a conditional GET


# --- addresses --------------------------------------------------------------------------------


# --- lists of feeds ---------------------------------------------------------------------------


# --- reading one feed -------------------------------------------------------------------------


def load_feed(
    source: str | os.PathLike[str],
    *,
    options: LoadOptions | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
) -> Feed:
    """Read the feed at an http(s) URL, or in a file, into a `Feed` (see the module rules)."""
    options = options or LoadOptions()
    source = os.fspath(source)
    scheme = _SCHEME.match(source)
    if scheme and scheme.group(0).lower() in ("http://", "https://"):
        page = _fetch(URL(source).value, options, etag, last_modified, client)
        if page.not_modified:
            return Feed(
                source=source,
                title=urlsplit(source).hostname or source,
                entries=[],
                etag=page.etag or etag,
                last_modified=page.last_modified or last_modified,
                not_modified=True,
            )
        base: str | None = page.url
        data, content_type, charset = page.content, page.content_type, page.charset
        host = urlsplit(source).hostname
        etag, last_modified = page.etag, page.last_modified
    elif scheme:
        raise InputError(
            f"{source}: only http and https addresses and feed files can be read; give the "
            "feed's web address or the path of a saved feed"
        )
    else:
        data = read_file(Path(source), options.max_bytes, what="feed", too_big="raise {max_bytes}")
        base, content_type, charset = None, "", None
        host = None
        etag = last_modified = None
    parsed = _parse(data, source, base=base, content_type=content_type, charset=charset)
    # Untitled: named by the host it was fetched from; a file by its site's host, or its name.
    title = (
        parsed.title or host or urlsplit(parsed.site or "").hostname or Path(source).name or source
    )
    return Feed(
        source=source,
        title=title,
        entries=[replace(entry, feed=title) for entry in parsed.entries],
        etag=etag,
        last_modified=last_modified,
    )


def _fetch(
    url: str,
    options: LoadOptions,
    etag: str | None,
    last_modified: str | None,
    client: httpx.Client | None,
) -> Page:
    from briefer.inputs.fetch import HTML_TYPES, fetch_resource

    def refuse(address: str, content_type: str) -> InputError:
        if content_type in HTML_TYPES:
            return _web_page(address, content_type)
        return InputError(
            f"{address}: not a feed ({content_type}); give the address of an RSS, Atom or JSON feed"
        )

    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return fetch_resource(
        url,
        types=FEED_TYPES,
        accept=_ACCEPT,
        refuse=refuse,
        headers=headers,
        default_type="application/xml",
        what="feed",
        timeout=options.fetch_timeout,
        max_bytes=options.max_fetch_bytes,
        allow_private=options.allow_private,
        client=client,
    )


def _web_page(source: str, content_type: str = "text/html") -> InputError:
    return InputError(
        f"{source}: a web page ({content_type}), not a feed; give the address of the site's "
        "RSS, Atom or JSON feed (pages often link it as RSS or Feed)"
    )


def _not_a_feed(source: str, reason: str) -> InputError:
    reason = " ".join(reason.split())[:120]
    return InputError(
        f"{source}: not a readable RSS, Atom or JSON feed ({reason}); check that it is the "
        "feed's address or file"
    )


# --- parsing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    """A feed as parsed, before its title is settled (entries' `feed` is empty)."""

    title: str | None
    site: str | None  # its home page
    entries: list[FeedEntry]


def _parse(
    data: bytes, source: str, *, base: str | None, content_type: str, charset: str | None
) -> _Parsed:
    from briefer.inputs.html import looks_like_html

    start = data.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not start:
        raise _not_a_feed(source, "it is empty")
    if looks_like_html(start):
        raise _web_page(source)
    if _OPML_START.match(start[:65536]):
        raise InputError(
            f"{source}: a list of feeds (OPML), not a feed; read it as a list of feeds"
        )
    if content_type in JSON_TYPES or start.startswith(b"{"):
        return _parse_json_feed(data, source, base=base)
    return _parse_xml_feed(data, source, base=base, charset=charset)


def _parse_xml_feed(data: bytes, source: str, *, base: str | None, charset: str | None) -> _Parsed:
    import feedparser  # type: ignore[import-untyped]

    headers = {"content-type": "application/xml" + (f"; charset={charset}" if charset else "")}
    if base:
        headers["content-location"] = base
    _refuse_entities(data, headers, source)
    try:
        # A file object: given bytes or a str, feedparser would try them as a path or a URL.
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # feedparser's own failure on malformed bytes: the feed's fault
        raise _not_a_feed(source, f"{type(exc).__name__} while parsing it") from None
    if not parsed.entries:
        if parsed.get("bozo"):
            raise _not_a_feed(source, _problem(parsed.get("bozo_exception")))
        if not parsed.get("version"):
            raise _not_a_feed(source, "no RSS or Atom feed in it")
    about: Mapping[str, Any] = parsed.feed
    site = _link(about.get("link"), base)
    base = base or site
    feed_author = _author(about.get("author"))
    entries = []
    for item in parsed.entries:
        entries.append(
            FeedEntry(
                feed="",
                title=_detail_text(item.get("title_detail"), item.get("title")),
                url=_link(item.get("link"), base),
                author=_author(item.get("author")) or feed_author,
                # dict.get: feedparser's own get maps a missing updated_parsed to
                # published_parsed, with a DeprecationWarning.
                published=_struct_time(dict.get(item, "published_parsed"))
                or _struct_time(dict.get(item, "updated_parsed")),
                summary=_cap(_xml_summary(item)),
                hidden=_hidden_in(
                    *(c.get("value") for c in item.get("content") or ()), item.get("summary")
                ),
            )
        )
    return _Parsed(_detail_text(about.get("title_detail"), about.get("title")), site, entries)


def _refuse_entities(data: bytes, headers: dict[str, str], source: str) -> None:
    """Refuse a feed that declares entities or has a DTD inside it, as feedparser will read it.

    feedparser decodes the bytes first (BOM, the XML declaration, the content type: UTF-16,
    UTF-7, EBCDIC...), then both its parsers read the UTF-8 text that gives; so that text is
    what is searched.
    """
    from feedparser.encodings import convert_to_utf8  # type: ignore[import-untyped]

    try:
        text: bytes = convert_to_utf8(dict(headers), data, {})
    except Exception:  # feedparser.parse fails on it too, and that failure is reported
        text = data
    if _DTD.search(text) or (text is not data and _DTD.search(data)):
        raise InputError(
            f"{source}: the feed declares XML entities (a DTD inside the feed), which no feed "
            "needs and which can expand to gigabytes in memory; it was not read (ask its "
            "publisher for a feed without a DTD)"
        )


def _problem(exc: object) -> str:
    """What feedparser found wrong, with the line and column when it knows them."""
    if isinstance(exc, xml.sax.SAXParseException):
        return f"{exc.getMessage()} at line {exc.getLineNumber()}, column {exc.getColumnNumber()}"
    return str(exc or "malformed")


def _xml_summary(item: Mapping[str, Any]) -> str | None:
    """The entry's content (its full text, when the feed gives it), else its summary."""
    for content in item.get("content") or ():
        text = _detail_text(content, content.get("value"))
        if text:
            return text
    return _detail_text(item.get("summary_detail"), item.get("summary"))


class _NumberTooLong(ValueError):
    """A JSON number over `MAX_NUMBER_CHARS`, refused before it is converted."""


def _json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _NumberTooLong(len(text))
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _NumberTooLong(len(text))
    return float(text)


def _json_depth(document: object) -> int:
    """How deeply `document` nests arrays and objects (a scalar: 0), without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        children = (
            value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        )
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _load_json(data: bytes, source: str) -> object:
    """The JSON document in `data`, held to the depth and number limits."""
    too_deep = _not_a_feed(source, f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        document = json.loads(
            data.decode("utf-8-sig"), parse_int=_json_int, parse_float=_json_float
        )
    except _NumberTooLong as exc:
        raise _not_a_feed(
            source, f"a number {exc.args[0]:,} characters long, over {MAX_NUMBER_CHARS}"
        ) from None
    except RecursionError:  # nested far deeper than the limit: the parser gave up first
        raise too_deep from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise _not_a_feed(source, f"not valid JSON: {exc}") from None
    if _json_depth(document) > MAX_JSON_DEPTH:
        raise too_deep
    return document


def _parse_json_feed(data: bytes, source: str, *, base: str | None) -> _Parsed:
    document = _load_json(data, source)
    version = document.get("version") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or not isinstance(version, str)
        or not re.match(r"^https?://jsonfeed\.org/version/1(\.\d+)?/?$", version)
    ):
        raise _not_a_feed(source, "JSON, but not a JSON Feed version 1 or 1.1")
    items = document.get("items")
    if not isinstance(items, list):
        raise _not_a_feed(source, "a JSON Feed without items")
    site = _link(document.get("home_page_url"), base)
    base = base or _link(document.get("feed_url"), None) or site
    feed_author = _json_author(document)
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        summary = _plain_text(_str(item.get("content_text"))) or _html_text(
            _str(item.get("content_html"))
        )
        entries.append(
            FeedEntry(
                feed="",
                title=_plain_text(_str(item.get("title"))),
                url=_link(item.get("url"), base) or _link(item.get("external_url"), base),
                author=_json_author(item) or feed_author,
                published=_iso_date(item.get("date_published"))
                or _iso_date(item.get("date_modified")),
                summary=_cap(summary or _plain_text(_str(item.get("summary")))),
                hidden=_hidden_in(item.get("content_html")),
            )
        )
    return _Parsed(_plain_text(_str(document.get("title"))), site, entries)


def _json_author(holder: Mapping[str, Any]) -> str | None:
    """The first author's name: `authors` (JSON Feed 1.1) or `author` (1.0)."""
    authors = holder.get("authors")
    candidates = authors if isinstance(authors, list) else [holder.get("author")]
    for author in candidates:
        if isinstance(author, dict):
            name = _plain_text(_str(author.get("name")))
            if name:
                return name
    return None


# --- fields -----------------------------------------------------------------------------------
