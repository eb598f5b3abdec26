"""How many tokens a request may use, and whether an article needs chunks to fit.

The context window and output limit come from the model table (`models.toml`) unless
`--context-tokens` / `--max-output-tokens` say otherwise. A request must fit
`context_tokens`: its messages, plus the output budget, plus a safety margin of 5% for the
difference between our count and the server's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from briefer.engines.openai.config import DEFAULT_OUTPUT_TOKENS, LLMConfig
from briefer.engines.openai.models import ModelInfo, model_info
from briefer.inputs.article import Article
from briefer.text.chunking import Chunk, chunk_article
from briefer.text.tokens import TokenCounter, counter_for

SAFETY_MARGIN = 0.05


@dataclass(frozen=True)
class Budget:
    """Token limits for one model and configuration."""

    model: ModelInfo
    counter: TokenCounter
    context_tokens: int
    output_tokens: int

    @cached_property
    def input_tokens(self) -> int:
        """Tokens a request's messages may take."""
        return int(self.context_tokens * (1 - SAFETY_MARGIN)) - self.output_tokens

    def chunks_for(self, article: Article, prompt_overhead: int) -> list[Chunk] | None:
        """None when the article fits one request; else the chunks it must be split into."""
        room = self.input_tokens - prompt_overhead
        if self.counter.count(article.text) <= room:
            return None
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


def budget_for(config: LLMConfig) -> Budget:
    """Work out the budget for `config` (model table, then explicit settings)."""
    info = model_info(config.model)
    output = config.max_output_tokens or min(info.max_output_tokens, DEFAULT_OUTPUT_TOKENS)
    context = config.context_tokens or info.context_tokens
    return Budget(info, counter_for(info.encoding), context, output)
