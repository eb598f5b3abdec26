"""Sending requests: the one retry layer (tenacity), error translation, and the drivers.

The SDK's own retries are off; these rules mirror them: retry connection errors, timeouts,
408, 409, 429 and 5xx (never `insufficient_quota`, never past `x-should-retry: false`),
waiting as `retry-after-ms` / `retry-after` say, up to a limit, else exponential backoff.
A request that cannot succeed is not sent again: a refusal of the response format (a 500 from
llama-cpp-python) goes straight back to the conversation, which asks in another format.
A local server out of room for parallel requests (`is_capacity_error`: llama-server's 500
"Context size has been exceeded.", a 503) is retried like a 429, and heard like one by a
digest, which lowers its concurrency. A request to a local server that timed out is not sent
again: the server goes on working on the one it has (llama-cpp-python even drops the requests
queued behind it), so the same request would wait behind itself.

Answers are bounded while they arrive, as pages and feeds are (`briefer.io.http`): the clients
briefer makes (`llm_client`, `async_llm_client`) give each request a total deadline, its
timeout, for connecting, the headers and the body together (a server that sends a byte a
second cannot hold a request open), and read at most `MAX_ANSWER_BYTES` of an answer, counted
as it is decompressed (a few kilobytes of "gzip, gzip" cannot inflate to gigabytes). Running
past the deadline is a time-out, retried as one; an answer refused for its size or coding is
`UnreadableResponseError`, never retried (the same request would get the same answer, and be
paid for again). A client given to briefer is used as it was made.
"""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx
import tenacity

from briefer import errors
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.conversation import (
    Answer,
    Conversation,
    error_body,
    error_code,
    error_message,
    error_text,
)
from briefer.engines.openai.endpoint import is_capacity_error, provider_of, refuses_format
from briefer.engines.openai.messages import Request
from briefer.io.http import AsyncBoundedClient, BoundedClient, tls_context
from briefer.text import one_line
from briefer.text.redact import redact

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion

# The most bytes of one answer read, as sent and as decompressed. A brief is a few kilobytes of
# JSON (4,096 output tokens are about 16 KB of text; escaped, under 100 KB); a model list of a
# few hundred models with their descriptions stays under a megabyte. 8 MB leaves room for
# any real answer, and bounds what a broken or hostile endpoint can make briefer hold.
MAX_ANSWER_BYTES = 8_000_000
RETRYABLE_STATUS = frozenset({408, 409, 429})
# A prompt longer than the context: llama-server's error type and its words, vLLM's words,
# OpenAI's code.
_CONTEXT_CODES = frozenset({"exceed_context_size_error", "context_length_exceeded"})
_CONTEXT_LIMIT = re.compile(
    r"available context size \((\d+) tokens\)|maximum context length is (\d+) tokens", re.I
)
# How long a digest keeps its concurrency lowered after a local server ran out of room: its
# capacity does not come back by itself, as a rate limit's does.
CAPACITY_CALM_SECONDS = 30.0


RateLimitListener = Callable[[float], None]


def llm_client(config: LLMConfig) -> httpx.Client:
    """The blocking client requests to the endpoint go through: every answer bounded in time
    (its request's timeout, `config.timeout` unless a call sets its own) and in size."""
    return BoundedClient(max_bytes=MAX_ANSWER_BYTES, timeout=config.timeout, verify=tls_context())


def async_llm_client(config: LLMConfig) -> httpx.AsyncClient:
    """`llm_client` for an event loop, with room for a digest's requests at once."""
    return AsyncBoundedClient(
        max_bytes=MAX_ANSWER_BYTES,
        timeout=config.timeout,
        verify=tls_context(),
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
    )


