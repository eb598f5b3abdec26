"""The HTTP service, run for real: uvicorn on 127.0.0.1, called over HTTP with httpx."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from briefer import __version__
from briefer.core import Briefer, Stored
from briefer.errors import (
    AuthenticationError,
    BrieferError,
    ConfigError,
    FetchError,
    ServiceError,
)
from briefer.inputs.article import Article, article_from_text
from briefer.io.store import Store
from briefer.server.http import create_app

from .exchanges import FIXTURES
from .stalling import stalling_page

TOKEN = "srv-token-0123456789-not-a-real-secret"
START_TIMEOUT = 10.0
ARTICLE = (FIXTURES / "articles" / "very_short.txt").read_text(encoding="utf-8")


class CountingBriefer(Briefer):
    """An offline Briefer that counts how often a handler asked it for a brief."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(engine="offline", store=Store(os.environ["BRIEFER_DB"]), **kwargs)
        self.calls = 0

    def brief_stored(self, article: Article | str) -> Stored:
        self.calls += 1
        return super().brief_stored(article)


class Server:
    """A running service: its base URL and the Briefer it uses."""

    def __init__(self, url: str, briefer: Briefer) -> None:
        self.url = url
        self.briefer = briefer

    def client(self, **headers: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, headers=headers)


@contextmanager
def serving(factory: Callable[[], Briefer] = CountingBriefer, **options: Any) -> Iterator[Server]:
    """Run the app under uvicorn in a thread, on a port the OS picks; stop it afterwards."""
    made: list[Briefer] = []

    def build() -> Briefer:
        made.append(factory())
        return made[-1]

    app = create_app(build, **options)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, thread)
        yield Server(url, made[0])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        assert not thread.is_alive(), "the server did not stop"


def _wait_until_healthy(url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(base_url=url, timeout=1) as client:
        while time.monotonic() < deadline:
            assert thread.is_alive(), "the server thread died while starting"
            try:
                if client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.01)
    raise AssertionError(f"the server did not answer /healthz within {START_TIMEOUT} s")


@pytest.fixture
def server() -> Iterator[Server]:
    with serving() as running:
        yield running


def numbered(i: int) -> str:
    """A distinct article: the fixture with a numbered headline."""
    return f"Story number {i}: harbour update\n\n{ARTICLE}"


def error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert "\n" not in body["error"]["message"]
    assert "Traceback" not in response.text
    return str(body["error"]["code"])


# --- tests ---------------------------------------------------------------------------------------


def test_healthz_says_ok_with_version_and_engine(server: Server) -> None:
    with server.client() as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__, "engine": "offline"}


