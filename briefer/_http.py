"""What every HTTP client briefer makes shares: one TLS trust store, and bounded answers.

An answer from outside is bounded while it arrives, in time and in size:

* `Deadline`: one moment on the monotonic clock by which a whole exchange (connecting, the
  headers, the body, every redirect) must be done. `DeadlineBackend` makes every socket
  operation of a client wait at most until then, so a server that sends one byte a second
  cannot outlast it; `read_body` checks it again between pieces of the body, whatever the
  client's transport.
* `decoded`: the body's content codings undone here, not by httpx, a piece of at most
  `PIECE` bytes at a time, so the size cap counts decompressed bytes as they are produced
  and a few kilobytes that inflate to gigabytes are refused after the first megabytes.
  Only codings asked for in `ACCEPT_ENCODING` (gzip, deflate) and identity are read, at most
  `MAX_ENCODINGS` of them stacked; anything else is refused.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

# What our requests say they accept: only the codings `decoded` undoes piece by piece.
ACCEPT_ENCODING = "gzip, deflate"
MAX_ENCODINGS = 4  # content codings stacked on one body ("gzip, gzip" is two)
PIECE = 64 * 1024  # the most bytes one step of inflating produces
_WBITS = {
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS,  # zlib-wrapped; raw deflate is recognised too
}


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's TLS context for verifying servers.

    httpx builds one per client, and loading the CA bundle costs tens of milliseconds: paid
    once here instead of before every client's first request. httpx's rules apply
    (SSL_CERT_FILE, SSL_CERT_DIR, else certifi).
    """
    return httpx.create_ssl_context()


class BodyError(Exception):
    """An answer's body cannot be read as sent; the message says why in a few words."""


class Unreadable(BodyError):
    """The body is in a content coding we do not read (or too many of them)."""


class Corrupt(BodyError):
    """The body's compressed data is damaged."""


class TooBig(BodyError):
    """The body, decompressed, is larger than allowed."""


class TooSlow(BodyError):
    """The exchange ran past its deadline."""


