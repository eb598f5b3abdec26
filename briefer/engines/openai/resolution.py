"""What an endpoint is, settled once: the model to ask, the context a request gets, the output
format it takes. From the settings, and at a local server (not OpenAI or Azure) from what the
server says about itself (`/v1/models`, llama.cpp's `/props`, vLLM's `max_model_len`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import httpx

from briefer import errors
from briefer.engines.openai.budget import Budget, budget_for
from briefer.engines.openai.config import DEFAULT_MODEL, LLMConfig
from briefer.engines.openai.discovery import ServerFacts, ask_server
from briefer.engines.openai.endpoint import FormatMemory, Negotiation, provider_of
from briefer.engines.openai.transport import llm_client
from briefer.errors import BrieferError


@dataclass
class Resolved:
    """What the engine settled about its endpoint (see `OpenAIEngine.resolve`)."""

    config: LLMConfig
    budget: Budget
    negotiation: Negotiation
    slots: int | None = None
    notes: list[str] = field(default_factory=list)


class Settled:
    """What the engine's parts ask of it once the endpoint is settled (`OpenAIEngine` gives
    it): the config with the model named, the budget, and the output format negotiation."""

    @property
    def config(self) -> LLMConfig:
        raise NotImplementedError

    @property
    def budget(self) -> Budget:
        raise NotImplementedError

    @property
    def negotiation(self) -> Negotiation:
        raise NotImplementedError


def settle(
    given: LLMConfig,
    http_client: httpx.Client | None,
    *,
    planning: bool,
    memory: FormatMemory | None,
) -> Resolved:
    """What the endpoint is: the model, context and output format `given` settles, with what
    a local server says about itself where the settings do not say (`OpenAIEngine.resolve`)."""
    if provider_of(given.base_url) != "other" or not given.configured:
        config = replace(given, model=given.model or DEFAULT_MODEL)
        return Resolved(config, budget_for(config), Negotiation(config, memory))
    notes: list[str] = []
    facts: ServerFacts | None = None
    if given.model is None or given.context_tokens is None:
        client = http_client or llm_client(given)
        try:
            facts = ask_server(given, client, given.model)
        except BrieferError as exc:
            # Fatal only when the model itself must come from the server: a request to a
            # named model reports its own errors.
            if given.model is None and not planning:
                raise
            if given.model is None:
                notes.append(f"could not ask {given.endpoint} which model it serves ({exc})")
        finally:
            if http_client is None:
                client.close()
    model = given.model or _served_model(given, facts, notes, planning=planning)
    config = replace(given, model=model)
    context = facts.context_tokens if facts is not None else None
    budget = budget_for(config, context, facts.context_source if facts else None)
    if model and given.model is None:
        notes.append(f"model {model}: the one {given.endpoint} serves")
    if given.context_tokens is None:
        if facts is not None and facts.context_source:
            notes.append(
                f"context {budget.context_tokens:,} tokens a request, as the server says "
                f"({facts.context_source})"
            )
        elif budget.model.name == "default":
            notes.append(
                f"the server does not say its context window: assuming "
                f"{budget.context_tokens:,} tokens (set it with --context-tokens)"
            )
    slots = facts.slots if facts is not None else None
    return Resolved(config, budget, Negotiation(config, memory), slots, notes)


def _served_model(
    given: LLMConfig, facts: ServerFacts | None, notes: list[str], *, planning: bool
) -> str | None:
    """The model to ask for when none is named: the one the server lists."""
    where = given.endpoint
    models = facts.models if facts is not None else ()
    if len(models) == 1:
        return models[0]
    if len(models) > 1:
        raise errors.ConfigError(
            f"{where} serves {len(models)} models ({', '.join(models)}); choose one",
            fix="set {model}",
        )
    if planning:
        notes.append("no model is named and the server lists none: the plan assumes none")
        return None
    raise errors.ConfigError(
        f"no model is named and {where} lists none in its /models", fix="set {model}"
    )