def test_brief_json_returns_the_envelope_its_id_and_then_the_cached_copy(server: Server) -> None:
    with server.client() as client:
        first = client.post("/v1/brief", json={"text": ARTICLE})
        again = client.post("/v1/brief", json={"text": ARTICLE, "format": "json"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert set(body) == {"id", "cached", "envelope"}
    assert isinstance(body["id"], int)
    assert body["cached"] is False
    envelope = body["envelope"]
    assert envelope["engine"] == "offline"
    assert envelope["article"]["sha256"] == article_from_text(ARTICLE).sha256
    assert envelope["brief"]["key_facts"]
    assert again.json()["cached"] is True
    assert again.json()["id"] == body["id"]
    assert again.json()["envelope"] == envelope


def test_brief_markdown_returns_the_rendered_body(server: Server) -> None:
    with server.client() as client:
        response = client.post("/v1/brief", json={"text": ARTICLE, "format": "markdown"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"id", "cached", "format", "body"}
    assert body["format"] == "markdown"
    assert body["body"].startswith("# Port of Calder Reopens After Diesel Spill Cleanup")
    assert "## Key facts" in body["body"]


def test_a_different_engine_than_the_servers_is_refused(server: Server) -> None:
    with server.client() as client:
        response = client.post("/v1/brief", json={"text": ARTICLE, "engine": "openai"})
    assert response.status_code == 400
    assert error_code(response) == "bad_input"
    assert "offline engine" in response.json()["error"]["message"]


def test_a_token_guards_every_endpoint_but_healthz() -> None:
    with serving(token=TOKEN) as server:
        with server.client() as anonymous:
            refused = anonymous.post("/v1/brief", json={"text": ARTICLE})
            openapi = anonymous.get("/openapi.json")
            stored = anonymous.get("/v1/briefs/1")
            health = anonymous.get("/healthz")
        with server.client(authorization=f"Bearer {TOKEN}x") as wrong:
            wrong_token = wrong.post("/v1/brief", json={"text": ARTICLE})
        with server.client(authorization=f"Basic {TOKEN}") as basic:
            wrong_scheme = basic.post("/v1/brief", json={"text": ARTICLE})
        with server.client(authorization=f"Bearer {TOKEN}") as client:
            accepted = client.post("/v1/brief", json={"text": ARTICLE})
    for response in (refused, openapi, stored, wrong_token, wrong_scheme):
        assert response.status_code == 401
        assert error_code(response) == "unauthorized"
        assert response.headers["www-authenticate"] == "Bearer"
    assert health.status_code == 200
    assert accepted.status_code == 200, accepted.text
    assert server.briefer.calls == 1  # type: ignore[attr-defined]


def test_the_token_is_read_from_the_environment_when_create_app_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRIEFER_SERVER_TOKEN", TOKEN)
    with serving() as server:
        monkeypatch.delenv("BRIEFER_SERVER_TOKEN")
        with server.client() as anonymous:
            assert anonymous.post("/v1/brief", json={"text": ARTICLE}).status_code == 401
        with server.client(authorization=f"Bearer {TOKEN}") as client:
            assert client.post("/v1/brief", json={"text": ARTICLE}).status_code == 200


class ExplodingBriefer(CountingBriefer):
    """A Briefer with a bug whose message carries the token."""

    def brief_stored(self, article: Article | str) -> Stored:
        raise RuntimeError(f"bug while holding {TOKEN}")


def test_error_bodies_never_contain_the_token() -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}
    with serving(ExplodingBriefer, token=TOKEN) as server, server.client(**auth) as client:
        echoed = client.post("/v1/brief", json={"url": f"http://127.0.0.1/{TOKEN}"})
        invalid = client.post("/v1/brief", json={"url": TOKEN, "text": TOKEN})
        crashed = client.post("/v1/brief", json={"text": ARTICLE})
        with server.client(authorization=f"Bearer {TOKEN}-wrong") as wrong:
            unauthorized = wrong.post("/v1/brief", json={"text": TOKEN})
    assert echoed.status_code == 400
    assert error_code(echoed) == "bad_input"
    assert "[redacted]" in echoed.json()["error"]["message"]
    assert invalid.status_code == 422
    assert error_code(invalid) == "bad_request"
    assert crashed.status_code == 500
    assert error_code(crashed) == "internal_error"
    assert unauthorized.status_code == 401
    for response in (echoed, invalid, crashed, unauthorized):
        assert TOKEN not in response.text
        assert "Traceback" not in response.text


class FailingBriefer(CountingBriefer):
    """A Briefer whose engine (or fetch) fails the way the LLM engine can."""

    failure: BrieferError = ServiceError("the endpoint answered 503 after 3 attempts")

    def brief_stored(self, article: Article | str) -> Stored:
        raise self.failure


class FailingFetch(FailingBriefer):
    failure = FetchError("https://example.org/: timed out after 20 s; try again later")


@pytest.mark.parametrize(
    ("factory", "code"), [(FailingBriefer, "engine_failed"), (FailingFetch, "fetch_failed")]
)
def test_engine_and_fetch_failures_are_502(factory: type[FailingBriefer], code: str) -> None:
    with serving(factory) as server, server.client() as client:
        response = client.post("/v1/brief", json={"text": ARTICLE})
    assert response.status_code == 502
    assert error_code(response) == code
    assert response.json()["error"]["message"] == str(factory.failure)


QUERY_KEY = "qk-Azure7-not-real"


class EchoingEndpoint(FailingBriefer):
    failure = AuthenticationError(
        f"http://llm.test/v1?api-key={QUERY_KEY} refused the credentials (401: the key "
        f"{QUERY_KEY} is not valid)",
        status=401,
    )


def test_a_credential_of_the_endpoint_address_is_in_no_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://llm.test/v1?api-key={QUERY_KEY}")
    with serving(EchoingEndpoint) as server, server.client() as client:
        response = client.post("/v1/brief", json={"text": ARTICLE})
    assert response.status_code == 502 and error_code(response) == "engine_failed"
    assert QUERY_KEY not in response.text and "llm.test" not in response.text


def test_an_oversized_body_is_refused_before_the_handler_runs() -> None:
    limit = 4_000
    with serving(max_body_bytes=limit) as server, server.client() as client:
        just_over = client.post("/v1/brief", json={"text": "x" * limit})
        # Far over: the client is still sending when the 413 goes out, and must still read it.
        declared = client.post("/v1/brief", json={"text": "x" * 2_000_000})

        def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
            yield b'{"text": "'
            for _ in range(200):
                yield b"y" * 10_000
            yield b'"}'

        streamed = client.post(
            "/v1/brief", content=chunks(), headers={"content-type": "application/json"}
        )
        assert "content-length" not in streamed.request.headers
        calls_after_refusals = server.briefer.calls  # type: ignore[attr-defined]
        within = client.post("/v1/brief", json={"text": ARTICLE})
    for response in (just_over, declared, streamed):
        assert response.status_code == 413
        assert error_code(response) == "body_too_large"
        assert "4,000-byte limit" in response.json()["error"]["message"]
    assert calls_after_refusals == 0
    assert within.status_code == 200, within.text


def test_malformed_json_and_bad_fields_are_json_errors(server: Server) -> None:
    with server.client() as client:
        not_json = client.post(
            "/v1/brief", content=b'{"text": ', headers={"content-type": "application/json"}
        )
        both = client.post("/v1/brief", json={"text": ARTICLE, "url": "https://example.org/"})
        neither = client.post("/v1/brief", json={"format": "json"})
        bad_format = client.post("/v1/brief", json={"text": ARTICLE, "format": "pdf"})
        unknown_field = client.post("/v1/brief", json={"text": ARTICLE, "colour": "red"})
        empty = client.post("/v1/brief", json={"text": "   "})
        no_route = client.get("/v2/nothing")
        wrong_method = client.delete("/healthz")
    assert not_json.status_code == 400
    assert error_code(not_json) == "bad_request"
    for response in (both, neither, bad_format, unknown_field):
        assert response.status_code == 422, response.text
        assert error_code(response) == "bad_request"
    assert "exactly one of text and url" in both.json()["error"]["message"]
    assert empty.status_code == 400
    assert error_code(empty) == "bad_input"
    assert error_code(no_route) == "not_found" and no_route.status_code == 404
    assert error_code(wrong_method) == "method_not_allowed" and wrong_method.status_code == 405
    assert server.briefer.calls == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/news/story",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/",
        "http://10.0.0.1/",
    ],
)
def test_urls_to_private_addresses_are_refused(server: Server, url: str) -> None:
    with server.client() as client:
        response = client.post("/v1/brief", json={"url": url})
    assert response.status_code == 400
    assert error_code(response) == "bad_input"
    message = response.json()["error"]["message"]
    assert "refusing to fetch" in message
    assert "--allow-private" not in message  # a command-line hint means nothing here


