"""The OpenAI engine: brief an article through any OpenAI-compatible chat completions endpoint.

How one brief is made:

1. The conversation (`_conversation`, a generator with no I/O) builds the request: system and
   user messages from the prompt template, the article wrapped in a fresh random boundary,
   `response_format` json_schema (strict) or json_object.
2. A driver (sync or async) sends each request. Transport retries belong to tenacity alone:
   the SDK's own retries are off (`max_retries=0`). A retry resends the identical request.
3. The answer is checked: refusal, truncation, no choices; then parsed and validated against
   `Brief`. Invalid output gets exactly one re-ask carrying the validation error. A server that
   refuses json_schema gets the same request in json_object mode, the schema in the prompt.

`import openai` is slow, so this module imports it only inside functions that send requests.
"""

from __future__ import annotations

import email.utils
import json
import random
import re
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any

import httpx
import tenacity
from pydantic import ValidationError

from briefer import errors
from briefer.article import Article
from briefer.config import LLMConfig
from briefer.engine import EngineResult
from briefer.prompts import PromptTemplate
from briefer.quotes import locate
from briefer.redact import redact
from briefer.schema import Brief, Notice, PromptInfo, Usage, brief_json_schema
from briefer.untrusted import Boundary, wrap_article

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion

Request = dict[str, Any]
Conversation = Generator[Request, "ChatCompletion", "EngineResult"]

RETRYABLE_STATUS = frozenset({408, 409, 429})
SCHEMA_NAME = "brief"


class OpenAIEngine:
    """Brief articles through an OpenAI-compatible endpoint."""

    name = "openai"

    def __init__(
        self,
        config: LLMConfig,
        template: PromptTemplate,
        *,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], None] | None = None,
        async_sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        if not config.configured:
            raise errors.ConfigError(
                "no LLM is configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local "
                "server (vLLM, Ollama, llama.cpp)"
            )
        self.config = config
        self.template = template
        self._http_client = http_client
        self._async_http_client = async_http_client
        self._sleep = sleep if sleep is not None else time.sleep
        self._async_sleep = async_sleep

    def brief(self, article: Article, *, boundary: Boundary | None = None) -> EngineResult:
        """Brief one article, blocking."""
        import openai

        client = openai.OpenAI(
            api_key=self.config.api_key or "unused",
            base_url=self.config.endpoint,
            max_retries=0,
            timeout=self.config.timeout,
            # The SDK sends through httpx2 by default, which respx cannot see; it accepts a
            # classic httpx client too, and that one is our seam for tests and recording.
            http_client=self._http_client or httpx.Client(timeout=self.config.timeout),  # type: ignore[arg-type]
        )
        conversation = _conversation(article, self.template, self.config, boundary)
        retrying = tenacity.Retrying(sleep=self._sleep, **self._retry_policy())

        def send(request: Request) -> ChatCompletion:
            for attempt in retrying:
                with attempt:
                    return client.chat.completions.create(**request)
            raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

        try:
            with client:
                return _drive(conversation, send)
        except openai.APIError as exc:
            raise self._translate(exc) from None

    async def abrief(self, article: Article, *, boundary: Boundary | None = None) -> EngineResult:
        """Brief one article without blocking the event loop."""
        import asyncio

        import openai

        client = openai.AsyncOpenAI(
            api_key=self.config.api_key or "unused",
            base_url=self.config.endpoint,
            max_retries=0,
            timeout=self.config.timeout,
            http_client=self._async_http_client  # type: ignore[arg-type]
            or httpx.AsyncClient(timeout=self.config.timeout),
        )
        conversation = _conversation(article, self.template, self.config, boundary)
        sleep = self._async_sleep if self._async_sleep is not None else asyncio.sleep
        retrying = tenacity.AsyncRetrying(sleep=sleep, **self._retry_policy())

        async def send(request: Request) -> ChatCompletion:
            async for attempt in retrying:
                with attempt:
                    return await client.chat.completions.create(**request)
            raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

        try:
            async with client:
                return await _adrive(conversation, send)
        except openai.APIError as exc:
            raise self._translate(exc) from None

    # --- retries ---------------------------------------------------------------------------

    def _retry_policy(self) -> dict[str, Any]:
        config = self.config
        return {
            "stop": tenacity.stop_after_attempt(config.max_retries + 1),
            "wait": lambda state: _retry_wait(state, config.max_retry_wait),
            "retry": tenacity.retry_if_exception(
                lambda exc: _is_transient(exc, config.max_retry_wait)
            ),
            "reraise": True,
        }

    # --- errors ----------------------------------------------------------------------------

    def _translate(self, exc: openai.APIError) -> errors.APIError:
        """Map an SDK error to ours, with a one-line, secret-free message."""
        import openai

        where = self.config.endpoint
        secrets = (self.config.api_key,)
        if isinstance(exc, openai.APITimeoutError):
            return errors.ServiceError(
                f"{where} did not answer within {self.config.timeout:g}s "
                f"({self.config.max_retries + 1} attempts); try --timeout with a larger value"
            )
        if isinstance(exc, openai.APIConnectionError):
            return errors.ServiceError(
                f"cannot reach {where} ({self.config.max_retries + 1} attempts): "
                f"{_one_line(redact(str(exc.__cause__ or exc), secrets))}; "
                "check OPENAI_BASE_URL and the network"
            )
        if not isinstance(exc, openai.APIStatusError):
            return errors.APIError(_one_line(redact(str(exc), secrets)))
        status = exc.status_code
        code = _error_code(exc)
        detail = _one_line(redact(_error_message(exc), secrets))
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
        if status == 404:
            return errors.BadRequestError(
                f"{where} has no such model or route (404: {detail}); check --model and "
                "OPENAI_BASE_URL",
                status=status,
                code=code,
            )
        if status in RETRYABLE_STATUS or status >= 500:
            return errors.ServiceError(
                f"{where} failed with {status} after {self.config.max_retries + 1} attempts "
                f"({detail}); try again later",
                status=status,
                code=code,
            )
        return errors.BadRequestError(
            f"{where} rejected the request ({status}: {detail})", status=status, code=code
        )


