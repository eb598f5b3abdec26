"""Fetch a web page safely, with our own httpx client (so tests can intercept it).

Rules: http and https only; every hop's host is resolved and refused when any address is not
public (loopback, private, link-local, carrier-grade NAT, cloud metadata, reserved) unless
`allow_private`; at most `MAX_REDIRECTS` redirects, each re-checked before it is requested; a
size cap, enforced on the decompressed bytes while the body streams in (`briefer.io.http`:
gzip and deflate only, a piece at a time, so a small body that inflates to gigabytes is
refused after the first megabytes); a total deadline, `timeout` seconds for connecting, the
headers, the body and every redirect together, so a server that trickles bytes cannot hold
a fetch open; an honest User-Agent that names briefer; only the content types the caller
accepts (`fetch_page`: HTML or plain text).

The check is made twice: before each request (for a clear error before anything is sent), and
again when the connection is opened, on the very addresses it connects to. A DNS answer that
changes between the two (rebinding) cannot slip a private address in. Through a proxy
(HTTP_PROXY, HTTPS_PROXY), the proxy connects, and only the first check applies.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TypedDict, Unpack
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from briefer import __version__
from briefer.errors import FetchError, InputError
from briefer.io.decoding import BodyError, Corrupt, Deadline, TooBig, TooSlow, read_body
from briefer.io.http import ACCEPT_ENCODING, DeadlineBackend, DeadlineTransport, Dial, TcpBackend

MAX_REDIRECTS = 5
DEFAULT_MAX_FETCH_BYTES = 5_000_000
DEFAULT_FETCH_TIMEOUT = 20.0
USER_AGENT = (
    f"Mozilla/5.0 (X11; Linux x86_64) briefer/{__version__} "
    "(news brief tool; +https://pypi.org/project/briefer-news/)"
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
_PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[IPAddress]]

# Named for the error message; all of them are also caught by "not globally routable".
_METADATA = {
    ipaddress.ip_address("169.254.169.254"): "a cloud metadata address",
    ipaddress.ip_address("fd00:ec2::254"): "a cloud metadata address",
    ipaddress.ip_address("100.100.100.200"): "a cloud metadata address",
}
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


@dataclass(frozen=True)
class Page:
    """What a fetch returned."""

    url: str  # after redirects
    content: bytes
    content_type: str  # lower case, without parameters
    charset: str | None
    # The validators the server sent, to send back in a conditional request.
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False  # the server answered 304: no content, keep what you have

    @property
    def is_html(self) -> bool:
        return self.content_type in HTML_TYPES


def resolve_host(host: str) -> list[IPAddress]:
    """Every address `host` resolves to (IP literals resolve to themselves)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host} ({exc.strerror}); check the address") from None
    return sorted({ipaddress.ip_address(info[4][0]) for info in infos}, key=str)


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why fetching from `ip` is refused, or None when it is a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip in _METADATA:
        return _METADATA[ip]
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip in _CGNAT:
        return "a carrier-grade NAT address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global or ip.is_multicast:
        return "a reserved address"
    return None