def test_a_stored_brief_is_served_by_id_and_a_missing_one_is_404(server: Server) -> None:
    with server.client() as client:
        made = client.post("/v1/brief", json={"text": ARTICLE}).json()
        shown = client.get(f"/v1/briefs/{made['id']}")
        as_text = client.get(f"/v1/briefs/{made['id']}", params={"format": "text"})
        missing = client.get("/v1/briefs/987654")
        not_a_number = client.get("/v1/briefs/latest")
    assert shown.status_code == 200
    assert shown.json()["id"] == made["id"]
    assert shown.json()["envelope"] == made["envelope"]
    assert as_text.status_code == 200
    assert as_text.json()["format"] == "text"
    assert "PORT OF CALDER" in as_text.json()["body"]
    assert missing.status_code == 404
    assert error_code(missing) == "not_found"
    assert "987654" in missing.json()["error"]["message"]
    assert not_a_number.status_code == 422
    assert error_code(not_a_number) == "bad_request"


def test_compare_two_texts(server: Server) -> None:
    texts = [
        (FIXTURES / "compare" / name).read_text(encoding="utf-8")
        for name in ("harwick_wire.txt", "harwick_local.txt")
    ]
    with server.client() as client:
        as_json = client.post("/v1/compare", json={"texts": texts})
        as_markdown = client.post("/v1/compare", json={"texts": texts, "format": "markdown"})
        one = client.post("/v1/compare", json={"texts": texts[:1]})
        private = client.post(
            "/v1/compare", json={"texts": texts[:1], "urls": ["http://127.0.0.1:9/story"]}
        )
    assert as_json.status_code == 200, as_json.text
    comparison = as_json.json()
    assert comparison["kind"] == "comparison"
    assert comparison["engine"] == "offline"
    assert len(comparison["sources"]) == 2
    assert comparison["agreed"] or comparison["partial"] or comparison["unique"]
    assert as_markdown.status_code == 200
    assert as_markdown.json()["format"] == "markdown"
    assert as_markdown.json()["body"].startswith("#")
    assert one.status_code == 422
    assert error_code(one) == "bad_request"
    assert "at least two articles" in one.json()["error"]["message"]
    assert private.status_code == 400
    assert error_code(private) == "bad_input"
    assert "refusing to fetch" in private.json()["error"]["message"]


