"""One story told by several outlets, as one brief: a public JSON contract (schema version 1).

A story brief says what the outlets agree on (each fact once, with every outlet that reports
it and one quote from each), where they differ, what only one of them reports, who is
involved and how each outlet sources the story. Outlets are numbered by position (0, 1, ...)
as in a `Comparison`, and every quote is checked against its own outlet's article by code.

`StoryDraft` is what the LLM engine is asked for (a strict schema, `prompts/story.toml`);
code turns it into a `StoryBrief` (`briefer.engines.openai.story`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from briefer.schema import PromptInfo, Usage
from briefer.schema.comparison import (
    ComparedSource,
    Conflict,
    SharedFact,
    SourcingSide,
    StakeholderCoverage,
    _Model,
)


class OutletSourcing(_Model):
    """How one outlet sources the story: a line for people, the counts behind it."""

    source: int
    line: str = Field(description='e.g. "2 named sources, 1 anonymous; cites Reuters".')
    cites: list[str] = Field(description="Other news outlets it attributes claims to.")
    counts: SourcingSide


class StoryBrief(_Model):
    """What several outlets report about one story, merged."""

    schema_version: Literal["1"] = "1"
    kind: Literal["story"] = "story"
    created_at: datetime
    engine: str  # "offline", "openai", or the name of a plugin engine
    model: str | None = None
    prompt: PromptInfo | None = Field(
        None, description="The prompt that wrote the story brief; none when code built it."
    )
    headline: str
    sources: list[ComparedSource]
    agreed: list[SharedFact] = Field(
        description="Facts two or more outlets report, those every outlet reports first."
    )
    differ: list[Conflict] = Field(description="The same quantity or claim, told differently.")
    only_one: list[SharedFact] = Field(description="Facts only one outlet reports, ranked.")
    only_one_more: int = Field(
        0, description="How many more facts only one outlet reports (the comparison has them)."
    )
    stakeholders: list[StakeholderCoverage]
    sourcing: list[OutletSourcing]
    usage: Usage = Field(default_factory=Usage)
    warnings: list[str] = Field(default_factory=list)

    def label(self, index: int) -> str:
        """How outlet `index` is named: its site, host or file name."""
        return self.sources[index].label


# --- what the LLM engine is asked for (strict schema); our code builds the StoryBrief ----------


class StoryDraftQuote(_Model):
    """An outlet's own words for a fact, copied from its article."""

    source: int = Field(description="The outlet's number, as given in the input.")
    quote: str = Field(
        min_length=1, max_length=600, description="Copied verbatim from this outlet's article."
    )


class StoryDraftFact(_Model):
    """A fact two or more outlets report, with each one's quote."""

    statement: str = Field(min_length=1, max_length=400)
    quotes: list[StoryDraftQuote] = Field(min_length=2, max_length=12)


class StoryDraftClaim(_Model):
    """What one outlet says where the outlets differ."""

    source: int = Field(description="The outlet's number, as given in the input.")
    value: str = Field(
        min_length=1,
        max_length=120,
        description="The figure with its unit and hedge as the article gives it ('about 1,200 "
        "residents'), or the date, the place, or who is credited.",
    )
    quote: str = Field(
        min_length=1, max_length=600, description="Copied verbatim from this outlet's article."
    )


class StoryDraftDifference(_Model):
    """The same quantity or claim about the same thing, told differently."""

    kind: Literal["quantity", "date", "place", "attribution"]
    topic: str = Field(min_length=1, max_length=120, description="What they differ about.")
    claims: list[StoryDraftClaim] = Field(min_length=2, max_length=12)


class StoryDraftOnly(_Model):
    """A fact only one outlet reports."""

    source: int = Field(description="The outlet's number, as given in the input.")
    statement: str = Field(min_length=1, max_length=400)
    quote: str = Field(
        min_length=1, max_length=600, description="Copied verbatim from this outlet's article."
    )


class StoryDraft(_Model):
    """The model's story brief of the outlets it was given."""

    headline: str = Field(min_length=1, max_length=200)
    agreed: list[StoryDraftFact] = Field(max_length=12)
    differ: list[StoryDraftDifference] = Field(max_length=12)
    only_one: list[StoryDraftOnly] = Field(max_length=12)

    def quote_count(self) -> int:
        """How many quotes the draft gives."""
        return (
            sum(len(f.quotes) for f in self.agreed)
            + sum(len(d.claims) for d in self.differ)
            + len(self.only_one)
        )
