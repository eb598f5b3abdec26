"""What a brief will cost before it is made: tokens, requests and dollars (`--dry-run`).

Input tokens are counted on the exact requests that would be sent (prompt, article and the
response schema), with tiktoken when its encoding is available, else estimated. Output tokens are an
expectation, not a count: `EXPECTED_OUTPUT_TOKENS` per request (a typical brief runs 600 to
1,200 tokens), never more than the output budget. A merge request, when an article is briefed
in parts, reads the parts' briefs: its input is estimated as their expected output plus the
merge prompt.
"""

from __future__ import annotations

from dataclasses import dataclass

EXPECTED_OUTPUT_TOKENS = 1200
# OpenAI caches a prompt prefix of at least 1,024 tokens, in steps of 128.
CACHE_MINIMUM_TOKENS = 1024
CACHE_STEP_TOKENS = 128


def cacheable(prefix_tokens: int) -> int:
    """How many tokens of a request's shared prefix a provider's prompt cache can serve."""
    if prefix_tokens < CACHE_MINIMUM_TOKENS:
        return 0
    return prefix_tokens // CACHE_STEP_TOKENS * CACHE_STEP_TOKENS


def format_cost(dollars: float | None) -> str:
    """An estimated cost for people ("unknown" when the model has no price)."""
    return "unknown (no price for this model)" if dollars is None else f"${dollars:.4f}"


@dataclass(frozen=True)
class Plan:
    """The requests a brief needs and what they cost."""

    engine: str
    model: str | None
    price_entry: str | None  # the model table entry used for limits and prices
    exact_counts: bool
    context_tokens: int | None
    output_budget: int | None
    chunks: int
    requests: int
    input_tokens: int
    expected_output_tokens: int
    cost_usd: float | None
    truncated: bool
    note: str | None = None
    cached_tokens: int = 0  # of input_tokens, servable from the provider's prompt cache
    cost_if_cached: float | None = None  # the cost when they are
    context_source: str | None = None  # where a server said its context ("its /props")

    def render(self) -> str:
        """A few lines for people."""
        cost = format_cost(self.cost_usd)
        if self.cached_tokens and self.cost_if_cached is not None:
            cost += (
                f" ({format_cost(self.cost_if_cached)} when the provider caches the "
                f"{self.cached_tokens:,}-token shared prompt prefix)"
            )
        approx = "" if self.exact_counts else " (estimated)"
        lines = [
            f"engine:                 {self.engine}"
            + (f", model {self.model}" if self.model else ""),
            f"input tokens:           {self.input_tokens:,}{approx}",
            f"expected output tokens: {self.expected_output_tokens:,}",
            f"requests:               {self.requests}"
            + (f" ({self.chunks} parts + 1 merge)" if self.chunks > 1 and self.requests else ""),
            f"estimated cost:         {cost}",
        ]
        if self.context_tokens:
            where = (
                f"the context as the server says, {self.context_source}"
                if self.context_source
                else f"{self.price_entry} in the model table"
            )
            lines.append(
                f"budget:                 {self.context_tokens:,}-token context, "
                f"{self.output_budget:,} output ({where})"
            )
        if self.truncated:
            lines.append("truncated:              yes (at the input token limit)")
        lines.append("nothing was sent")
        return "\n".join(lines) + "\n"


def render_plans(plans: list[Plan]) -> str:
    """The totals of several plans (a digest's dry run), for people."""
    cost: float | None = 0.0
    cached: float | None = 0.0
    for plan in plans:
        cost = None if cost is None or plan.cost_usd is None else cost + plan.cost_usd
        hit = plan.cost_if_cached if plan.cost_if_cached is not None else plan.cost_usd
        cached = None if cached is None or hit is None else cached + hit
    money = format_cost(cost)
    if cached is not None and cost is not None and cached < cost:
        money += f" ({format_cost(cached)} when the provider caches the shared prompt prefix)"
    return (
        f"articles:               {len(plans)}\n"
        f"input tokens:           {sum(p.input_tokens for p in plans):,}\n"
        f"expected output tokens: {sum(p.expected_output_tokens for p in plans):,}\n"
        f"requests:               {sum(p.requests for p in plans)}\n"
        f"estimated cost:         {money}\n"
        "nothing was sent (cached briefs, if any, would cost nothing)\n"
    )