def test_twenty_concurrent_briefs_are_all_answered_correctly(server: Server) -> None:
    texts = [numbered(i) for i in range(20)]

    async def all_at_once() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            return await asyncio.gather(
                *(client.post("/v1/brief", json={"text": text}) for text in texts)
            )

    responses = asyncio.run(asyncio.wait_for(all_at_once(), timeout=60))
    assert [r.status_code for r in responses] == [200] * 20
    bodies = [r.json() for r in responses]
    shas = [b["envelope"]["article"]["sha256"] for b in bodies]
    assert shas == [article_from_text(text).sha256 for text in texts]
    assert len(set(shas)) == 20
    assert len({b["id"] for b in bodies}) == 20
    assert all(b["cached"] is False for b in bodies)
    titles = [b["envelope"]["article"]["title"] for b in bodies]
    assert titles == [f"Story number {i}: harbour update" for i in range(20)]


def test_the_openapi_document_lists_the_four_paths_and_describes_requests(
    server: Server,
) -> None:
    with server.client() as client:
        document = client.get("/openapi.json").json()
    assert set(document["paths"]) == {
        "/healthz",
        "/v1/brief",
        "/v1/compare",
        "/v1/briefs/{brief_id}",
    }
    schemas = document["components"]["schemas"]
    for model, field in (("BriefRequest", "text"), ("CompareRequest", "texts")):
        assert schemas[model]["description"]
        assert schemas[model]["properties"][field]["description"]


def test_serve_without_the_server_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from briefer.cli.serve import serve

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(ConfigError, match=r"pip install '\.\[server\]'") as caught:
        serve()
    assert caught.value.exit_code == 2


def test_serve_runs_uvicorn_with_the_app_and_refuses_to_be_open_to_the_network(
    monkeypatch: pytest.MonkeyPatch, run: Callable[..., Any]
) -> None:
    from briefer.cli.serve import serve

    monkeypatch.delenv("BRIEFER_SERVER_TOKEN", raising=False)
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    serve(port=8123)
    serve(host="0.0.0.0", port=8124, token=TOKEN)
    for host in ("0.0.0.0", "::", "192.168.1.5", "example.org"):
        with pytest.raises(ConfigError, match="set BRIEFER_SERVER_TOKEN") as caught:
            serve(host=host, port=8125)
        assert caught.value.exit_code == 2
    code, _out, err = run("serve", "--host", "0.0.0.0", "--port", "8126")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "refusing to serve HTTP on 0.0.0.0 with no token" in err
    assert "set BRIEFER_SERVER_TOKEN" in err
    (app, options), (_, open_options) = calls
    assert isinstance(app, FastAPI)
    assert (options["host"], options["port"]) == ("127.0.0.1", 8123)
    assert (open_options["host"], open_options["port"]) == ("0.0.0.0", 8124)
    with pytest.raises(ConfigError, match="port 0"):
        serve(port=0)


