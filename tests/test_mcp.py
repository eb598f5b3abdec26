"""The MCP server, through the SDK's own client: in memory, over a real stdio subprocess, and
over streamable HTTP. Every argument is a model's, so the unsafe inputs of the chat-safety
tests are refused with the HTTP service's error codes, and no error carries a traceback or a
secret."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult

from briefer.core import Briefer
from briefer.engines.openai.config import LLMConfig
from briefer.errors import ConfigError
from briefer.io.store import Store
from briefer.server.mcp import BrieferMCP, create_server, http_app, serve

from .conftest import TEST_KEY
from .exchanges import BASE_URL, FIXTURES, ROOT, replay
from .stalling import stalling_page, threads_but_the_pages
from .test_inputs import watching

T = TypeVar("T")

TOOLS = {"brief_article", "compare_articles", "get_brief", "search_briefs", "morning_digest"}
ARTICLE = (FIXTURES / "articles" / "very_short.txt").read_text(encoding="utf-8")
INJECTION = (FIXTURES / "articles" / "prompt_injection.txt").read_text(encoding="utf-8")
COMPARED = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "compare").glob("*.txt"))]
TOKEN = "mcp-token-0123456789-not-a-real-secret"


def offline_server(**options: Any) -> BrieferMCP:
    return create_server(
        Briefer(engine="offline", store=Store(os.environ["BRIEFER_DB"])), **options
    )


def session(server: BrieferMCP, use: Callable[[Client], Awaitable[T]]) -> T:
    """Open an in-memory client session on `server`, run `use` with it, return its result."""

    async def main() -> T:
        async with Client(server) as client:
            return await use(client)

    return anyio.run(main)


def call(server: BrieferMCP, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    return session(server, lambda client: client.call_tool(tool, arguments))


def text_of(result: CallToolResult) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def error_of(result: CallToolResult) -> tuple[str, str]:
    """The code and message of an error result, checked to be one clean line."""
    assert result.is_error, text_of(result)
    text = text_of(result)
    assert "\n" not in text and "Traceback" not in text and TEST_KEY not in text, text
    code, _, message = text.partition(": ")
    return code, message


# --- tools, schemas, results ---------------------------------------------------------------------


def test_the_tools_are_listed_with_a_schema_and_a_description():
    listed = session(offline_server(), lambda client: client.list_tools())
    tools = {tool.name: tool for tool in listed.tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.description and len(tool.description) > 80, tool.name
        assert tool.input_schema["type"] == "object", tool.name
        for name, prop in tool.input_schema["properties"].items():
            assert prop.get("description") or "$ref" in str(prop), (tool.name, name)
    brief = tools["brief_article"].input_schema
    assert set(brief["properties"]) == {"text", "url", "format"}
    assert brief["properties"]["format"]["enum"] == ["markdown", "json"]
    compare = tools["compare_articles"].input_schema["properties"]["articles"]
    assert (compare["minItems"], compare["maxItems"]) == (2, 10)
    feeds = tools["morning_digest"].input_schema["properties"]["feeds"]
    assert (feeds["minItems"], feeds["maxItems"]) == (1, 20)
    assert tools["search_briefs"].input_schema["properties"]["limit"]["maximum"] == 100
    assert tools["get_brief"].input_schema["required"] == ["id"]


def test_brief_article_gives_the_envelope_and_its_markdown_and_stores_it():
    server = offline_server()
    result = call(server, "brief_article", {"text": ARTICLE})
    assert not result.is_error, text_of(result)
    structured = result.structured_content or {}
    assert structured["id"] == 1 and structured["cached"] is False
    assert structured["envelope"]["engine"] == "offline"
    assert structured["envelope"]["brief"]["key_facts"]
    assert text_of(result).startswith("# ") and "## Key facts" in text_of(result)
    again = call(server, "brief_article", {"text": ARTICLE, "format": "json"})
    assert (again.structured_content or {})["cached"] is True
    assert (
        json.loads(text_of(again))["article"]["sha256"]
        == structured["envelope"]["article"]["sha256"]
    )


def test_the_articles_own_warnings_come_first_in_the_text():
    result = call(offline_server(), "brief_article", {"text": INJECTION})
    assert not result.is_error
    lines = text_of(result).splitlines()
    assert lines[0].startswith("warning: ")
    warnings = [line for line in lines if line.startswith("warning: ")]
    assert any(
        w.startswith("warning: instruction_like_text:")
        and "ignore previous instructions" in w.lower()
        for w in warnings
    ), warnings
    assert any(w.startswith("warning: hidden_text:") for w in warnings), warnings
    assert lines.index(warnings[-1]) < next(i for i, s in enumerate(lines) if s.startswith("# "))
    codes = {w["code"] for w in (result.structured_content or {})["envelope"]["warnings"]}
    assert {"instruction_like_text", "hidden_text"} <= codes


def test_compare_articles_compares_three_texts_and_flags_their_warnings():
    result = call(
        offline_server(),
        "compare_articles",
        {"articles": [{"text": t} for t in [*COMPARED, INJECTION]]},
    )
    assert not result.is_error, text_of(result)
    structured = result.structured_content or {}
    assert structured["kind"] == "comparison" and len(structured["sources"]) == 4
    text = text_of(result)
    assert "# Coverage compared: 4 sources" in text
    assert text.startswith("warning: article 4: ")


def test_a_stored_brief_is_found_by_id_by_search_and_as_a_resource():
    server = offline_server()

    async def use(client: Client) -> None:
        made = await client.call_tool("brief_article", {"text": COMPARED[0]})
        brief_id = (made.structured_content or {})["id"]
        headline = (made.structured_content or {})["envelope"]["brief"]["headline"]

        got = await client.call_tool("get_brief", {"id": brief_id})
        assert (
            not got.is_error
            and (got.structured_content or {})["envelope"]
            == (made.structured_content or {})["envelope"]
        )
        assert headline in text_of(got)
        missing = await client.call_tool("get_brief", {"id": brief_id + 100})
        assert error_of(missing) == ("not_found", f"no stored brief has id {brief_id + 100}")

        found = await client.call_tool("search_briefs", {"query": "brannock", "since": "1h"})
        rows = (found.structured_content or {})["briefs"]
        assert [row["id"] for row in rows] == [brief_id] and f"id {brief_id}" in text_of(found)
        none = await client.call_tool("search_briefs", {"query": "no such story"})
        assert (none.structured_content or {})["briefs"] == []
        bad_since = await client.call_tool("search_briefs", {"since": "last tuesday-ish"})
        assert error_of(bad_since)[0] == "bad_input"

        listed = await client.list_resources()
        uris = [str(r.uri) for r in listed.resources]
        assert f"briefer://briefs/{brief_id}" in uris
        templates = await client.list_resource_templates()
        assert [t.uri_template for t in templates.resource_templates] == ["briefer://briefs/{id}"]
        read = await client.read_resource(f"briefer://briefs/{brief_id}")
        assert headline in getattr(read.contents[0], "text", "")
        with pytest.raises(MCPError, match="not_found"):
            await client.read_resource("briefer://briefs/999")

    session(server, use)


# --- untrusted arguments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "needle"),
    [
        ({"url": "/etc/passwd"}, "only http and https"),
        ({"url": "file:///etc/passwd"}, "only http and https"),
        ({"url": "-"}, "only http and https"),
        ({"url": "/dev/stdin"}, "only http and https"),
        ({"url": "canary.txt"}, "only http and https"),
        ({"url": "http://127.0.0.1:8080/admin"}, "public addresses only"),
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "cloud metadata"),
        ({"url": "http://10.1.2.3/story"}, "private address"),
        ({"text": "/etc/passwd"}, "looks like a file path"),
        ({"text": "file:///etc/passwd"}, "looks like a file path"),
        ({"text": "canary.txt"}, "looks like a file path"),
        ({"text": "-"}, "no words"),
        ({"text": "A story\ud800 with a broken character, the mayor said."}, "lone surrogate"),
        ({"text": "word " * 400_001}, "over the 2,000,000-byte limit"),
    ],
)
def test_unsafe_arguments_are_refused_without_reading_or_fetching(
    arguments, needle, tmp_path, monkeypatch
):
    (tmp_path / "canary.txt").write_text(f"OPENAI_API_KEY={TEST_KEY}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    server = offline_server()
    with watching() as seen:
        result = call(server, "brief_article", arguments)
    code, message = error_of(result)
    assert code == "bad_input" and needle in message, message
    assert not {Path(p).name for p in seen.opened} & {"passwd", "canary.txt", "stdin"}
    assert not seen.connected
    assert server.briefer.store is not None and server.briefer.store.count() == 0


def test_compare_and_digest_refuse_paths_and_private_addresses_too(tmp_path):
    server = offline_server()
    with watching() as seen:
        compare = call(
            server, "compare_articles", {"articles": [{"text": ARTICLE}, {"url": "/etc/passwd"}]}
        )
        private_feed = call(server, "morning_digest", {"feeds": ["http://192.168.1.1/feed.xml"]})
        path_feed = call(server, "morning_digest", {"feeds": ["/etc/passwd"]})
        file_feed = call(server, "morning_digest", {"feeds": [str(FIXTURES / "feeds" / "x.xml")]})
    assert error_of(compare)[0] == "bad_input"
    code, message = error_of(private_feed)
    assert code == "bad_input" and "private address" in message
    assert "public addresses only" in message
    assert error_of(path_feed)[0] == "bad_input"
    assert error_of(file_feed)[0] == "bad_input"
    assert not {Path(p).name for p in seen.opened} & {"passwd", "x.xml"}
    assert not seen.connected


def test_the_public_address_guard_stays_on_whatever_the_briefer_allows():
    from briefer.inputs import LoadOptions

    briefer = Briefer(
        engine="offline",
        store=Store(os.environ["BRIEFER_DB"]),
        load_options=LoadOptions(allow_private=True),
    )
    with watching() as seen:
        result = call(create_server(briefer), "brief_article", {"url": "http://127.0.0.1:9/"})
    code, message = error_of(result)
    assert code == "bad_input" and "loopback" in message
    assert not seen.connected


@pytest.mark.parametrize(
    ("tool", "arguments", "needle"),
    [
        ("brief_article", {}, "give exactly one of text and url"),
        ("brief_article", {"text": ARTICLE, "url": "https://example.org/a"}, "exactly one"),
        ("brief_article", {"text": 42}, "text: Input should be a valid string"),
        ("brief_article", {"text": ARTICLE, "format": "pdf"}, "format:"),
        ("get_brief", {}, "id: Field required"),
        ("get_brief", {"id": "seven"}, "id: Input should be a valid integer"),
        ("get_brief", {"id": 0}, "id: Input should be greater than or equal to 1"),
        ("compare_articles", {"articles": [{"text": ARTICLE}]}, "at least 2"),
        ("compare_articles", {"articles": [{"text": ARTICLE}] * 11}, "at most 10"),
        ("compare_articles", {"articles": [{"path": "/etc/passwd"}] * 2}, "articles.0"),
        ("compare_articles", {"articles": "two stories"}, "articles:"),
        ("search_briefs", {"limit": 1000}, "limit: Input should be less than or equal to 100"),
        ("morning_digest", {"feeds": []}, "feeds: List should have at least 1 item"),
        ("morning_digest", {"feeds": ["https://e.org/f"] * 21}, "at most 20"),
    ],
)
def test_a_malformed_call_is_an_error_result(tool, arguments, needle):
    code, message = error_of(call(offline_server(), tool, arguments))
    assert code == "bad_request" and needle in message, message
    assert "/etc/passwd" not in message  # the values given are not echoed


def test_an_unknown_tool_is_not_found():
    assert error_of(call(offline_server(), "read_file", {"path": "/etc/passwd"}))[0] == "not_found"


def test_a_bug_is_an_internal_error_without_traceback_or_secret(monkeypatch, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    server = offline_server()

    def broken(_article: Any) -> Any:
        raise RuntimeError(f"bug while using key {TEST_KEY}")

    monkeypatch.setattr(server.briefer, "brief_stored", broken)
    with caplog.at_level(logging.ERROR, logger="briefer.mcp"):
        result = call(server, "brief_article", {"text": ARTICLE})
    assert error_of(result) == ("internal_error", "internal error; see the server's log")
    assert "Traceback" in caplog.text and "RuntimeError" in caplog.text
    assert TEST_KEY not in caplog.text


def test_a_secret_in_an_error_message_is_redacted(monkeypatch):
    from briefer.errors import APIError

    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    server = offline_server()

    def refused(_article: Any) -> Any:
        raise APIError(f"the endpoint answered 401 for key {TEST_KEY}", status=401)

    monkeypatch.setattr(server.briefer, "brief_stored", refused)
    code, message = error_of(call(server, "brief_article", {"text": ARTICLE}))
    assert code == "engine_failed" and "[redacted]" in message


def test_a_call_past_the_time_limit_is_an_error_result(monkeypatch):
    server = offline_server(timeout=0.2)
    slow = server.briefer.brief_stored

    def sleepy(article: Any) -> Any:
        time.sleep(1.0)
        return slow(article)

    monkeypatch.setattr(server.briefer, "brief_stored", sleepy)
    started = time.monotonic()
    code, message = error_of(call(server, "brief_article", {"text": ARTICLE}))
    assert code == "engine_failed" and "0.2-second limit" in message
    assert time.monotonic() - started < 0.9


def open_sockets() -> int:
    """How many sockets this process holds open."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