def retry_policy(
    config: LLMConfig, on_rate_limit: RateLimitListener | None = None
) -> dict[str, Any]:
    """Keyword arguments for tenacity's Retrying / AsyncRetrying under our rules.

    `on_rate_limit` hears of every 429 that will be retried, with the wait it asked for, and of
    every capacity error of a local server, with `CAPACITY_CALM_SECONDS`: a digest uses it to
    lower its concurrency for that long.
    """

    def wait(state: tenacity.RetryCallState) -> float:
        seconds = _retry_wait(state, config.max_retry_wait)
        exc = state.outcome.exception() if state.outcome else None
        if on_rate_limit is not None:
            if getattr(exc, "status_code", None) == 429:
                on_rate_limit(seconds)
            elif _is_capacity(exc, config):
                on_rate_limit(max(seconds, CAPACITY_CALM_SECONDS))
        return seconds

    return {
        "stop": tenacity.stop_after_attempt(config.max_retries + 1),
        "wait": wait,
        "retry": tenacity.retry_if_exception(lambda exc: _is_transient(exc, config)),
        "reraise": True,
    }


def drive(conversation: Conversation, send: Callable[[Request], ChatCompletion]) -> Answer:
    """Run a conversation to its answer, sending each request it makes (blocking)."""
    import openai

    turn = _Turn(conversation)
    while (request := turn.request) is not None:
        try:
            turn.reply(send(request))
        except openai.APIError as exc:
            turn.refuse(exc)
    return turn.answer


async def adrive(
    conversation: Conversation, send: Callable[[Request], Awaitable[ChatCompletion]]
) -> Answer:
    """`drive`, awaiting each request."""
    import openai

    turn = _Turn(conversation)
    while (request := turn.request) is not None:
        try:
            turn.reply(await send(request))
        except openai.APIError as exc:
            turn.refuse(exc)
    return turn.answer


class _Turn:
    """Where a conversation stands: the request it waits on, or its answer once it has one.

    Every error of the transport (after its retries) goes back into the conversation: a 400
    may be answered by asking in another mode, a failed optional request (a repair) by keeping
    the answer already in hand; any other error leaves it unchanged.
    """

    def __init__(self, conversation: Conversation) -> None:
        self._conversation = conversation
        self.request: Request | None = None
        self._answer: Answer | None = None
        self._step(lambda: next(conversation))

    def reply(self, response: ChatCompletion) -> None:
        self._step(lambda: self._conversation.send(response))

    def refuse(self, error: Exception) -> None:
        self._step(lambda: self._conversation.throw(error))

    @property
    def answer(self) -> Answer:
        assert self._answer is not None, "the conversation has not finished"
        return self._answer

    def _step(self, advance: Callable[[], Request]) -> None:
        try:
            self.request = advance()
        except StopIteration as done:
            self.request, self._answer = None, done.value


def _is_transient(exc: BaseException, config: LLMConfig) -> bool:
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return provider_of(config.base_url) != "other"
    if isinstance(exc, openai.APIConnectionError):
        return not _unreadable(exc)
    if not isinstance(exc, openai.APIStatusError):
        return False
    should = exc.response.headers.get("x-should-retry")
    if should == "false":
        return False
    if error_code(exc) == "insufficient_quota":
        return False
    if refuses_format(exc.status_code, error_text(exc), config):
        return False
    after = retry_after_seconds(exc.response.headers)
    if after is not None and after > config.max_retry_wait:
        return False
    if should == "true":
        return True
    return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500


def _unreadable(exc: BaseException) -> bool:
    """Whether the SDK's error is an answer that could not be decoded (too large, in a coding
    we do not read, damaged): the same request would get the same answer."""
    return isinstance(exc.__cause__, httpx.DecodingError)


def _is_capacity(exc: BaseException | None, config: LLMConfig) -> bool:
    import openai

    if not isinstance(exc, openai.APIStatusError):
        return False
    return is_capacity_error(exc.status_code, error_text(exc), config)


