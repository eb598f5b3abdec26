"""How many tokens a request may use, and whether an article needs chunks to fit.

The context window comes from `--context-tokens`, else from the server where it says (a
local server's `/props` or `/v1/models`, see `briefer.engines.openai.discovery`), else from the
model table (`models.toml`). The output budget comes from `--max-output-tokens`, else the
model's limit, at most 4,096 tokens and at most half the context. A request must fit
`context_tokens`: its messages, plus the output budget, plus a safety margin of 5% for the
difference between our count and the server's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from briefer.engines.openai.config import DEFAULT_OUTPUT_TOKENS, LLMConfig
from briefer.engines.openai.endpoint import provider_of
from briefer.engines.openai.models import ModelInfo, model_info
from briefer.errors import ConfigError
from briefer.inputs.article import Article
from briefer.text.chunking import MIN_BUDGET, Chunk, chunk_article
from briefer.text.tokens import TokenCounter, counter_for

SAFETY_MARGIN = 0.05


@dataclass(frozen=True)
class Budget:
    """Token limits for one model and configuration."""

    model: ModelInfo
    counter: TokenCounter
    context_tokens: int
    output_tokens: int
    context_source: str | None = None  # where a server said its context ("its /props")

    @cached_property
    def input_tokens(self) -> int:
        """Tokens a request's messages may take."""
        return int(self.context_tokens * (1 - SAFETY_MARGIN)) - self.output_tokens

    def chunks_for(self, article: Article, prompt_overhead: int) -> list[Chunk] | None:
        """None when the article fits one request; else the chunks it must be split into."""
        room = self.input_tokens - prompt_overhead
        if self.counter.count(article.text) <= room:
            return None
        if room < MIN_BUDGET:
            said = f" (as the server says, {self.context_source})" if self.context_source else ""
            raise ConfigError(
                f"a request gets a {self.context_tokens:,}-token context{said}: the prompt and "
                f"the {self.output_tokens:,}-token output budget leave {max(room, 0):,} tokens "
                f"for the article, fewer than the {MIN_BUDGET} a part needs",
                fix=(
                    "give the server more context per request (llama-server: a larger -c, or "
                    "fewer slots -np), or lower {max_output_tokens}"
                    if self.context_source
                    else "raise {context_tokens} or lower {max_output_tokens}"
                ),
            )
        return chunk_article(article.text, room, self.counter)

    def overflow(self, prompt_tokens: int) -> str | None:
        """Why a request whose prompt takes `prompt_tokens` cannot fit the context with its
        output budget (the safety margin, for planning chunks, is not held against it), or
        None when it fits."""
        room = self.context_tokens - self.output_tokens
        if prompt_tokens <= room:
            return None
        return (
            f"it needs about {prompt_tokens:,} tokens, more than the {max(room, 0):,} a "
            f"{self.context_tokens:,}-token context leaves beside the "
            f"{self.output_tokens:,}-token output budget"
        )


def budget_for(
    config: LLMConfig, server_context: int | None = None, source: str | None = None
) -> Budget:
    """Work out the budget for `config`: explicit settings, then the context the server
    states (`server_context`, said in `source`), then the model table (priced by it at OpenAI
    and Azure only)."""
    info = model_info(
        config.model or "",
        user_file=config.prices,
        list_prices=provider_of(config.base_url) != "other",
    )
    context = config.context_tokens or server_context or info.context_tokens
    output = config.max_output_tokens or min(
        info.max_output_tokens, DEFAULT_OUTPUT_TOKENS, max(context // 2, 1)
    )
    said = source if server_context and not config.context_tokens else None
    return Budget(
        info, counter_for(info.encoding, estimate=config.estimate_tokens), context, output, said
    )
