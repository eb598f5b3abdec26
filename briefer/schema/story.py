"""One story told by several outlets, as one brief: a public JSON contract (schema version 1).

A story brief says what the outlets agree on (each fact once, with every outlet that reports
it and one quote from each), where they differ, what only one of them reports, who is
involved and how each outlet sources the story. Outlets are numbered by position (0, 1, ...)
as in a `Comparison`, and every quote is checked against its own outlet's article by code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from briefer.schema import Usage
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
