"""A web page on loopback that stalls: every request waits until the page is released (or its
client goes away), then gets a short article. It counts what a service does to it."""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .exchanges import FIXTURES

_TEXT = (FIXTURES / "articles" / "very_short.txt").read_text(encoding="utf-8")
_TITLE, _, _BODY = _TEXT.partition("\n\n")
PAGE = (
    f"<html><head><title>{_TITLE}</title></head><body><article><h1>{_TITLE}</h1>"
    + "".join(f"<p>{p}</p>" for p in _BODY.split("\n\n") if p.strip())
    + "</article></body></html>"
).encode("utf-8")
HANDLER_THREAD = "stalling-page"
SERVER_THREAD = "stalling-page-server"


def threads_but_the_pages() -> int:
    """How many threads this process runs, the stalling page's own left out."""
    return sum(t.name not in (HANDLER_THREAD, SERVER_THREAD) for t in threading.enumerate())


class StallingPage:
    """The page's address and what it saw: requests, connections open now and at most."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.seen = 0
        self.open = 0
        self.most_open = 0

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/story/{n}"

    def release(self) -> None:
        self.released.set()

    def wait_until_seen(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while self.seen < count:
            assert time.monotonic() < deadline, f"{self.seen} of {count} requests arrived"
            time.sleep(0.01)


def _client_gone(sock: socket.socket) -> bool:
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


@contextmanager
def stalling_page() -> Iterator[StallingPage]:
    """Serve the page on 127.0.0.1 until the block ends; then release whoever still waits."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.daemon_threads = True
    page = StallingPage(server.server_address[1])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            threading.current_thread().name = HANDLER_THREAD
            with page.lock:
                page.seen += 1
                page.open += 1
                page.most_open = max(page.most_open, page.open)
            try:
                while not page.released.wait(0.02):
                    if _client_gone(self.connection):
                        return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(PAGE)))
                self.end_headers()
                self.wfile.write(PAGE)
            except OSError:
                pass
            finally:
                with page.lock:
                    page.open -= 1

        def log_message(self, format: str, *args: object) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=SERVER_THREAD
    )
    thread.start()
    try:
        yield page
    finally:
        page.release()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
