"""The comparison of several articles' coverage: a public JSON contract (schema version 2).

Sources are numbered by position (0, 1, ...). Every quote names its source and is checked
against that source's article text by code (`status`, offsets).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from briefer.schema import QuoteStatus, StakeholderKind, Usage, source_label


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ComparedSource(_Model):
    """One compared article."""

    index: int
    source: str
    title: str | None
    site_name: str | None
    published: str | None

    @property
    def label(self) -> str:
        """The source as people name it: its site, host or file name (`source_label`)."""
        return source_label(self.source, self.site_name)


class Quote(_Model):
    """What one source says, in its own words, checked against its article."""

    source: int
    text: str
    attribution: str | None = None
    status: QuoteStatus = "exact"
    start: int | None = None
    end: int | None = None


class SharedFact(_Model):
    """A fact, and the sources that report it (with each one's quote)."""

    statement: str
    sources: list[int]
    coverage: Literal["all", "some", "one"]
    quotes: list[Quote]


class Conflict(_Model):
    """Sources that report the same thing differently."""

    kind: Literal["quantity", "date", "place", "attribution"]
    topic: str = Field(description="What the sources disagree about, e.g. 'residents'.")
    values: dict[int, str] = Field(description="What each source says (by source index).")
    quotes: list[Quote]


class StakeholderCoverage(_Model):
    """Which sources mention a stakeholder."""

    name: str
    kind: StakeholderKind
    sources: list[int]


class SourcingSide(_Model):
    """One source's sourcing profile, for side-by-side reading."""

    source: int
    attributions: int
    named: int
    anonymous: int
    unnamed_institution: int
    anonymous_share: float
    declined_comment: int


class Comparison(_Model):
    """What sources agree on, where they conflict, what only one reports, how each is sourced."""

    schema_version: Literal["2"] = "2"
    kind: Literal["comparison"] = "comparison"
    created_at: datetime
    engine: str  # "offline", "openai", or the name of a plugin engine
    model: str | None = None
    sources: list[ComparedSource]
    agreed: list[SharedFact] = Field(description="Facts every source reports.")
    partial: list[SharedFact] = Field(description="Facts some, but not all, report.")
    unique: list[SharedFact] = Field(description="Facts only one source reports.")
    conflicts: list[Conflict]
    stakeholders: list[StakeholderCoverage]
    sourcing: list[SourcingSide]
    usage: Usage = Field(
        default_factory=Usage,
        description="Requests, tokens and cost of the comparison itself (none offline).",
    )
    brief_usage: Usage = Field(
        default_factory=Usage,
        description="The compared briefs' requests, tokens and cost, as recorded when each "
        "brief was made (a brief reused from the store costs nothing again).",
    )
    warnings: list[str] = Field(default_factory=list)


class BriefDiff(_Model):
    """Two briefs of the same article (two models, two prompt versions) side by side."""

    schema_version: Literal["2"] = "2"
    kind: Literal["brief_diff"] = "brief_diff"
    labels: tuple[str, str]
    facts_only_in: tuple[list[str], list[str]]
    facts_in_both: list[str]
    stakeholders_only_in: tuple[list[str], list[str]]
    caveats_only_in: tuple[list[str], list[str]]
    grounded_ratio: tuple[float, float]


# --- what the LLM engine is asked for (strict schema); our code builds the Comparison -----------


class DraftQuote(_Model):
    """A source's own words for a fact, copied from its brief."""

    source: int = Field(description="The source's number, as given in the input.")
    quote: str = Field(min_length=1, max_length=600, description="Evidence copied verbatim.")


class DraftFact(_Model):
    """A fact and every source that reports it."""

    statement: str = Field(min_length=1, max_length=400)
    quotes: list[DraftQuote] = Field(min_length=1, max_length=12)


class DraftClaim(_Model):
    """What one source says in a conflict."""

    source: int
    value: str = Field(
        min_length=1, max_length=120, description="The figure, date, place or source."
    )
    quote: str = Field(min_length=1, max_length=600, description="Evidence copied verbatim.")


class DraftConflict(_Model):
    """Sources that report the same thing differently."""

    kind: Literal["quantity", "date", "place", "attribution"]
    topic: str = Field(min_length=1, max_length=120)
    claims: list[DraftClaim] = Field(min_length=2, max_length=12)


class ComparisonDraft(_Model):
    """The model's comparison of the briefs it was given."""

    facts: list[DraftFact] = Field(max_length=40)
    conflicts: list[DraftConflict] = Field(max_length=12)