class FailingBehindCredentials(FailingBriefer):
    failure = ServiceError(
        "cannot reach http://[redacted]@llm.internal:8000/v1 (3 attempts): refused"
    )


def test_an_engine_failure_names_no_upstream_address() -> None:
    with serving(FailingBehindCredentials) as server, server.client() as client:
        response = client.post("/v1/brief", json={"text": ARTICLE})
    message = response.json()["error"]["message"]
    assert response.status_code == 502 and "llm.internal" not in message
    assert message.startswith("cannot reach the LLM endpoint (3 attempts)")


def test_a_stored_brief_id_too_large_for_any_store_is_not_found(server: Server) -> None:
    with server.client() as client:
        response = client.get("/v1/briefs/99999999999999999999999")
    assert response.status_code == 404 and error_code(response) == "not_found"
    assert "no stored brief" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "address", ["/etc/passwd", "canary.txt", "-", "/dev/stdin", "file:///etc/passwd", "FIFO"]
)
def test_a_url_that_names_a_file_is_refused_before_any_io(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    if address == "FIFO":
        address = str(tmp_path / "pipe")
        os.mkfifo(address)  # opening it would block the worker for good
    monkeypatch.chdir(tmp_path)
    (tmp_path / "canary.txt").write_text("OPENAI_API_KEY=sk-canary-not-real\n", encoding="utf-8")
    with server.client() as client:
        single = client.post("/v1/brief", json={"url": address})
        many = client.post("/v1/compare", json={"urls": [address, address]})
    for response in (single, many):
        assert response.status_code == 400 and error_code(response) == "bad_input"
        assert "canary" not in response.text.replace("canary.txt", "")


def test_a_lone_surrogate_in_the_text_is_bad_input(server: Server) -> None:
    with server.client() as client:
        response = client.post(
            "/v1/brief",
            content=b'{"text": "Port reopens \\ud800 after spill"}',
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 400 and error_code(response) == "bad_input"


SLOW_PAGES = 45


def test_slow_pages_starve_neither_text_briefs_nor_stored_brief_lookups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from briefer.server.lanes import FETCH_THREADS

    monkeypatch.setattr("briefer.inputs.fetch.forbidden_reason", lambda _ip: None)
    with serving() as server, stalling_page() as page:
        with server.client() as client:
            stored = client.post("/v1/brief", json={"text": ARTICLE}).json()["id"]

        async def scenario() -> tuple[httpx.Response, httpx.Response, int, list[httpx.Response]]:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
                slow = [
                    asyncio.create_task(client.post("/v1/brief", json={"url": page.url(n)}))
                    for n in range(SLOW_PAGES)
                ]
                await asyncio.to_thread(page.wait_until_seen, FETCH_THREADS)
                await asyncio.sleep(0.3)  # the other slow briefs reach the service and wait
                text = await client.post("/v1/brief", json={"text": numbered(1)}, timeout=10)
                lookup = await client.get(f"/v1/briefs/{stored}", timeout=10)
                pending = sum(not task.done() for task in slow)
                page.release()
                return text, lookup, pending, list(await asyncio.gather(*slow))

        text, lookup, pending, slow = asyncio.run(scenario())
    assert text.status_code == 200 and text.json()["cached"] is False
    assert lookup.status_code == 200 and lookup.json()["id"] == stored
    assert pending == SLOW_PAGES  # answered while every slow brief was still waiting
    assert [r.status_code for r in slow] == [200] * SLOW_PAGES
    assert page.most_open <= FETCH_THREADS
