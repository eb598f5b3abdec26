"""briefer against a real OpenAI-compatible server: llama.cpp's `llama-server` with a tiny model.

The server and model come from ../shared/llm-server (`llama-server`, `tiny.gguf`: random
weights, so the briefs are gibberish, but under a JSON-schema grammar every answer has the
requested shape). Each test starts the server it needs on 127.0.0.1 at a free port, once per
module, and every request goes through a recording proxy, so the tests see what briefer sent
and what the server answered. The tests are skipped, with the reason, where the folder is
absent.

The servers run with one thread (`-t 1`): on a machine shared with other work, several
threads waiting on each other are far slower than one.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from briefer.io.store import Store
from briefer.schema import Envelope

from .conftest import ARTICLES, Result

LLM_SERVER = Path(__file__).resolve().parents[2] / "shared" / "llm-server"
BINARY = LLM_SERVER / "llama-server"
MODEL = LLM_SERVER / "tiny.gguf"
SERVED = "tiny.gguf"  # the name the server lists (--alias)
RIGHT_KEY = "right-key-for-tests"

pytestmark = [
    pytest.mark.realserver,
    pytest.mark.skipif(
        not (BINARY.is_file() and MODEL.is_file()),
        reason=f"no llama-server and tiny.gguf in {LLM_SERVER}: nothing to test against",
    ),
]


# --- a server, and a proxy that records what goes over the wire --------------------------------


@dataclass
class Exchange:
    """One request through the proxy and the server's answer."""

    method: str
    path: str
    body: Any
    status: int
    answer: Any


@dataclass
class Proxy:
    """Forwards every request to the server and records it (no headers: the key stays out)."""

    upstream: int
    exchanges: list[Exchange] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0  # most chat completions on their way at once
    lock: threading.Lock = field(default_factory=threading.Lock)

    def posts(self) -> list[Exchange]:
        return [e for e in self.exchanges if e.method == "POST"]

    def clear(self) -> None:
        with self.lock:
            self.exchanges.clear()
            self.peak = 0

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        chat = path.endswith("/chat/completions")
        with self.lock:
            if chat:
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=300)
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            connection.close()
        finally:
            with self.lock:
                self.in_flight -= chat
        with self.lock:
            self.exchanges.append(Exchange(method, path, _json(body), response.status, _json(data)))
        return response.status, response.getheader("content-type") or "", data


def _json(data: bytes) -> Any:
    try:
        return json.loads(data) if data else None
    except ValueError:
        return data.decode("utf-8", "replace")


def _handler(proxy: Proxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _pass(self) -> None:
            size = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(size) if size else b""
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() in ("authorization", "content-type")
            }
            status, kind, data = proxy.forward(self.command, self.path, headers, body)
            try:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a time-out)

        do_GET = do_POST = _pass

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@dataclass
class Running:
    """A llama-server process and the proxy in front of it."""

    process: subprocess.Popen[bytes]
    port: int
    proxy: Proxy
    front: ThreadingHTTPServer
    log: Path

    @property
    def url(self) -> str:
        """The base URL briefer is given (the proxy's)."""
        return f"http://127.0.0.1:{self.front.server_address[1]}/v1"

    def get(self, path: str, key: str | None = RIGHT_KEY) -> Any:
        """GET from the server itself (not recorded)."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        if key:
            request.add_header("Authorization", f"Bearer {key}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.front.shutdown()
        self.front.server_close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(args: tuple[str, ...], folder: Path) -> Running:
    port = _free_port()
    log = folder / f"llama-server-{port}.log"
    command = [str(BINARY), "-m", str(MODEL), "--alias", SERVED, "--host", "127.0.0.1"]
    command += ["--port", str(port), "-t", "1", *args]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"llama-server did not start: {log.read_text(errors='replace')}")
        time.sleep(0.1)
    proxy = Proxy(port)
    front = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    threading.Thread(target=front.serve_forever, daemon=True).start()
    return Running(process, port, proxy, front, log)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Running]]:
    """Start a llama-server with these arguments (once per module for the same arguments);
    all are stopped when the module's tests are done."""
    folder = tmp_path_factory.mktemp("llama-server")
    running: dict[tuple[str, ...], Running] = {}

    def start(*args: str) -> Running:
        if args not in running:
            running[args] = _start(args, folder)
        found = running[args]
        found.proxy.clear()
        return found

    try:
        yield start
    finally:
        for each in running.values():
            each.stop()


@pytest.fixture
def briefer_at(monkeypatch: pytest.MonkeyPatch) -> Callable[[Running, str | None], None]:
    """Point briefer at a running server (through its proxy), with an API key or none."""

    def point(running: Running, key: str | None = None) -> None:
        monkeypatch.setenv("OPENAI_BASE_URL", running.url)
        if key is not None:
            monkeypatch.setenv("OPENAI_API_KEY", key)

    return point


def long_article(folder: Path) -> Path:
    """An article of about 2,600 words: the fixture articles one after the other."""
    path = folder / "long.txt"
    bodies = [p.read_text(encoding="utf-8").split("\n", 1)[1] for p in sorted(ARTICLES.glob("*"))]
    path.write_text("A long report\n\n" + "\n\n".join(bodies), encoding="utf-8")
    return path


def stored() -> list[Envelope]:
    """Every brief in the test's store, oldest first."""
    store = Store()
    return [store.show(row.id) for row in reversed(store.history(100))]


# --- the tests -----------------------------------------------------------------------------------

SIX = sorted(ARTICLES.glob("*.txt"))[:6]


