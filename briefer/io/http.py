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
* `BoundedClient` / `AsyncBoundedClient`: the same bounds for a client kept for many requests
  (the LLM endpoint's, which the OpenAI SDK reads through): each request's deadline is its own
  timeout, and its body is decoded here as it streams, so the SDK sees httpx's errors.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

import httpcore
import httpx

# What our requests say they accept: only the codings `decoded` undoes piece by piece.
T = TypeVar("T")

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


class Waits(Protocol):
    """What shortens each socket operation's wait: a `Deadline`, or `CURRENT`."""

    def wait(self, timeout: float | None, late: type[Exception]) -> float | None: ...


_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "briefer_deadline", default=None
)


class _CurrentDeadline:
    """The deadline of the exchange under way in this context (`BoundedTransport` sets it),
    for connections a pool keeps from one exchange to the next; none: the timeout as given."""

    def wait(self, timeout: float | None, late: type[Exception]) -> float | None:
        deadline = _current.get()
        return timeout if deadline is None else deadline.wait(timeout, late)


CURRENT = _CurrentDeadline()


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Waits) -> None:
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

    def __init__(self, deadline: Waits, inner: httpcore.NetworkBackend | None = None) -> None:
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

    def __init__(
        self, backend: httpcore.NetworkBackend, limits: httpx.Limits | None = None
    ) -> None:
        super().__init__(verify=tls_context())
        limits = limits or httpx.Limits()
        self._pool = httpcore.ConnectionPool(
            ssl_context=tls_context(),
            network_backend=backend,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )


def bounded_client(deadline: Deadline) -> httpx.Client:
    """A client whose every exchange ends by `deadline`, asking only for codings we read."""
    return httpx.Client(
        timeout=max(deadline.remaining(), 0.001),
        transport=DeadlineTransport(DeadlineBackend(deadline)),
        headers={"Accept-Encoding": ACCEPT_ENCODING},
    )


# --- clients that keep a long-lived pool: every answer bounded as it arrives ----------------


class UnreadableBody(httpx.DecodingError):
    """An answer `BoundedTransport` refused to read: larger than its cap, in a coding it does
    not read, or damaged. An httpx error, so that a client of httpx (an SDK) reports it as a
    failed request; the same request would get the same answer."""


class BoundedTransport(httpx.BaseTransport):
    """A transport whose every exchange is bounded, for a client kept for many requests (the
    LLM endpoint's): a total deadline of the request's own timeout (the longest of its
    connect, read, write and pool time-outs) for connecting, the headers and the body
    together, and at most `max_bytes` bytes of body, as sent and as decoded.

    It asks only for the codings `decoded` undoes, undoes them itself as the body streams
    (the answer it gives has no Content-Encoding left, so httpx decodes nothing more), and
    raises httpx's errors: `httpx.ReadTimeout` past the deadline, `UnreadableBody` for a body
    it refuses. The deadline holds on the sockets of its own pool (`CURRENT`, made by
    default); over `inner` of another kind it is checked between the body's pieces.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        max_bytes: int,
        limits: httpx.Limits | None = None,
    ) -> None:
        self._inner = inner or DeadlineTransport(DeadlineBackend(CURRENT), limits)
        self._max_bytes = max_bytes

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = Deadline(_total_seconds(request))
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        with _within(deadline):
            response = self._inner.handle_request(request)
        try:
            reader = _reader(response, request, self._max_bytes, deadline)
        except UnreadableBody:
            response.close()
            raise
        return _decoded_response(response, request, _SyncBody(response, reader, deadline, request))

    def close(self) -> None:
        self._inner.close()


class AsyncBoundedTransport(httpx.AsyncBaseTransport):
    """`BoundedTransport` on an event loop: the deadline is a cancel scope around connecting
    and the headers, then around each read of the body."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        max_bytes: int,
        limits: httpx.Limits | None = None,
    ) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport(
            verify=tls_context(), limits=limits or httpx.Limits()
        )
        self._max_bytes = max_bytes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = Deadline(_total_seconds(request))
        request.headers["Accept-Encoding"] = ACCEPT_ENCODING
        response = await _by(deadline, request, lambda: self._inner.handle_async_request(request))
        try:
            reader = _reader(response, request, self._max_bytes, deadline)
        except UnreadableBody:
            await response.aclose()
            raise
        return _decoded_response(response, request, _AsyncBody(response, reader, deadline, request))

    async def aclose(self) -> None:
        await self._inner.aclose()


class BoundedClient(httpx.Client):
    """An httpx client whose transports, its own and any proxy's httpx makes for it (from
    HTTP_PROXY and the like), are `BoundedTransport`s holding answers to `max_bytes`."""

    def __init__(self, *, max_bytes: int, **kwargs: Any) -> None:
        self._max_bytes = max_bytes
        super().__init__(**kwargs)

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.BaseTransport:
        given = kwargs.get("transport")
        return BoundedTransport(given, max_bytes=self._max_bytes, limits=kwargs.get("limits"))

    def _init_proxy_transport(self, *args: Any, **kwargs: Any) -> httpx.BaseTransport:
        inner = super()._init_proxy_transport(*args, **kwargs)
        return BoundedTransport(inner, max_bytes=self._max_bytes)


