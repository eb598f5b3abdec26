"""The offline engine: a deterministic brief from rules alone, no model, no network.

* **Key facts** are whole sentences of the article, page furniture and datelines cut out
  (`briefer.text.furniture`). The first three sentences that state news lead, in order (the
  inverted pyramid); the rest are ranked by position, specificity (numbers, dates, named
  stakeholders) and centrality (words shared with the headline and with the article's most
  frequent content words). Each fact's evidence is a verbatim span of the article, so it
  always verifies; its attribution comes from the sourcing analysis, or is "the reporter"
  when the sentence has none.
* **Stakeholders** come from `briefer.analysis.stakeholders`; role from a title or an
  appositive next to the first mention; stance from what they are quoted saying, or their
  declining to comment.
* **Open questions** come from what the article signals it does not know: declined comment,
  hedged numbers, unverified claims, anonymous sourcing, stated uncertainty.
* **Sourcing caveats** come straight from `briefer.analysis.sourcing`, each with its evidence span.

The same text always gives the same brief, byte for byte.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from briefer import __version__
from briefer.analysis.rules import enabled
from briefer.analysis.sourcing import SourceKind, SourcingProfile, analyze_sourcing
from briefer.analysis.stakeholders import find_stakeholders
from briefer.engines import EngineResult, EngineSetup
from briefer.engines.estimate import Plan
from briefer.engines.offline.caveats import _caveats
from briefer.engines.offline.claims import checked_claims
from briefer.engines.offline.facts import (
    _attributions_by_sentence,
    _body_start,
    _key_facts,
    _rank,
    sentence_of,
)
from briefer.engines.offline.headline import _headline, _summary
from briefer.engines.offline.questions import MAX_QUESTIONS, _open_questions
from briefer.engines.offline.stakeholders import MAX_STAKEHOLDERS, _stakeholders
from briefer.inputs.article import Article
from briefer.schema import (
    Brief,
    Notice,
    Usage,
)
from briefer.text import Span, sentences
from briefer.text.chunking import chunk_article
from briefer.text.furniture import story_sentences
from briefer.text.tokens import TokenCounter
from briefer.text.untrusted import find_suspicious

if TYPE_CHECKING:
    from briefer.schema.comparison import Comparison
    from briefer.verify.coverage import Compared

# Past this size (estimated tokens) an article is briefed in parts and the parts merged, so
# that a long-read's facts come from all of it, not only from its opening.
CHUNK_TOKENS = 6000


@cache
def rules_digest() -> str:
    """A short digest of every file the offline brief depends on (rules and word lists)."""
    package = Path(__file__).resolve().parents[2]
    files = sorted(
        [
            *package.joinpath("engines", "offline").glob("*.py"),
            *package.joinpath("text").glob("*.py"),
            *package.joinpath("text").glob("*.toml"),
            *package.joinpath("analysis").rglob("*.py"),
            *package.joinpath("analysis").rglob("*.toml"),
        ]
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


class OfflineEngine:
    """Brief articles deterministically, with no model and no network."""

    name = "offline"
    origin: Literal["rules", "model"] = "rules"
    model: str | None = None
    counter = TokenCounter("estimate")
    on_rate_limit: Callable[[float], None] | None = None  # nothing to wait for

    @property
    def prompt_id(self) -> str:
        """The version of the rules: briefer's version and a digest of the rules' source.

        Stored briefs are keyed by it, so a changed rule never serves a stale brief.
        """
        return f"offline@{__version__}+{rules_digest()}"

    @classmethod
    def create(cls, setup: EngineSetup) -> OfflineEngine:
        """The engine, from a Briefer's setup (it needs none of it)."""
        return cls()

    def brief(self, article: Article) -> EngineResult:
        """Brief one article; a long one's key facts are drawn from each of its parts.

        The sourcing analysis and the stakeholders are always those of the whole article, so
        a long-read's counts do not contradict each other part by part.
        """
        profile = analyze_sourcing(article.text)
        parts = self._parts(article.text)
        notices = []
        if len(parts) > 1:
            notices.append(
                Notice(
                    code="chunked",
                    message=f"a long article: key facts drawn from each of its {len(parts)} parts",
                )
            )
        return EngineResult(
            brief=brief_offline(article, profile, parts=parts),
            usage=Usage(chunks=len(parts) if len(parts) > 1 else 1, cost_usd=0.0),
            model=None,
            prompt=None,
            notices=notices,
            profile=profile,
        )

    def _parts(self, text: str) -> list[tuple[int, int]]:
        """Where the article's parts begin and end: one part unless it is long."""
        if self.counter.count(text) <= CHUNK_TOKENS:
            return [(0, len(text))]
        return [(c.start, c.end) for c in chunk_article(text, CHUNK_TOKENS, self.counter)]

    async def abrief(
        self, article: Article, *, gate: AbstractAsyncContextManager[None] | None = None
    ) -> EngineResult:
        """Brief one article (CPU-bound and fast, so it simply runs; no requests to gate)."""
        return self.brief(article)

    def compare(self, items: list[Compared]) -> Comparison:
        """Compare coverage by rules (`briefer.engines.offline.compare`)."""
        from briefer.engines.offline.compare import compare_offline

        return compare_offline(items)

    def estimate(self, article: Article, *, truncated: bool) -> Plan:
        """The offline engine sends nothing and costs nothing."""
        return Plan(
            engine=self.name,
            model=None,
            price_entry=None,
            exact_counts=False,
            context_tokens=None,
            output_budget=None,
            chunks=len(self._parts(article.text)),
            requests=0,
            input_tokens=self.counter.count(article.text),
            expected_output_tokens=0,
            cost_usd=0.0,
            truncated=truncated,
        )

    def close(self) -> None:
        """Nothing to close."""

    async def aclose(self) -> None:
        """Nothing to close."""


