"""The OpenAI engine: brief an article through any OpenAI-compatible chat completions endpoint.

How one brief is made:

0. Once per engine (`resolve`): the model, the context and the output format. At a local
   server (any endpoint but OpenAI's and Azure's) they come from the server where the
   settings do not say (`briefer.engines.openai.discovery`), and the output format is
   negotiated with it (`briefer.engines.openai.endpoint`).
1. The conversation (`conversation`, no I/O) builds the request: system and user
   messages from the prompt template, the article wrapped in a fresh random boundary,
   `response_format` json_schema (strict) or json_object with the schema, and measures it
   against the context before it goes.
2. A driver (`briefer.engines.openai.transport`) sends each request. Transport retries belong to
   tenacity alone: the SDK's own retries are off (`max_retries=0`). A retry resends the
   identical request.
3. The answer is checked: refusal, truncation, no choices; then parsed and validated against
   `Brief`. Invalid output gets exactly one re-ask carrying the validation error. A server that
   refuses the output format gets the request at once in the next one (json_object with the
   schema, inline and in the prompt), and so does every later request of the engine.

An article too long for one request (`budget`) is split into chunks that are briefed
concurrently (map), at most `LLMConfig.concurrency` at a time (default `MAP_CONCURRENCY`, or
the server's slots when fewer); a merge request (`prompts/merge.toml`) then combines their
briefs (reduce), or, when that request cannot fit the context, the rules of
`briefer.engines.merge` do.

`import openai` is slow, so it is imported only inside methods that send requests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx
import tenacity

from briefer import errors
from briefer.engines import EngineResult, EngineSetup, PrefixGate
from briefer.engines.merge import merge_briefs
from briefer.engines.openai.budget import Budget
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.conversation import BRIEF, Conversation, Overflow
from briefer.engines.openai.drafts import Drafting
from briefer.engines.openai.endpoint import FormatMemory, Negotiation, provider_of
from briefer.engines.openai.messages import (
    OutputSpec,
    Request,
    build_merge_messages,
    prefix_key,
    with_format,
)
from briefer.engines.openai.models import ModelInfo, model_info
from briefer.engines.openai.planning import Job, Planning
from briefer.engines.openai.prompts import PromptTemplate, load_template
from briefer.engines.openai.resolution import Resolved, settle
from briefer.engines.openai.transport import (
    RateLimitListener,
    adrive,
    async_llm_client,
    drive,
    llm_client,
    retry_policy,
    translate_error,
)
from briefer.errors import BrieferError
from briefer.inputs.article import Article
from briefer.schema import Notice, Usage
from briefer.text.redact import protect_logs
from briefer.text.tokens import TokenCounter
from briefer.text.untrusted import Boundary
from briefer.verify.quotes import missing_quotes

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion


MAP_CONCURRENCY = 4
# Requests go through the client's plain `post`: our bodies are already in wire form, and the
# SDK's `create` would walk every request (schema included) to transform it, a millisecond or
# two per request that a digest of a hundred articles feels.
_CHAT = "/chat/completions"


def _completion_type() -> type[ChatCompletion]:
    from openai.types.chat import ChatCompletion

    return ChatCompletion


def _require_configured(config: LLMConfig) -> None:
    if not config.configured:
        raise errors.ConfigError(
            "no LLM is configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local "
            "server (vLLM, Ollama, llama.cpp)"
        )


def _client_options(given: LLMConfig) -> dict[str, Any]:
    """What both SDK clients are made with: the endpoint, credentials and all, and no retries
    of the SDK's own (tenacity's alone)."""
    return {
        "api_key": given.api_key or "unused",
        "base_url": given.request_url or given.endpoint,
        "default_query": given.query or None,
        "max_retries": 0,
        "timeout": given.timeout,
    }


class OpenAIEngine(Planning, Drafting):
    """Brief articles through an OpenAI-compatible endpoint."""

    name = "openai"
    origin: Literal["rules", "model"] = "model"

    def __init__(
        self,
        config: LLMConfig,
        template: PromptTemplate,
        *,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], None] | None = None,
        async_sleep: Callable[[float], Awaitable[None]] | None = None,
        planning: bool = False,
        memory: FormatMemory | None = None,
    ) -> None:
        if not planning:
            _require_configured(config)
        self.given = config
        self.template = template
        self.planning = planning
        self._memory = memory
        self._resolved: Resolved | BrieferError | None = None
        self._resolving = threading.Lock()
        self._schema_counts: dict[tuple[str, bool], int] = {}
        self._http_client = http_client
        self._async_http_client = async_http_client
        self._sleep = sleep if sleep is not None else time.sleep
        self._async_sleep = async_sleep
        self.on_rate_limit: RateLimitListener | None = None
        self._client: openai.OpenAI | None = None
        self._async_client: openai.AsyncOpenAI | None = None
        self._async_loop: object = None

    @classmethod
    def create(cls, setup: EngineSetup) -> OpenAIEngine:
        """The engine, from a Briefer's setup: its options "llm" (the config) and "prompt",
        and the HTTP clients."""
        prompt = setup.option("prompt", (str, Path, PromptTemplate), "brief")
        template = prompt if isinstance(prompt, PromptTemplate) else load_template(prompt)
        return cls(
            setup.option("llm", LLMConfig, LLMConfig()),
            template,
            http_client=setup.http_client,
            async_http_client=setup.async_http_client,
            planning=setup.planning,
            memory=setup.memory,
        )

    # --- what the endpoint is: resolved once, from the settings and, for a local server, from
    # what the server says about itself ----------------------------------------------------------

    def resolve(self) -> list[str]:
        """Settle the model, context and output format, asking a local server what it serves
        where the settings do not say; return what is worth telling the user about it (once).

        At OpenAI and Azure, no model named means gpt-4o-mini. At any other endpoint it means
        the one model the server lists (`ConfigError` listing them when it serves several),
        and the context is the one the server states (llama.cpp's `/props`, vLLM's
        `max_model_len`), else the model table's, said in a note when it is only the
        table's default. A server that cannot be asked is an error when the model must come
        from it, except when only planning (`--dry-run`): the plan then has no model and the
        table's default context, and says why. Called by every property that needs these,
        once; blocking (a digest's command line calls it before its event loop starts).
        """
        resolved = self._resolve()
        notes, resolved.notes = resolved.notes, []
        return notes

    def _resolve(self) -> Resolved:
        with self._resolving:
            if self._resolved is None:
                try:
                    self._resolved = self._settle()
                except BrieferError as exc:
                    self._resolved = exc
            if isinstance(self._resolved, BrieferError):
                raise self._resolved
            return self._resolved

    def _settle(self) -> Resolved:
        return settle(self.given, self._http_client, planning=self.planning, memory=self._memory)

    @property
    def config(self) -> LLMConfig:
        """The settings with the model settled (see `resolve`)."""
        return self._resolve().config

    @property
    def budget(self) -> Budget:
        """Token limits of this endpoint and model (see `resolve`)."""
        return self._resolve().budget

    @property
    def negotiation(self) -> Negotiation:
        """The output format the endpoint takes, learned once for all requests (and kept in
        the store, when there is one, for the next run)."""
        return self._resolve().negotiation

    @property
    def slots(self) -> int | None:
        """How many requests the server works on at once, when it says (llama-server -np)."""
        return self._resolve().slots

    @property
    def model(self) -> str | None:
        """The model that writes the briefs (None only when planning without one)."""
        return self.config.model

    @property
    def parallel(self) -> int:
        """How many requests of one article (its parts) may be on their way at once: the
        concurrency set, else 4, and never more than the server's slots."""
        if self.config.concurrency:
            return self.config.concurrency
        return min(MAP_CONCURRENCY, self.slots or MAP_CONCURRENCY)

    @property
    def prompt_id(self) -> str:
        """The prompt template and its version ("brief@3")."""
        return f"{self.template.name}@{self.template.version}"

    @property
    def counter(self) -> TokenCounter:
        """The token counter of this engine's budget (exact, or an estimate)."""
        return self.budget.counter

    # --- clients: made on first use, kept for reuse (connection pooling) -----------------------

    def client(self) -> openai.OpenAI:
        """The blocking SDK client (made on first use, kept for reuse)."""
        import openai

        given = self._configured()
        if self._client is None:
            self._client = openai.OpenAI(
                **_client_options(given),
                # The SDK sends through httpx2 by default, which respx cannot see; it accepts
                # a classic httpx client too, and that one is our seam for tests and recording.
                # Ours bounds every answer in time and size (`transport.llm_client`).
                http_client=self._http_client or llm_client(given),  # type: ignore[arg-type]
            )
        return self._client

    def _async_client_for_loop(self) -> openai.AsyncOpenAI:
        import asyncio

        import openai

        given = self._configured()
        loop = asyncio.get_running_loop()
        if self._async_client is None or self._async_loop is not loop:
            self._async_loop = loop
            self._async_client = openai.AsyncOpenAI(
                **_client_options(given),
                http_client=self._async_http_client  # type: ignore[arg-type]
                or async_llm_client(given),
            )
        return self._async_client

    def _configured(self) -> LLMConfig:
        """The settings the SDK clients are made with: refused when no LLM is configured,
        their secrets kept out of the logs."""
        given = self.given
        _require_configured(given)
        protect_logs(given.secrets)
        return given

    def close(self) -> None:
        """Close the blocking client's connections."""
        if self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        """Close the async client's connections."""
        if self._async_client is not None:
            await self._async_client.close()
            self._async_client = None

    def _overflow(self, output: OutputSpec) -> Overflow:
        """How a conversation for `output` learns that a request cannot fit the context."""
        return lambda sent, fmt: self.budget.overflow(self._sent_tokens(sent, fmt, output))

    def _merge_job(self, article: Article, partials: list[EngineResult]) -> Job:
        template = load_template("merge")
        messages = build_merge_messages(
            [p.brief for p in partials], template, Boundary.new(), article.title
        )
        return Job(messages, article.text, template)

    def _merged_by_rule(self, job: Job, partials: list[EngineResult]) -> EngineResult | None:
        """The parts' briefs merged by rule (`briefer.engines.merge`) when the merge request
        cannot fit the context (a small local one); None when it fits."""
        fmt = self.negotiation.current
        sent = with_format(job.messages, job.template, BRIEF, fmt)
        too_long = self.budget.overflow(self._sent_tokens(sent, fmt, BRIEF))
        if too_long is None:
            return None
        notice = Notice(
            code="merged_by_rule",
            message=f"the request merging the parts' briefs was not sent: {too_long}; "
            "merged them by rule instead",
        )
        return EngineResult(
            brief=merge_briefs([p.brief for p in partials]),
            usage=Usage(),
            model=partials[0].model,
            prompt=partials[0].prompt,
            notices=[notice],
        )

    def _talk(self, job: Job) -> Conversation:
        text = job.article_text
        return self._conversation(
            BRIEF, job.messages, job.template, lambda brief: missing_quotes(brief, text)
        )

    # --- sync -------------------------------------------------------------------------------

    def _sender(self) -> Callable[[Request], ChatCompletion]:
        """Send one request, blocking, through the one retry layer."""
        client = self.client()
        policy = retry_policy(self.config, self.on_rate_limit)

        def send(request: Request) -> ChatCompletion:
            for attempt in tenacity.Retrying(sleep=self._sleep, **policy):
                with attempt:
                    return client.post(_CHAT, cast_to=_completion_type(), body=request)
            raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

        return send

    def brief(self, article: Article, *, boundary: Boundary | None = None) -> EngineResult:
        """Brief one article, blocking."""
        import openai

        jobs = self.jobs(article, boundary)
        send = self._sender()

        def run(job: Job) -> EngineResult:
            return drive(self._talk(job), send).as_result()

        try:
            if len(jobs) == 1:
                return self._priced(run(jobs[0]))
            with ThreadPoolExecutor(max_workers=min(self.parallel, len(jobs))) as pool:
                partials = list(pool.map(run, jobs))
            merge = self._merge_job(article, partials)
            merged = self._merged_by_rule(merge, partials) or run(merge)
        except openai.APIError as exc:
            raise translate_error(exc, self.config) from None
        return self._priced(_combined(partials, merged))

    # --- async ------------------------------------------------------------------------------

    async def abrief(
        self,
        article: Article,
        *,
        boundary: Boundary | None = None,
        gate: AbstractAsyncContextManager[None] | None = None,
    ) -> EngineResult:
        """Brief one article without blocking the event loop.

        Each attempt of a request holds a slot of `gate`, a digest's concurrency limiter, only
        while it is on its way: reading the answer happens after the slot is handed on, and a
        retry waits for a slot again (so it obeys a concurrency lowered meanwhile, after a 429
        or a local server out of room).
        """
        import asyncio

        import openai

        jobs = self.jobs(article, boundary)
        client = self._async_client_for_loop()
        sleep = self._async_sleep if self._async_sleep is not None else asyncio.sleep
        parts = asyncio.Semaphore(self.parallel)
        policy = retry_policy(self.config, self.on_rate_limit)

        async def post(request: Request) -> ChatCompletion:
            return await client.post(_CHAT, cast_to=_completion_type(), body=request)

        async def send(request: Request) -> ChatCompletion:
            slot = gate
            if isinstance(gate, PrefixGate):
                slot = gate.with_prefix(prefix_key(request))
            async for attempt in tenacity.AsyncRetrying(sleep=sleep, **policy):
                with attempt:
                    if slot is None:
                        return await post(request)
                    async with slot:  # each attempt waits for a slot of its own
                        completion = await post(request)
                    # One turn of the loop: a request of an earlier article waiting for this
                    # slot goes out before this answer is checked (the limiter keeps the slot a
                    # turn for this article's own follow-up when no earlier one waits).
                    await asyncio.sleep(0)
                    return completion
            raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover

        async def run(job: Job) -> EngineResult:
            async with parts:
                return (await adrive(self._talk(job), send)).as_result()

        try:
            if len(jobs) == 1:
                return self._priced(await run(jobs[0]))
            partials = list(await asyncio.gather(*(run(job) for job in jobs)))
            merge = self._merge_job(article, partials)
            merged = self._merged_by_rule(merge, partials) or await run(merge)
        except openai.APIError as exc:
            raise translate_error(exc, self.config) from None
        return self._priced(_combined(partials, merged))

    def price_table(self, answered: str | None) -> ModelInfo:
        """The model table's entry for pricing what `answered` (the model an answer names)
        wrote: list prices at OpenAI and Azure only (a local server may call itself
        gpt-4o-mini); elsewhere the user's price file alone prices it."""
        list_prices = provider_of(self.given.base_url) != "other"
        name = answered or self.given.model or self.config.model or ""
        return model_info(name, user_file=self.config.prices, list_prices=list_prices)

    def _priced(self, result: EngineResult) -> EngineResult:
        """The result with its cost in dollars (None when the model has no price)."""
        info = self.price_table(result.model)
        usage = result.usage
        cost = info.cost(usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens)
        return replace(result, usage=usage.model_copy(update={"cost_usd": cost}))


def _combined(partials: list[EngineResult], merged: EngineResult) -> EngineResult:
    """The merged brief, with usage and notices summed over every request."""
    usage = sum((p.usage for p in partials), Usage(chunks=len(partials))) + merged.usage
    notices = [
        Notice(
            code="chunked",
            message=f"the article was too long for one request: briefed in {len(partials)} "
            "parts, then merged",
        ),
        *(n for p in partials for n in p.notices),
        *merged.notices,
    ]
    return EngineResult(
        brief=merged.brief,
        usage=usage.model_copy(update={"chunks": len(partials)}),
        model=merged.model,
        prompt=partials[0].prompt,
        notices=notices,
    )
