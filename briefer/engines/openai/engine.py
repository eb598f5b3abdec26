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

import json
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import httpx
import tenacity

from briefer import errors
from briefer.engines import EngineResult, EngineSetup, PrefixGate
from briefer.engines.estimate import EXPECTED_OUTPUT_TOKENS, Plan, cacheable
from briefer.engines.merge import merge_briefs
from briefer.engines.openai.budget import Budget
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.conversation import (
    BRIEF,
    Conversation,
    Overflow,
    Unusable,
    conversation,
    parse_output,
)
from briefer.engines.openai.drafts import Drafting
from briefer.engines.openai.endpoint import FormatMemory, Negotiation, OutputFormat, provider_of
from briefer.engines.openai.messages import (
    OutputSpec,
    Request,
    build_merge_messages,
    build_messages,
    prefix_key,
    request_body,
    with_format,
)
from briefer.engines.openai.models import ModelInfo, model_info
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
from briefer.schema import Brief, Notice, Usage
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


@dataclass(frozen=True)
class _Job:
    """One request's conversation: its messages and the text its quotes must come from."""

    messages: list[dict[str, str]]
    article_text: str
    template: PromptTemplate


def _require_configured(config: LLMConfig) -> None:
    if not config.configured:
        raise errors.ConfigError(
            "no LLM is configured: set OPENAI_API_KEY, or OPENAI_BASE_URL for a local "
            "server (vLLM, Ollama, llama.cpp)"
        )


@dataclass(frozen=True)
class BatchRequest:
    """One request of a Batch API file: its body, and its prompt tokens as the budget counts
    them (the schema too)."""

    body: dict[str, object]
    prompt_tokens: int


