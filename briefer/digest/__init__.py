"""What a digest produced: its items (a brief, or why it failed) and their grouping into stories.

Two briefs report the same story when they share named stakeholders (countries do not count:
too many stories share them) and key terms (the most frequent words of five letters or more in
headline, summary and key facts, not counting the words of the shared names): `SHARED_STAKEHOLDERS`
names and `SHARED_TERMS` terms, or one name fewer for one term more, or one name more and
no term (outlets word the same story differently but name the same people); or when they
share more than `SHARED_TERMS + 1` key terms with a Jaccard overlap of at least
`TERM_OVERLAP`; or when they share the digest's rare words: the cosine of their word
weights (each word of headline, summary, key facts and stakeholder names weighted by how few
of the digest's briefs use it) is at least `DISTINCTIVE_SIMILARITY` (outlets telling one
story with different people quoted). The same company in two different events shares a few
stakeholders but few terms, and stays apart. Groups are the connected sets of that relation,
in the order their first article was given.

Results only: renderers import this module, never the runner (`briefer.digest.runner`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from typing import Any

from briefer.errors import BrieferError
from briefer.schema import Envelope
from briefer.text.lexicon import content_words, lexicon
from briefer.text.similarity import connected_groups

SHARED_STAKEHOLDERS = 3
SHARED_TERMS = 3
TERM_OVERLAP = 0.25
DISTINCTIVE_SIMILARITY = 0.25


@dataclass
class DigestItem:
    """One input of a digest: its brief, or why it failed."""

    source: str
    envelope: Envelope | None = None
    brief_id: int | None = None
    cached: bool = False
    error: str | None = None
    failure: BrieferError | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.envelope is not None


@dataclass
class Digest:
    """The result of a digest run."""

    items: list[DigestItem]
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Story number (from 1) -> what changed since its earlier briefs (a
    # `briefer.digest.followup.FollowUp`), for the stories that are follow-ups.
    follow_ups: dict[int, Any] = field(default_factory=dict)
    feed_summary: str | None = None  # what reading the feeds gave, when there were feeds
    held_back: int = 0  # feed entries over the per-feed cap, left for a later run
    _stories: tuple[tuple[int, ...], list[list[DigestItem]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def failed(self) -> list[DigestItem]:
        return [i for i in self.items if not i.ok]

    @property
    def briefed(self) -> list[DigestItem]:
        return [i for i in self.items if i.ok]

    def stories(self) -> list[list[DigestItem]]:
        """The briefed items grouped by story (the rule is in the module docstring); worked
        out once for the same briefed items, however often renderers ask."""
        briefed = self.briefed
        key = tuple(id(i.envelope) for i in briefed)
        if self._stories is None or self._stories[0] != key:
            groups = group_stories([i.envelope for i in briefed if i.envelope is not None])
            self._stories = (key, [[briefed[i] for i in group] for group in groups])
        return [list(group) for group in self._stories[1]]


def _rare_word_weights(envelopes: list[Envelope]) -> list[dict[str, float]]:
    """Each brief's words weighted by frequency in it and rarity across the digest
    (log-scaled counts times log(1 + briefs / briefs using the word)), scaled to length 1."""
    bags = []
    for envelope in envelopes:
        brief = envelope.brief
        parts = [
            brief.headline,
            brief.summary,
            *(f.evidence for f in brief.key_facts),
            *(s.name for s in brief.stakeholders),
        ]
        bags.append(Counter(content_words(" ".join(parts))))
    used_by = Counter(word for bag in bags for word in bag)
    out = []
    for bag in bags:
        weights = {
            word: (1 + math.log(count)) * math.log(1 + len(bags) / used_by[word])
            for word, count in bag.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        out.append({word: w / norm for word, w in weights.items()})
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    return sum(weight * b.get(word, 0.0) for word, weight in a.items())


def _terms(envelope: Envelope) -> set[str]:
    brief = envelope.brief
    text = " ".join([brief.headline, brief.summary, *(f.statement for f in brief.key_facts)])
    counts = Counter(content_words(text, min_letters=5))
    return {w for w, _ in counts.most_common(15)}


def _names(envelope: Envelope) -> set[str]:
    countries = {c.lower() for c in lexicon().country_of.values()}
    names = (
        re.sub(r"^the\s+", "", s.name.lower()).strip()
        for s in envelope.brief.stakeholders
        if s.kind.value != "group"
    )
    return {n for n in names if n not in countries}


def group_stories(envelopes: list[Envelope]) -> list[list[int]]:
    """Group briefs that report the same story; return lists of indices."""
    terms = [_terms(e) for e in envelopes]
    names = [_names(e) for e in envelopes]
    weights = _rare_word_weights(envelopes)

    def same(i: int, j: int) -> bool:
        both = names[i] & names[j]
        name_words = {w for name in both for w in name.split()}
        shared_terms = len(terms[i] & terms[j] - name_words)
        all_terms = len(terms[i] & terms[j])
        overlap = all_terms / max(len(terms[i] | terms[j]), 1)
        return (
            len(both) >= SHARED_STAKEHOLDERS + 1
            or (len(both) >= SHARED_STAKEHOLDERS and shared_terms >= SHARED_TERMS)
            or (len(both) >= SHARED_STAKEHOLDERS - 1 and shared_terms >= SHARED_TERMS + 1)
            or (all_terms > SHARED_TERMS + 1 and overlap >= TERM_OVERLAP)
            or _cosine(weights[i], weights[j]) >= DISTINCTIVE_SIMILARITY
        )

    pairs = combinations(range(len(envelopes)), 2)
    return connected_groups(len(envelopes), ((i, j) for i, j in pairs if same(i, j)))