class AsyncBoundedClient(httpx.AsyncClient):
    """`BoundedClient` on an event loop."""

    def __init__(self, *, max_bytes: int, **kwargs: Any) -> None:
        self._max_bytes = max_bytes
        super().__init__(**kwargs)

    def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
        given = kwargs.get("transport")
        return AsyncBoundedTransport(given, max_bytes=self._max_bytes, limits=kwargs.get("limits"))

    def _init_proxy_transport(self, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
        inner = super()._init_proxy_transport(*args, **kwargs)
        return AsyncBoundedTransport(inner, max_bytes=self._max_bytes)


def _total_seconds(request: httpx.Request) -> float:
    """The request's total deadline: the longest of its time-outs (httpx sets all four from a
    client's or a call's `timeout`); a day (`settings.MAX_TIMEOUT`) when it has none."""
    from briefer.settings import MAX_TIMEOUT

    timeouts = request.extensions.get("timeout") or {}
    given = [float(t) for t in timeouts.values() if t is not None]
    return max(given) if given else MAX_TIMEOUT


@contextlib.contextmanager
def _within(deadline: Deadline) -> Iterator[None]:
    """This context's exchange is bounded by `deadline` (`CURRENT` finds it)."""
    token = _current.set(deadline)
    try:
        yield
    finally:
        _current.reset(token)


def _reader(
    response: httpx.Response, request: httpx.Request, max_bytes: int, deadline: Deadline
) -> BodyReader:
    try:
        return BodyReader(response.headers, max_bytes=max_bytes, deadline=deadline)
    except Unreadable as exc:
        raise UnreadableBody(str(exc), request=request) from exc


def _decoded_response(
    response: httpx.Response,
    request: httpx.Request,
    stream: httpx.SyncByteStream | httpx.AsyncByteStream,
) -> httpx.Response:
    """`response` with its body as `stream` gives it: decoded, so without the headers that
    described the coded body."""
    coded = {b"content-encoding", b"content-length"}
    headers = [(k, v) for k, v in response.headers.raw if k.lower() not in coded]
    return httpx.Response(
        response.status_code,
        headers=headers,
        stream=stream,
        extensions=response.extensions,
        request=request,
    )


def _refusal(exc: BodyError, request: httpx.Request) -> httpx.HTTPError:
    """The httpx error a refused body raises: a time-out past the deadline, else
    `UnreadableBody`."""
    if isinstance(exc, TooSlow):
        return httpx.ReadTimeout(str(exc), request=request)
    return UnreadableBody(str(exc), request=request)


class _SyncBody(httpx.SyncByteStream):
    def __init__(
        self,
        response: httpx.Response,
        reader: BodyReader,
        deadline: Deadline,
        request: httpx.Request,
    ) -> None:
        self._response = response
        self._reader = reader
        self._deadline = deadline
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        raw = self._response.iter_raw()
        try:
            while True:
                with _within(self._deadline):  # the pool's sockets wait no longer
                    chunk = next(raw, None)
                if chunk is None:
                    break
                yield from self._reader.feed(chunk)
            yield from self._reader.end()
        except BodyError as exc:
            raise _refusal(exc, self._request) from exc

    def close(self) -> None:
        self._response.close()


class _AsyncBody(httpx.AsyncByteStream):
    def __init__(
        self,
        response: httpx.Response,
        reader: BodyReader,
        deadline: Deadline,
        request: httpx.Request,
    ) -> None:
        self._response = response
        self._reader = reader
        self._deadline = deadline
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        raw = self._response.aiter_raw()
        try:
            while True:
                chunk = await _by(self._deadline, self._request, lambda: anext(raw, None))
                if chunk is None:
                    break
                for piece in self._reader.feed(chunk):
                    yield piece
            for piece in self._reader.end():
                yield piece
        except BodyError as exc:
            raise _refusal(exc, self._request) from exc

    async def aclose(self) -> None:
        await self._response.aclose()


async def _by(deadline: Deadline, request: httpx.Request, step: Callable[[], Awaitable[T]]) -> T:
    """`step()` awaited, cancelled at `deadline` (then `httpx.ReadTimeout`)."""
    import anyio

    late = httpx.ReadTimeout(f"took longer than {deadline.seconds:g} s", request=request)
    if deadline.passed():
        raise late
    try:
        with anyio.fail_after(deadline.remaining()):
            return await step()
    except TimeoutError:
        raise late from None


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
    reader = BodyReader(response.headers, max_bytes=max_bytes, deadline=deadline)
    try:
        for piece in reader.read(response.iter_raw()):
            body += piece
    except TooBig:
        if not cut:
            raise
    return bytes(body)


class BodyReader:
    """One body, decoded and held to its bounds as it arrives: at most `max_bytes` bytes as
    sent and as decoded (the piece that crosses the cap is cut to it, then `TooBig`), and the
    deadline checked between pieces (`TooSlow`).

    Fed raw chunks, blocking (`read`) or one at a time (`feed`, then `end`), it gives decoded
    pieces of at most `PIECE` bytes, only as they are asked for. `Unreadable` (at once) for
    codings `decoded` does not read.
    """

    def __init__(
        self, headers: httpx.Headers, *, max_bytes: int, deadline: Deadline | None
    ) -> None:
        self._decoder = Decoder(",".join(headers.get_list("content-encoding")))
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._sent = 0
        self._size = 0

    def read(self, raw: Iterable[bytes]) -> Iterator[bytes]:
        for chunk in raw:
            yield from self.feed(chunk)
        yield from self.end()

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        self._check_time()
        self._sent += len(chunk)
        if self._sent > self._max_bytes:  # compressed data that inflates to nothing
            raise TooBig(f"larger than {self._max_bytes:,} bytes")
        for piece in self._decoder.feed(chunk):
            yield from self._counted(piece)

    def end(self) -> Iterator[bytes]:
        for piece in self._decoder.end():
            yield from self._counted(piece)

    def _counted(self, piece: bytes) -> Iterator[bytes]:
        self._check_time()
        room = self._max_bytes - self._size
        self._size += len(piece)
        if len(piece) > room:
            if room > 0:
                yield piece[:room]
            raise TooBig(f"larger than {self._max_bytes:,} bytes")
        yield piece

    def _check_time(self) -> None:
        if self._deadline is not None:
            self._deadline.check()


def decoded(raw: Iterable[bytes], content_encoding: str) -> Iterator[bytes]:
    """The bytes of `raw` with the codings of a Content-Encoding header undone, last applied
    first, in pieces of at most `PIECE` bytes, produced only as they are asked for.

    Raises `Unreadable` (before reading anything) for a coding other than gzip, deflate and
    identity, or more than `MAX_ENCODINGS` stacked; `Corrupt` for damaged data.
    """
    decoder = Decoder(content_encoding)

    def pieces() -> Iterator[bytes]:
        for chunk in raw:
            yield from decoder.feed(chunk)
        yield from decoder.end()

    return pieces()


class Decoder:
    """The codings of a Content-Encoding header undone as the raw bytes are fed in, a piece
    of at most `PIECE` bytes at a time; `Unreadable` (at once) for a coding other than gzip,
    deflate and identity, or more than `MAX_ENCODINGS` stacked."""

    def __init__(self, content_encoding: str) -> None:
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
        self._layers = [_Inflater(coding) for coding in reversed(codings)]  # last applied first

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decoded pieces `data` gives (more may come with the next data, or `end`)."""
        return self._through(0, data)

    def end(self) -> Iterator[bytes]:
        """What the layers held back, once the raw bytes have all been fed."""
        for n, layer in enumerate(self._layers):
            for out in layer.end():
                yield from self._through(n + 1, out)

    def _through(self, n: int, data: bytes) -> Iterator[bytes]:
        if n == len(self._layers):
            if data:
                yield data
            return
        for out in self._layers[n].feed(data):
            yield from self._through(n + 1, out)


class _Inflater:
    """One coding undone, `PIECE` bytes at most at a time; what follows its end is ignored.

    deflate is meant to be zlib-wrapped, but some servers send it raw: when the first bytes
    are not zlib's, they are read again as raw deflate (as httpx and browsers do).
    """

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._inflater = zlib.decompressobj(_WBITS[coding])
        self._seen = b""  # the input read so far, while deflate may still turn out to be raw
        self._may_be_raw = coding == "deflate"

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            while data and not self._inflater.eof:
                try:
                    out = self._inflater.decompress(data, PIECE)
                except zlib.error:
                    if not self._may_be_raw:
                        raise
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._coding, self._may_be_raw = "raw deflate", False
                    data, self._seen = self._seen + data, b""
                    continue
                if self._may_be_raw:
                    self._seen += data[: len(data) - len(self._inflater.unconsumed_tail)]
                    self._may_be_raw = not out and len(self._seen) <= PIECE
                data = self._inflater.unconsumed_tail
                if out:
                    yield out
        except zlib.error as exc:
            raise Corrupt(f"its {self._coding} data cannot be inflated ({exc})") from None

    def end(self) -> Iterator[bytes]:
        try:
            while not self._inflater.eof:  # what the last input held back
                out = self._inflater.decompress(b"", PIECE)
                if not out:
                    break
                yield out
        except zlib.error as exc:
            raise Corrupt(f"its {self._coding} data cannot be inflated ({exc})") from None


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