def brief_offline(
    article: Article,
    profile: SourcingProfile | None = None,
    *,
    parts: list[tuple[int, int]] | None = None,
) -> Brief:
    """Build a brief of `article` from rules alone (`profile`: its sourcing, if known).

    With `parts` (where a long article's parts begin and end), sentences are ranked within
    each part and the key facts taken from the parts in turn.
    """
    text = article.text
    body_start = _body_start(text, article.title)
    all_sentences = sentences(text)
    worded = [s for s in all_sentences if any(ch.isalnum() for ch in s.text)] or all_sentences
    body = [s for s in worded if s.start >= body_start] or worded
    if enabled("facts.furniture"):
        body = story_sentences(text, body) or body  # no captions, prompts or datelines
    # Never carry text that tries to instruct a model into the brief.
    suspicious = [(f.start, f.end) for f in find_suspicious(text) if f.code != "hidden_text"]
    if suspicious:
        tainted = _overlapping(body, suspicious)
        body = [s for i, s in enumerate(body) if i not in tainted] or body
    profile = profile or analyze_sourcing(text)
    entities = find_stakeholders(
        text, body_start=body_start, cited=[a.source for a in profile.attributions]
    )
    by_sentence = _attributions_by_sentence(profile.attributions, text, body)
    # A named source that declines to comment puts nothing on the record.
    starts = [b.start for b in body]
    on_record = frozenset(
        sentence_of(body, starts, a.start) or a.sentence_start
        for a in profile.attributions
        if a.kind in (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION)
        and not any(a.start <= f.start <= a.end for f in profile.declined)
    )
    if parts and len(parts) > 1:
        ranked = _interleave(
            [
                _rank(
                    text,
                    [b for b in body if start <= b.start < end],
                    entities,
                    article.title,
                    on_record,
                )
                for start, end in parts
            ]
        )
    else:
        ranked = _rank(text, body, entities, article.title, on_record)
    claims = checked_claims(text) if enabled("facts.checked-claim") else []
    facts = _key_facts(ranked, body, by_sentence, claims)
    return Brief(
        headline=_headline(article.title, facts, body),
        summary=_summary(facts, ranked),
        key_facts=facts,
        stakeholders=_stakeholders(text, entities[:MAX_STAKEHOLDERS], profile, body),
        open_questions=_open_questions(text, profile, body)[:MAX_QUESTIONS],
        sourcing_caveats=_caveats(text, profile),
    )


def _interleave(rankings: list[list[Span]]) -> list[Span]:
    """The parts' rankings taken in turn (best of each part, then second best...), once each."""
    out: list[Span] = []
    seen: set[int] = set()
    for depth in range(max((len(r) for r in rankings), default=0)):
        for ranking in rankings:
            if depth < len(ranking) and ranking[depth].start not in seen:
                seen.add(ranking[depth].start)
                out.append(ranking[depth])
    return out


def _overlapping(spans: list[Span], ranges: list[tuple[int, int]]) -> set[int]:
    """Indices of the spans (in text order) that overlap any of the ranges; linear."""
    out: set[int] = set()
    starts = [s.start for s in spans]
    for a, b in ranges:
        i = max(bisect.bisect_right(starts, a) - 1, 0)
        while i < len(spans) and spans[i].start < b:
            if spans[i].end > a:
                out.add(i)
            i += 1
    return out