TIMED_OUT_CALLS = 60


def test_calls_past_the_time_limit_release_their_threads_and_sockets(monkeypatch):
    from briefer.server.lanes import FETCH_THREADS

    monkeypatch.setattr("briefer.inputs.fetch.forbidden_reason", lambda _ip: None)
    server = offline_server(timeout=0.5)
    with stalling_page() as page:
        threads, sockets = threads_but_the_pages(), open_sockets()

        async def main() -> list[CallToolResult]:
            results: list[CallToolResult] = []

            async def one(n: int) -> None:
                results.append(await client.call_tool("brief_article", {"url": page.url(n)}))

            async with Client(server) as client, anyio.create_task_group() as group:
                for n in range(TIMED_OUT_CALLS):
                    group.start_soon(one, n)
            return results

        results = anyio.run(main)
        deadline = time.monotonic() + 5.0  # generous: the limit is half a second
        while time.monotonic() < deadline and (
            page.open or threads_but_the_pages() > threads or open_sockets() > sockets
        ):
            time.sleep(0.05)
        still_open, most_open = page.open, page.most_open
        threads_after, sockets_after = threads_but_the_pages(), open_sockets()
    assert len(results) == TIMED_OUT_CALLS
    assert {error_of(result)[0] for result in results} <= {"engine_failed", "fetch_failed"}
    assert still_open == 0, f"{still_open} fetches still hold a socket to the page"
    assert threads_after <= threads, f"{threads_after - threads} threads left behind"
    assert sockets_after <= sockets, f"{sockets_after - sockets} sockets left open"
    assert most_open <= FETCH_THREADS