# --- the conversation (no I/O) ---------------------------------------------------------------


def build_messages(
    article: Article, template: PromptTemplate, boundary: Boundary
) -> list[dict[str, str]]:
    """Render the system and user messages for one article."""
    variables = {
        "boundary_start": boundary.start,
        "boundary_end": boundary.end,
        "article": wrap_article(article.text, boundary),
        "title": article.title or "(none)",
    }
    return [
        {"role": "system", "content": template.render("system", variables).strip()},
        {"role": "user", "content": template.render("user", variables).strip()},
    ]


def _request_body(config: LLMConfig, messages: list[dict[str, str]], mode: str) -> Request:
    body: Request = {"model": config.model, "messages": messages}
    if mode == "schema":
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": brief_json_schema()},
        }
    else:
        body["response_format"] = {"type": "json_object"}
    if config.temperature is not None:
        body["temperature"] = config.temperature
    # OpenAI's own API wants max_completion_tokens; most compatible servers know max_tokens.
    budget_key = "max_tokens" if config.base_url else "max_completion_tokens"
    body[budget_key] = config.max_output_tokens
    return body


def _conversation(
    article: Article,
    template: PromptTemplate,
    config: LLMConfig,
    boundary: Boundary | None,
) -> Conversation:
    import openai

    boundary = boundary or Boundary.new()
    messages = build_messages(article, template, boundary)
    mode = "object" if config.json_mode == "object" else "schema"
    if mode == "object":
        messages = _with_json_object_instructions(messages, template)
    usage = Usage()
    attempts: list[str] = []
    notices: list[Notice] = []
    reasked = False
    before_repair: Brief | None = None

    def done(brief: Brief, completion: ChatCompletion) -> EngineResult:
        return EngineResult(
            brief=brief,
            usage=usage,
            model=getattr(completion, "model", None) or config.model,
            prompt=PromptInfo(name=template.name, version=template.version),
            notices=notices,
        )

    while True:
        request = _request_body(config, messages, mode)
        try:
            completion = yield request
        except openai.BadRequestError as exc:
            if mode == "schema" and config.json_mode == "auto" and _rejects_schema(exc):
                mode = "object"
                messages = _with_json_object_instructions(messages, template)
                notices.append(
                    Notice(
                        code="json_object_fallback",
                        message="the endpoint refused json_schema output; "
                        "asked again in json_object mode with the schema in the prompt",
                    )
                )
                continue
            raise
        usage += _usage_of(completion, notices)
        raw = _content_of(completion, usage, attempts)
        attempts.append(raw)
        try:
            brief = parse_brief(raw)
        except _Unusable as problem:
            if before_repair is not None:  # the repair came back unusable: keep what we had
                notices.append(
                    Notice(
                        code="repair_failed", message=f"the repair answer was unusable: {problem}"
                    )
                )
                return done(before_repair, completion)
            if reasked:
                raise errors.InvalidOutputError(
                    f"the model's output is not a valid brief after a re-ask: {problem}",
                    raw_output=raw,
                    attempts=attempts,
                    usage=usage,
                ) from None
            reasked = True
            notices.append(Notice(code="reasked", message=f"first answer was unusable: {problem}"))
            messages = [
                *messages,
                {"role": "assistant", "content": raw},
                {"role": "user", "content": template.render("reask", {"errors": str(problem)})},
            ]
            continue
        missing = missing_quotes(brief, article.text)
        if missing and before_repair is None:
            before_repair = brief
            notices.append(
                Notice(
                    code="repair_requested",
                    message=f"{len(missing)} evidence quote(s) were not in the article; "
                    "asked the model once to quote exactly or drop them",
                )
            )
            items = "\n".join(f"- {where}: {quote!r}" for where, quote in missing)
            messages = [
                *messages,
                {"role": "assistant", "content": raw},
                {"role": "user", "content": template.render("repair", {"items": items})},
            ]
            continue
        return done(brief, completion)


