"""Peak memory and time of `briefer brief URL` against hostile pages on a local server.

    python bench/hostile_fetch.py [--bomb-mb 1000] [--page-mb 20] [--give-up 60]

Three pages, each fetched by a fresh `briefer brief URL --engine offline` process (so its
peak memory is its own), with the default limits and `--timeout 5`:

* bomb: `Content-Encoding: gzip, gzip`, a body of a few kilobytes that is gzip of gzip of
  `--bomb-mb` MB of zeros. Bounded: the process stays small and fails fast ("larger than").
* slow: a page whose headers come at once and whose body comes one byte every half second,
  for ever. Bounded: the fetch fails after about 5 s ("took longer than 5 s").
* big: a `--page-mb` MB HTML page of paragraphs, fetched with `--max-fetch-bytes` raised to
  let it in. Bounded: over 5 MB of HTML (with the default article limit) it is refused
  before extraction, not parsed for minutes.

A process still running after `--give-up` seconds is killed and reported as such. Reports,
per page: the exit code, the wall time, the peak resident memory, and the last line of
stderr.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def gzipped(chunks: Iterable[bytes], level: int = 9) -> bytes:
    """gzip of the concatenated byte chunks, compressed as they come."""
    packer = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    out = [packer.compress(chunk) for chunk in chunks]
    out.append(packer.flush())
    return b"".join(out)


def double_gzip_bomb(megabytes: int) -> bytes:
    """gzip of gzip of `megabytes` MB of zeros."""
    zeros = bytes(1 << 20)
    inner = gzipped(zeros for _ in range(megabytes))
    return gzipped([inner])


def big_page(megabytes: int) -> bytes:
    """An HTML page of about `megabytes` MB of paragraphs."""
    paragraph = (
        "<p>The council of Westbrook voted on Tuesday to reopen the port, officials said, "
        "after a cleanup that took nine weeks and cost 3 million dollars.</p>\n"
    )
    count = megabytes * 1_000_000 // len(paragraph)
    body = "<!doctype html><html><head><title>Port</title></head><body><article>"
    return (body + paragraph * count + "</article></body></html>").encode()


class Pages(BaseHTTPRequestHandler):
    bomb = b""
    big = b""

    def do_GET(self) -> None:
        try:
            if self.path == "/bomb":
                self._send(self.bomb, {"content-encoding": "gzip, gzip"})
            elif self.path == "/big":
                self._send(self.big, {})
            elif self.path == "/slow":
                self.send_response(200)
                self.send_header("content-type", "text/html")
                self.end_headers()
                self.wfile.write(b"<!doctype html><html><body><p>")
                self.wfile.flush()
                while True:
                    time.sleep(0.5)
                    self.wfile.write(b"x")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def run(url: str, extra: list[str], give_up: float) -> tuple[str, float, float, str]:
    """Exit code (or 'killed'), seconds, peak MB and the last stderr line of one brief."""
    command = [sys.executable, "-m", "briefer", "brief", url, "--engine", "offline"]
    command += ["--no-cache", "--allow-private", "--timeout", "5", *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.monotonic()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
    )
    timer = threading.Timer(give_up, lambda: os.kill(process.pid, signal.SIGKILL))
    timer.start()
    assert process.stderr is not None
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    code = "killed" if process.returncode == -signal.SIGKILL else str(process.returncode)
    last = (err.strip().splitlines() or [""])[-1]
    return code, seconds, usage.ru_maxrss / 1024, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bomb-mb", type=int, default=1000)
    parser.add_argument("--page-mb", type=int, default=20)
    parser.add_argument("--give-up", type=float, default=60.0)
    parser.add_argument("--only", choices=["bomb", "slow", "big"], action="append")
    args = parser.parse_args()
    Pages.bomb = double_gzip_bomb(args.bomb_mb)
    Pages.big = big_page(args.page_mb)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    cases = {
        "bomb": (f"{args.bomb_mb} MB of zeros in {len(Pages.bomb):,} bytes, gzip, gzip", []),
        "slow": ("1 byte every 0.5 s, --timeout 5", []),
        "big": (
            f"{len(Pages.big) / 1e6:.0f} MB HTML page",
            ["--max-fetch-bytes", str(len(Pages.big) + 1)],
        ),
    }
    for name, (what, extra) in cases.items():
        if args.only and name not in args.only:
            continue
        code, seconds, peak, last = run(f"{base}/{name}", extra, args.give_up)
        print(f"{name:5} {what}")
        print(f"      exit {code}, {seconds:.1f} s, peak {peak:,.0f} MB: {last[:150]}")
    server.shutdown()


if __name__ == "__main__":
    main()
