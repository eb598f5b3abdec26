"""What an input is, and how it becomes an `Article`: one resolver for library, CLI and service.

What an input means is decided by its type, never guessed from its content:

    str            the article's text (HTML text is extracted); never opened, never fetched
    pathlib.Path   a file on this machine, read under the size limit
    URL            an http(s) page, fetched under the public-address guard and the size limits
    Article        used as it is
    CommandLine    a word typed at the user's own shell: '-' (standard input), an http(s) URL,
                   or a path. Only the CLI makes these: there the user names their own files.

So a chat message, a model's tool call or an HTTP body passed straight through is text, and
cannot make briefer read a file of the machine it runs on or fetch an address nobody asked
for. A `str` that is nothing but a path or an address ("/etc/hostname", "file:///etc/passwd",
"https://example.org/story") is refused with an error saying how to pass a file or a URL,
rather than briefed as a one-line article.

Every refusal is an `InputError` whose message names the problem and the fix, and happens
before any request to an LLM is sent.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias
from urllib.parse import urlsplit

from briefer.errors import ConfigError, InputError
from briefer.inputs.article import Article, article_from_text, utf8_size
from briefer.settings import MAX_TIMEOUT, Settings

DEFAULT_MAX_BYTES = 2_000_000
DEFAULT_MAX_FETCH_BYTES = 5_000_000
HTML_PER_ARTICLE = 2.5  # a page's HTML may be this many times the article limit
MAX_LIMIT_BYTES = 10**12  # the largest size limit that may be set
MAX_URL_CHARS = 2048
STDIN = "-"
MAX_LIST_BYTES = 1_000_000  # a list of paths or URLs: ten thousand lines and more
_SPLIT_THE_LIST = "split the list into smaller ones"
TEXT_SOURCE = "<text>"
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# A text that starts like a path or an address: /x, ~/x, ./x, ../x, C:\x, \\host\x, scheme://
_PATH_START = re.compile(
    r"^(?:[A-Za-z][A-Za-z0-9+.-]*:/|~[/\\]|\.{1,2}[/\\]|/|[A-Za-z]:[/\\]|\\\\)"
)
_FILE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True)
class LoadOptions:
    """Limits for reading text and files and for fetching pages.

    `max_bytes` holds every article's text, from any source, after extraction from HTML
    too; `max_fetch_bytes` a page or feed as it arrives (decompressed); `fetch_timeout`
    the whole of one fetch.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_fetch_bytes: int = DEFAULT_MAX_FETCH_BYTES
    fetch_timeout: float = 20.0
    allow_private: bool = False

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_fetch_bytes"):
            value = getattr(self, name)
            if type(value) is not int or not 1 <= value <= MAX_LIMIT_BYTES:
                raise ConfigError(
                    f"{_shown(str(value))} is not a usable size limit",
                    fix=f"give {{{name}}} a whole number of bytes from 1 to {MAX_LIMIT_BYTES:,}",
                )
        timeout = self.fetch_timeout
        if not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT:
            raise ConfigError(
                f"{_shown(str(timeout))} is not a usable timeout",
                fix="give {fetch_timeout} a number of seconds above 0, "
                f"at most {MAX_TIMEOUT:,.0f}",
            )

    @property
    def max_html_bytes(self) -> int:
        """The largest page whose article is extracted: `HTML_PER_ARTICLE` times the article
        limit, and never less than a page the default fetch limit lets in. With the default
        limits, raising `max_fetch_bytes` alone does not raise it: parsing takes time and
        memory many times the page's size."""
        return max(int(HTML_PER_ARTICLE * self.max_bytes), DEFAULT_MAX_FETCH_BYTES)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> LoadOptions:
        """The limits with the settings' article limit applied; overrides that are not None
        win."""
        values: dict[str, Any] = {"max_bytes": settings.max_bytes}
        values.update((k, v) for k, v in overrides.items() if v is not None)
        return cls(**{k: v for k, v in values.items() if v is not None})


