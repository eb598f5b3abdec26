"""The library's front door: `Briefer` turns article text into an `Envelope`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from briefer.analysis.sourcing import SourcingProfile, analyze_sourcing
from briefer.engines import Engine, EngineResult, EngineSetup, create_engine
from briefer.engines.estimate import Plan
from briefer.engines.flights import Flights
from briefer.engines.offline.story import story_of
from briefer.engines.openai.config import LLMConfig
from briefer.engines.pacing import AdaptiveLimiter, IdleRunner, Urgency
from briefer.errors import BrieferError, ConfigError, EngineError, UsageError
from briefer.inputs import ArticleInput, LoadOptions, load_article, waits_on_io
from briefer.inputs.article import Article
from briefer.io.store import Store, Stored, cache_key
from briefer.schema import SCHEMA_VERSION, Envelope, Notice, PromptInfo, SourcingCaveat
from briefer.settings import Settings
from briefer.text import one_line
from briefer.text.tokens import TokenCounter
from briefer.verify import cut_to_fit, verified_envelope
from briefer.verify.coverage import Compared

if TYPE_CHECKING:
    from briefer.digest import Digest
    from briefer.digest.runner import Progress
    from briefer.engines.openai.prompts import PromptTemplate
    from briefer.schema.comparison import Comparison
    from briefer.schema.story import StoryBrief

DIGEST_CONCURRENCY = 8


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
        planning: bool = False,
        settings: Settings | None = None,
    ) -> None:
        """Configure a Briefer; `settings` not given are read from the environment now
        (`Settings.from_env()`), the one place below the command line and the services
        where briefer reads it.

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
        is reused without any request (unless `refresh`). With `planning`, the Briefer is for
        `estimate` only (what `--dry-run` prints): the LLM engine needs no key, "auto" picks it,
        and a brief raises `ConfigError` unless an LLM is configured.
        """
        self.store = store
        self.refresh = refresh
        self._flights: Flights[Stored] = Flights()  # briefs being made, by cache key
        self.fallback = fallback
        settings = settings if settings is not None else Settings.from_env()
        self.load_options = load_options or LoadOptions.from_settings(settings)
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
            replace(config, **given)
            if config is not None
            else LLMConfig.from_settings(settings, **given)
        )
        setup = EngineSetup(
            {"llm": self.config, "prompt": prompt},
            http_client,
            async_http_client,
            planning,
            memory=store,
        )
        self.engine: Engine = create_engine(engine or settings.engine or "auto", setup)

    @property
    def prompt_info(self) -> PromptInfo:
        """The prompt (or offline engine version) that shapes this Briefer's briefs."""
        name, _, version = self.engine.prompt_id.partition("@")
        return PromptInfo(name=name, version=version)

    def envelope(self, article: Article, result: EngineResult) -> Envelope:
        """Verify an engine's result for `article` and wrap it (as `brief` does)."""
        return self._envelope(article, article, result, None)

    @property
    def counter(self) -> TokenCounter:
        """The token counter of this Briefer's engine (exact, or an estimate)."""
        return self.engine.counter

    def brief(self, article: ArticleInput) -> Envelope:
        """Brief one article: its text (a `str`), a `Path`, a `URL` or an `Article`."""
        return self.brief_stored(article).envelope

    async def abrief(self, article: ArticleInput) -> Envelope:
        """Brief one article without blocking the event loop."""
        return (await self.abrief_stored(article)).envelope

    def brief_stored(self, article: ArticleInput) -> Stored:
        """Brief one article, reusing and storing through the store; say which happened.

        An article this Briefer is briefing already (the same cache key, in another thread or
        task) is not briefed again: this call waits for that brief and shares it.
        """
        article = load_article(article, self.load_options)
        hit = self.cached(article)
        if hit is not None:
            return hit
        made, shared = self._flights.run(self.cache_key(article), lambda: self._brief_new(article))
        return self._shared(made, article) if shared else made

    def _brief_new(self, article: Article) -> Stored:
        """Brief an article the store had no brief of (unless it has one now), and keep it."""
        hit = self.cached(article)  # stored while this call waited for its turn
        if hit is not None:
            return hit
        work, caveat = self._to_send(article)
        try:
            result = self.engine.brief(work)
        except EngineError as exc:
            return self._fall_back(article, work, caveat, exc)
        return self._keep(article, self._envelope(article, work, result, caveat))

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
        and stores the brief first: an answer that has arrived is never lost. An article being
        briefed already (by another task or thread) is waited for, holding no slot of `gate`.
        """
        article = await self._aload(article)
        hit = self.cached(article)
        if hit is not None:
            return hit
        made, shared = await self._flights.arun(
            self.cache_key(article), lambda: self._abrief_new(article, gate, runner)
        )
        return self._shared(made, article) if shared else made

    async def _abrief_new(
        self,
        article: Article,
        gate: AbstractAsyncContextManager[None] | None,
        runner: IdleRunner | None,
    ) -> Stored:
        """`_brief_new`, without blocking the event loop (see `abrief_stored`)."""
        hit = self.cached(article)  # stored while this call waited for its turn
        if hit is not None:
            return hit
        work, caveat = self._to_send(article)
        text = article.text
        # The sourcing analysis, worked out while the engine's requests are on their way (an
        # engine that has no requests to wait on does it itself, so it is not worked out twice).
        profile = (
            runner.submit(lambda: analyze_sourcing(text), Urgency.PREPARE)
            if runner is not None and self.engine.origin == "model"
            else None
        )
        try:
            result = await self.engine.abrief(work, gate=gate)
        except BaseException as exc:
            if profile is not None:
                profile.cancel()  # no answer to check
            if isinstance(exc, EngineError):
                return self._fall_back(article, work, caveat, exc)
            raise
        if runner is None:
            return self._keep(article, self._envelope(article, work, result, caveat))

        def finish() -> Stored:
            known = _computed(profile)
            return self._keep(article, self._envelope(article, work, result, caveat, known))

        done = runner.submit(finish, Urgency.FINISH)
        try:
            return await done
        except asyncio.CancelledError:
            if done.cancelled():  # the runner had not got to it: do it now
                finish()
            raise

    @staticmethod
    def _shared(made: Stored, article: Article) -> Stored:
        """The brief another call made of the same text, as this call's: its copy of the
        article named, and marked as not made here (its cost was counted there)."""
        return made.about(article.info(), cached=made.id is not None)

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
        if not self.fallback:
            raise error
        from briefer.engines.offline import OfflineEngine

        fallback = OfflineEngine()
        result = fallback.brief(work)
        notice = Notice(
            code="fallback_offline",
            message=f"the LLM engine failed ({one_line(str(error))}); "
            "this brief is from the offline engine",
        )
        result = replace(result, notices=[notice, *result.notices])
        envelope = self._envelope(article, work, result, caveat, engine=fallback)
        return Stored(envelope, None, False)

    def cache_key(self, article: Article) -> str:
        """The store key of this article's brief under this Briefer's settings."""
        fit = f"cut@{self.max_input_tokens}" if self.max_input_tokens else ""
        return cache_key(
            article.sha256,
            self.engine.name,
            self.engine.model,
            self.engine.prompt_id + fit + ("+strict" if self.strict else ""),
            SCHEMA_VERSION,
        )

    def cached(self, article: Article) -> Stored | None:
        """The stored brief of this article, if the store has one (and refresh is off)."""
        if self.store is None or self.refresh:
            return None
        hit = self.store.get(self.cache_key(article))
        if hit is None:
            return None
        brief_id, envelope = hit  # same text, same brief; named for this copy of the article
        return Stored(envelope, brief_id, cached=True).about(article.info())

    def _keep(self, article: Article, envelope: Envelope) -> Stored:
        """Store a brief just made. Unless refreshing, a brief of the same article that another
        process stored meanwhile is kept instead: one brief per article in the store."""
        if self.store is None:
            return Stored(envelope, None, cached=False)
        key = self.cache_key(article)
        if self.refresh:  # a new brief was asked for: the store keeps it, as history
            return Stored(envelope, self.store.put(key, envelope, article.text), cached=False)
        brief_id, found = self.store.put_once(key, envelope, article.text)
        if found is None:
            return Stored(envelope, brief_id, cached=False)
        return Stored(found, brief_id, cached=True).about(article.info())

    def compare(self, articles: Sequence[ArticleInput]) -> Comparison:
        """Brief each article (the store is reused) and compare their coverage."""
        if len(articles) < 2:
            raise UsageError("a comparison needs at least two articles")
        loaded = [load_article(a, self.load_options) for a in articles]
        items = [Compared(self.brief(article), article.text) for article in loaded]
        return self.engine.compare(items)

    async def acompare(self, articles: Sequence[ArticleInput]) -> Comparison:
        """`compare`, briefing the articles concurrently (as many requests at once as the
        config's concurrency allows, by default `DIGEST_CONCURRENCY` or the server's slots)."""
        if len(articles) < 2:
            raise UsageError("a comparison needs at least two articles")
        loaded = list(await asyncio.gather(*(self._aload(a) for a in articles)))
        limiter = AdaptiveLimiter(self.config.concurrency or self._default_concurrency())
        briefed = await asyncio.gather(
            *(self.abrief_stored(a, gate=limiter.gate(i)) for i, a in enumerate(loaded))
        )
        envelopes = [b.envelope for b in briefed]
        items = [Compared(e, a.text) for e, a in zip(envelopes, loaded, strict=True)]
        return await asyncio.to_thread(self.engine.compare, items)

    def story(self, articles: Sequence[ArticleInput]) -> StoryBrief:
        """Brief each article (the store is reused), and make one brief of the story they
        tell: the engine's own story request (the LLM engine: `prompts/story.toml`), or the
        engine's comparison merged by code (`_story_of` says what happens when it fails)."""
        if len(articles) < 2:
            raise UsageError(
                "a story brief needs at least two articles", fix="one article's story is its brief"
            )
        loaded = [load_article(a, self.load_options) for a in articles]
        items = [Compared(self.brief(article), article.text) for article in loaded]
        return self._story_of(items)

    async def astory(self, articles: Sequence[ArticleInput]) -> StoryBrief:
        """`story`, briefing the articles concurrently."""
        if len(articles) < 2:
            raise UsageError(
                "a story brief needs at least two articles", fix="one article's story is its brief"
            )
        loaded = list(await asyncio.gather(*(self._aload(a) for a in articles)))
        envelopes = await asyncio.gather(*(self.abrief(article) for article in loaded))
        items = [Compared(e, a.text) for e, a in zip(envelopes, loaded, strict=True)]
        return await asyncio.to_thread(self._story_of, items)

    def _story_of(self, items: list[Compared]) -> StoryBrief:
        """The story brief of compared articles (`briefer.engines.offline.story.story_of`)."""
        return story_of(self.engine, items, strict=self.strict)

    def digest(
        self,
        articles: Sequence[ArticleInput] = (),
        *,
        feeds: Sequence[str] = (),
        since: datetime | None = None,
        labels: Mapping[Any, str] | None = None,
        concurrency: int | None = None,
        max_entries: int | None = None,
        max_digest_entries: int | None = None,
    ) -> Digest:
        """Brief many articles, and the new entries of `feeds`, into a digest (a `Path` to a
        folder gives its articles; `since` keeps recent entries; `concurrency`: requests on
        their way at once, by default `DIGEST_CONCURRENCY`, or fewer when the server says it
        works on fewer at once).

        `labels` name the outlets of articles as the reader knows them, by the file, folder or
        URL given (`{Path("news/reuters"): "Reuters"}`): a labelled article is called by its
        label everywhere, story briefs included (`briefer.digest.labels`).

        An article or feed that fails is kept in the digest with its reason, never dropped.
        At most `max_entries` entries a feed (200 unless given) and `max_digest_entries` of
        all feeds together (1,000 unless given) are briefed, the newest first; with a store
        the others, and entries that failed, are briefed by later runs
        (`briefer.digest.feeds`). With a store, a story briefed before is marked with what
        changed since.
        """
        return asyncio.run(
            self.adigest(
                articles,
                feeds=feeds,
                since=since,
                labels=labels,
                concurrency=concurrency,
                max_entries=max_entries,
                max_digest_entries=max_digest_entries,
            )
        )

    async def adigest(
        self,
        articles: Sequence[Any] = (),
        *,
        feeds: Sequence[str] = (),
        since: datetime | None = None,
        labels: Mapping[Any, str] | None = None,
        concurrency: int | None = None,
        progress: Progress | None = None,
        load_options: LoadOptions | None = None,
        max_entries: int | None = None,
        max_digest_entries: int | None = None,
    ) -> Digest:
        """`digest`, on the running event loop (`progress`: counts kept up to date for a
        display; `load_options`: limits other than this Briefer's)."""
        from briefer.digest.labels import label_inputs
        from briefer.digest.morning import amorning
        from briefer.inputs import expand

        inputs = label_inputs(expand(articles), labels)  # checked before anything is briefed
        if concurrency is None:
            concurrency = self._default_concurrency()

        return await amorning(
            self,
            inputs,
            feeds=feeds,
            since=since,
            store=self.store,
            concurrency=concurrency,
            load_options=load_options or self.load_options,
            progress=progress,
            max_entries=max_entries,
            max_digest_entries=max_digest_entries,
        )

    def _default_concurrency(self) -> int:
        """`DIGEST_CONCURRENCY`, or the server's slots when it says it has fewer."""
        try:
            slots = getattr(self.engine, "slots", None)  # a local server's, when it says
        except BrieferError:
            slots = None  # the server cannot be asked: each article will say why
        return min(DIGEST_CONCURRENCY, slots or DIGEST_CONCURRENCY)

    def on_rate_limit(self, listener: Callable[[float], None] | None) -> None:
        """Hear of every 429 the engine retries (with its wait), e.g. to slow down."""
        self.engine.on_rate_limit = listener

    def close(self) -> None:
        """Close network connections (blocking client)."""
        self.engine.close()

    async def aclose(self) -> None:
        """Close network connections (async client)."""
        await self.engine.aclose()

    def estimate(self, article: ArticleInput) -> Plan:
        """Say what briefing `article` would send and cost, without sending anything."""
        article = load_article(article, self.load_options)
        work, _ = self._fit(article)
        return self.engine.estimate(work, truncated=work is not article)

    def _to_send(self, article: Article) -> tuple[Article, SourcingCaveat | None]:
        """`_fit`, for a brief to be made: first checks that the store, if any, can keep it
        (before any request is sent)."""
        if self.store is not None:
            self.store.check_writable()
        return self._fit(article)

    def _fit(self, article: Article) -> tuple[Article, SourcingCaveat | None]:
        """Cut the article at `max_input_tokens`, with the caveat that says so."""
        if self.max_input_tokens is None:
            return article, None
        return cut_to_fit(article, self.max_input_tokens, self.counter)

    def _envelope(
        self,
        article: Article,
        work: Article,
        result: EngineResult,
        partial: SourcingCaveat | None,
        profile: SourcingProfile | None = None,
        engine: Engine | None = None,
    ) -> Envelope:
        """Verify the brief `engine` made of `work` (all or the start of `article`); wrap it."""
        engine = engine or self.engine
        if profile is None and work is article:
            profile = result.profile  # the engine's analysis of the same text
        return verified_envelope(
            article,
            result,
            engine=engine.name,
            origin=engine.origin,
            strict=self.strict,
            rule_caveats=[partial] if partial else [],
            profile=profile,
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
