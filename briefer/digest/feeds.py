"""Morning briefs from feeds: which entries a digest briefs, and how an entry becomes an article.

* Feeds are read with a conditional GET: the ETag and Last-Modified each feed last sent are
  kept in the store and sent back, so an unchanged feed costs one short 304 answer.
* Entries older than `since` are left out; the same page named by two feeds, or with
  tracking parameters (`utm_*`), is briefed once (`canonical_url`).
* An entry whose page was briefed by an earlier digest (the store knows the page's address)
  is not fetched again.
* An entry's page is fetched under the usual rules (public addresses only, size limits); the
  entry's title, author, date and feed name fill what the page does not say. When the page
  cannot be fetched and the feed carries a summary, the summary is briefed instead, and the
  brief says so (a `feed_summary` warning).
* A feed that cannot be read is reported with its reason and never stops the others.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from briefer.errors import BrieferError, InputError
from briefer.inputs import URL, LoadOptions, load_article
from briefer.inputs.article import Article, article_from_text
from briefer.inputs.feeds import FeedEntry, load_feed
from briefer.store import Store
from briefer.text import one_line


@dataclass(frozen=True)
class EntrySource:
    """One feed entry to brief: its page, or (when that fails) the feed's own summary."""

    entry: FeedEntry

    def __str__(self) -> str:
        return self.entry.url or f"{self.entry.feed}: {self.entry.title or 'untitled entry'}"

    @property
    def host(self) -> str | None:
        """The host of the entry's page (the digest limits requests per host)."""
        return urlsplit(self.entry.url).hostname if self.entry.url else None

    def load(self, options: LoadOptions | None = None) -> Article:
        """The entry's article: its page with the entry's metadata, else its summary."""
        entry = self.entry
        reason = "the entry has no link"
        if entry.url:
            try:
                page = load_article(URL(entry.url), options)
            except BrieferError as exc:
                reason = one_line(str(exc)).removeprefix(f"{entry.url}: ")
            else:
                return dataclasses.replace(
                    page,
                    title=page.title or entry.title,
                    author=page.author or entry.author,
                    published=page.published or _date(entry.published),
                    site_name=entry.feed or page.site_name,
                    url=entry.url,
                )
        if not entry.summary:
            raise InputError(f"{self}: cannot brief it ({reason}) and the feed gives no summary")
        article = article_from_text(entry.summary, source=str(self), title=entry.title)
        return dataclasses.replace(
            article,
            author=entry.author,
            published=_date(entry.published),
            site_name=entry.feed,
            url=entry.url,
            notes=(
                (
                    "feed_summary",
                    f"briefed from the feed's summary, not the article: {reason}",
                ),
            ),
        )


def _date(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


@dataclass
class FeedRead:
    """What reading the feeds gave: entries to brief, and what was left out or failed."""

    entries: list[EntrySource] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (feed, reason)
    unchanged: int = 0  # feeds that answered 304
    old: int = 0  # entries before `since`
    duplicates: int = 0  # the same page named again
    briefed_before: int = 0  # pages an earlier digest briefed


def read_feeds(
    sources: list[str],
    *,
    store: Store | None,
    options: LoadOptions | None = None,
    since: datetime | None = None,
) -> FeedRead:
    """Read every feed (conditionally when the store knows it) and choose the entries."""
    read = FeedRead()
    seen: set[str] = set()
    for source in dict.fromkeys(sources):
        etag, modified = store.feed_validators(source) if store is not None else (None, None)
        try:
            feed = load_feed(source, options=options, etag=etag, last_modified=modified)
        except BrieferError as exc:
            read.failed.append((source, one_line(str(exc)).removeprefix(f"{source}: ")))
            continue
        if store is not None:
            store.remember_feed(source, feed.etag, feed.last_modified)
        if feed.not_modified:
            read.unchanged += 1
            continue
        for entry in feed.entries:
            if since is not None and entry.published is not None and entry.published < since:
                read.old += 1
            elif entry.url and entry.url in seen:
                read.duplicates += 1
            elif entry.url and store is not None and store.has_url(entry.url):
                read.briefed_before += 1
                seen.add(entry.url)
            else:
                if entry.url:
                    seen.add(entry.url)
                read.entries.append(EntrySource(entry))
    return read


def describe(read: FeedRead) -> str:
    """One line on what the feeds gave, for stderr."""
    parts = [f"{len(read.entries)} entries to brief"]
    for count, what in (
        (read.briefed_before, "briefed by an earlier digest"),
        (read.old, "older than --since"),
        (read.duplicates, "named twice"),
        (read.unchanged, "feeds unchanged since last read"),
        (len(read.failed), "feeds failed"),
    ):
        if count:
            parts.append(f"{count} {what}")
    return "feeds: " + ", ".join(parts)
