"""The HTTP service and the MCP server share one guard: the same token check, the same
codes and messages for every briefer error, the same validation of an article's source."""

from __future__ import annotations

import os
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from briefer import errors
from briefer.core import Briefer
from briefer.errors import BrieferError
from briefer.io.store import Store
from briefer.server import guard
from briefer.server.http import create_app
from briefer.server.mcp import create_server, http_app

from .exchanges import FIXTURES

TOKEN = "guard-token-0123456789-not-a-real-secret"
ARTICLE = (FIXTURES / "articles" / "very_short.txt").read_text(encoding="utf-8")


def every_error() -> list[BrieferError]:
    """One instance of each class of the hierarchy, half of them with a fix naming a setting."""
    classes: list[type[BrieferError]] = [BrieferError]
    for cls in classes:
        classes.extend(cls.__subclasses__())
    made: list[BrieferError] = []
    for n, cls in enumerate(classes):
        if cls is errors.MissingVariableError:
            made.append(cls("brief", "article"))
        elif cls is errors.RefusalError:
            made.append(cls("not this one"))
        else:
            fix = "raise {allow_private}" if n % 2 else "raise {max_bytes}"
            made.append(cls(f"{cls.__name__} happened; the call failed", fix=fix))
    assert len(made) >= 17
    return made


def failing(exc: BrieferError) -> Briefer:
    briefer = Briefer(engine="offline", store=Store(os.environ["BRIEFER_DB"]))

    def fail(_article: Any) -> Any:
        raise exc

    briefer.brief_stored = fail  # type: ignore[method-assign]
    return briefer


def http_error(exc: BrieferError) -> tuple[str, str]:
    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(lambda: failing(exc), token=""))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.post("/v1/brief", json={"text": ARTICLE})

    body = anyio.run(main).json()["error"]
    return body["code"], body["message"]


def mcp_error(exc: BrieferError) -> tuple[str, str]:
    async def main() -> str:
        async with Client(create_server(failing(exc))) as client:
            result = await client.call_tool("brief_article", {"text": ARTICLE})
            assert result.is_error
            return "".join(getattr(block, "text", "") for block in result.content)

    code, _, message = anyio.run(main).partition(": ")
    return code, message


@pytest.mark.parametrize("exc", every_error(), ids=lambda e: type(e).__name__)
def test_every_briefer_error_gets_the_same_code_and_message_from_both(exc: BrieferError):
    expected = (guard.error_code(exc), guard.error_message(exc))
    assert http_error(exc) == expected
    assert mcp_error(exc) == expected
    assert expected[0] == {2: "bad_input"}.get(
        exc.exit_code, "fetch_failed" if isinstance(exc, errors.FetchError) else "engine_failed"
    )
    assert "raise" not in expected[1]  # a fix naming a setting the caller cannot change


def test_both_refuse_a_missing_or_wrong_token_with_the_same_answer():
    mcp_app = http_app(create_server(failing(errors.InputError("unused"))), host="", token=TOKEN)
    http_service = create_app(lambda: failing(errors.InputError("unused")), token=TOKEN)

    async def ask(app: Any, path: str, headers: dict[str, str]) -> tuple[int, str, str]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            response = await client.post(path, json={}, headers=headers)
        return response.status_code, response.headers["www-authenticate"], response.text

    for headers in (
        {},
        {"authorization": f"Bearer {TOKEN}x"},
        {"authorization": f"Basic {TOKEN}"},
        {"authorization": TOKEN},
    ):
        from_mcp = anyio.run(ask, mcp_app, "/mcp", headers)
        from_http = anyio.run(ask, http_service, "/v1/brief", headers)
        assert from_mcp == from_http
        assert from_http[:2] == (401, "Bearer") and guard.UNAUTHORIZED in from_http[2]


def test_the_token_check_takes_the_first_authorization_header_and_bearer_in_any_case():
    token = TOKEN.encode()
    assert guard.bearer_matches([(b"authorization", b"Bearer " + token)], token)
    assert guard.bearer_matches([(b"authorization", b"bearer " + token)], token)
    assert not guard.bearer_matches([(b"authorization", b"Bearer " + token + b"x")], token)
    assert not guard.bearer_matches(
        [(b"authorization", b"Basic x"), (b"authorization", b"Bearer " + token)], token
    )
    assert not guard.bearer_matches([], token)


def test_both_refuse_text_and_url_together_with_the_same_message():
    from briefer.server.mcp import ArticleSource
    from briefer.server.models import BriefRequest

    for model in (BriefRequest, ArticleSource):
        for fields in ({}, {"text": "a", "url": "https://example.org/"}):
            with pytest.raises(ValueError, match=guard.ONE_SOURCE):
                model(**fields)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_a_bind_address_is_loopback_only_when_no_other_machine_can_reach_it(host, loopback):
    assert guard.is_loopback(host) is loopback