def test_the_time_limit_must_be_a_positive_number(run):
    assert offline_server().timeout == 120.0
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ConfigError, match="positive number of seconds"):
            serve(timeout=bad)
    code, _out, err = run("mcp", "--timeout", "0")
    assert code == 2 and "not a positive number of seconds" in err


# --- the LLM path, replayed ----------------------------------------------------------------------


def llm_server() -> BrieferMCP:
    config = LLMConfig(api_key=TEST_KEY, base_url=BASE_URL, model="gpt-4o-mini")
    return create_server(Briefer(config=config, store=Store(os.environ["BRIEFER_DB"])))


def test_the_llm_engine_briefs_through_a_session(router):
    exchange = replay("happy_very_short", router)
    result = call(llm_server(), "brief_article", {"text": ARTICLE})
    assert not result.is_error, text_of(result)
    envelope = (result.structured_content or {})["envelope"]
    assert envelope["engine"] == "openai" and envelope["model"].startswith("gpt-4o-mini")
    assert len(exchange.requests) == 1
    assert envelope["brief"]["headline"] in text_of(result)
    assert TEST_KEY not in text_of(result) and TEST_KEY not in json.dumps(envelope)


def test_an_endpoint_failure_is_engine_failed_without_the_key(router):
    replay("unauthorized", router)
    code, message = error_of(call(llm_server(), "brief_article", {"text": ARTICLE}))
    assert code == "engine_failed" and message


