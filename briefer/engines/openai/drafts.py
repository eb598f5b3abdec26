"""What the model is asked about several articles at once: a comparison of their coverage
(`prompts/compare.toml`) and one brief of the story they tell (`prompts/story.toml`). Each
draft's quotes are checked against the articles they name, with one repair; the result is
re-verified by code (`briefer.engines.openai.compare`, `briefer.engines.openai.story`).

`Drafting` is a mixin of `OpenAIEngine`, which gives it the endpoint's settings, budget, output
format negotiation and a way to send.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from briefer.engines.openai.conversation import (
    Answer,
    Conversation,
    MissingQuotes,
    Overflow,
    conversation,
)
from briefer.engines.openai.messages import (
    OutputSpec,
    Request,
    build_briefs_messages,
    build_story_messages,
)
from briefer.engines.openai.models import ModelInfo
from briefer.engines.openai.prompts import PromptTemplate, load_template
from briefer.engines.openai.resolution import Settled
from briefer.engines.openai.transport import drive, translate_error
from briefer.schema import Brief, Usage
from briefer.schema.comparison import ComparisonDraft
from briefer.schema.story import StoryDraft
from briefer.text.untrusted import Boundary
from briefer.verify.quotes import locate

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

    from briefer.schema.comparison import Comparison
    from briefer.schema.story import StoryBrief
    from briefer.verify.coverage import Compared

COMPARISON = OutputSpec("comparison", ComparisonDraft)
STORY = OutputSpec("story", StoryDraft)


class Drafting(Settled):
    """Comparisons and story briefs, asked of the model (a mixin of `OpenAIEngine`)."""

    def _overflow(self, output: OutputSpec) -> Overflow:
        raise NotImplementedError

    def _sender(self) -> Callable[[Request], ChatCompletion]:
        raise NotImplementedError

    def price_table(self, answered: str | None) -> ModelInfo:
        raise NotImplementedError

    def compare(self, items: list[Compared]) -> Comparison:
        """Ask the model to compare the briefs; every quote it gives is re-verified."""
        from briefer.engines.openai.compare import comparison_from_draft

        answer = self.draft_comparison([i.envelope.brief for i in items], [i.text for i in items])
        notes = [n.message for n in answer.notices]
        return comparison_from_draft(
            answer.value, items, answer.model, notes, self._priced_usage(answer)
        )

    def story(self, items: list[Compared]) -> StoryBrief:
        """Ask the model for one brief of the story `items` tell (`prompts/story.toml`), over
        their briefs and articles; every quote it gives is re-verified against its own
        outlet's article (`briefer.engines.openai.story`)."""
        from briefer.engines.openai.story import story_from_draft

        answer = self.draft_story(items)
        return story_from_draft(
            answer.value,
            items,
            model=answer.model,
            prompt=answer.prompt,
            notes=[n.message for n in answer.notices],
            usage=self._priced_usage(answer),
        )

    def draft_story(self, items: list[Compared]) -> Answer:
        """Ask the model for a story brief (blocking); its draft, unchecked."""
        return self._ask(STORY, _story_question(items))

    def _priced_usage(self, answer: Answer) -> Usage:
        """An answer's usage with its cost in dollars (None when the model has no price)."""
        usage = answer.usage
        cost = self.price_table(answer.model).cost(
            usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens
        )
        return usage.model_copy(update={"cost_usd": cost})

    def draft_comparison(self, briefs: list[Brief], texts: list[str]) -> Answer:
        """Ask the model to compare briefs (blocking); its draft, unchecked."""
        return self._ask(COMPARISON, _compare_question(briefs, texts))

    def _ask(self, output: OutputSpec, question: _Question) -> Answer:
        """The model's answer to `question`, asked for `output` (blocking)."""
        import openai

        send = self._sender()
        talk = self._conversation(output, question.messages, question.template, question.missing)
        try:
            return drive(talk, send)
        except openai.APIError as exc:
            raise translate_error(exc, self.config) from None

    def _conversation(
        self,
        output: OutputSpec,
        messages: list[dict[str, str]],
        template: PromptTemplate,
        missing: MissingQuotes,
    ) -> Conversation:
        """The conversation that asks for `output` with `messages`, under the endpoint's
        settings, budget and output format negotiation; `missing` finds the quotes to repair."""
        return conversation(
            messages,
            template,
            self.config,
            self.budget.output_tokens,
            output=output,
            missing=missing,
            negotiation=self.negotiation,
            overflow=self._overflow(output),
        )


class _Question(NamedTuple):
    """What the model is asked about several articles: the messages, the template they come
    from, and `missing`, the quotes of its draft not found in the articles they name."""

    messages: list[dict[str, str]]
    template: PromptTemplate
    missing: MissingQuotes


def _compare_question(briefs: list[Brief], texts: list[str]) -> _Question:
    """The question that compares briefs; quotes are checked against their articles."""
    template = load_template("compare")
    messages = build_briefs_messages(briefs, template, Boundary.new(), label="source", first=0)

    def missing(draft: ComparisonDraft) -> list[tuple[str, str]]:
        quotes = [
            (f"facts[{i}]", q.source, q.quote) for i, f in enumerate(draft.facts) for q in f.quotes
        ]
        quotes += [
            (f"conflicts[{i}]", c.source, c.quote)
            for i, conflict in enumerate(draft.conflicts)
            for c in conflict.claims
        ]
        return _not_found(quotes, texts, "source")

    return _Question(messages, template, missing)


def _story_question(items: list[Compared]) -> _Question:
    """The question that asks for a story brief; each quote is checked against the article
    of the outlet it is given for."""
    template = load_template("story")
    outlets = [(i.envelope.article.label, i.envelope.brief, i.text) for i in items]
    messages = build_story_messages(outlets, template, Boundary.new())
    texts = [i.text for i in items]

    def missing(draft: StoryDraft) -> list[tuple[str, str]]:
        quotes = [
            (f"agreed[{i}]", q.source, q.quote)
            for i, f in enumerate(draft.agreed)
            for q in f.quotes
        ]
        quotes += [
            (f"differ[{i}]", c.source, c.quote)
            for i, difference in enumerate(draft.differ)
            for c in difference.claims
        ]
        quotes += [(f"only_one[{i}]", o.source, o.quote) for i, o in enumerate(draft.only_one)]
        return _not_found(quotes, texts, "outlet")

    return _Question(messages, template, missing)


def _not_found(
    quotes: list[tuple[str, int, str]], texts: list[str], noun: str
) -> list[tuple[str, str]]:
    """The (where, quote) of each quote that names no article, or is not in the one it names."""
    return [
        (f"{where} ({noun} {source})", quote)
        for where, source, quote in quotes
        if not 0 <= source < len(texts) or locate(quote, texts[source]).status == "missing"
    ]
