"""The morning digest: many articles briefed at once, grouped into stories, nothing lost.

* Inputs are texts, files, URLs or `Article`s (`briefer.inputs`); a folder has already been
  replaced by its article files. An input that cannot be read becomes a failed item with its
  reason: never silently dropped.
* Articles are briefed concurrently on one event loop, `concurrency` at a time. A 429 halves
  the concurrency (never below 1) and it grows back by one with each success once the
  Retry-After wait has passed (additive increase, multiplicative decrease).
* With a store, finished briefs are stored as they finish, so an interrupted digest loses
  nothing and a re-run briefs only what is missing.
* Stories: two briefs report the same story when they share at least `SHARED_TERMS` key
  terms (the most frequent words of five letters or more in headline, summary and key facts)
  and at least `SHARED_STAKEHOLDERS` named stakeholders (countries do not count: too many
  stories share them); or when they share more than `SHARED_TERMS` key terms with a Jaccard
  overlap of at least `TERM_OVERLAP`. The same company in two different events shares
  stakeholders but few terms, and stays apart. Groups are the connected sets of that relation,
  in the order their first article was given.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from briefer.article import Article
from briefer.core import Briefer
from briefer.entities import lexicon
from briefer.errors import BrieferError
from briefer.inputs import Input, LoadOptions, label, load_article, waits_on_io
from briefer.pacing import AdaptiveLimiter, IdleRunner, Urgency
from briefer.schema import Envelope

SHARED_STAKEHOLDERS = 2
SHARED_TERMS = 4
TERM_OVERLAP = 0.25
ANONYMOUS_DOMINATES = 0.5  # share of anonymous attributions that earns a sourcing flag


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

    @property
    def failed(self) -> list[DigestItem]:
        return [i for i in self.items if not i.ok]

    @property
    def briefed(self) -> list[DigestItem]:
        return [i for i in self.items if i.ok]

    def stories(self) -> list[list[DigestItem]]:
        """The briefed items grouped by story (see the module docstring for the rule)."""
        briefed = self.briefed
        groups = group_stories([i.envelope for i in briefed if i.envelope is not None])
        return [[briefed[i] for i in group] for group in groups]


@dataclass
class Progress:
    """Counts for a progress display, updated as items finish."""

    total: int
    done: int = 0
    failed: int = 0
    cached: int = 0
    tokens: int = 0
    started: float = field(default_factory=time.monotonic)


async def adigest(
    inputs: list[Input],
    briefer: Briefer,
    *,
    concurrency: int = 8,
    load_options: LoadOptions | None = None,
    on_update: Callable[[Progress, DigestItem], None] | None = None,
) -> Digest:
    """Brief every input; failures become failed items, never exceptions."""
    limiter = AdaptiveLimiter(concurrency)
    runner = IdleRunner()
    briefer.on_rate_limit(limiter.throttle)
    progress = Progress(total=len(inputs))
    items = [DigestItem(label(given)) for given in inputs]

    async def _load(given: Input) -> Article:
        if waits_on_io(given):  # waits on the network or a pipe: a thread
            return await asyncio.to_thread(load_article, given, load_options)
        return await runner.submit(lambda: load_article(given, load_options), Urgency.LOAD)

    async def one(item: DigestItem, given: Input) -> None:
        try:
            article = await _load(given)
            stored = await briefer.abrief_stored(article, gate=limiter, runner=runner)
            item.envelope, item.brief_id, item.cached = stored.envelope, stored.id, stored.cached
        except BrieferError as exc:
            message = " ".join(str(exc).split())
            item.error = message.removeprefix(f"{item.source}: ")  # the source is listed anyway
            item.failure = exc
        except Exception as exc:  # one article's bug must not stop the others
            item.error = f"internal error ({type(exc).__name__}: {exc})"
        progress.done += 1
        progress.failed += not item.ok
        progress.cached += item.cached
        if item.envelope is not None and not item.cached:
            progress.tokens += item.envelope.usage.total_tokens
        if on_update is not None:
            on_update(progress, item)

    try:
        await asyncio.gather(*(one(item, given) for item, given in zip(items, inputs, strict=True)))
    finally:
        briefer.on_rate_limit(None)
        await runner.aclose()
        await briefer.aclose()
    return Digest(items)


def digest(inputs: list[Input], briefer: Briefer, **kwargs: object) -> Digest:
    """Blocking `adigest`."""
    return asyncio.run(adigest(inputs, briefer, **kwargs))  # type: ignore[arg-type]


# --- stories ----------------------------------------------------------------------------------

_TERM = re.compile(r"[^\W\d_]{5,}")
_COMMON = frozenset(
    "about after again against among around because before being between could during every "
    "first found further having their there these those three through under until which while "
    "would where other since still said says people officials according report reported "
    "reporter article stated added".split()
)


def _terms(envelope: Envelope) -> set[str]:
    brief = envelope.brief
    text = " ".join([brief.headline, brief.summary, *(f.statement for f in brief.key_facts)])
    counts = Counter(w.lower() for w in _TERM.findall(text) if w.lower() not in _COMMON)
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
    parent = list(range(len(envelopes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    terms = [_terms(e) for e in envelopes]
    names = [_names(e) for e in envelopes]
    for i in range(len(envelopes)):
        for j in range(i + 1, len(envelopes)):
            shared_terms = terms[i] & terms[j]
            union = terms[i] | terms[j]
            close_terms = len(shared_terms) >= SHARED_TERMS
            same = (close_terms and len(names[i] & names[j]) >= SHARED_STAKEHOLDERS) or (
                len(shared_terms) > SHARED_TERMS
                and len(shared_terms) / max(len(union), 1) >= TERM_OVERLAP
            )
            if same:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(envelopes)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])
