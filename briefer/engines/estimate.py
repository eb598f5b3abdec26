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
from typing import TYPE_CHECKING

from briefer.inputs.article import Article
from briefer.text.chunking import chunk_article
from briefer.text.tokens import TokenCounter

if TYPE_CHECKING:
    from briefer.engines.openai import OpenAIEngine

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


def plan_offline(article: Article, *, truncated: bool) -> Plan:
    """The offline engine sends nothing and costs nothing."""
    from briefer.engines.offline import CHUNK_TOKENS

    counter = TokenCounter("estimate")
    tokens = counter.count(article.text)
    chunks = (
        1 if tokens <= CHUNK_TOKENS else len(chunk_article(article.text, CHUNK_TOKENS, counter))
    )
    return Plan(
        engine="offline",
        model=None,
        price_entry=None,
        exact_counts=False,
        context_tokens=None,
        output_budget=None,
        chunks=chunks,
        requests=0,
        input_tokens=tokens,
        expected_output_tokens=0,
        cost_usd=0.0,
        truncated=truncated,
    )


def plan_llm(article: Article, engine: OpenAIEngine, *, truncated: bool) -> Plan:
    """Count the requests the LLM engine would send for `article`."""
    from briefer.engines.openai.conversation import build_merge_messages
    from briefer.engines.openai.prompts import load_template
    from briefer.text.untrusted import Boundary

    budget = engine.budget
    counter = budget.counter
    jobs = engine.plan(article)
    per_request = min(EXPECTED_OUTPUT_TOKENS, budget.output_tokens)
    input_tokens = sum(counter.count_messages(job.messages) for job in jobs)
    requests = len(jobs)
    if len(jobs) > 1:
        merge = build_merge_messages([], load_template("merge"), Boundary.new(), article.title)
        input_tokens += counter.count_messages(merge) + len(jobs) * per_request
        requests += 1
    output_tokens = requests * per_request
    return Plan(
        engine="openai",
        model=engine.config.model,
        price_entry=budget.model.name,
        exact_counts=counter.exact,
        context_tokens=budget.context_tokens,
        output_budget=budget.output_tokens,
        chunks=len(jobs),
        requests=requests,
        input_tokens=input_tokens,
        expected_output_tokens=output_tokens,
        cost_usd=budget.model.cost(input_tokens, output_tokens),
        truncated=truncated,
        note=counter.note,
    )


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