def missing_quotes(brief: Brief, article: str) -> list[tuple[str, str]]:
    """List the evidence quotes of `brief` that cannot be found in `article` at all."""
    items = [(f"key_facts[{i}].evidence", f.evidence) for i, f in enumerate(brief.key_facts)]
    items += [
        (f"sourcing_caveats[{i}].evidence", c.evidence)
        for i, c in enumerate(brief.sourcing_caveats)
    ]
    return [(where, quote) for where, quote in items if locate(quote, article).status == "missing"]


def _with_json_object_instructions(
    messages: list[dict[str, str]], template: PromptTemplate
) -> list[dict[str, str]]:
    schema = json.dumps(brief_json_schema(), indent=1, ensure_ascii=False)
    extra = template.render("json_object", {"schema": schema}).strip()
    system, *rest = messages
    return [{"role": "system", "content": f"{system['content']}\n\n{extra}"}, *rest]


def _rejects_schema(exc: openai.BadRequestError) -> bool:
    text = f"{_error_message(exc)} {exc.param or ''}".lower()
    return any(word in text for word in ("response_format", "json_schema", "structured output"))


class _Unusable(Exception):
    """The model's answer cannot be turned into a Brief (internal; becomes a re-ask)."""


_FENCE = re.compile(r"^\s*```(?:json)?\s*\n(.*?)\n\s*```\s*$", re.DOTALL)


