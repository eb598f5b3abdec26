"""What every engine promises: brief an `Article`, return an `EngineResult`."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol

from briefer.inputs.article import Article
from briefer.schema import Brief, Notice, PromptInfo, Usage


@dataclass(frozen=True)
class EngineResult:
    """What an engine returns: the brief and how it was made."""

    brief: Brief
    usage: Usage
    model: str | None
    prompt: PromptInfo | None
    notices: list[Notice] = field(default_factory=list)


class Engine(Protocol):
    """An engine turns one article into a brief."""

    name: str

    def brief(self, article: Article) -> EngineResult:
        """Brief one article, blocking."""
        ...

    async def abrief(
        self, article: Article, *, gate: AbstractAsyncContextManager[None] | None = None
    ) -> EngineResult:
        """Brief one article without blocking the event loop.

        Each request to a model holds a slot of `gate` (a concurrency limiter) while on its way.
        """
        ...