class OpenAIEngine(Drafting):
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

        given = self.given
        _require_configured(given)
        protect_logs(given.secrets)
        if self._client is None:
            self._client = openai.OpenAI(
                api_key=given.api_key or "unused",
                base_url=given.request_url or given.endpoint,  # credentials and all
                default_query=given.query or None,
                max_retries=0,
                timeout=given.timeout,
                # The SDK sends through httpx2 by default, which respx cannot see; it accepts
                # a classic httpx client too, and that one is our seam for tests and recording.
                # Ours bounds every answer in time and size (`transport.llm_client`).
                http_client=self._http_client or llm_client(given),  # type: ignore[arg-type]
            )
        return self._client

    def _async_client_for_loop(self) -> openai.AsyncOpenAI:
        import asyncio

        import openai

        given = self.given
        _require_configured(given)
        protect_logs(given.secrets)
        loop = asyncio.get_running_loop()
        if self._async_client is None or self._async_loop is not loop:
            self._async_loop = loop
            self._async_client = openai.AsyncOpenAI(
                api_key=given.api_key or "unused",
                base_url=given.request_url or given.endpoint,  # credentials and all
                default_query=given.query or None,
                max_retries=0,
                timeout=given.timeout,
                http_client=self._async_http_client  # type: ignore[arg-type]
                or async_llm_client(given),
            )
        return self._async_client

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

    # --- planning ------------------------------------------------------------------------------

    def estimate(self, article: Article, *, truncated: bool) -> Plan:
        """Count the requests this engine would send for `article`, sending nothing.

        Each request is counted as the budget counts it (`prompt_tokens`): in the output
        format asked in now, the schema included wherever it goes into the prompt.
        """

        budget = self.budget
        jobs = self.jobs(article)
        per_request = min(EXPECTED_OUTPUT_TOKENS, budget.output_tokens)
        input_tokens = sum(self.prompt_tokens(job.messages, template=job.template) for job in jobs)
        # The prefix every request of a prompt shares: the system message (and the schema).
        shared = self.prompt_tokens(jobs[0].messages[:1], template=jobs[0].template)
        cached = cacheable(shared) * len(jobs)
        requests = len(jobs)
        if len(jobs) > 1:
            template = load_template("merge")
            merge = build_merge_messages([], template, Boundary.new(), article.title)
            input_tokens += self.prompt_tokens(merge, template=template)
            input_tokens += len(jobs) * per_request  # the parts' briefs it reads
            cached += cacheable(self.prompt_tokens(merge[:1], template=template))
            requests += 1
        output_tokens = requests * per_request
        return Plan(
            engine="openai",
            model=self.config.model,
            price_entry=budget.model.name,
            exact_counts=budget.counter.exact,
            context_tokens=budget.context_tokens,
            output_budget=budget.output_tokens,
            chunks=len(jobs),
            requests=requests,
            input_tokens=input_tokens,
            expected_output_tokens=output_tokens,
            cost_usd=budget.model.cost(input_tokens, output_tokens),
            truncated=truncated,
            note=budget.counter.note,
            cached_tokens=cached,
            cost_if_cached=budget.model.cost(input_tokens, output_tokens, cached),
            context_source=budget.context_source,
        )

    def jobs(self, article: Article, boundary: Boundary | None = None) -> list[_Job]:
        """The requests that will brief `article`: one, or one per chunk (merge comes after).

        Chunks are sized for the output format asked in now: the schema counts where it goes
        into the prompt (json_object mode; OpenAI's json_schema).
        """
        messages = build_messages(article, self.template, boundary or Boundary.new())
        counter = self.budget.counter
        overhead = self.prompt_tokens(messages) - counter.count(article.text)
        chunks = self.budget.chunks_for(article, overhead)
        if chunks is None:
            return [_Job(messages, article.text, self.template)]
        jobs = []
        for chunk in chunks:
            part = Article(text=chunk.text, source=article.source, title=article.title)
            jobs.append(
                _Job(build_messages(part, self.template, Boundary.new()), chunk.text, self.template)
            )
        return jobs

    def batch_requests(self, article: Article) -> list[BatchRequest]:
        """The requests briefing `article` takes (one per part), as a Batch API file carries
        them: always json_schema, since a batch cannot fall back to another format (with the
        length limits a local server needs). Nothing is sent."""
        fmt = OutputFormat("schema", lengths=provider_of(self.config.base_url) == "other")
        return [
            BatchRequest(
                request_body(self.config, job.messages, fmt, self.budget.output_tokens, BRIEF),
                self.prompt_tokens(job.messages, fmt),
            )
            for job in self.jobs(article)
        ]

    @staticmethod
    def parse_brief(content: str) -> Brief:
        """A brief from the content of a model's answer (a Batch API output line's), validated
        against the schema; `ValueError` saying what is wrong when it is not one."""
        try:
            brief: Brief = parse_output(content, BRIEF.model)
        except Unusable as exc:
            raise ValueError(str(exc)) from None
        return brief

    def prompt_tokens(
        self,
        messages: list[dict[str, str]],
        fmt: OutputFormat | None = None,
        output: OutputSpec = BRIEF,
        template: PromptTemplate | None = None,
    ) -> int:
        """The prompt tokens of a request of `messages` in `fmt` (default: the format asked in
        now), as the budget counts them: the messages as sent (in json_object mode with the
        schema in the system message, as `template` words it), and the schema where the
        server puts it into the prompt (OpenAI's json_schema)."""
        fmt = fmt or self.negotiation.current
        sent = with_format(messages, template or self.template, output, fmt)
        return self._sent_tokens(sent, fmt, output)

    def _sent_tokens(
        self, sent: list[dict[str, str]], fmt: OutputFormat, output: OutputSpec
    ) -> int:
        tokens = self.budget.counter.count_messages(sent)
        if fmt.mode == "schema" and provider_of(self.config.base_url) != "other":
            key = (output.name, fmt.lengths)
            if key not in self._schema_counts:
                schema = json.dumps(output.schema(lengths=fmt.lengths))
                self._schema_counts[key] = self.budget.counter.count(schema)
            tokens += self._schema_counts[key]
        return tokens

    def _overflow(self, output: OutputSpec) -> Overflow:
        """How a conversation for `output` learns that a request cannot fit the context."""
        return lambda sent, fmt: self.budget.overflow(self._sent_tokens(sent, fmt, output))

    def _merge_job(self, article: Article, partials: list[EngineResult]) -> _Job:
        template = load_template("merge")
        messages = build_merge_messages(
            [p.brief for p in partials], template, Boundary.new(), article.title
        )
        return _Job(messages, article.text, template)

    def _merged_by_rule(self, job: _Job, partials: list[EngineResult]) -> EngineResult | None:
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

    def _talk(self, job: _Job) -> Conversation:
        text = job.article_text
        return conversation(
            job.messages,
            job.template,
            self.config,
            self.budget.output_tokens,
            missing=lambda brief: missing_quotes(brief, text),
            negotiation=self.negotiation,
            overflow=self._overflow(BRIEF),
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

        def run(job: _Job) -> EngineResult:
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

        async def run(job: _Job) -> EngineResult:
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
