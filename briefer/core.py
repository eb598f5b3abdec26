"""The library's front door: `Briefer` turns article text into an `Envelope`."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import httpx

from briefer.article import Article, article_from_text
from briefer.chunking import truncate_article
from briefer.config import LLMConfig
from briefer.engine import Engine, EngineResult
from briefer.errors import ConfigError
from briefer.models import model_info
from briefer.plan import Plan, plan_llm, plan_offline
from briefer.prompts import PromptTemplate, load_template
from briefer.schema import CaveatKind, Envelope, SourcingCaveat
from briefer.text import sentences
from briefer.tokens import TokenCounter
from briefer.verify import Origin, check_brief

if TYPE_CHECKING:
    from briefer.llm import OpenAIEngine

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
    ) -> None:
        """Configure a Briefer; settings not given are read from the environment now.

        `engine` is "auto" (the default, or $BRIEFER_ENGINE): the OpenAI engine when a key or
        base URL is configured, else the offline engine. With `strict`, items whose evidence
        is not found in the article are dropped, and a brief left with no key fact is an error.
        `max_input_tokens` cuts long articles after a sentence instead of briefing them in
        parts, and says so in a caveat.
        """
        self.strict = strict
        if max_input_tokens is not None and max_input_tokens < 1:
            raise ConfigError("--max-input-tokens must be a positive number of tokens")
        self.max_input_tokens = max_input_tokens
        self.config = config if config is not None else LLMConfig.from_env()
        choice = engine or os.environ.get("BRIEFER_ENGINE") or "auto"
        if choice not in ENGINE_CHOICES:
            raise ConfigError(f"engine {choice!r} is not one of {', '.join(ENGINE_CHOICES)}")
        self._llm: OpenAIEngine | None = None
        if choice == "offline" or (choice == "auto" and not self.config.configured):
            from briefer.offline import OfflineEngine

            self._engine: Engine = OfflineEngine()
        else:
            from briefer.llm import OpenAIEngine

            template = prompt if isinstance(prompt, PromptTemplate) else load_template(prompt)
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
    def counter(self) -> TokenCounter:
        """The token counter this Briefer's budget uses (exact, or an estimate)."""
        return self._llm.budget.counter if self._llm else TokenCounter("estimate")

    def brief(self, article: Article | str) -> Envelope:
        """Brief one article (an `Article`, or its text)."""
        article = _as_article(article)
        work, caveat = self._fit(article)
        return self._envelope(article, self._engine.brief(work), caveat)

    async def abrief(self, article: Article | str) -> Envelope:
        """Brief one article without blocking the event loop."""
        article = _as_article(article)
        work, caveat = self._fit(article)
        return self._envelope(article, await self._engine.abrief(work), caveat)

    def plan(self, article: Article | str) -> Plan:
        """Say what briefing `article` would send and cost, without sending anything."""
        article = _as_article(article)
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
                f"{article.words:,} words (--max-input-tokens {self.max_input_tokens}); "
                "it ends after the sentence quoted here."
            ),
            evidence=tail[-600:],
        )
        return cut, caveat

    def _envelope(
        self, article: Article, result: EngineResult, partial: SourcingCaveat | None
    ) -> Envelope:
        origin: Origin = "rules" if self._engine.name == "offline" else "model"
        checked = check_brief(
            article,
            result.brief,
            origin=origin,
            strict=self.strict,
            rule_caveats=[partial] if partial else [],
        )
        usage = result.usage
        if self._llm is not None:
            info = model_info(result.model or self.config.model)
            usage = usage.model_copy(
                update={"cost_usd": info.cost(usage.prompt_tokens, usage.completion_tokens)}
            )
        return Envelope(
            article=article.info(),
            brief=checked.brief,
            engine=self._engine.name,  # type: ignore[arg-type]
            model=result.model,
            prompt=result.prompt,
            usage=usage,
            created_at=datetime.now(UTC),
            warnings=[*result.notices, *checked.notices],
            verification=checked.verification,
            sourcing=checked.sourcing,
        )


def _as_article(article: Article | str) -> Article:
    return article if isinstance(article, Article) else article_from_text(article)