def check_url(url: str, *, allow_private: bool, resolve: Resolver) -> None:
    """Refuse URLs we must not fetch, before any request is made."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InputError(f"{url}: only http and https addresses can be fetched")
    if not parts.hostname:
        raise InputError(f"{url}: no host in this address")
    if allow_private:
        return
    for ip in resolve(parts.hostname):
        reason = forbidden_reason(ip)
        if reason:
            raise InputError(
                f"{url}: {parts.hostname} is {reason} ({ip}); refusing to fetch it",
                fix="to fetch from your own network, use {allow_private}",
            )


class _CheckedBackend(TcpBackend):
    """Opens connections only to addresses that pass `forbidden_reason`, resolved right here."""

    def __init__(self, *, allow_private: bool, resolve: Resolver) -> None:
        super().__init__()
        self._allow_private = allow_private
        self._resolve = resolve

    def connect(self, host: str, timeout: float | None, dial: Dial) -> httpcore.NetworkStream:
        """A connection to the first address of `host` that answers, each one checked."""
        addresses = self._resolve(host)
        if not self._allow_private:
            for ip in addresses:
                reason = forbidden_reason(ip)
                if reason:
                    raise InputError(
                        f"{host} now resolves to {reason} ({ip}); refusing to connect",
                        fix="to fetch from your own network, use {allow_private}",
                    )
        failure: httpcore.ConnectError | None = None
        for ip in addresses:
            try:
                return dial(str(ip), timeout)
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host}: no address to connect to")


class FetchLimits(TypedDict, total=False):
    """How a fetch is bounded, and what it goes through: as `fetch_resource` takes them (its
    defaults where not given)."""

    timeout: float
    max_bytes: int
    allow_private: bool
    resolve: Resolver | None
    client: httpx.Client | None


def fetch_page(url: str, **limits: Unpack[FetchLimits]) -> Page:
    """Fetch `url` under the rules above: a web page, in HTML or plain text."""
    return fetch_resource(
        url, types=HTML_TYPES + TEXT_TYPES, accept=_PAGE_ACCEPT, refuse=_not_a_web_page, **limits
    )


def fetch_resource(
    url: str,
    *,
    types: Collection[str],
    accept: str,
    refuse: Callable[[str, str], InputError],
    headers: Mapping[str, str] | None = None,
    default_type: str = "text/html",
    what: str = "page",
    timeout: float = DEFAULT_FETCH_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_FETCH_BYTES,
    allow_private: bool = False,
    resolve: Resolver | None = None,
    client: httpx.Client | None = None,
) -> Page:
    """Fetch `url` under the rules above, taking only the content types in `types`.

    `accept` is the Accept header; `headers` are sent as well (If-None-Match, ...) on every
    hop. A content type outside `types` raises `refuse(url, content_type)`; a response that
    names none is taken as `default_type`. A 304 answer is a `Page` with `not_modified` set,
    no content, and the validators the server sent. `what` names the thing in messages.

    The whole fetch, redirects included, ends within `timeout` seconds, or raises a
    `FetchError` saying it took longer. With briefer's own client every socket operation
    ends by then; with a `client` of the caller's, the deadline is checked between the
    pieces of the body (its transport decides how long one read may wait).
    """
    resolve = resolve or resolve_host
    deadline = Deadline(timeout)
    own_client = client is None
    checked = _CheckedBackend(allow_private=allow_private, resolve=resolve)
    http = client or httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        transport=DeadlineTransport(DeadlineBackend(deadline, checked)),
    )
    request = _Request(
        types=frozenset(types),
        headers={
            **(headers or {}),
            "User-Agent": USER_AGENT,
            "Accept": accept,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        refuse=refuse,
        default_type=default_type,
        what=what,
        max_bytes=max_bytes,
        deadline=deadline,
    )
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            check_url(url, allow_private=allow_private, resolve=resolve)
            page = _get(http, url, request)
            if isinstance(page, Page):
                return page
            url = page  # a redirect: check the next hop before asking for it
        raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects; give the final address")
    finally:
        if own_client:
            http.close()


@dataclass(frozen=True)
class _Request:
    """What `_get` asks for and accepts, the same on every hop."""

    types: frozenset[str]
    headers: dict[str, str]
    refuse: Callable[[str, str], InputError]
    default_type: str
    what: str
    max_bytes: int
    deadline: Deadline


def _get(http: httpx.Client, url: str, request: _Request) -> Page | str:
    max_bytes, deadline = request.max_bytes, request.deadline
    try:
        deadline.check()
        timeout = max(deadline.remaining(), 0.001)
        with http.stream("GET", url, headers=request.headers, timeout=timeout) as response:
            if response.is_redirect and "location" in response.headers:
                return urljoin(url, response.headers["location"])
            etag = response.headers.get("etag")
            last_modified = response.headers.get("last-modified")
            if response.status_code == 304:
                return Page(
                    url=str(response.url),
                    content=b"",
                    content_type="",
                    charset=None,
                    etag=etag,
                    last_modified=last_modified,
                    not_modified=True,
                )
            if response.status_code >= 400:
                raise InputError(
                    f"{url}: the server answered {response.status_code} "
                    f"{response.reason_phrase}; check the address"
                )
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type and content_type not in request.types:
                raise request.refuse(url, content_type)
            declared = int(response.headers.get("content-length") or 0)
            if declared > max_bytes:
                raise _too_big(url, max_bytes, request.what)
            body = read_body(response, max_bytes=max_bytes, deadline=deadline)
            return Page(
                url=str(response.url),
                content=body,
                content_type=content_type or request.default_type,
                charset=response.charset_encoding,
                etag=etag,
                last_modified=last_modified,
            )
    except (httpx.TimeoutException, TooSlow):
        # Every wait ends by the deadline, so any timeout means the fetch ran out of time.
        raise FetchError(
            f"{url}: the {request.what} took longer than {deadline.seconds:g} s to fetch",
            fix="try again later or raise {fetch_timeout}",
        ) from None
    except TooBig:
        raise _too_big(url, max_bytes, request.what) from None
    except Corrupt as exc:
        raise FetchError(
            f"{url}: the {request.what} arrived damaged: {exc}; try again later"
        ) from None
    except BodyError as exc:
        raise InputError(
            f"{url}: the server sent the {request.what} {exc}; save it and give briefer the file"
        ) from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: cannot fetch ({type(exc).__name__}: {exc})") from None


def _not_a_web_page(url: str, content_type: str) -> InputError:
    return InputError(
        f"{url}: not a web page ({content_type}); save the article as text or HTML "
        "and brief the file"
    )


def _too_big(url: str, max_bytes: int, what: str = "page") -> InputError:
    return InputError(
        f"{url}: the {what} is larger than {max_bytes:,} bytes", fix="raise {max_fetch_bytes}"
    )
