"""What a brief will cost before it is made: tokens, requests and dollars (`--dry-run`).

Input tokens are counted on the exact requests that would be sent (prompt, article, schema
aside), with tiktoken when its encoding is available, else estimated. Output tokens are an
expectation, not a count: `EXPECTED_OUTPUT_TOKENS` per request (a typical brief runs 600 to
1,200 tokens), never more than the output budget. A merge request, when an article is briefed
in parts, reads the parts' briefs: its input is estimated as their expected output plus the
merge prompt.
"""

from __future__ import annotations

from dataclasses import dataclass

EXPECTED_OUTPUT_TOKENS = 1200


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

    def render(self) -> str:
        """A few lines for people."""
        cost = format_cost(self.cost_usd)
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
            lines.append(
                f"budget:                 {self.context_tokens:,}-token context, "
                f"{self.output_budget:,} output ({self.price_entry} in the model table)"
            )
        if self.truncated:
            lines.append("truncated:              yes (at the input token limit)")
        lines.append("nothing was sent")
        return "\n".join(lines) + "\n"


def render_plans(plans: list[Plan]) -> str:
    """The totals of several plans (a digest's dry run), for people."""
    cost: float | None = 0.0
    for plan in plans:
        cost = None if cost is None or plan.cost_usd is None else cost + plan.cost_usd
    money = format_cost(cost)
    return (
        f"articles:               {len(plans)}\n"
        f"input tokens:           {sum(p.input_tokens for p in plans):,}\n"
        f"expected output tokens: {sum(p.expected_output_tokens for p in plans):,}\n"
        f"requests:               {sum(p.requests for p in plans)}\n"
        f"estimated cost:         {money}\n"
        "nothing was sent (cached briefs, if any, would cost nothing)\n"
    )
