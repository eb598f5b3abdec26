"""A base class for an engine plugin: a plugin writes its name and `brief()`, nothing more.

    from briefer import EngineResult, SimpleEngine

    class Headlines(SimpleEngine):
        name = "headlines"

        def brief(self, article):
            ...  # build a `briefer.Brief` from `article.text`
            return EngineResult(brief=brief, usage=Usage(), model=None, prompt=None)

    def make(setup):  # [project.entry-points."briefer.engines"] headlines = "my_package:make"
        return Headlines()

What the base gives (each may be overridden): `abrief` runs `brief` in a thread; `compare`
uses the offline comparer (deterministic, every quote checked); `estimate` plans one request
of unknown cost; `close` and `aclose` do nothing; the model is None and the prompt id is the
engine's name and `version`, so a new version makes new briefs instead of reusing stored ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, ClassVar, Literal

from briefer.engines import EngineResult
from briefer.engines.estimate import Plan
from briefer.text.tokens import TokenCounter

if TYPE_CHECKING:
    from briefer.inputs.article import Article
    from briefer.schema.comparison import Comparison
    from briefer.verify.coverage import Compared


class SimpleEngine:
    """An engine with defaults for all but `name` and `brief()` (see the module docstring)."""

    name: ClassVar[str] = "simple"
    version: ClassVar[str] = "1"  # part of the store's key: raise it when the briefs change
    origin: ClassVar[Literal["rules", "model"]] = "model"  # a model may misquote: checked
    model: str | None = None
    on_rate_limit: Callable[[float], None] | None = None

    @property
    def prompt_id(self) -> str:
        """What shapes the briefs: the engine's name and version."""
        return f"{self.name}@{self.version}"

    @property
    def counter(self) -> TokenCounter:
        """Tokens are estimated (about four characters each)."""
        return TokenCounter("estimate")

    def brief(self, article: Article) -> EngineResult:
        """Brief one article, blocking (the one method a plugin must write)."""
        raise NotImplementedError(f"the engine {self.name!r} does not write brief()")

    async def abrief(
        self, article: Article, *, gate: AbstractAsyncContextManager[None] | None = None
    ) -> EngineResult:
        """`brief` in a thread, holding a slot of `gate` while it runs."""
        if gate is None:
            return await asyncio.to_thread(self.brief, article)
        async with gate:
            return await asyncio.to_thread(self.brief, article)

    def compare(self, items: list[Compared]) -> Comparison:
        """Compare with the offline comparer, named as this engine's."""
        from briefer.engines.offline.compare import compare_offline

        comparison = compare_offline(items)
        return comparison.model_copy(update={"engine": self.name, "model": self.model})

    def estimate(self, article: Article, *, truncated: bool) -> Plan:
        """One request of estimated size and unknown cost."""
        return Plan(
            engine=self.name,
            model=self.model,
            price_entry=None,
            exact_counts=False,
            context_tokens=None,
            output_budget=None,
            chunks=1,
            requests=1,
            input_tokens=self.counter.count(article.text),
            expected_output_tokens=0,
            cost_usd=None,
            truncated=truncated,
            note=f"the {self.name} engine does not say what it costs",
        )

    def close(self) -> None:
        """Nothing to close."""

    async def aclose(self) -> None:
        """Nothing to close."""