def _retry_wait(state: tenacity.RetryCallState, max_wait: float) -> float:
    exc = state.outcome.exception() if state.outcome else None
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if headers is not None:
        after = retry_after_seconds(headers)
        if after is not None:
            return min(after, max_wait)
    backoff: float = min(0.5 * 2 ** (state.attempt_number - 1), 8.0)
    return backoff * (1 + 0.25 * random.random())


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Read `retry-after-ms` or `retry-after` (seconds or an HTTP date) as seconds."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def translate_error(exc: openai.APIError, config: LLMConfig) -> errors.APIError:
    """Map an SDK error to ours, with a one-line, secret-free message."""
    import openai

    where = config.endpoint
    secrets = config.secrets
    if isinstance(exc, openai.APITimeoutError) and provider_of(config.base_url) == "other":
        return errors.ServiceError(
            f"{where} did not answer within {config.timeout:g}s (not sent again: a local "
            "server goes on with a request it was sent, and the same one would wait behind it)",
            fix="raise {timeout}, or send no more requests at once than the server has slots "
            "({concurrency}; llama-server -np)",
        )
    if isinstance(exc, openai.APITimeoutError):
        return errors.ServiceError(
            f"{where} did not answer within {config.timeout:g}s "
            f"({config.max_retries + 1} attempts)",
            fix="raise {timeout}",
        )
    if isinstance(exc, openai.APIConnectionError) and _unreadable(exc):
        return errors.UnreadableResponseError(
            f"the answer of {where} cannot be read: "
            f"{one_line(redact(str(exc.__cause__), secrets), 300)} (not sent again: the same "
            "request would get the same answer)"
        )
    if isinstance(exc, openai.APIConnectionError):
        return errors.ServiceError(
            f"cannot reach {where} ({config.max_retries + 1} attempts): "
            f"{one_line(redact(str(exc.__cause__ or exc), secrets), 300)}; "
            "check OPENAI_BASE_URL and the network"
        )
    if not isinstance(exc, openai.APIStatusError):
        return errors.APIError(one_line(redact(str(exc), secrets), 300))
    return _status_error(exc, config)


def _status_error(exc: openai.APIStatusError, config: LLMConfig) -> errors.APIError:
    """Our error for an answer with an error status, by status and the body's code."""
    where = config.endpoint
    status = exc.status_code
    code = error_code(exc)
    detail = one_line(redact(error_message(exc), config.secrets), 300)
    if status in (401, 403):
        return errors.AuthenticationError(
            f"{where} refused the credentials ({status}: {detail}); check OPENAI_API_KEY",
            status=status,
            code=code,
        )
    if status == 429 and code == "insufficient_quota":
        return errors.QuotaError(
            f"the account has no quota left (429 insufficient_quota: {detail}); "
            "check billing, or use another key",
            status=status,
            code=code,
        )
    if status == 429:
        return errors.RateLimitError(
            f"{where} is rate limiting requests (429: {detail}); try again later "
            "or lower the request rate",
            status=status,
            code=code,
        )
    if refuses_format(status, error_text(exc), config):
        return errors.BadRequestError(
            f"{where} refused the response format asked for ({status}: {detail})",
            fix="leave {json_mode} at auto to let briefer find one it takes"
            if config.json_mode != "auto"
            else None,
            status=status,
            code=code,
        )
    if status == 400 and (code in _CONTEXT_CODES or _CONTEXT_LIMIT.search(detail)):
        found = _CONTEXT_LIMIT.search(detail)
        n_ctx = error_body(exc).get("n_ctx") or (found and (found.group(1) or found.group(2)))
        return errors.BadRequestError(
            f"{where} has less context for a request than the request needs ({status}: {detail})",
            fix=f"set {{context_tokens={n_ctx}}}, the server's, so that articles are split to "
            "fit, or give the server more context"
            if n_ctx
            else "set {context_tokens} to the context the server gives a request",
            status=status,
            code=code,
        )
    if status == 404:
        return errors.BadRequestError(
            f"{where} has no such model or route (404: {detail})",
            fix="check {model} and the base URL",
            status=status,
            code=code,
        )
    if _is_capacity(exc, config):
        return errors.ServiceError(
            f"{where} ran out of room for the requests sent at once ({status}: {detail}; "
            f"{config.max_retries + 1} attempts)",
            fix="run with {concurrency=1}, or give the server more context per request "
            "(llama-server: fewer slots -np, or a larger -c; they share -c)",
            status=status,
            code=code,
        )
    if status in RETRYABLE_STATUS or status >= 500:
        return errors.ServiceError(
            f"{where} failed with {status} after {config.max_retries + 1} attempts "
            f"({detail}); try again later",
            status=status,
            code=code,
        )
    return errors.BadRequestError(
        f"{where} rejected the request ({status}: {detail})", status=status, code=code
    )