def test_brief_takes_the_model_and_context_from_the_server(server, briefer_at, run):
    running = server("-c", "8192", "-np", "4")
    briefer_at(running)
    result: Result = run("brief", str(ARTICLES / "very_short.txt"), "-f", "json")
    assert result.code == 0, result.err
    assert f"model {SERVED}" in result.err and "context 2,048 tokens" in result.err
    envelope = Envelope.model_validate_json(result.out)
    assert envelope.model == SERVED and envelope.usage.cost_usd is None
    # what was sent: the server asked about itself, then chat completions to its model
    gets = [e.path for e in running.proxy.exchanges if e.method == "GET"]
    assert gets == ["/v1/models", "/props"]
    posts = running.proxy.posts()
    assert posts and all(e.status == 200 for e in posts)
    first = posts[0].body
    assert first["model"] == SERVED and first["max_tokens"] == 1024  # half a slot's 2,048
    schema = json.dumps(first["response_format"]["json_schema"]["schema"])
    assert "maxLength" in schema  # a grammar-constrained server gets the length limits
    # the usage stored is the usage the server reported
    (kept,) = stored()
    answered = [e.answer["usage"] for e in posts]
    assert kept.usage.requests == len(posts)
    assert kept.usage.prompt_tokens == sum(u["prompt_tokens"] for u in answered)
    assert kept.usage.completion_tokens == sum(u["completion_tokens"] for u in answered)
    cached = sum(u.get("prompt_tokens_details", {}).get("cached_tokens", 0) for u in answered)
    assert kept.usage.cached_tokens == cached


@pytest.mark.parametrize(
    "args",
    [("-c", "8192", "-np", "4"), ("-c", "4096", "-np", "4", "--kv-unified")],
    ids=["np4-own-context-each", "np4-sharing-4096"],
)
def test_a_digest_at_concurrency_4_against_4_slots_loses_nothing(
    server, briefer_at, run, tmp_path, args
):
    """Four slots of 2,048 each: long articles are split to fit a slot. Four slots sharing
    4,096: parallel requests overflow it, and the digest slows down instead of failing."""
    running = server(*args)
    briefer_at(running)
    inputs = [*map(str, SIX[:5]), str(long_article(tmp_path))]
    result = run("digest", *inputs, "--concurrency", "4", "-q", "-f", "json")
    assert result.code == 0, result.err
    digest = json.loads(result.out)
    assert digest["counts"]["failed"] == 0
    assert len(stored()) == 6
    posts = running.proxy.posts()
    assert running.proxy.peak <= 4
    overflows = [e for e in posts if e.status == 500]
    assert all("Context size has been exceeded" in json.dumps(e.answer) for e in overflows)
    assert sum(e.status == 200 for e in posts) == sum(b.usage.requests for b in stored())
    if "--kv-unified" in args:
        assert overflows  # what the digest survived
    else:
        assert any(b.usage.chunks > 1 for b in stored())  # the long one, in parts


def test_compare_against_the_server(server, briefer_at, run):
    running = server("-c", "8192", "-np", "1")  # the comparison reads both briefs at once
    briefer_at(running)
    result = run("compare", *map(str, SIX[:2]), "-f", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["kind"] == "comparison"
    names = [e.body["response_format"]["json_schema"]["name"] for e in running.proxy.posts()]
    assert names.count("comparison") == 1 and "brief" in names


def test_a_wrong_api_key_is_refused_at_the_first_question(server, briefer_at, run):
    running = server("-c", "2048", "-np", "1", "--api-key", RIGHT_KEY)
    briefer_at(running, "wrong-key-for-tests")
    result = run("brief", str(ARTICLES / "very_short.txt"))
    assert result.code == 1
    (line,) = result.err.strip().splitlines()
    assert "refused the credentials (401: Invalid API Key); check OPENAI_API_KEY" in line
    assert "wrong-key-for-tests" not in result.err
    assert [(e.method, e.path) for e in running.proxy.exchanges] == [("GET", "/v1/models")]

    briefer_at(running, RIGHT_KEY)
    result = run("brief", str(ARTICLES / "very_short.txt"))
    assert result.code == 0, result.err
    assert RIGHT_KEY not in result.out + result.err


def test_a_context_too_small_is_said_before_anything_is_sent(server, briefer_at, run):
    running = server("-c", "512", "-np", "1")
    briefer_at(running)
    result = run("brief", str(ARTICLES / "on_the_record.txt"))
    assert result.code == 2
    error = result.err.strip().splitlines()[-1]
    assert "512-token context (as the server says, its /props)" in error
    assert "-np" in error and "-c" in error
    assert running.proxy.posts() == []


def test_a_context_said_too_large_is_corrected_by_the_servers_answer(
    server, briefer_at, run, tmp_path
):
    running = server("-c", "2048", "-np", "1")
    briefer_at(running)
    result = run("brief", str(long_article(tmp_path)), "--context-tokens", "100000")
    assert result.code == 1
    error = result.err.strip().splitlines()[-1]
    assert "exceeds the available context size (2048 tokens)" in error
    assert "--context-tokens 2048" in error
    assert [e.status for e in running.proxy.posts()] == [400]  # not sent again

    result = run("brief", str(long_article(tmp_path)), "--context-tokens", "2048")
    assert result.code == 0, result.err


def test_a_time_out_on_a_one_thread_server_is_not_sent_again(server, briefer_at, run, tmp_path):
    running = server("-c", "8192", "-np", "1")
    briefer_at(running)
    result = run("brief", str(long_article(tmp_path)), "--timeout", "0.05", "--no-cache")
    assert result.code == 1
    error = result.err.strip().splitlines()[-1]
    assert "did not answer within 0.05s (not sent again" in error and "--timeout" in error
    # The server goes on with the request nobody waits for any more, and answers it: the
    # proxy records it then. It was sent once.
    deadline = time.monotonic() + 60
    while not running.proxy.posts() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [e.status for e in running.proxy.posts()] == [200]
