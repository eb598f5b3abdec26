"""Every byte from outside is bounded while it arrives: in size, in time, and after extraction.

Hostile servers are real sockets on 127.0.0.1 (or httpx transports with streaming bodies);
the bombs are built here, from zeros, never stored.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from briefer.errors import FetchError, InputError, UsageError
from briefer.inputs import URL, CommandLine, LoadOptions, load_article
from briefer.inputs.article import Article
from briefer.inputs.fetch import fetch_page

from .conftest import ARTICLES

LOOPBACK = [ipaddress.ip_address("127.0.0.1")]
ARTICLE = (ARTICLES / "on_the_record.txt").read_text(encoding="utf-8")
PAGE = (
    "<!doctype html><html><head><title>Port reopens</title></head><body><article>"
    + "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n"))
    + "</article></body></html>"
).encode()


def gzipped(data: bytes, *, times: int = 1, wbits: int = zlib.MAX_WBITS | 16) -> bytes:
    for _ in range(times):
        packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
        data = packer.compress(data) + packer.flush()
    return data


def zeros_gzipped_twice(megabytes: int) -> bytes:
    """gzip of gzip of `megabytes` MB of zeros, built without holding the zeros."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    inner = b"".join(packer.compress(block) for _ in range(megabytes)) + packer.flush()
    return gzipped(inner)


Script = Callable[[socket.socket], None]


@contextmanager
def serve(script: Script) -> Iterator[str]:
    """A server on 127.0.0.1 that runs `script` on each connection; yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def handle(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request; what it asks does not matter
                script(conn)
            except OSError:
                pass  # the client hung up: what a deadline is for

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


def trickle(head: bytes, slowly: bytes = b"", *, every: float = 0.2, seconds: float = 25) -> Script:
    """Send `head` at once, then `slowly` and x's after it, a byte every `every` s, for
    `seconds` s; then hang up."""

    def script(conn: socket.socket) -> None:
        conn.sendall(head)
        end = time.monotonic() + seconds
        data = iter(slowly)
        while time.monotonic() < end:
            conn.sendall(bytes([next(data, ord("x"))]))
            time.sleep(every)

    return script


def answer(body: bytes, **headers: str) -> Script:
    """Send `body` at once, with `headers`."""
    head = "HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"

    def script(conn: socket.socket) -> None:
        conn.sendall(head.encode() + body)

    return script


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    with serve(request.param) as base:
        yield base


def peak_memory(call: Callable[[], object]) -> tuple[BaseException | None, int]:
    """What `call` raised (or None) and the peak of Python's allocations while it ran."""
    tracemalloc.start()
    try:
        call()
    except BaseException as exc:
        return exc, tracemalloc.get_traced_memory()[1]
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return None, peak


# --- decompression is bounded while it inflates ------------------------------------------------


def test_a_double_gzip_bomb_is_cut_off_as_it_inflates():
    bomb = zeros_gzipped_twice(64)
    assert len(bomb) < 100_000
    headers = {"content-type": "text/html", "content-encoding": "gzip, gzip"}
    with serve(answer(bomb, **headers)) as base:
        failure, peak = peak_memory(
            lambda: fetch_page(
                f"{base}/bomb",
                max_bytes=1_000_000,
                allow_private=True,
                resolve=lambda host: LOOPBACK,
            )
        )
    assert isinstance(failure, InputError) and "larger than 1,000,000 bytes" in str(failure)
    assert peak < 12_000_000, f"{peak:,} bytes held while refusing a 1 MB page"


def test_a_double_gzip_bomb_in_a_feed_is_cut_off_as_it_inflates():
    from briefer.inputs.feeds import load_feed

    bomb = zeros_gzipped_twice(64)
    headers = {"content-type": "application/rss+xml", "content-encoding": "gzip, gzip"}
    with serve(answer(bomb, **headers)) as base:
        options = LoadOptions(max_fetch_bytes=1_000_000, allow_private=True)
        failure, peak = peak_memory(lambda: load_feed(f"{base}/feed.xml", options=options))
    assert isinstance(failure, InputError) and "larger than 1,000,000 bytes" in str(failure)
    assert peak < 12_000_000, f"{peak:,} bytes held while refusing a 1 MB feed"


