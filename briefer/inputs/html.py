"""Turn a saved or fetched web page into an `Article`, with trafilatura.

trafilatura finds the main text (leaving out navigation, cookie banners, related links and
comments) and the metadata: title, author, site name, publication date. It works on bytes
too, working out the encoding from the HTTP header or the page's meta tag.
"""

from __future__ import annotations

import contextlib
import re
import threading
from typing import Any
from urllib.parse import urlsplit

from briefer.errors import InputError
from briefer.inputs.article import Article, article_from_text, utf8_size
from briefer.inputs.hidden import hidden_note, remove_hidden

MIN_WORDS = 40

# trafilatura (through lxml) is not safe to run in several threads at once: seen here as
# "double free or corruption" crashes when a digest loaded pages concurrently. Extraction is
# CPU-bound, so one at a time costs little; fetching stays concurrent.
_EXTRACTING = threading.Lock()
# What a paywall or sign-in wall says to the reader (not what its code is called).
_PAYWALL = re.compile(
    r"subscribe (?:to|now)|subscribers only|already a subscriber|sign in to (?:continue|read)|"
    r"log in to (?:continue|read)|limit of free articles|to continue reading",
    re.IGNORECASE,
)
TEASER_WORDS = 150  # below this, visible paywall wording means only a teaser was readable
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)


def looks_like_html(data: bytes) -> bool:
    """True when `data` starts like an HTML document."""
    return bool(_HTML_START.match(data[:2048]))


def extract_article(
    content: bytes | str,
    *,
    source: str,
    url: str | None = None,
    charset: str | None = None,
    max_bytes: int | None = None,
) -> Article:
    """Extract the article text and metadata from an HTML page.

    A page over `max_bytes` (UTF-8 bytes) is refused before it is parsed: parsing takes
    time and memory many times the page's size. Text the page hides from its readers (inline
    styles, the ``hidden`` attribute: `briefer.inputs.hidden`) is left out, and the article
    carries a ``hidden_text`` note saying what it was.
    """
    import trafilatura

    if max_bytes is not None and utf8_size(content) > max_bytes:
        raise InputError(
            f"{source}: {utf8_size(content):,} bytes of HTML, more HTML than briefer extracts "
            f"an article from ({max_bytes:,} bytes)",
            fix="save the article's text and brief that, or raise {max_bytes}",
        )
    if isinstance(content, bytes):
        content = decode_html(content, charset)
    try:
        with _EXTRACTING:
            content, hidden = remove_hidden(content)
            document = trafilatura.bare_extraction(
                content,
                url=url,
                with_metadata=True,
                include_comments=False,
                include_tables=False,
                favor_precision=True,
            )
    except Exception as exc:  # trafilatura raises a variety of parser errors on junk input
        raise InputError(f"{source}: the page could not be parsed ({type(exc).__name__})") from None
    page_text = _page_text(content)
    found: dict[str, Any] = {}
    if isinstance(document, dict):
        found = document
    elif document is not None:
        found = document.as_dict()
    if not found.get("text"):
        if _PAYWALL.search(page_text):
            raise InputError(_paywall(source))
        raise InputError(
            f"{source}: no article text found in the page (it may need JavaScript); save the "
            "article's text and brief that"
        )
    text = str(found["text"]).strip()
    words = len(text.split())
    if (words < TEASER_WORDS and _PAYWALL.search(text)) or (
        words < MIN_WORDS and _PAYWALL.search(page_text)
    ):
        raise InputError(_paywall(source))
    site_name = _field(found, "sitename")
    title = without_site_suffix(_field(found, "title"), site_name, url or _field(found, "url"))
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    article = article_from_text(text, source=source, title=title)
    notes = (("hidden_text", hidden_note(hidden)),) if hidden else ()
    return Article(
        text=article.text,
        source=source,
        title=article.title,
        author=_field(found, "author"),
        site_name=site_name,
        published=_field(found, "date"),
        url=url or _field(found, "url"),
        notes=notes,
    )


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)


def decode_html(data: bytes, header_charset: str | None = None) -> str | bytes:
    """Decode a page by its HTTP charset, else its meta tag, else UTF-8.

    Returns the bytes unchanged when none of those decodes cleanly: trafilatura then guesses.
    """
    declared = _META_CHARSET.search(data[:8192])
    for charset in (
        header_charset,
        declared.group(1).decode("ascii") if declared else None,
        "utf-8",
    ):
        if not charset:
            continue
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            return data.decode(charset)
    return data


# "Title - SpaceNews.com", "Title | Los Angeles Times", "Title |  | Al Bawaba".
_SUFFIX = re.compile(r"^(?P<title>.*?\S)(?:\s+[-|–—:]{1,2}\s*)+(?P<site>[^-|–—]{2,60})$")


def without_site_suffix(title: str | None, site_name: str | None, url: str | None) -> str | None:
    """The page title without the site's name a page adds to it ("... - SpaceNews.com"): the
    last part after a dash or bar, when it names the site or the web address's host."""
    if not title:
        return title
    match = _SUFFIX.match(title.strip())
    if match is None:
        return title
    names = [_bare(site_name or ""), _bare(urlsplit(url).hostname or "" if url else "")]
    names = [n.removeprefix("www") for n in names if len(n) >= 3]
    suffix = _bare(match.group("site"))
    if len(suffix) >= 3 and any(suffix in n or n in suffix for n in names):
        return match.group("title").rstrip(" -|–—:")
    return title


def _bare(name: str) -> str:
    """A name's letters and digits, lower case ("SpaceNews.com" -> "spacenewscom")."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _field(found: dict[str, Any], key: str) -> str | None:
    value = found.get(key)
    return str(value).strip() or None if value else None


def _paywall(source: str) -> str:
    return (
        f"{source}: only a teaser is readable; the page looks like a paywall or sign-in page. "
        "Save the full article's text and brief that"
    )


def _page_text(content: bytes | str) -> str:
    raw = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    return re.sub(r"<[^>]+>", " ", raw)
