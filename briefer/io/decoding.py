"""Content codings undone as a body streams in, with a cap on the decoded bytes: at most
`MAX_ENCODINGS` stacked (gzip, deflate), each step of inflating bounded (`PIECE`), so a
compression bomb is refused while it arrives, never expanded in memory; and the deadline and
the errors (`BodyError`) every read of a body is held to."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterable, Iterator

import httpx


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


MAX_ENCODINGS = 4  # content codings stacked on one body ("gzip, gzip" is two)


PIECE = 64 * 1024  # the most bytes one step of inflating produces


_WBITS = {
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS,  # zlib-wrapped; raw deflate is recognised too
}


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