# --- a service on loopback with no token answers loopback names only (DNS rebinding) ------------


def ask(app: Any, method: str, path: str, headers: dict[str, str]) -> httpx.Response:
    async def main() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.request(method, path, json={}, headers=headers)

    return anyio.run(main)


OTHER_NAMES = [
    "evil.example",
    "evil.example:8080",
    "127.0.0.1.nip.io:8080",
    "localhost.evil.example",
    "10.0.0.7:8080",
    "[::1].evil.example",
    "127.0.0.1:8080:80",
    "127.0.0.1:port",
    "",
]
LOOPBACK_NAMES = ["localhost", "localhost:8080", "LocalHost:1", "127.0.0.1", "127.0.0.1:8080"]
LOOPBACK_NAMES += ["[::1]", "[::1]:8765"]


@pytest.mark.parametrize("host", OTHER_NAMES)
def test_without_a_token_both_refuse_a_host_name_that_is_not_loopback_with_421(host: str):
    service = create_app(lambda: failing(errors.InputError("unused")), token="")
    mcp_app = http_app(create_server(failing(errors.InputError("unused"))), host="", token=None)
    answers = [
        ask(service, "GET", "/healthz", {"host": host}),
        ask(service, "POST", "/v1/brief", {"host": host}),
        ask(mcp_app, "POST", "/mcp", {"host": host}),
    ]
    for response in answers:
        assert response.status_code == 421, response.text
        assert response.json()["error"]["code"] == "host_not_allowed"
        message = response.json()["error"]["message"]
        assert "BRIEFER_SERVER_TOKEN" in message and "localhost" in message
    assert answers[0].text == answers[2].text


@pytest.mark.parametrize("host", LOOPBACK_NAMES)
def test_without_a_token_loopback_names_are_served(host: str):
    service = create_app(lambda: failing(errors.InputError("unused")), token="")
    assert ask(service, "GET", "/healthz", {"host": host}).status_code == 200


def test_with_a_token_any_host_name_is_served_to_a_caller_with_the_token():
    service = create_app(lambda: failing(errors.InputError("unused")), token=TOKEN)
    headers = {"host": "briefer.example.org", "authorization": f"Bearer {TOKEN}"}
    assert ask(service, "GET", "/healthz", headers).status_code == 200
    refused = ask(service, "POST", "/v1/brief", {"host": "briefer.example.org"})
    assert refused.status_code == 401


# --- error texts name no endpoint and no credential -----------------------------------------------

CREDENTIALED = "http://reader:hunter2-pass@127.0.0.1:9/v1?api-key=S3CRET-QUERY-KEY"


def unreachable_endpoint() -> Briefer:
    """A Briefer whose LLM endpoint (with credentials in its address) refuses connections."""
    from briefer.engines.openai.config import LLMConfig

    config = LLMConfig(
        api_key="test-key-not-a-secret", base_url=CREDENTIALED, max_retries=0, timeout=5
    )
    return Briefer(config=config, store=Store(os.environ["BRIEFER_DB"]))


def test_an_endpoint_failure_names_neither_the_endpoint_nor_its_credentials_in_either():
    async def from_http() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(unreachable_endpoint, token=""))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.post("/v1/brief", json={"text": ARTICLE})

    async def from_mcp() -> str:
        async with Client(create_server(unreachable_endpoint())) as client:
            result = await client.call_tool("brief_article", {"text": ARTICLE})
            return "".join(getattr(block, "text", "") for block in result.content)

    answer = anyio.run(from_http)
    assert answer.status_code == 502
    http_text = answer.json()["error"]["message"]
    code, _, mcp_text = anyio.run(from_mcp).partition(": ")
    assert (answer.json()["error"]["code"], code) == ("engine_failed", "engine_failed")
    assert http_text == mcp_text
    assert "the LLM endpoint" in mcp_text
    for leak in ("hunter2", "reader", "S3CRET", "api-key", "127.0.0.1:9", "/v1"):
        assert leak not in mcp_text, mcp_text


@pytest.mark.parametrize(
    "address",
    [
        "https://reader:hunter2-pass@news.example/story",
        "https://news.example/story?api-key=S3CRET-QUERY-KEY",
        "https://news.example/story?page=2&access_token=S3CRET-QUERY-KEY#top",
    ],
)
def test_a_fetch_failure_keeps_the_page_but_not_the_credentials_in_its_address(address: str):
    exc = errors.FetchError(f"{address}: no answer within the timeout")
    code, message = http_error(exc)
    assert (code, message) == mcp_error(exc)
    assert code == "fetch_failed" and "news.example/story" in message
    assert "hunter2" not in message and "S3CRET" not in message, message