def parse_brief(raw: str) -> Brief:
    """Parse and validate a model's JSON answer; raise `_Unusable` saying what is wrong."""
    fenced = _FENCE.match(raw)
    text = fenced.group(1) if fenced else raw
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Unusable(f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    try:
        return Brief.model_validate(data)
    except ValidationError as exc:
        raise _Unusable(f"does not match the schema: {_validation_summary(exc)}") from None


def _validation_summary(exc: ValidationError, limit: int = 8) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{where}: {err['msg']}")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def _usage_of(completion: ChatCompletion, notices: list[Notice]) -> Usage:
    usage = getattr(completion, "usage", None)
    if usage is None:
        if not any(n.code == "usage_missing" for n in notices):
            notices.append(
                Notice(
                    code="usage_missing",
                    message="the endpoint reported no token usage; usage counts are incomplete",
                )
            )
        return Usage(requests=1)
    return Usage(
        requests=1,
        prompt_tokens=usage.prompt_tokens or 0,
        completion_tokens=usage.completion_tokens or 0,
        total_tokens=usage.total_tokens or 0,
    )


def _content_of(completion: ChatCompletion, usage: Usage, attempts: list[str]) -> str:
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise errors.EmptyResponseError(
            "the endpoint answered with no choices; try again, or another model",
            usage=usage,
            attempts=attempts,
        )
    choice = choices[0]
    message = choice.message
    content = message.content if message is not None else None
    refusal = getattr(message, "refusal", None)
    if refusal:
        raise errors.RefusalError(refusal, raw_output=content, attempts=attempts, usage=usage)
    if choice.finish_reason == "length":
        raise errors.TruncatedOutputError(
            "the answer was cut off at the output token budget; raise --max-output-tokens",
            raw_output=content,
            attempts=[*attempts, content or ""],
            usage=usage,
        )
    if choice.finish_reason == "content_filter":
        raise errors.RefusalError(
            "the endpoint's content filter stopped the answer",
            raw_output=content,
            attempts=attempts,
            usage=usage,
        )
    if not content or not content.strip():
        raise errors.EmptyResponseError(
            "the endpoint answered with an empty message; try again, or another model",
            usage=usage,
            attempts=attempts,
        )
    return str(content)


# --- drivers: send what the conversation asks for --------------------------------------------


def _drive(conversation: Conversation, send: Callable[[Request], ChatCompletion]) -> EngineResult:
    import openai

    try:
        request = next(conversation)
        while True:
            try:
                response = send(request)
            except openai.BadRequestError as exc:
                request = conversation.throw(exc)
            else:
                request = conversation.send(response)
    except StopIteration as done:
        result: EngineResult = done.value
        return result


async def _adrive(
    conversation: Conversation, send: Callable[[Request], Awaitable[ChatCompletion]]
) -> EngineResult:
    import openai

    try:
        request = next(conversation)
        while True:
            try:
                response = await send(request)
            except openai.BadRequestError as exc:
                request = conversation.throw(exc)
            else:
                request = conversation.send(response)
    except StopIteration as done:
        result: EngineResult = done.value
        return result


# --- retry rules (mirroring the SDK's, which we switch off) ----------------------------------


def _is_transient(exc: BaseException, max_wait: float) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if not isinstance(exc, openai.APIStatusError):
        return False
    should = exc.response.headers.get("x-should-retry")
    if should == "false":
        return False
    if _error_code(exc) == "insufficient_quota":
        return False
    after = retry_after_seconds(exc.response.headers)
    if after is not None and after > max_wait:
        return False
    if should == "true":
        return True
    return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500


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


def _error_body(exc: openai.APIStatusError) -> dict[str, Any]:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    return dict(body) if isinstance(body, dict) else {}


def _error_code(exc: openai.APIStatusError) -> str | None:
    body = _error_body(exc)
    code = exc.code or body.get("code") or body.get("type")
    return str(code) if code else None


def _error_message(exc: openai.APIError) -> str:
    if hasattr(exc, "status_code"):
        message = _error_body(exc).get("message")  # type: ignore[arg-type]
        if message:
            return str(message)
    return str(exc)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
