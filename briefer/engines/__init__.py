"""Engines: what turns an article into a brief, and several briefs into a comparison.

`Briefer` holds one engine and never asks which: everything it needs is in the `Engine`
protocol. Every engine is found the same way: by a factory named under the entry point group
`briefer.engines`. briefer's own two are registered there by its package metadata, `offline`
(rules, no model) and `openai` (any OpenAI-compatible endpoint); another package adds one the
same way (a built-in's name is refused). The factory takes an `EngineSetup` and returns an
`Engine`, most simply a `briefer.engines.base.SimpleEngine` that writes `brief()`:

    [project.entry-points."briefer.engines"]
    mine = "my_package:make_engine"

An engine may also write story briefs itself (`StoryWriter`, as the OpenAI engine does);
`Briefer` asks only whether it does, and builds the story brief from the engine's comparison
when it does not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, runtime_checkable

from briefer.errors import ConfigError
from briefer.schema import Brief, Notice, PromptInfo, Usage

if TYPE_CHECKING:
    import httpx

    from briefer.analysis.sourcing import SourcingProfile
    from briefer.engines.estimate import Plan
    from briefer.engines.openai.endpoint import FormatMemory
    from briefer.inputs.article import Article
    from briefer.schema.comparison import Comparison
    from briefer.schema.story import StoryBrief
    from briefer.text.tokens import TokenCounter
    from briefer.verify.coverage import Compared

T = TypeVar("T")
ENTRY_POINT_GROUP = "briefer.engines"
DISTRIBUTION = "briefer-news"  # the package whose entry points are the built-in engines
# The built-ins' factories as the package metadata registers them; used as they are when briefer
# runs from a source tree that was never installed (no metadata to read).
_BUILTIN = {
    "offline": "briefer.engines.offline:OfflineEngine.create",
    "openai": "briefer.engines.openai:OpenAIEngine.create",
}


@runtime_checkable
class PrefixGate(Protocol):
    """A gate (concurrency limiter) that can be told which prompt prefix a request starts
    with, to keep requests of the same prefix together when it has a choice (a digest's)."""

    def with_prefix(self, prefix: str) -> AbstractAsyncContextManager[None]:
        """The gate for a request starting with `prefix` (a key: equal prefixes, equal keys)."""
        ...


@dataclass(frozen=True)
class EngineResult:
    """What an engine returns: the brief and how it was made.

    `usage` carries the cost in dollars when the engine knows it. `profile` is the sourcing
    analysis of the article when the engine made one on its way (verification then reuses it).
    """

    brief: Brief
    usage: Usage
    model: str | None
    prompt: PromptInfo | None
    notices: list[Notice] = field(default_factory=list)
    profile: SourcingProfile | None = None


@dataclass(frozen=True)
class EngineSetup:
    """What a Briefer gives the factory of its engine: what any engine may use (HTTP clients,
    whether only an estimate will be asked, a memory), and `options` by name, each for the
    engines that know it. The Briefer gives "llm" (its `LLMConfig`: the endpoint, model and
    limits) and "prompt" (a template's name or file, or a `PromptTemplate`); an engine takes
    what it needs with `option` and ignores the rest."""

    options: Mapping[str, object] = field(default_factory=dict)
    http_client: httpx.Client | None = None
    async_http_client: httpx.AsyncClient | None = None
    planning: bool = False  # only `estimate` will be asked: an LLM engine needs no key
    memory: FormatMemory | None = None  # where what an endpoint takes is kept (the store)

    def option(self, name: str, kind: type[T] | tuple[type, ...], default: T) -> T:
        """The option `name` when it is of `kind`, else `default` when it is not given;
        `ConfigError` when it is given as something else."""
        value = self.options.get(name, default)
        if not isinstance(value, kind):
            raise ConfigError(
                f"the engine option {name!r} is a {type(value).__name__}, not what the engine "
                "takes; check the value given for it"
            )
        return value  # type: ignore[return-value]


class Engine(Protocol):
    """An engine briefs articles and compares briefs."""

    @property
    def name(self) -> str:
        """The engine's name ("offline", "openai", a plugin's)."""
        ...

    @property
    def origin(self) -> Literal["rules", "model"]:
        """Who writes a brief's evidence: "rules" quote the article by construction, a
        "model" may misquote it. Verification treats the two differently."""
        ...

    @property
    def model(self) -> str | None:
        """The model behind the briefs (None: no model); part of the store's key."""
        ...

    @property
    def prompt_id(self) -> str:
        """What shapes the briefs ("brief@3", "offline@0.1.0+..."); part of the store's key."""
        ...

    @property
    def counter(self) -> TokenCounter:
        """How this engine counts tokens (exact, or an estimate)."""
        ...

    on_rate_limit: Callable[[float], None] | None  # told of every rate-limit wait

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

    def compare(self, items: list[Compared]) -> Comparison:
        """Compare the coverage of several briefed articles."""
        ...

    def estimate(self, article: Article, *, truncated: bool) -> Plan:
        """What briefing `article` would send and cost, sending nothing."""
        ...

    def close(self) -> None:
        """Close network connections (blocking client)."""
        ...

    async def aclose(self) -> None:
        """Close network connections (async client)."""
        ...


@runtime_checkable
class StoryWriter(Protocol):
    """An engine that writes a story brief itself (the OpenAI engine: one request over the
    outlets' briefs and articles). An engine without `story` (the offline engine, a plugin)
    gets the story brief code builds from its comparison (`briefer.engines.offline.story`)."""

    def story(self, items: list[Compared]) -> StoryBrief:
        """One brief of the story several briefed articles tell, every quote checked against
        its own outlet's article."""
        ...


EngineFactory = Callable[[EngineSetup], Engine]


def engine_names() -> list[str]:
    """The engines this installation has: the shipped ones, then those of plugins."""
    plugins = sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    return [*_BUILTIN, *(name for name in plugins if name not in _BUILTIN)]


def create_engine(choice: str, setup: EngineSetup) -> Engine:
    """The engine named `choice` ("auto": openai when an LLM is configured or only an
    estimate is wanted, else offline)."""
    if choice == "auto":
        configured = bool(getattr(setup.options.get("llm"), "configured", False))
        choice = "openai" if configured or setup.planning else "offline"
    factory = _factory(choice)
    return factory(setup)


def _factory(name: str) -> EngineFactory:
    """The factory registered under `name`: briefer's own for a built-in's name (a plugin
    taking that name is an error), else the one plugin that names it."""
    found = list(entry_points(group=ENTRY_POINT_GROUP, name=name))
    ours = [ep for ep in found if _distribution(ep) == DISTRIBUTION]
    if name in _BUILTIN:
        clashing = [ep.value for ep in found if ep not in ours]
        if clashing:
            raise ConfigError(
                f"an installed plugin ({clashing[0]}) names its engine {name!r}, the name of "
                "a built-in engine; the plugin must choose another name"
            )
        if not ours:  # a source tree never installed: no metadata names the built-ins
            return _load(_BUILTIN[name])
    if found:
        loaded: EngineFactory = found[0].load()
        return loaded
    choices = ", ".join(["auto", *engine_names()])
    raise ConfigError(f"engine {name!r} is not one of {choices}")


def _distribution(ep: EntryPoint) -> str | None:
    dist = ep.dist
    return None if dist is None else str(dist.metadata["Name"]).lower()


def _load(target: str) -> EngineFactory:
    """A factory written as entry points write them ("module:Class.method")."""
    module, _, attribute = target.partition(":")
    found: Any = import_module(module)
    for part in attribute.split("."):
        found = getattr(found, part)
    factory: EngineFactory = found
    return factory