def mocked(body: bytes, encoding: str) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/html; charset=utf-8", "content-encoding": encoding}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))

    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzipped(PAGE)),
        ("gzip, gzip", gzipped(PAGE, times=2)),
        ("x-gzip", gzipped(PAGE)),
        ("deflate", gzipped(PAGE, wbits=zlib.MAX_WBITS)),  # zlib-wrapped, as the RFC says
        ("deflate", gzipped(PAGE, wbits=-zlib.MAX_WBITS)),  # raw, as some servers send it
        ("deflate, gzip", gzipped(gzipped(PAGE, wbits=zlib.MAX_WBITS))),
        ("identity", PAGE),
        ("", PAGE),
    ],
)
def test_every_encoding_we_ask_for_is_read(encoding, body):
    with mocked(body, encoding) as client:
        page = fetch_page("https://news.example/port", client=client, resolve=public)
    assert page.content == PAGE


def public(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    return [ipaddress.ip_address("93.184.215.14")]


@pytest.mark.parametrize(
    ("encoding", "said"),
    [
        ("br", "'br'"),
        ("compress", "'compress'"),
        ("gzip, zstd", "'zstd'"),
        ("gzip, gzip, gzip, gzip, gzip", "5 times"),
    ],
)
def test_an_encoding_we_cannot_read_boundedly_is_refused_in_one_line(encoding, said):
    with mocked(gzipped(PAGE), encoding) as client, pytest.raises(InputError) as caught:
        fetch_page("https://news.example/port", client=client, resolve=public)
    message = str(caught.value)
    assert said in message and "\n" not in message


def test_corrupt_compressed_data_is_a_fetch_error():
    corrupt = mocked(b"\x1f\x8b\x08\x00 certainly not gzip", "gzip")
    with corrupt as client, pytest.raises(FetchError, match="gzip"):
        fetch_page("https://news.example/port", client=client, resolve=public)


def test_the_request_asks_only_for_encodings_it_reads_boundedly(router):
    route = router.get("https://news.example/port").mock(
        return_value=httpx.Response(200, headers={"content-type": "text/html"}, content=PAGE)
    )
    fetch_page("https://news.example/port", resolve=public)
    assert route.calls[0].request.headers["accept-encoding"] == "gzip, deflate"


def test_inflating_gives_every_byte_in_small_pieces():
    from briefer.io.decoding import decoded

    data = os.urandom(300_000) + bytes(3_000_000) + b"end"
    packed = gzipped(gzipped(data), wbits=zlib.MAX_WBITS)
    chunks = [packed[i : i + 777] for i in range(0, len(packed), 777)]
    pieces = list(decoded(chunks, "gzip, deflate"))
    assert b"".join(pieces) == data
    assert max(map(len, pieces)) <= 65_536


# --- a total deadline on every fetch ---------------------------------------------------------


HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\n\r\n<!doctype html><html><body><p>"


@pytest.mark.parametrize(
    "server",
    [
        trickle(HEAD),  # the body, a byte at a time
        trickle(b"HTTP/1.1 200 OK\r\n", b"content-type: text/html\r\n\r\n"),  # the headers too
    ],
    indirect=True,
    ids=["body", "headers"],
)
def test_a_page_that_trickles_in_fails_at_the_deadline(server):
    start = time.monotonic()
    with pytest.raises(FetchError) as caught:
        fetch_page(f"{server}/slow", timeout=1, allow_private=True, resolve=lambda h: LOOPBACK)
    assert time.monotonic() - start < 20
    assert "took longer than 1 s" in str(caught.value)
    assert "raise LoadOptions(fetch_timeout=...)" in str(caught.value)


def slow_stream(seconds: float = 15, every: float = 0.1) -> httpx.SyncByteStream:
    class Slow(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            end = time.monotonic() + seconds
            yield b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            while time.monotonic() < end:
                time.sleep(every)
                yield b" "
            yield b"</channel></rss>"

    return Slow()


def test_a_feed_that_trickles_in_through_any_client_fails_at_the_deadline():
    from briefer.inputs.feeds import load_feed

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/rss+xml"},
                              stream=slow_stream())  # fmt: skip

    start = time.monotonic()
    options = LoadOptions(fetch_timeout=1, allow_private=True)
    client = httpx.Client(transport=httpx.MockTransport(handler))
    with client, pytest.raises(FetchError, match="took longer than 1 s"):
        load_feed("http://127.0.0.1:9/feed.xml", client=client, options=options)
    assert time.monotonic() - start < 12


@pytest.mark.parametrize("server", [trickle(HEAD)], indirect=True)
def test_the_cli_says_the_page_took_too_long_and_names_timeout(server, run):
    start = time.monotonic()
    result = run("brief", f"{server}/slow", "--timeout", "1", "--allow-private",
                 "--engine", "offline", "--no-cache")  # fmt: skip
    assert time.monotonic() - start < 20
    assert result.code == 1, result.err
    assert "took longer than 1 s" in result.err and "raise --timeout" in result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err


def test_a_slack_webhook_answer_is_bounded_in_time_and_size():
    from briefer.digest import Digest
    from briefer.io.slack import post_slack
    from briefer.renderers import render_slack

    hook = "https://hooks.slack.test/services/T000/B000/secret-part"

    def slow(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=slow_stream())

    bomb_body = zeros_gzipped_twice(64)

    def bomb(request: httpx.Request) -> httpx.Response:
        headers = {"content-encoding": "gzip, gzip", "content-type": "text/plain"}
        return httpx.Response(500, headers=headers, stream=httpx.ByteStream(bomb_body))

    start = time.monotonic()
    client = httpx.Client(transport=httpx.MockTransport(slow))
    with client, pytest.raises(FetchError, match="took longer than 1 s") as caught:
        post_slack(hook, render_slack(Digest([])), timeout=1, client=client)
    assert time.monotonic() - start < 12 and "secret-part" not in str(caught.value)
    with httpx.Client(transport=httpx.MockTransport(bomb)) as client:
        failure, peak = peak_memory(
            lambda: post_slack(hook, render_slack(Digest([])), client=client)
        )
    assert isinstance(failure, FetchError) and "500" in str(failure)
    assert peak < 12_000_000, f"{peak:,} bytes held for an error answer"


# --- the article limit holds after extraction ------------------------------------------------


def long_page(paragraphs: int) -> bytes:
    line = ARTICLE.split("\n\n")[1]
    body = "".join(f"<p>{n}. {line}</p>" for n in range(paragraphs))
    return (
        "<!doctype html><html><head><title>Port</title></head><body><article>"
        f"<h1>Port of Calder reopens</h1>{body}</article></body></html>"
    ).encode()


def test_text_extracted_from_a_page_is_held_to_the_article_limit(router):
    page = long_page(600)
    assert 100_000 < len(page) < 250_000
    router.get("https://news.example/long").mock(
        return_value=httpx.Response(200, headers={"content-type": "text/html"}, content=page)
    )
    options = LoadOptions(max_bytes=50_000, allow_private=True)  # resolves no name
    with pytest.raises(InputError, match=r"over the 50,000-byte limit") as caught:
        load_article(URL("https://news.example/long"), options)
    assert "raise LoadOptions(max_bytes=...)" in str(caught.value)


def test_html_too_large_to_extract_is_refused_before_it_is_parsed(router, monkeypatch):
    import trafilatura

    parsed: list[int] = []
    real = trafilatura.bare_extraction
    monkeypatch.setattr(
        trafilatura,
        "bare_extraction",
        lambda html, **kw: parsed.append(len(html)) or real(html, **kw),
    )
    page = long_page(30_000)  # about 8 MB of HTML
    router.get("https://news.example/huge").mock(
        return_value=httpx.Response(200, headers={"content-type": "text/html"}, content=page)
    )
    options = LoadOptions(max_bytes=1_000_000, max_fetch_bytes=20_000_000, allow_private=True)
    with pytest.raises(InputError, match="more HTML than") as caught:
        load_article(URL("https://news.example/huge"), options)
    assert parsed == []
    assert "raise LoadOptions(max_bytes=...)" in str(caught.value)


def test_an_article_given_as_it_is_is_held_to_the_limit_too():
    article = Article(text="The council met. " * 10_000, source="feed entry")
    with pytest.raises(InputError, match="over the 50,000-byte limit"):
        load_article(article, LoadOptions(max_bytes=50_000))
    assert load_article(article) is article


# --- files that are not regular files are refused before they are opened -----------------------


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")


@needs_fifo
def test_the_command_line_refuses_a_fifo_before_opening_it(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException | Article] = []

    def load() -> None:
        try:
            outcome.append(load_article(CommandLine(str(fifo))))
        except BaseException as exc:
            outcome.append(exc)

    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=10)
    if reader.is_alive():  # it opened the pipe and waits for a writer: be one, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=10)
        pytest.fail("the FIFO was opened, and loading waited for a writer")
    assert isinstance(outcome[0], InputError) and "not a regular file" in str(outcome[0])
    assert "'-'" in str(outcome[0])


def cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    return subprocess.run(
        [sys.executable, "-m", "briefer", *args],
        capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@needs_fifo
@pytest.mark.parametrize(
    "command",
    [
        ["brief", "{fifo}", "--engine", "offline", "--no-cache"],
        ["digest", "{fifo}", "--engine", "offline", "--no-cache", "-q"],
        ["digest", "--urls", "{fifo}", "--engine", "offline", "--no-cache", "-q"],
        ["digest", "--feed", "{fifo}", "--engine", "offline", "--no-cache", "-q"],
        ["digest", "--feeds", "{fifo}", "--engine", "offline", "--no-cache", "-q"],
    ],
    ids=["brief", "digest", "digest --urls", "digest --feed", "digest --feeds"],
)
def test_brief_and_digest_refuse_a_fifo_with_no_writer(tmp_path, command):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = cli(*(word.format(fifo=fifo) for word in command))
    assert "not a regular file" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and result.returncode in (1, 2)


def test_a_character_device_is_refused(tmp_path):
    with pytest.raises(InputError, match="not a regular file"):
        load_article(CommandLine("/dev/null"))


# --- durations and counts are range-checked --------------------------------------------------


@pytest.mark.parametrize(
    "value", ["99999999999d", "800000d", "9" * 5000 + "w", "0001-01-01T00:00+05:00"]
)
def test_since_out_of_range_is_a_usage_error(value):
    from briefer.settings import parse_since

    with pytest.raises(UsageError, match=r"100 years|range of dates") as caught:
        parse_since(value)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 200


def test_since_within_range_still_works():
    from datetime import UTC, datetime, timedelta

    from briefer.settings import parse_since

    now = datetime(2026, 11, 29, tzinfo=UTC)
    assert parse_since("36500d", now) == now - timedelta(days=36500)
    assert parse_since("2026-03-01", now) == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_since("0001-01-01", now) == datetime(1, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "args",
    [
        ["history", "--since", "99999999999d"],
        ["history", "--limit", "99999999999999999999"],
        ["history", "--limit", "0"],
        ["digest", "x.txt", "--since", "99999999999d", "--engine", "offline"],
        ["brief", "x.txt", "--engine", "offline", "--max-bytes", "99999999999999999999999"],
        ["brief", "x.txt", "--engine", "offline", "--max-bytes", "0"],
        ["brief", "x.txt", "--engine", "offline", "--max-fetch-bytes", "-1"],
        ["brief", "x.txt", "--engine", "offline", "--timeout", "nan"],
        ["brief", "x.txt", "--engine", "offline", "--timeout", "inf"],
        ["brief", "x.txt", "--engine", "offline", "--timeout", "1e300"],
    ],
)
def test_out_of_range_numbers_are_one_line_usage_errors(args, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.txt").write_text(ARTICLE, encoding="utf-8")
    result = run(*args)
    assert result.code == 2, (args, result.err)
    assert "internal error" not in result.err and result.err.count("\n") == 1, result.err


def test_search_briefs_with_a_huge_since_is_bad_input_not_an_internal_error():
    from .test_mcp import call, error_of, offline_server

    result = call(offline_server(), "search_briefs", {"since": "99999999999d"})
    code, message = error_of(result)
    assert code == "bad_input" and "100 years" in message
