"""The public types of the sourcing analysis: source and finding kinds, and the profile."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_BACK_REFERENCE = re.compile(r"^(?:the|one of the|two of the|some of the|both)\b", re.IGNORECASE)


class SourceKind(StrEnum):
    """Who stands behind an attribution."""

    NAMED_PERSON = "named_person"  # "Lars Henningsen", "Mayor Denise Albright", "Albright"
    NAMED_ORGANIZATION = "named_organization"  # "the Westbrook Transit Authority", "the Kremlin"
    ANONYMOUS = "anonymous"  # "people familiar with the matter", "one of the people"
    UNNAMED_INSTITUTION = "unnamed_institution"  # "Western officials", "police", "a court filing"


class FindingKind(StrEnum):
    """What a finding flags."""

    DECLINED_COMMENT = "declined_comment"  # "declined to comment", "did not say which"
    HEDGED_NUMBER = "hedged_number"  # "more than 10,000", "millions of dollars"
    UNVERIFIED = "unverified"  # "could not be independently verified", "disputed"


UNATTRIBUTED = "unattributed"  # `refers_to` of a claim on nobody's named word ("reportedly")


@dataclass(frozen=True)
class Attribution:
    """One attribution: who (`source`) asserts the sentence it sits in, and with which verb.

    `text[start:end]` is the whole attribution phrase ("the people said", "according to people
    familiar with the matter"); `source == text[source_start:source_end]`. For a pronoun or
    a surname, `refers_to` is the fuller source it was resolved to ("Denise Albright"); for
    "reportedly" or an agentless passive ("is accused of") it is `UNATTRIBUTED`.
    """

    start: int
    end: int
    source: str
    source_start: int
    source_end: int
    verb: str
    kind: SourceKind
    sentence_start: int
    sentence_end: int
    refers_to: str | None = None

    @property
    def refers_back(self) -> bool:
        """True for a source met earlier: "the people", "one of the people", "the diplomat"."""
        return _BACK_REFERENCE.match(self.source) is not None


@dataclass(frozen=True)
class Finding:
    """A flagged phrase: `text == article[start:end]`."""

    kind: FindingKind
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SingleSourceClaim:
    """A sentence (claim) that rests on one source, and why it is flagged."""

    sentence_start: int
    sentence_end: int
    source: str
    reason: str


@dataclass(frozen=True)
class SourcingProfile:
    """Everything `analyze_sourcing` found in one article."""

    attributions: tuple[Attribution, ...]
    declined: tuple[Finding, ...]
    hedged: tuple[Finding, ...]
    unverified: tuple[Finding, ...]
    single_source: tuple[SingleSourceClaim, ...]

    @property
    def total(self) -> int:
        """Return the number of attributions."""
        return len(self.attributions)

    @property
    def counts(self) -> dict[str, int]:
        """Return the number of attributions of each `SourceKind` (every kind present)."""
        out = {kind.value: 0 for kind in SourceKind}
        for attribution in self.attributions:
            out[attribution.kind.value] += 1
        return out

    @property
    def named_count(self) -> int:
        """Return the number of attributions to a named person or organisation."""
        counts = self.counts
        return counts[SourceKind.NAMED_PERSON] + counts[SourceKind.NAMED_ORGANIZATION]

    @property
    def anonymous_share(self) -> float:
        """Return the share of attributions whose kind is ANONYMOUS (0.0 when there are none)."""
        return self._share(SourceKind.ANONYMOUS)

    @property
    def unnamed_share(self) -> float:
        """Return the share of attributions to an UNNAMED_INSTITUTION (0.0 when none)."""
        return self._share(SourceKind.UNNAMED_INSTITUTION)

    def _share(self, kind: SourceKind) -> float:
        return self.counts[kind] / self.total if self.total else 0.0