@pytest.mark.parametrize(
    ("base_url", "secret"),
    [
        (f"http://alice:pw-Hunter2-not-real@{BASE_URL.removeprefix('http://')}", "pw-Hunter2"),
        (f"{BASE_URL}?api-version=2024-06-01&api-key=qk-Azure7-not-real", "qk-Azure7"),
    ],
)
def test_an_endpoint_failure_names_no_endpoint_and_no_credential_of_its_address(
    router, base_url, secret
):
    said = {"error": {"message": f"no access for {base_url}", "code": "invalid_api_key"}}
    router.post(f"{BASE_URL}/chat/completions").mock(return_value=httpx.Response(401, json=said))
    config = LLMConfig(base_url=base_url, model="gpt-4o-mini")
    server = create_server(Briefer(config=config, store=Store(os.environ["BRIEFER_DB"])))
    code, message = error_of(call(server, "brief_article", {"text": ARTICLE}))
    assert code == "engine_failed" and "credentials" in message
    assert secret not in message and "llm.test" not in message and "alice" not in message


# --- real transports -----------------------------------------------------------------------------


def test_a_stdio_subprocess_session_lists_and_calls_the_tools(tmp_path):
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "briefer", "mcp"],
        env={
            "BRIEFER_ENGINE": "offline",
            "BRIEFER_DB": str(tmp_path / "stdio.db"),
            "BRIEFER_TOKENIZER": "estimate",
        },
        cwd=str(ROOT),
    )

    async def main() -> tuple[set[str], CallToolResult, CallToolResult, CallToolResult]:
        with anyio.fail_after(60):
            async with Client(params) as client:
                tools = {tool.name for tool in (await client.list_tools()).tools}
                made = await client.call_tool("brief_article", {"text": INJECTION})
                refused = await client.call_tool("brief_article", {"url": "/etc/passwd"})
                found = await client.call_tool("search_briefs", {})
                return tools, made, refused, found

    tools, made, refused, found = anyio.run(main)
    assert tools == TOOLS
    assert not made.is_error and (made.structured_content or {})["envelope"]["engine"] == "offline"
    assert text_of(made).startswith("warning: ")
    assert error_of(refused)[0] == "bad_input"
    assert [row["id"] for row in (found.structured_content or {})["briefs"]] == [1]


