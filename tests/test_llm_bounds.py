"""Answers from the LLM endpoint are bounded while they arrive, as pages and feeds are: the
size cap counts decompressed bytes as they are produced, and every request has a total
deadline (connecting, the headers, the body) that the configured timeout sets.

The endpoint is a real socket on 127.0.0.1 (the helpers of test_bounds); bombs are built here,
from zeros, never stored.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

from briefer import errors
from briefer.engines.openai import OpenAIEngine
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.prompts import load_template

from .conftest import TEST_KEY, fixture_article
from .exchanges import brief_json
from .test_bounds import Script, answer, gzipped, peak_memory, serve, trickle, zeros_gzipped_twice

# A model and a context named: the engine asks the server nothing before the brief.
CONFIG = LLMConfig(api_key=TEST_KEY, model="local.gguf", context_tokens=8192, max_retries=0)


def engine(base: str, timeout: float = 30) -> OpenAIEngine:
    config = dataclasses.replace(CONFIG, base_url=f"{base}/v1", timeout=timeout)
    return OpenAIEngine(config, load_template("brief"), sleep=lambda _: None)


def completion_body() -> bytes:
    article = fixture_article("very_short")
    quote = article.text.split(".")[0].strip()
    return json.dumps(
        {
            "id": "chatcmpl-local",
            "object": "chat.completion",
            "created": 1,
            "model": "local.gguf",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": brief_json(quote)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 900, "completion_tokens": 150, "total_tokens": 1050},
        }
    ).encode()


def briefing(base: str, *, timeout: float = 30, run_async: bool = False) -> Callable[[], Any]:
    """What briefs the short article at the endpoint `base`, blocking or on an event loop."""
    eng = engine(base, timeout)
    article = fixture_article("very_short")
    if run_async:
        return lambda: asyncio.run(eng.abrief(article))
    return lambda: eng.brief(article)


BLOCKING_AND_ASYNC = pytest.mark.parametrize("run_async", [False, True], ids=["sync", "async"])
JSON = {"content-type": "application/json"}


# --- the size cap counts decompressed bytes as they are produced -------------------------------


@BLOCKING_AND_ASYNC
def test_a_double_gzip_bomb_from_the_endpoint_is_refused_as_it_inflates(run_async):
    bomb = zeros_gzipped_twice(64)
    assert len(bomb) < 100_000
    with serve(answer(bomb, **JSON, **{"content-encoding": "gzip, gzip"})) as base:
        start = time.monotonic()
        failure, peak = peak_memory(briefing(base, run_async=run_async))
        took = time.monotonic() - start
    assert peak < 40_000_000, f"{peak:,} bytes held while refusing an 8 MB answer"
    assert took < 30, f"{took:.1f} s to refuse it"
    assert isinstance(failure, errors.UnreadableResponseError), repr(failure)
    message = str(failure)
    assert "larger than 8,000,000 bytes" in message and "not sent again" in message
    assert "\n" not in message and TEST_KEY not in message


def test_an_oversize_answer_is_not_sent_again():
    sent: list[int] = []
    bomb = zeros_gzipped_twice(16)

    def counted(conn: socket.socket) -> None:
        sent.append(1)
        answer(bomb, **JSON, **{"content-encoding": "gzip, gzip"})(conn)

    with serve(counted) as base:
        eng = OpenAIEngine(
            dataclasses.replace(CONFIG, base_url=f"{base}/v1", max_retries=2),
            load_template("brief"),
            sleep=lambda _: None,
        )
        with pytest.raises(errors.UnreadableResponseError):
            eng.brief(fixture_article("very_short"))
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("encoding", "said"), [("br", "'br'"), ("gzip, gzip, gzip, gzip, gzip", "5 times")]
)
def test_an_answer_in_a_coding_we_do_not_read_boundedly_is_refused(encoding, said):
    body = gzipped(completion_body())
    coded = answer(body, **JSON, **{"content-encoding": encoding})
    with serve(coded) as base, pytest.raises(errors.UnreadableResponseError) as caught:
        briefing(base)()
    assert said in str(caught.value)


@BLOCKING_AND_ASYNC
@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "deflate", "identity"])
def test_a_compressed_answer_of_normal_size_is_still_read(encoding, run_async):
    """What must keep working (passes before the bounds too)."""
    body = completion_body()
    if encoding == "deflate":
        body = gzipped(body, wbits=15)
    elif encoding != "identity":
        body = gzipped(body, times=encoding.count("gzip"))
    with serve(answer(body, **JSON, **{"content-encoding": encoding})) as base:
        result = briefing(base, run_async=run_async)()
    assert result.brief.headline == "A brief"


def test_the_models_list_of_a_server_is_bounded_too():
    """No model named: the engine asks the server which one it serves, through a bounded
    client too."""
    bomb = zeros_gzipped_twice(64)
    with serve(answer(bomb, **JSON, **{"content-encoding": "gzip, gzip"})) as base:
        config = dataclasses.replace(CONFIG, base_url=f"{base}/v1", model=None)
        eng = OpenAIEngine(config, load_template("brief"))
        failure, peak = peak_memory(eng.resolve)
    assert peak < 40_000_000, f"{peak:,} bytes held while refusing a model list"
    assert isinstance(failure, errors.UnreadableResponseError), repr(failure)
    assert "larger than 8,000,000 bytes" in str(failure)


# --- a total deadline on every request -----------------------------------------------------------


HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n"


@BLOCKING_AND_ASYNC
@pytest.mark.parametrize(
    "script",
    [
        trickle(HEAD, b'{"id": "chatcmpl-local", ', every=1.0),  # the body, a byte at a time
        trickle(b"HTTP/1.1 200 OK\r\n", b"content-type: application/json\r\n", every=1.0),
    ],
    ids=["body", "headers"],
)
def test_an_answer_that_trickles_in_fails_at_the_timeout(script: Script, run_async):
    with serve(script) as base:
        start = time.monotonic()
        with pytest.raises(errors.ServiceError) as caught:
            briefing(base, timeout=2, run_async=run_async)()
        took = time.monotonic() - start
    assert took < 3 * 2 + 2, f"{took:.1f} s for a timeout of 2 s"
    assert "did not answer within 2s" in str(caught.value)


def test_a_deadline_is_retried_like_a_read_timeout_where_timeouts_are(monkeypatch):
    """At OpenAI a request that timed out is sent again (a local server would still be working
    on it); an answer over the size cap is not, anywhere."""
    import httpx
    import openai

    from briefer.engines.openai import transport
    from briefer.io.http import UnreadableBody

    config = dataclasses.replace(CONFIG, base_url=None)  # api.openai.com
    request = httpx.Request("POST", "https://api.openai.com/v1/chat/completions")
    late = openai.APITimeoutError(request=request)
    assert transport._is_transient(late, config)
    oversize = openai.APIConnectionError(request=request)
    oversize.__cause__ = UnreadableBody("larger than 8,000,000 bytes", request=request)
    assert not transport._is_transient(oversize, config)
    assert isinstance(transport.translate_error(oversize, config), errors.UnreadableResponseError)


def test_through_a_proxy_from_the_environment_answers_are_bounded_too(monkeypatch):
    """The endpoint's client still goes through HTTP_PROXY (as httpx's default client did),
    and what comes back through it is held to the same cap."""
    bomb = zeros_gzipped_twice(64)
    with serve(answer(bomb, **JSON, **{"content-encoding": "gzip, gzip"})) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        failure, peak = peak_memory(briefing("http://llm.invalid"))
    assert peak < 40_000_000, f"{peak:,} bytes held while refusing an 8 MB answer"
    assert isinstance(failure, errors.UnreadableResponseError), repr(failure)
    assert "http://llm.invalid/v1" in str(failure)
