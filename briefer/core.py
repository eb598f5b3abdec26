"""The library's front door: `Briefer` turns article text into an `Envelope`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx

from briefer._version import __version__
from briefer.digest.pacing import IdleRunner, Urgency
from briefer.engines import Engine, EngineResult
from briefer.engines.estimate import Plan, plan_llm, plan_offline
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.models import model_info
from briefer.engines.openai.prompts import PromptTemplate, load_template
from briefer.errors import ConfigError, EngineError, UsageError
from briefer.inputs import ArticleInput, LoadOptions, load_article, waits_on_io
from briefer.inputs.article import Article
from briefer.schema import (
    SCHEMA_VERSION,
    CaveatKind,
    Envelope,
    Notice,
    PromptInfo,
    SourcingCaveat,
)
from briefer.settings import Settings
from briefer.store import Store, Stored, cache_key
from briefer.text import sentences
from briefer.text.chunking import truncate_article
from briefer.text.tokens import TokenCounter
from briefer.verify import Origin, check_brief
from briefer.verify.sourcing import SourcingProfile, analyze_sourcing

if TYPE_CHECKING:
    from briefer.digest import Digest
    from briefer.engines.openai import OpenAIEngine
    from briefer.schema.comparison import Comparison

EngineChoice = Literal["auto", "openai", "offline"]
ENGINE_CHOICES: tuple[EngineChoice, ...] = ("auto", "openai", "offline")


class Briefer:
    """Make briefs of news articles.

    >>> Briefer().brief(text)            # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        engine: str | None = None,
        config: LLMConfig | None = None,
        prompt: str | Path | PromptTemplate = "brief",
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        strict: bool = False,
        max_input_tokens: int | None = None,
        fallback: bool = False,
        store: Store | None = None,
        refresh: bool = False,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        load_options: LoadOptions | None = None,
    ) -> None:
        """Configure a Briefer; settings not given are read from the environment now.

        `engine` is "auto" (the default, or $BRIEFER_ENGINE): the OpenAI engine when a key or
        base URL is configured, else the offline engine. `model`, `base_url`, `api_key` and
        `timeout` override the environment, or the `config` when one is given. Load limits
        default to `LoadOptions()` with $BRIEFER_MAX_BYTES (`briefer.settings`).
        With `strict`, items whose evidence is not found in the article are dropped, and a brief
        left with no key fact is an error.
        `max_input_tokens` cuts long articles after a sentence instead of briefing them in
        parts, and says so in a caveat. With `fallback`, an article the LLM engine fails on is
        briefed by the offline engine instead (marked, not stored). With a `store`, briefs are
        cached and kept: a brief already stored for the same article, engine, model and prompt
        is reused without any request (unless `refresh`).
        """
        self.store = store
        self.refresh = refresh
        self.fallback = fallback
        settings = Settings.from_env()
        self.load_options = load_options or LoadOptions.from_env()
        self.strict = strict
        if max_input_tokens is not None and max_input_tokens < 1:
            raise ConfigError(
                f"{max_input_tokens} is not a positive number of tokens",
                fix="give {max_input_tokens} a positive number",
            )
        self.max_input_tokens = max_input_tokens
        loose: dict[str, Any] = {
            "model": model, "base_url": base_url, "api_key": api_key, "timeout": timeout
        }  # fmt: skip
        given = {name: value for name, value in loose.items() if value is not None}
        self.config = (
            replace(config, **given) if config is not None else LLMConfig.from_env(**given)
        )
        choice = engine or settings.engine or "auto"
        if choice not in ENGINE_CHOICES:
            raise ConfigError(f"engine {choice!r} is not one of {', '.join(ENGINE_CHOICES)}")
        self._llm: OpenAIEngine | None = None
        self._prompt_id = f"offline@{__version__}"
        if choice == "offline" or (choice == "auto" and not self.config.configured):
            from briefer.engines.offline import OfflineEngine

            self._engine: Engine = OfflineEngine()
        else:
            from briefer.engines.openai import OpenAIEngine

            template = prompt if isinstance(prompt, PromptTemplate) else load_template(prompt)
            self._prompt_id = f"{template.name}@{template.version}"
            self._llm = OpenAIEngine(
                self.config,
                template,
                http_client=http_client,
                async_http_client=async_http_client,
            )
            self._engine = self._llm

    @property
    def engine(self) -> str:
        """Name of the engine this Briefer uses."""
        return self._engine.name

    @property
    def llm(self) -> OpenAIEngine | None:
        """The LLM engine, or None when this Briefer uses the offline engine."""
        return self._llm

    @property
    def prompt_info(self) -> PromptInfo:
        """The prompt (or offline engine version) that shapes this Briefer's briefs."""
        name, _, version = self._prompt_id.partition("@")
        return PromptInfo(name=name, version=version)

    def envelope(self, article: Article, result: EngineResult) -> Envelope:
        """Verify an engine's result for `article` and wrap it (as `brief` does)."""
        return self._envelope(article, result, None)

    @property
    def counter(self) -> TokenCounter:
        """The token counter this Briefer's budget uses (exact, or an estimate)."""
        return self._llm.budget.counter if self._llm else TokenCounter("estimate")

    def brief(self, article: ArticleInput) -> Envelope:
        """Brief one article: its text (a `str`), a `Path`, a `URL` or an `Article`."""
        return self.brief_stored(article).envelope

    async def abrief(self, article: ArticleInput) -> Envelope:
        """Brief one article without blocking the event loop."""
        return (await self.abrief_stored(article)).envelope

    def brief_stored(self, article: ArticleInput) -> Stored:
        """Brief one article, reusing and storing through the store; say which happened."""
        article = load_article(article, self.load_options)
        hit = self.cached(article)
        if hit is not None:
            return hit
        work, caveat = self._fit(article)
        try:
            result = self._engine.brief(work)
        except EngineError as exc:
            return self._fall_back(article, work, caveat, exc)
        return self._keep(article, self._envelope(article, result, caveat))

    async def abrief_stored(
        self,
        article: ArticleInput,
        *,
        gate: AbstractAsyncContextManager[None] | None = None,
        runner: IdleRunner | None = None,
    ) -> Stored:
        """`brief_stored`, without blocking the event loop.

        Each request to the model holds a slot of `gate` (a digest's concurrency limiter)
        only while it is on its way. With a `runner` (a digest's), the CPU work around the
        request runs in the loop's quiet moments: the sourcing analysis while the request is
        on its way, the checks and the store once the answer is in. Cancelled while
        its answer waits for those checks (Ctrl-C under asyncio.run cancels), it still checks
        and stores the brief first: an answer that has arrived is never lost.
        """
        article = await self._aload(article)
        hit = self.cached(article)
        if hit is not None:
            return hit
        work, caveat = self._fit(article)
        text = article.text
        profile = (
            runner.submit(lambda: analyze_sourcing(text), Urgency.PREPARE)
            if runner is not None and self._llm is not None  # the offline engine does its own
            else None
        )
        try:
            result = await self._engine.abrief(work, gate=gate)
        except BaseException as exc:
            if profile is not None:
                profile.cancel()  # no answer to check
            if isinstance(exc, EngineError):
                return self._fall_back(article, work, caveat, exc)
            raise
        if runner is None:
            return self._keep(article, self._envelope(article, result, caveat))

        def finish() -> Stored:
            known = _computed(profile)
            return self._keep(article, self._envelope(article, result, caveat, known))

        done = runner.submit(finish, Urgency.FINISH)
        try:
            return await done
        except asyncio.CancelledError:
            if done.cancelled():  # the runner had not got to it: do it now
                finish()
            raise

    async def _aload(self, article: ArticleInput) -> Article:
        """`load_article`; a fetch runs in a thread, so the event loop keeps going."""
        if waits_on_io(article):
            return await asyncio.to_thread(load_article, article, self.load_options)
        return load_article(article, self.load_options)

    def _fall_back(
        self, article: Article, work: Article, caveat: SourcingCaveat | None, error: EngineError
    ) -> Stored:
        """With `fallback`, brief with the offline engine when the LLM engine failed.

        The fallback brief is returned, marked, and not stored: a later run tries the LLM again.
        """
        if not self.fallback or self._llm is None:
            raise error
        from briefer.engines.offline import OfflineEngine

        result = OfflineEngine().brief(work)
        notice = Notice(
            code="fallback_offline",
            message=f"the LLM engine failed ({' '.join(str(error).split())}); "
            "this brief is from the offline engine",
        )
        result = replace(result, notices=[notice, *result.notices])
        return Stored(self._envelope(article, result, caveat, engine="offline"), None, False)

    def cache_key(self, article: Article) -> str:
        """The store key of this article's brief under this Briefer's settings."""
        fit = f"cut@{self.max_input_tokens}" if self.max_input_tokens else ""
        return cache_key(
            article.sha256,
            self._engine.name,
            self.config.model if self._llm else None,
            self._prompt_id + fit + ("+strict" if self.strict else ""),
            SCHEMA_VERSION,
        )

    def cached(self, article: Article) -> Stored | None:
        """The stored brief of this article, if the store has one (and refresh is off)."""
        if self.store is None or self.refresh:
            return None
        hit = self.store.get(self.cache_key(article))
        if hit is None:
            return None
        brief_id, envelope = hit
        # Same text, same brief; but say where this copy of the article came from.
        envelope = envelope.model_copy(update={"article": article.info()})
        return Stored(envelope, brief_id, cached=True)

    def _keep(self, article: Article, envelope: Envelope) -> Stored:
        brief_id = (
            self.store.put(self.cache_key(article), envelope, article.text) if self.store else None
        )
        return Stored(envelope, brief_id, cached=False)

    def compare(self, articles: Sequence[ArticleInput]) -> Comparison:
        """Brief each article (the store is reused) and compare their coverage."""
        if len(articles) < 2:
            raise UsageError("a comparison needs at least two articles")
        from briefer.engines.offline.compare import Compared, compare_offline

        loaded = [load_article(a, self.load_options) for a in articles]
        items = [Compared(self.brief(article), article.text) for article in loaded]
        if self._llm is None:
            return compare_offline(items)
        from briefer.engines.offline.compare import comparison_from_draft

        answer = self._llm.compare([i.envelope.brief for i in items], [i.text for i in items])
        notes = [n.message for n in answer.notices]
        return comparison_from_draft(answer.value, items, answer.model, notes)

    async def acompare(self, articles: Sequence[ArticleInput]) -> Comparison:
        """`compare`, briefing the articles concurrently."""
        if len(articles) < 2:
            raise UsageError("a comparison needs at least two articles")
        from briefer.engines.offline.compare import Compared, compare_offline

        loaded = list(await asyncio.gather(*(self._aload(a) for a in articles)))
        envelopes = await asyncio.gather(*(self.abrief(article) for article in loaded))
        items = [Compared(e, a.text) for e, a in zip(envelopes, loaded, strict=True)]
        if self._llm is None:
            return compare_offline(items)
        from briefer.engines.offline.compare import comparison_from_draft

        answer = await asyncio.to_thread(
            self._llm.compare, [i.envelope.brief for i in items], [i.text for i in items]
        )
        notes = [n.message for n in answer.notices]
        return comparison_from_draft(answer.value, items, answer.model, notes)

    def digest(self, articles: Sequence[ArticleInput], *, concurrency: int = 8) -> Digest:
        """Brief many articles into a digest (a `Path` to a folder gives its articles).

        An article that fails is kept in the digest with its reason, never dropped.
        """
        return asyncio.run(self.adigest(articles, concurrency=concurrency))

    async def adigest(self, articles: Sequence[ArticleInput], *, concurrency: int = 8) -> Digest:
        """`digest`, on the running event loop."""
        from briefer.digest.runner import adigest
        from briefer.inputs import expand

        return await adigest(
            expand(articles), self, concurrency=concurrency, load_options=self.load_options
        )

    def on_rate_limit(self, listener: Callable[[float], None] | None) -> None:
        """Hear of every 429 the LLM engine retries (with its wait), e.g. to slow down."""
        if self._llm is not None:
            self._llm.on_rate_limit = listener

    def close(self) -> None:
        """Close network connections (blocking client)."""
        if self._llm is not None:
            self._llm.close()

    async def aclose(self) -> None:
        """Close network connections (async client)."""
        if self._llm is not None:
            await self._llm.aclose()

    def plan(self, article: ArticleInput) -> Plan:
        """Say what briefing `article` would send and cost, without sending anything."""
        article = load_article(article, self.load_options)
        work, _ = self._fit(article)
        if self._llm is None:
            return plan_offline(work, truncated=work is not article)
        return plan_llm(work, self._llm, truncated=work is not article)

    def _fit(self, article: Article) -> tuple[Article, SourcingCaveat | None]:
        """Cut the article at `max_input_tokens`, with the caveat that says so."""
        if self.max_input_tokens is None:
            return article, None
        kept = truncate_article(article.text, self.max_input_tokens, self.counter)
        if kept is None:
            return article, None
        cut = Article(text=kept.text, source=article.source, title=article.title)
        tail = sentences(kept.text)[-1].text
        caveat = SourcingCaveat(
            kind=CaveatKind.PARTIAL_COVERAGE,
            detail=(
                f"The brief covers only the first {cut.words:,} of the article's "
                f"{article.words:,} words (cut at {self.max_input_tokens:,} input tokens); "
                "it ends after the sentence quoted here."
            ),
            evidence=tail[-600:],
        )
        return cut, caveat

    def _envelope(
        self,
        article: Article,
        result: EngineResult,
        partial: SourcingCaveat | None,
        profile: SourcingProfile | None = None,
        engine: str | None = None,
    ) -> Envelope:
        engine = engine or self._engine.name
        origin: Origin = "rules" if engine == "offline" else "model"
        checked = check_brief(
            article,
            result.brief,
            origin=origin,
            strict=self.strict,
            rule_caveats=[partial] if partial else [],
            profile=profile,
        )
        usage = result.usage
        if engine != "offline":
            info = model_info(result.model or self.config.model)
            usage = usage.model_copy(
                update={"cost_usd": info.cost(usage.prompt_tokens, usage.completion_tokens)}
            )
        return Envelope(
            article=article.info(),
            brief=checked.brief,
            engine=engine,  # type: ignore[arg-type]
            model=result.model,
            prompt=result.prompt,
            usage=usage,
            created_at=datetime.now(UTC),
            warnings=[*result.notices, *checked.notices],
            verification=checked.verification,
            sourcing=checked.sourcing,
        )


def _computed(future: asyncio.Future[SourcingProfile] | None) -> SourcingProfile | None:
    """The profile computed ahead, if it was; None (compute it now) otherwise."""
    if future is None:
        return None
    if not future.done():
        future.cancel()
        return None
    if future.cancelled() or future.exception() is not None:
        return None
    return future.result()
