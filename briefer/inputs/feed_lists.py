"""The lists of feeds a user keeps: one URL a line, or an OPML file exported by a feed reader;
and the one form of an address (`canonical_url`) by which entries and feeds are known."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from briefer.errors import InputError
from briefer.inputs import MAX_LIST_BYTES, read_file

_TRACKING = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "ref_src", "_ga"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


# An OPML document: <opml> is its root, after any declaration, comments and doctype.
_OPML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*\?>\s*)?"
    rb"(?:(?:<!--.*?-->|<!doctype[^>\[]*(?:\[.*?\])?\s*>)\s*)*"
    rb"<opml\b",
    re.IGNORECASE | re.DOTALL,
)


def canonical_url(url: str) -> str:
    """Return `url` with scheme and host in lower case, no fragment and no tracking parameters."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    userinfo, at, hostport = parts.netloc.rpartition("@")
    hostport = hostport.lower()
    if port is not None and _DEFAULT_PORTS.get(scheme) == port:
        hostport = hostport.rsplit(":", 1)[0]
    netloc = f"{userinfo}{at}{hostport}"
    path = parts.path or ("/" if netloc and scheme in _DEFAULT_PORTS else "")
    kept = [piece for piece in parts.query.split("&") if piece and not _is_tracking(piece)]
    return urlunsplit((scheme, netloc, path, "&".join(kept), ""))


def _is_tracking(parameter: str) -> bool:
    name = unquote_plus(parameter.split("=", 1)[0]).lower()
    return name.startswith("utm_") or name in _TRACKING


def read_feed_list(path: Path) -> list[str]:
    """Return the feeds a list file names: an OPML export or one URL or path a line."""
    data = read_file(
        Path(path),
        MAX_LIST_BYTES,
        what="list of feeds",
        too_big="split the list into smaller files",
    )
    if _OPML_START.match(data.removeprefix(b"\xef\xbb\xbf")[:65536]):
        return _unique(_opml_feeds(data, str(path)))
    if b"\x00" in data[:8192]:
        raise InputError(
            f"{path}: looks like a binary file, not a list of feeds; give an OPML export or "
            "a text file with one feed a line"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: is not valid UTF-8 (byte {exc.start}); save the list as UTF-8 text"
        ) from None
    return _unique(
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


def _opml_feeds(data: bytes, name: str) -> list[str]:
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
    from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

    entities = InputError(
        f"{name}: the OPML file declares XML entities, which a feed reader's export never "
        "does; export the list again"
    )
    if re.search(rb"<!entity", data, re.IGNORECASE):
        raise entities
    try:
        # defusedxml refuses entities in any encoding (the search above only sees ASCII's).
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise entities from None
    except (ParseError, LookupError, ValueError) as exc:  # LookupError: an unknown encoding
        if isinstance(exc, ParseError):
            where = f"line {exc.position[0]}, column {exc.position[1] + 1}"
        else:
            where = " ".join(str(exc).split())[:80]
        raise InputError(
            f"{name}: not well-formed OPML ({where}); export the list again from your feed reader"
        ) from None
    feeds = []
    for element in root.iter():
        if not isinstance(element.tag, str) or _local(element.tag) != "outline":
            continue
        for attribute, value in element.attrib.items():
            if _local(attribute).lower() == "xmlurl" and value.strip():
                feeds.append(value.strip())
    return feeds


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
