"""What briefing an article will send, worked out before anything is sent: its requests (one,
or one per part), the prompt tokens of each as the budget counts them, the plan and its cost
(`estimate`, what `--dry-run` prints), and the lines of a Batch API file.

`Planning` is a mixin of `OpenAIEngine`, which gives it the endpoint's settings, budget,
template and output format negotiation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from briefer.engines.estimate import EXPECTED_OUTPUT_TOKENS, Plan, cacheable
from briefer.engines.openai.conversation import BRIEF, Unusable, parse_output
from briefer.engines.openai.endpoint import OutputFormat, provider_of
from briefer.engines.openai.messages import (
    OutputSpec,
    build_merge_messages,
    build_messages,
    request_body,
    with_format,
)
from briefer.engines.openai.prompts import PromptTemplate, load_template
from briefer.engines.openai.resolution import Settled
from briefer.inputs.article import Article
from briefer.schema import Brief
from briefer.text.untrusted import Boundary


@dataclass(frozen=True)
class Job:
    """One request's conversation: its messages and the text its quotes must come from."""

    messages: list[dict[str, str]]
    article_text: str
    template: PromptTemplate


@dataclass(frozen=True)
class BatchRequest:
    """One request of a Batch API file: its body, and its prompt tokens as the budget counts
    them (the schema too)."""

    body: dict[str, object]
    prompt_tokens: int


class Planning(Settled):
    """Requests counted and planned, nothing sent (a mixin of `OpenAIEngine`)."""

    template: PromptTemplate
    _schema_counts: dict[tuple[str, bool], int]

    def estimate(self, article: Article, *, truncated: bool) -> Plan:
        """Count the requests this engine would send for `article`, sending nothing.

        Each request is counted as the budget counts it (`prompt_tokens`): in the output
        format asked in now, the schema included wherever it goes into the prompt.
        """

        budget = self.budget
        jobs = self.jobs(article)
        per_request = min(EXPECTED_OUTPUT_TOKENS, budget.output_tokens)
        input_tokens = sum(self.prompt_tokens(job.messages, template=job.template) for job in jobs)
        # The prefix every request of a prompt shares: the system message (and the schema).
        shared = self.prompt_tokens(jobs[0].messages[:1], template=jobs[0].template)
        cached = cacheable(shared) * len(jobs)
        requests = len(jobs)
        if len(jobs) > 1:
            template = load_template("merge")
            merge = build_merge_messages([], template, Boundary.new(), article.title)
            input_tokens += self.prompt_tokens(merge, template=template)
            input_tokens += len(jobs) * per_request  # the parts' briefs it reads
            cached += cacheable(self.prompt_tokens(merge[:1], template=template))
            requests += 1
        output_tokens = requests * per_request
        return Plan(
            engine="openai",
            model=self.config.model,
            price_entry=budget.model.name,
            exact_counts=budget.counter.exact,
            context_tokens=budget.context_tokens,
            output_budget=budget.output_tokens,
            chunks=len(jobs),
            requests=requests,
            input_tokens=input_tokens,
            expected_output_tokens=output_tokens,
            cost_usd=budget.model.cost(input_tokens, output_tokens),
            truncated=truncated,
            note=budget.counter.note,
            cached_tokens=cached,
            cost_if_cached=budget.model.cost(input_tokens, output_tokens, cached),
            context_source=budget.context_source,
        )

    def jobs(self, article: Article, boundary: Boundary | None = None) -> list[Job]:
        """The requests that will brief `article`: one, or one per chunk (merge comes after).

        Chunks are sized for the output format asked in now: the schema counts where it goes
        into the prompt (json_object mode; OpenAI's json_schema).
        """
        messages = build_messages(article, self.template, boundary or Boundary.new())
        counter = self.budget.counter
        overhead = self.prompt_tokens(messages) - counter.count(article.text)
        chunks = self.budget.chunks_for(article, overhead)
        if chunks is None:
            return [Job(messages, article.text, self.template)]
        jobs = []
        for chunk in chunks:
            part = Article(text=chunk.text, source=article.source, title=article.title)
            jobs.append(
                Job(build_messages(part, self.template, Boundary.new()), chunk.text, self.template)
            )
        return jobs

    def batch_requests(self, article: Article) -> list[BatchRequest]:
        """The requests briefing `article` takes (one per part), as a Batch API file carries
        them: always json_schema, since a batch cannot fall back to another format (with the
        length limits a local server needs). Nothing is sent."""
        fmt = OutputFormat("schema", lengths=provider_of(self.config.base_url) == "other")
        return [
            BatchRequest(
                request_body(self.config, job.messages, fmt, self.budget.output_tokens, BRIEF),
                self.prompt_tokens(job.messages, fmt),
            )
            for job in self.jobs(article)
        ]

    @staticmethod
    def parse_brief(content: str) -> Brief:
        """A brief from the content of a model's answer (a Batch API output line's), validated
        against the schema; `ValueError` saying what is wrong when it is not one."""
        try:
            brief: Brief = parse_output(content, BRIEF.model)
        except Unusable as exc:
            raise ValueError(str(exc)) from None
        return brief

    def prompt_tokens(
        self,
        messages: list[dict[str, str]],
        fmt: OutputFormat | None = None,
        output: OutputSpec = BRIEF,
        template: PromptTemplate | None = None,
    ) -> int:
        """The prompt tokens of a request of `messages` in `fmt` (default: the format asked in
        now), as the budget counts them: the messages as sent (in json_object mode with the
        schema in the system message, as `template` words it), and the schema where the
        server puts it into the prompt (OpenAI's json_schema)."""
        fmt = fmt or self.negotiation.current
        sent = with_format(messages, template or self.template, output, fmt)
        return self._sent_tokens(sent, fmt, output)

    def _sent_tokens(
        self, sent: list[dict[str, str]], fmt: OutputFormat, output: OutputSpec
    ) -> int:
        tokens = self.budget.counter.count_messages(sent)
        if fmt.mode == "schema" and provider_of(self.config.base_url) != "other":
            key = (output.name, fmt.lengths)
            if key not in self._schema_counts:
                schema = json.dumps(output.schema(lengths=fmt.lengths))
                self._schema_counts[key] = self.budget.counter.count(schema)
            tokens += self._schema_counts[key]
        return tokens