class Deadline:
    """The moment, `seconds` from now on the monotonic clock, by which an exchange is done."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (zero or less once it has passed)."""
        return self.end - time.monotonic()

    def passed(self) -> bool:
        return self.remaining() <= 0

    def check(self) -> None:
        """Raise `TooSlow` once the deadline has passed."""
        if self.passed():
            raise TooSlow(f"took longer than {self.seconds:g} s")

    def wait(self, timeout: float | None, late: type[Exception]) -> float:
        """`timeout`, shortened to end by the deadline; raise `late` once it has passed."""
        left = self.remaining()
        if left <= 0:
            raise late(f"took longer than {self.seconds:g} s")
        return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.wait(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.wait(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = self._deadline.wait(timeout, httpcore.ConnectTimeout)
        inner = self._inner.start_tls(ssl_context, server_hostname, timeout)
        return DeadlineStream(inner, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """Connections that end by `deadline`: connecting, and every operation after it."""

    def __init__(self, deadline: Deadline, inner: httpcore.NetworkBackend | None = None) -> None:
        self.deadline = deadline
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = self.deadline.wait(timeout, httpcore.ConnectTimeout)
        stream = self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return DeadlineStream(stream, self.deadline)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("briefer does not connect over unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport, its connections made by `backend` (a `DeadlineBackend`)."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        super().__init__(verify=tls_context())
        self._pool = httpcore.ConnectionPool(ssl_context=tls_context(), network_backend=backend)


def bounded_client(deadline: Deadline) -> httpx.Client:
    """A client whose every exchange ends by `deadline`, asking only for codings we read."""
    return httpx.Client(
        timeout=max(deadline.remaining(), 0.001),
        transport=DeadlineTransport(DeadlineBackend(deadline)),
        headers={"Accept-Encoding": ACCEPT_ENCODING},
    )


def read_body(
    response: httpx.Response, *, max_bytes: int, deadline: Deadline, cut: bool = False
) -> bytes:
    """The body of a streamed `response`, decoded; `TooBig` past `max_bytes` bytes (sent or
    decoded), or with `cut` its first `max_bytes` bytes; `TooSlow` past `deadline`;
    `Unreadable` or `Corrupt` when it cannot be decoded.

    A response built in memory (a test's transport) was read, and decoded by httpx, when it
    was made: its content is only measured.
    """
    if response.is_stream_consumed:
        if len(response.content) > max_bytes and not cut:
            raise TooBig(f"larger than {max_bytes:,} bytes")
        return response.content[:max_bytes]
    body = bytearray()
    raw = _bounded(response.iter_raw(), max_bytes, deadline)
    try:
        for piece in decoded(raw, ",".join(response.headers.get_list("content-encoding"))):
            deadline.check()
            body += piece
            if len(body) > max_bytes:
                raise TooBig(f"larger than {max_bytes:,} bytes")
    except TooBig:
        if not cut:
            raise
    return bytes(body[:max_bytes])


def _bounded(chunks: Iterable[bytes], max_bytes: int, deadline: Deadline) -> Iterator[bytes]:
    """`chunks` checked against the deadline, and against `max_bytes` as sent: compressed data
    that inflates to nothing must not run on either."""
    sent = 0
    for chunk in chunks:
        deadline.check()
        sent += len(chunk)
        if sent > max_bytes:
            raise TooBig(f"larger than {max_bytes:,} bytes")
        yield chunk


def decoded(raw: Iterable[bytes], content_encoding: str) -> Iterator[bytes]:
    """The bytes of `raw` with the codings of a Content-Encoding header undone, last applied
    first, in pieces of at most `PIECE` bytes, produced only as they are asked for.

    Raises `Unreadable` (before reading anything) for a coding other than gzip, deflate and
    identity, or more than `MAX_ENCODINGS` stacked; `Corrupt` for damaged data.
    """
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > MAX_ENCODINGS:
        raise Unreadable(
            f"compressed {len(codings)} times over ({', '.join(codings)}), more than the "
            f"{MAX_ENCODINGS} briefer reads"
        )
    for coding in codings:
        if coding not in _WBITS:
            raise Unreadable(f"compressed as {coding!r}, which briefer does not read")
    stream: Iterable[bytes] = raw
    for coding in reversed(codings):
        stream = _inflated(stream, coding)
    return iter(stream)


def _inflated(chunks: Iterable[bytes], coding: str) -> Iterator[bytes]:
    """One coding undone, `PIECE` bytes at most at a time; what follows its end is ignored.

    deflate is meant to be zlib-wrapped, but some servers send it raw: when the first bytes
    are not zlib's, they are read again as raw deflate (as httpx and browsers do).
    """
    inflater = zlib.decompressobj(_WBITS[coding])
    seen = b""  # the input read so far, while deflate may still turn out to be raw
    may_be_raw = coding == "deflate"
    try:
        for chunk in chunks:
            data = chunk
            while data and not inflater.eof:
                try:
                    out = inflater.decompress(data, PIECE)
                except zlib.error:
                    if not may_be_raw:
                        raise
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    coding, data, seen, may_be_raw = "raw deflate", seen + data, b"", False
                    continue
                if may_be_raw:
                    seen += data[: len(data) - len(inflater.unconsumed_tail)]
                    may_be_raw = not out and len(seen) <= PIECE
                data = inflater.unconsumed_tail
                if out:
                    yield out
        while not inflater.eof:  # what the last input held back
            out = inflater.decompress(b"", PIECE)
            if not out:
                break
            yield out
    except zlib.error as exc:
        raise Corrupt(f"its {coding} data cannot be inflated ({exc})") from None


def is_loopback(host: str, *, resolve: bool = False) -> bool:
    """True when `host` names this machine only: "localhost" or a loopback address; with
    `resolve`, also a name under .localhost or one every address of which is loopback."""
    name = host.strip("[]").lower()
    if name == "localhost" or (resolve and name.endswith(".localhost")):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    if not resolve:
        return False
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
    except OSError:
        return False
    return bool(addresses) and all(
        ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses
    )
