"""A whole morning brief: articles and feeds in, one digest out, follow-ups marked.

This is what `Briefer.adigest`, the `briefer digest` command and the MCP `morning_digest`
tool all run: the feeds are read (conditionally; `briefer.digest.feeds`), their new entries
join the given articles, everything is briefed (`briefer.digest.runner.adigest`), a feed that
failed becomes a failed item, with a store the stories seen in earlier digests are marked
with what changed (`briefer.digest.followup`), and a story several outlets tell gets one brief
of what they agree on and where they differ (`briefer.digest.stories`). With a store, each
feed entry's outcome is noted there as soon as it is known, so an entry is never lost, even
to a killed process. `plan_digest` says what such a digest would send, sending nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from briefer.digest import Digest, DigestItem
from briefer.digest.runner import Briefs, DigestInput, Progress, adigest, load_input
from briefer.digest.stories import story_briefs
from briefer.errors import BrieferError
from briefer.inputs import LoadOptions
from briefer.io.store import Store

if TYPE_CHECKING:
    from briefer.core import Briefer
    from briefer.digest.feeds import FeedRead
    from briefer.engines.estimate import Plan


async def amorning(
    briefer: Briefs,
    inputs: Sequence[DigestInput] = (),
    *,
    feeds: Sequence[str] = (),
    since: datetime | None = None,
    store: Store | None = None,
    concurrency: int = 8,
    load_options: LoadOptions | None = None,
    progress: Progress | None = None,
    max_entries: int | None = None,
    max_digest_entries: int | None = None,
) -> Digest:
    """Brief `inputs` and the new entries of `feeds` (published since `since`; at most
    `max_entries` a feed and `max_digest_entries` of all feeds together,
    `briefer.digest.feeds.MAX_ENTRIES_PER_FEED` and `MAX_ENTRIES_PER_DIGEST` unless given)
    into a digest."""
    from briefer.digest.feeds import outcome_noter

    sources = list(inputs)
    summary = None
    held_back = 0
    failed_feeds: list[tuple[str, str]] = []
    failures: dict[str, BrieferError] = {}
    if feeds:
        from briefer.digest.feeds import describe

        caps = (max_entries, max_digest_entries)
        read = await asyncio.to_thread(_read, feeds, store, load_options, since, caps)
        sources += read.entries
        summary, failed_feeds = describe(read), read.failed
        held_back = read.held_back + read.digest_held_back
        failures = read.failures
    if progress is not None:
        progress.total = len(sources)
    digest = await adigest(
        sources,
        briefer,
        concurrency=concurrency,
        load_options=load_options,
        progress=progress,
        on_done=outcome_noter(store, sources) if store is not None and feeds else None,
    )
    digest.items += [
        DigestItem(f"feed {source}", error=why, failure=failures.get(source), kind="feed")
        for source, why in failed_feeds
    ]
    digest.feed_summary = summary
    digest.held_back = held_back
    if store is not None:  # stories briefed before: what changed since
        from briefer.digest.followup import find_follow_ups

        digest.follow_ups = await asyncio.to_thread(find_follow_ups, digest, store)
    digest.story_briefs = await asyncio.to_thread(story_briefs, digest)
    return digest


def plan_digest(
    briefer: Briefer,
    inputs: Sequence[DigestInput],
    feeds: Sequence[str] = (),
    *,
    since: datetime | None = None,
    caps: tuple[int | None, int | None] = (None, None),
    on_feeds: Callable[[str], None] | None = None,
) -> list[Plan]:
    """What briefing `inputs` and the new entries of `feeds` would send and cost, one plan an
    article, sending nothing: the feeds are read (`caps`: at most so many entries a feed and
    a digest, as `amorning` takes them) but nothing is recorded in a store. `on_feeds` is
    told the line on what the feeds gave as soon as they are read, before the articles are."""
    entries: list[DigestInput] = list(inputs)
    if feeds:
        from briefer.digest.feeds import describe

        read = _read(feeds, None, briefer.load_options, since, caps)
        if on_feeds is not None:
            on_feeds(describe(read))
        entries += read.entries
    return [briefer.estimate(load_input(e, briefer.load_options)) for e in entries]


def _read(
    feeds: Sequence[str],
    store: Store | None,
    load_options: LoadOptions | None,
    since: datetime | None,
    caps: tuple[int | None, int | None],
) -> FeedRead:
    """Read `feeds` (`caps`: the entries a feed and a digest, the defaults of
    `briefer.digest.feeds` for None)."""
    from briefer.digest.feeds import MAX_ENTRIES_PER_DIGEST, MAX_ENTRIES_PER_FEED, read_feeds

    per_feed, per_digest = caps
    return read_feeds(
        list(feeds),
        store=store,
        options=load_options,
        since=since,
        max_entries=MAX_ENTRIES_PER_FEED if per_feed is None else per_feed,
        max_digest_entries=MAX_ENTRIES_PER_DIGEST if per_digest is None else per_digest,
    )
