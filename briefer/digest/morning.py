"""A whole morning brief: articles and feeds in, one digest out, follow-ups marked.

This is what `Briefer.adigest`, the `briefer digest` command and the MCP `morning_digest`
tool all run: the feeds are read (conditionally; `briefer.digest.feeds`), their new entries
join the given articles, everything is briefed (`briefer.digest.runner.adigest`), a feed that
failed becomes a failed item, with a store the stories seen in earlier digests are marked
with what changed (`briefer.digest.followup`), and a story several outlets tell gets one brief
of what they agree on and where they differ (`briefer.digest.stories`). With a store, each
feed entry's outcome is noted there as soon as it is known, so an entry is never lost, even
to a killed process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from briefer.digest import Digest, DigestItem
from briefer.digest.runner import Briefs, DigestInput, Progress, adigest
from briefer.digest.stories import story_briefs
from briefer.errors import BrieferError
from briefer.inputs import LoadOptions
from briefer.io.store import Store


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
    from briefer.digest.feeds import MAX_ENTRIES_PER_DIGEST, MAX_ENTRIES_PER_FEED, outcome_noter

    sources = list(inputs)
    summary = None
    held_back = 0
    failed_feeds: list[tuple[str, str]] = []
    failures: dict[str, BrieferError] = {}
    if feeds:
        from briefer.digest.feeds import describe, read_feeds

        read = await asyncio.to_thread(
            read_feeds,
            list(feeds),
            store=store,
            options=load_options,
            since=since,
            max_entries=MAX_ENTRIES_PER_FEED if max_entries is None else max_entries,
            max_digest_entries=MAX_ENTRIES_PER_DIGEST
            if max_digest_entries is None
            else max_digest_entries,
        )
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
