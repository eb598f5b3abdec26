"""Turn what the user gave us (a path or standard input) into an `Article`.

Every refusal here is an `InputError` whose message names the problem and the fix, and
happens before any request is sent.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from briefer.errors import InputError
from briefer.schema import ArticleInfo

DEFAULT_MAX_BYTES = 2_000_000
STDIN = "-"

_WORD = re.compile(r"\w+(?:[’'.-]\w+)*")


@dataclass(frozen=True)
class Article:
    """One article's text and where it came from."""

    text: str
    source: str
    title: str | None = None

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
        )


def article_from_text(text: str, *, source: str = "<text>", title: str | None = None) -> Article:
    """Build an `Article` from text already in memory, checking it is usable."""
    text = _normalise_newlines(text)
    name = "standard input" if source == STDIN else source
    if not text.strip():
        raise InputError(f"{name}: the article is empty; give the article's text")
    if "\x00" in text:
        raise InputError(f"{name}: looks like binary data, not text; give a .txt article")
    if title is None:
        title = guess_title(text)
    return Article(text=text, source=source, title=title)


def load_article(source: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read an article from a path, or from standard input when `source` is '-'."""
    if source == STDIN:
        data = _read_capped(sys.stdin.buffer, max_bytes, "standard input")
        return article_from_text(_decode(data, "standard input"), source=STDIN)
    path = Path(source)
    if not path.exists():
        raise InputError(f"{source}: no such file; check the path")
    if path.is_dir():
        raise InputError(f"{source}: is a directory; give the path of one article file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{source}: {size:,} bytes is over the {max_bytes:,}-byte limit; "
            "raise it with --max-bytes or BRIEFER_MAX_BYTES"
        )
    try:
        with path.open("rb") as fh:
            data = _read_capped(fh, max_bytes, source)
    except OSError as exc:
        raise InputError(
            f"{source}: cannot be read ({exc.strerror}); check its permissions"
        ) from None
    return article_from_text(_decode(data, source), source=source)


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
