"""The library's front door: `Briefer` turns article text into an `Envelope`."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import httpx

from briefer.article import Article, article_from_text
from briefer.config import LLMConfig
from briefer.engine import Engine, EngineResult
from briefer.errors import ConfigError
from briefer.prompts import PromptTemplate, load_template
from briefer.schema import Envelope
from briefer.verify import Origin, check_brief

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
    ) -> None:
        """Configure a Briefer; settings not given are read from the environment now.

        `engine` is "auto" (the default, or $BRIEFER_ENGINE): the OpenAI engine when a key or
        base URL is configured, else the offline engine. With `strict`, items whose evidence
        is not found in the article are dropped, and a brief left with no key fact is an error.
        """
        self.strict = strict
        self.config = config if config is not None else LLMConfig.from_env()
        choice = engine or os.environ.get("BRIEFER_ENGINE") or "auto"
        if choice not in ENGINE_CHOICES:
            raise ConfigError(f"engine {choice!r} is not one of {', '.join(ENGINE_CHOICES)}")
        if choice == "offline" or (choice == "auto" and not self.config.configured):
            from briefer.offline import OfflineEngine

            self._engine: Engine = OfflineEngine()
        else:
            from briefer.llm import OpenAIEngine

            template = prompt if isinstance(prompt, PromptTemplate) else load_template(prompt)
            self._engine = OpenAIEngine(
                self.config,
                template,
                http_client=http_client,
                async_http_client=async_http_client,
            )

    @property
    def engine(self) -> str:
        """Name of the engine this Briefer uses."""
        return self._engine.name

    def brief(self, article: Article | str) -> Envelope:
        """Brief one article (an `Article`, or its text)."""
        article = _as_article(article)
        return self._envelope(article, self._engine.brief(article))

    async def abrief(self, article: Article | str) -> Envelope:
        """Brief one article without blocking the event loop."""
        article = _as_article(article)
        return self._envelope(article, await self._engine.abrief(article))

    def _envelope(self, article: Article, result: EngineResult) -> Envelope:
        origin: Origin = "rules" if self._engine.name == "offline" else "model"
        checked = check_brief(article, result.brief, origin=origin, strict=self.strict)
        return Envelope(
            article=article.info(),
            brief=checked.brief,
            engine=self._engine.name,  # type: ignore[arg-type]
            model=result.model,
            prompt=result.prompt,
            usage=result.usage,
            created_at=datetime.now(UTC),
            warnings=[*result.notices, *checked.notices],
            verification=checked.verification,
            sourcing=checked.sourcing,
        )


def _as_article(article: Article | str) -> Article:
    return article if isinstance(article, Article) else article_from_text(article)