@dataclass(frozen=True)
class URL:
    """An http(s) address to fetch: the one way a web page becomes an article in the library.

    >>> Briefer().brief(URL("https://example.org/news/story"))   # doctest: +SKIP

    Checked when made: http or https, a host, no spaces or control characters, at most
    2,048 characters. Where it may be fetched from (public addresses only, unless
    `LoadOptions.allow_private`) is checked when it is fetched.
    """

    value: str

    def __post_init__(self) -> None:
        value = self.value
        if not isinstance(value, str):
            raise InputError(f"a URL is text, not {type(value).__name__}")
        if len(value) > MAX_URL_CHARS:
            raise InputError(
                f"the address is {len(value):,} characters long, over the limit of "
                f"{MAX_URL_CHARS:,}; give the page's address"
            )
        if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
            raise InputError(
                f"{_shown(value)} is not a web address: it holds spaces or control characters"
            )
        try:
            parts = urlsplit(value)
            host = parts.hostname
        except ValueError:
            raise InputError(f"{_shown(value)} is not a well-formed web address") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise InputError(f"{_shown(value)}: only http and https addresses can be fetched")
        if not host:
            raise InputError(f"{_shown(value)}: no host in this address")

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class CommandLine:
    """A word the user typed at their own shell: '-', an http(s) URL, or a path (CLI only)."""

    word: str

    def __str__(self) -> str:
        return self.word


ArticleInput: TypeAlias = Article | str | Path | URL
"""What the library takes as an article: its text, a file, a URL, or an `Article`."""

Input: TypeAlias = ArticleInput | CommandLine


def load_article(given: Input, options: LoadOptions | None = None) -> Article:
    """Turn an input into an `Article`, by its type (see the module docstring), its text
    held to `options.max_bytes` whatever the source (an `Article` given as it is too)."""
    options = options or LoadOptions()
    article = _load(given, options)
    size = utf8_size(article.text)
    if size > options.max_bytes:
        name = "standard input" if article.source == STDIN else article.source
        raise InputError(
            f"{name}: the article's text is {size:,} bytes, over the "
            f"{options.max_bytes:,}-byte limit",
            fix="raise {max_bytes}",
        )
    return article


def _load(given: Input, options: LoadOptions) -> Article:
    if isinstance(given, Article):
        return given
    if isinstance(given, CommandLine):
        if given.word == STDIN:
            data = _read_capped(sys.stdin.buffer, options.max_bytes, "standard input")
            return _from_bytes(data, "standard input", source=STDIN)
        target = _named(given.word)
        if isinstance(target, URL):
            return _from_url(target, options)
        return _from_file(target, options)
    if isinstance(given, URL):
        return _from_url(given, options)
    if isinstance(given, os.PathLike):
        return _from_file(Path(given), options)
    if isinstance(given, str):
        return _from_text(given, options)
    raise InputError(
        f"cannot brief a {type(given).__name__}; give the article's text, a pathlib.Path or "
        "a briefer.URL"
    )


def _named(word: str) -> Path | URL:
    """What a command-line word names: a URL when it has a scheme, else a path."""
    if _SCHEME.match(word):
        return URL(word)
    return Path(word)


def load_sent_article(
    text: str | None, url: str | None, options: LoadOptions | None = None
) -> Article:
    """Load an article another program sent (a service request, a chat assistant's tool call):
    its text, or an http(s) URL fetched from public addresses only; never a path."""
    options = replace(options or LoadOptions(), allow_private=False)
    if url is not None:
        return load_article(URL(url), options)
    return load_article(text or "", options)


def label(given: Input) -> str:
    """How reports name an input: its path, URL or source; '<text>' for text."""
    if isinstance(given, Article):
        return given.source
    if isinstance(given, str):
        return TEXT_SOURCE
    return str(given)