HELLO = {
    "jsonrpc": "2.0",
    "id": 0,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}
PARSE_ERROR, INVALID_REQUEST = -32700, -32600
UNPARSABLE = [
    (
        b'{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"x": "\\ud800"}}',
        PARSE_ERROR,
        None,
    ),
    (b'{"jsonrpc": "2.0", "id": 3, "method": ', PARSE_ERROR, None),
    (b"[" * 100_000 + b"]" * 100_000, PARSE_ERROR, None),
    (b'{"jsonrpc": "2.0", "id": ' + b"9" * 5_000 + b', "method": "ping"}', PARSE_ERROR, None),
    (b"\x00\xff not json at all", PARSE_ERROR, None),
    (b'{"jsonrpc": "2.0", "id": 7}', INVALID_REQUEST, 7),
    (b'{"jsonrpc": "2.0", "id": "eight", "method": 8}', INVALID_REQUEST, "eight"),
    (b'{"jsonrpc": "1.0", "id": 9, "method": "ping"}', INVALID_REQUEST, 9),
    (b'{"colour": "red"}', INVALID_REQUEST, None),
    (b"[]", INVALID_REQUEST, None),
    (b"42", INVALID_REQUEST, None),
]


def test_stdio_answers_each_line_that_is_not_a_message_with_a_json_rpc_error(tmp_path):
    env = {**os.environ, "BRIEFER_ENGINE": "offline", "BRIEFER_DB": str(tmp_path / "s.db")}
    process = subprocess.Popen(
        [sys.executable, "-m", "briefer", "mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    assert process.stdin is not None and process.stdout is not None
    answers: queue.Queue[bytes] = queue.Queue()
    reader = threading.Thread(target=lambda: [answers.put(line) for line in process.stdout])
    reader.start()

    def ask(line: bytes) -> dict[str, Any]:
        process.stdin.write(line + b"\n")
        process.stdin.flush()
        try:
            return dict(json.loads(answers.get(timeout=20)))
        except queue.Empty:
            raise AssertionError(f"no answer to {line[:60]!r}") from None

    try:
        assert ask(json.dumps(HELLO).encode())["id"] == 0
        for line, code, request_id in UNPARSABLE:
            answer = ask(line)
            assert answer["jsonrpc"] == "2.0" and answer["id"] == request_id, (line[:60], answer)
            assert answer["error"]["code"] == code, (line[:60], answer)
            expected = "Parse error" if code == PARSE_ERROR else "Invalid request"
            assert answer["error"]["message"].startswith(expected), answer
        # Still serving, in order; bytes that are not UTF-8 inside a string read as U+FFFD.
        for n, line in enumerate([b"", b', "params": {"x": "\xed\xa0\x80"}']):
            ping = b'{"jsonrpc": "2.0", "id": %d, "method": "ping"%s}' % (90 + n, line)
            assert ask(ping) == {"jsonrpc": "2.0", "id": 90 + n, "result": {}}
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=10)
        process.stdout.close()


def test_a_blank_line_on_stdio_needs_no_answer_and_an_odd_id_is_answered_with_null():
    from mcp.types import jsonrpc_message_adapter
    from pydantic import ValidationError

    from briefer.server.stdio import rejection

    def rejected(line: str) -> Any:
        with pytest.raises(ValidationError) as caught:
            jsonrpc_message_adapter.validate_json(line)
        return rejection(caught.value)

    assert rejected("  \n") is None
    for odd in ("true", "1.5", "2e300", '"' + "x" * 500 + '"', "9007199254740993", "[1]"):
        answer = rejected('{"jsonrpc": "2.0", "id": ' + odd + "}")
        assert answer.id is None and answer.error.code == -32600, odd


@contextmanager
def serving_http(token: str | None) -> Iterator[str]:
    """The MCP server's HTTP app (as `briefer mcp --http` builds it) under uvicorn."""
    server = offline_server()
    app = http_app(server, host="127.0.0.1", token=token)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    runner = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not runner.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        runner.should_exit = True
        thread.join(timeout=10)


def test_streamable_http_needs_the_bearer_token():
    with serving_http(TOKEN) as url:
        hello = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": TOKEN}):
            refused = httpx.post(url, json=hello, headers=headers, timeout=10)
            assert refused.status_code == 401, headers
            assert refused.json()["error"]["code"] == "unauthorized"
            assert TOKEN not in refused.text

        async def main() -> tuple[set[str], CallToolResult]:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with (
                httpx2.AsyncClient(headers=headers, timeout=30) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                tools = {tool.name for tool in (await client.list_tools()).tools}
                return tools, await client.call_tool("brief_article", {"text": ARTICLE})

        tools, made = anyio.run(main)
    assert tools == TOOLS
    assert not made.is_error and (made.structured_content or {})["id"] == 1


def test_streamable_http_without_a_token_answers_loopback_names_only():
    with serving_http(None) as url:
        hello = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        rebound = httpx.post(url, json=hello, headers={"Host": "attacker.example"}, timeout=10)
        assert rebound.status_code == 421
        assert rebound.json()["error"]["code"] == "host_not_allowed"

        async def main() -> CallToolResult:
            async with (
                httpx2.AsyncClient(timeout=30) as http,
                Client(streamable_http_client(url, http_client=http)) as client,
            ):
                return await client.call_tool("brief_article", {"text": ARTICLE})

        assert not anyio.run(main).is_error


def test_http_on_a_public_address_without_a_token_is_refused(monkeypatch, run):
    monkeypatch.delenv("BRIEFER_SERVER_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="no token"):
        serve(http=True, host="0.0.0.0")
    code, _out, err = run("mcp", "--http", "--host", "0.0.0.0", "--port", "9")
    assert code == 2 and "refusing to serve MCP on 0.0.0.0 with no token" in err
    assert len(err.strip().splitlines()) == 1


def test_the_command_explains_itself(run):
    code, out, _err = run("mcp", "--help")
    assert code == 0 and "--http" in out and "Example" in out and "pip install '.[mcp]'" in out
