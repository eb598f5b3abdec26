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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar

import httpcore
import httpx

from briefer.io.decoding import BodyError, BodyReader, Deadline, TooSlow, Unreadable

# What our requests say they accept: only the codings `decoded` undoes piece by piece.
T = TypeVar("T")

ACCEPT_ENCODING = "gzip, deflate"


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's TLS context for verifying servers.

    httpx builds one per client, and loading the CA bundle costs tens of milliseconds: paid
    once here instead of before every client's first request. httpx's rules apply
    (SSL_CERT_FILE, SSL_CERT_DIR, else certifi).
    """
    return httpx.create_ssl_context()


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


# A connection to one address (a name or an IP), waiting at most the timeout given.
Dial = Callable[[str, float | None], httpcore.NetworkStream]


class TcpBackend(httpcore.NetworkBackend):
    """Connections over TCP only, made through `inner` (plain sockets unless given) the way
    `connect` says: a subclass says how."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        def dial(address: str, wait: float | None) -> httpcore.NetworkStream:
            return self._inner.connect_tcp(address, port, wait, local_address, socket_options)

        return self.connect(host, timeout, dial)

    def connect(self, host: str, timeout: float | None, dial: Dial) -> httpcore.NetworkStream:
        """A connection to `host`, made with `dial(address, timeout)`, which connects through
        `inner` to one address (a name or an IP) on the port asked for."""
        return dial(host, timeout)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("briefer does not connect over unix sockets")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineBackend(TcpBackend):
    """Connections that end by `deadline`: connecting, and every operation after it."""

    def __init__(self, deadline: Waits, inner: httpcore.NetworkBackend | None = None) -> None:
        super().__init__(inner)
        self.deadline = deadline

    def connect(self, host: str, timeout: float | None, dial: Dial) -> httpcore.NetworkStream:
        """A connection to `host` that ends by the deadline, connecting included."""
        stream = dial(host, self.deadline.wait(timeout, httpcore.ConnectTimeout))
        return DeadlineStream(stream, self.deadline)


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


Inner = TypeVar("Inner", httpx.BaseTransport, httpx.AsyncBaseTransport)


class _Bounded(Generic[Inner]):
    """What a bounded transport keeps: the transport it sends through (`inner`, else a pool of
    its own held to `limits`), and the cap on a body, `max_bytes`."""

    def __init__(
        self, inner: Inner | None = None, *, max_bytes: int, limits: httpx.Limits | None = None
    ) -> None:
        self._inner: Inner = inner or self._pool(limits or httpx.Limits())
        self._max_bytes = max_bytes

    def _pool(self, limits: httpx.Limits) -> Inner:
        """A transport of its own, its connections held to `limits`."""
        raise NotImplementedError


class BoundedTransport(_Bounded[httpx.BaseTransport], httpx.BaseTransport):
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

    def _pool(self, limits: httpx.Limits) -> httpx.BaseTransport:
        return DeadlineTransport(DeadlineBackend(CURRENT), limits)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = _exchange(request)
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


class AsyncBoundedTransport(_Bounded[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport):
    """`BoundedTransport` on an event loop: the deadline is a cancel scope around connecting
    and the headers, then around each read of the body."""

    def _pool(self, limits: httpx.Limits) -> httpx.AsyncBaseTransport:
        return httpx.AsyncHTTPTransport(verify=tls_context(), limits=limits)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = _exchange(request)
        response = await _by(deadline, request, lambda: self._inner.handle_async_request(request))
        try:
            reader = _reader(response, request, self._max_bytes, deadline)
        except UnreadableBody:
            await response.aclose()
            raise
        return _decoded_response(response, request, _AsyncBody(response, reader, deadline, request))

    async def aclose(self) -> None:
        await self._inner.aclose()


class _Bounding:
    """What makes an httpx client's transports, its own and any proxy's httpx makes for it
    (from HTTP_PROXY and the like), `_bounded` ones holding answers to `max_bytes`."""

    _bounded: Callable[..., Any]  # BoundedTransport, or AsyncBoundedTransport

    def __init__(self, *, max_bytes: int, **kwargs: Any) -> None:
        self._max_bytes = max_bytes
        super().__init__(**kwargs)

    def _init_transport(self, *args: Any, **kwargs: Any) -> Any:
        given = kwargs.get("transport")
        return self._bounded(given, max_bytes=self._max_bytes, limits=kwargs.get("limits"))

    def _init_proxy_transport(self, *args: Any, **kwargs: Any) -> Any:
        # httpx.Client's or httpx.AsyncClient's, whichever this is mixed into.
        inner = super()._init_proxy_transport(*args, **kwargs)  # type: ignore[misc]
        return self._bounded(inner, max_bytes=self._max_bytes)


class BoundedClient(_Bounding, httpx.Client):
    """An httpx client whose transports, its own and any proxy's httpx makes for it (from
    HTTP_PROXY and the like), are `BoundedTransport`s holding answers to `max_bytes`."""

    _bounded = BoundedTransport


class AsyncBoundedClient(_Bounding, httpx.AsyncClient):
    """`BoundedClient` on an event loop."""

    _bounded = AsyncBoundedTransport


def _exchange(request: httpx.Request) -> Deadline:
    """The deadline of `request`'s exchange (`_total_seconds` from now); the request asks only
    for the codings `decoded` undoes."""
    deadline = Deadline(_total_seconds(request))
    request.headers["Accept-Encoding"] = ACCEPT_ENCODING
    return deadline


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


class _Body:
    """A bounded answer's body: the raw bytes of `response`, decoded by `reader` by
    `deadline`; a body refused raises the httpx error of `request` that says why."""

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


class _SyncBody(_Body, httpx.SyncByteStream):
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


class _AsyncBody(_Body, httpx.AsyncByteStream):
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