def waits_on_io(given: Input) -> bool:
    """True when loading `given` waits on the network or a pipe rather than on the CPU."""
    if isinstance(given, CommandLine):
        return given.word == STDIN or bool(_SCHEME.match(given.word))
    return isinstance(given, URL)


def expand(inputs: Iterable[Input]) -> list[Input]:
    """The inputs in order, each directory replaced by its article files (sorted), once each.

    A directory with no article file stays as it is, so loading it reports the problem.
    """
    out: list[Input] = []
    for given in inputs:
        folder = _folder(given)
        found = sorted(p for p in (folder.iterdir() if folder else ()) if _is_article_file(p))
        if not found:
            out.append(given)
        elif isinstance(given, CommandLine):
            out.extend(CommandLine(str(p)) for p in found)
        else:
            out.extend(found)
    return list(dict.fromkeys(out))


def read_list(path: Path | str) -> list[CommandLine]:
    """The URLs (or paths) of a list file, or of standard input for '-', one a line; blank
    lines and # comments skipped (`ls *.html | briefer digest -`)."""
    if str(path) == STDIN:
        data = _read_capped(
            sys.stdin.buffer, MAX_LIST_BYTES, "the list on standard input", _SPLIT_THE_LIST
        )
        text = _decode(data, "the list on standard input")
    else:
        data = read_file(Path(path), MAX_LIST_BYTES, what="list", too_big=_SPLIT_THE_LIST)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: the list cannot be read (not UTF-8 at byte {exc.start:,}); give one "
                "path or URL a line"
            ) from None
    return [
        CommandLine(line.strip())
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


# --- the kinds of input -----------------------------------------------------------------------


def _from_text(text: str, options: LoadOptions) -> Article:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"the text holds a lone surrogate (U+{ord(text[exc.start]):04X}) at character "
            f"{exc.start:,}, which is not valid Unicode; send the article as UTF-8 text"
        ) from None
    if len(data) > options.max_bytes:
        raise InputError(
            f"the text is {len(data):,} bytes, over the {options.max_bytes:,}-byte limit",
            fix="raise {max_bytes}",
        )
    if _names_something(text):
        raise InputError(
            f"{_shown(text.strip())} looks like a file path or web address, not an article's "
            "text; briefer never opens or fetches text: give the article's text (a program "
            "passes a pathlib.Path to read a file, or briefer.URL(...) to fetch a page)"
        )
    from briefer.inputs.html import extract_article, looks_like_html

    if looks_like_html(data[:2048]):
        return extract_article(text, source=TEXT_SOURCE, max_bytes=options.max_html_bytes)
    return article_from_text(text, source=TEXT_SOURCE)


def _from_file(path: Path, options: LoadOptions) -> Article:
    source = str(path)
    data = read_file(path, options.max_bytes)
    return _from_bytes(data, source, source=source, html=path.suffix.lower() in _HTML_SUFFIXES)


def read_file(
    path: Path, max_bytes: int, *, what: str = "article", too_big: str = "raise {max_bytes}"
) -> bytes:
    """The bytes of the regular file at `path`, refused over `max_bytes` with the fix
    `too_big`.

    What is not a regular file (a FIFO, a socket, a device) is refused before it is opened:
    reading it could block for ever or never end. The file is opened without blocking and
    checked again, so a path swapped for a FIFO in between is refused too. `what` names the
    kind of file in messages ("article", "list").
    """
    source = str(path)
    try:
        found = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{source}: no such file; check the path") from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL byte: not a path at all
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(
            f"{_shown(source)} is not a usable file path ({reason}); check the path"
        ) from None
    if stat.S_ISDIR(found.st_mode):
        raise InputError(f"{source}: is a directory; give the path of {_one(what)} file")
    if not stat.S_ISREG(found.st_mode):
        raise _not_regular(source, found.st_mode, what)
    if found.st_size > max_bytes:
        raise InputError(
            f"{source}: {found.st_size:,} bytes is over the {max_bytes:,}-byte limit",
            fix=too_big,
        )
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(
            f"{source}: cannot be read ({exc.strerror}); check its permissions"
        ) from None
    with open(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(source, mode, what)
        try:
            return _read_capped(fh, max_bytes, source, too_big)
        except OSError as exc:
            raise InputError(f"{source}: cannot be read ({exc.strerror})") from None


_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _not_regular(source: str, mode: int, what: str) -> InputError:
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return InputError(
        f"{source}: is not a regular file ({kind}); give the path of {_one(what)} file, or "
        "pipe it to standard input as '-'"
    )


def _one(noun: str) -> str:
    return f"an {noun}" if noun[:1] in tuple("aeiou") else f"a {noun}"


def _from_url(url: URL, options: LoadOptions) -> Article:
    from briefer.inputs.fetch import fetch_page
    from briefer.inputs.html import extract_article

    page = fetch_page(
        url.value,
        timeout=options.fetch_timeout,
        max_bytes=options.max_fetch_bytes,
        allow_private=options.allow_private,
    )
    if page.is_html:
        return extract_article(
            page.content,
            source=url.value,
            url=page.url,
            charset=page.charset,
            max_bytes=options.max_html_bytes,
        )
    text = page.content.decode(page.charset or "utf-8", errors="replace")
    return replace(article_from_text(text, source=url.value), url=page.url)


def _from_bytes(data: bytes, name: str, *, source: str, html: bool = False) -> Article:
    from briefer.inputs.html import extract_article, looks_like_html

    if html or looks_like_html(data):
        if b"\x00" in data[:8192]:
            raise InputError(f"{name}: looks like a binary file, not a web page")
        return extract_article(data, source=source)
    return article_from_text(_decode(data, name), source=source)


# --- helpers ----------------------------------------------------------------------------------


def _names_something(text: str) -> bool:
    """True when the whole text is one line that is a path, a file name or an address."""
    line = text.strip()
    if "\n" in line or len(line) > MAX_URL_CHARS * 2:
        return False
    if _PATH_START.match(line):
        return True
    return not any(ch.isspace() for ch in line) and (
        "/" in line or "\\" in line or bool(_FILE_SUFFIX.search(line))
    )


def _folder(given: Input) -> Path | None:
    if isinstance(given, CommandLine):
        if given.word == STDIN or _SCHEME.match(given.word):
            return None
        candidate = Path(given.word)
    elif isinstance(given, Path):
        candidate = given
    else:
        return None
    try:
        return candidate if candidate.is_dir() else None
    except (OSError, ValueError):
        return None


# Files a folder of articles often holds that are not articles: its own documentation.
NOT_ARTICLES = frozenset(
    "readme license licence changelog changes contributing authors copying notes todo".split()
)


def _is_article_file(path: Path) -> bool:
    """A file of a folder that is an article: a text or HTML file, not hidden, not the
    folder's own README, LICENSE or notes."""
    if path.name.startswith(".") or path.stem.lower() in NOT_ARTICLES:
        return False
    return path.suffix.lower() in ARTICLE_SUFFIXES and path.is_file()


def _read_capped(
    stream: BinaryIO, max_bytes: int, name: str, too_big: str = "raise {max_bytes}"
) -> bytes:
    """At most `max_bytes` of `stream`, read a megabyte at a time (never a buffer of the
    limit's size at once); an error when there is more."""
    data = bytearray()
    while len(data) <= max_bytes:
        chunk = stream.read(min(1 << 20, max_bytes + 1 - len(data)))
        if not chunk:
            break
        data += chunk
    if len(data) > max_bytes:
        raise InputError(f"{name}: more than {max_bytes:,} bytes, over the limit", fix=too_big)
    return bytes(data)


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


def _shown(value: str) -> str:
    """A value quoted for a message, cut to 80 characters."""
    return repr(value if len(value) <= 80 else value[:77] + "...")
