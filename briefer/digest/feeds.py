"""Morning briefs from feeds: which entries a digest briefs, and how an entry becomes an article.

* Feeds are read with a conditional GET: the ETag and Last-Modified each feed last sent are
  kept in the store and sent back, so an unchanged feed costs one short 304 answer.
* Nothing seen is lost (with a store). A feed's new entries are recorded in the store as
  pending in the same transaction as its validators, before any is briefed, and each entry is
  marked briefed or failed as soon as its brief is stored or fails (`note_outcome`). Every run
  briefs the entries of its feeds still pending or failed, whatever the feed answers (a 304
  too, or an error). An entry that failed through a fault of its own (no readable page and no
  summary) is tried in `MAX_ATTEMPTS` runs, then given up; one the engine failed on (an LLM
  down, a quota) is tried again until it is briefed.
* At most `max_entries` entries a feed a run (`MAX_ENTRIES_PER_FEED` unless told), the newest
  first (undated ones after, in the feed's order), and at most `max_digest_entries` of all the
  feeds together (`MAX_ENTRIES_PER_DIGEST` unless told), again the newest first, across feeds.
  The others are held back, and said so; with a store they stay pending, for the next runs
  (then briefed even if older than `since` by then: they were recent when first seen).
* Entries older than `since` are left out; the same page named by two feeds, or with
  tracking parameters (`utm_*`), is briefed once (`canonical_url`).
* An entry whose page was briefed by an earlier digest (the store knows the page's address)
  is not fetched again.
* An entry's page is fetched under the usual rules (public addresses only, size limits); the
  entry's title, author, date and feed name fill what the page does not say. When the page
  cannot be fetched and the feed carries a summary, the summary is briefed instead, and the
  brief says so (a `feed_summary` warning).
* A feed that cannot be read, for whatever reason, is reported with its reason and never stops
  the others.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from briefer.errors import BrieferError, ConfigError, InputError
from briefer.inputs import URL, LoadOptions, load_article
from briefer.inputs.article import Article, article_from_text
from briefer.inputs.feeds import FeedEntry, load_feed
from briefer.io.store import Store
from briefer.text import counted, one_line

if TYPE_CHECKING:
    from briefer.digest import DigestItem

_log = logging.getLogger("briefer.digest")
MAX_ENTRIES_PER_FEED = 200  # entries of one feed briefed in one run
# Entries of all the feeds together briefed in one run. The per-feed cap alone lets a list of
# many feeds (an OPML export of 300 subscriptions) ask for 60,000 briefs at once: hours of
# work and as many paid requests. A thousand is five full feeds at the per-feed cap, more
# than a morning's news of a large subscription list, and an LLM bill a reader can foresee;
# what is over it waits in the store for the next run.
MAX_ENTRIES_PER_DIGEST = 1_000
# The most either cap can be set to: more than any feed lists, and a number SQLite can take.
MAX_ENTRIES_LIMIT = 1_000_000
MAX_ATTEMPTS = 3  # runs an entry that fails through a fault of its own is tried in


@dataclass(frozen=True)
class EntrySource:
    """One feed entry to brief: its page, or (when that fails) the feed's own summary."""

    entry: FeedEntry
    key: str = ""  # what identifies it across runs (`entry_key`)

    def __str__(self) -> str:
        return self.entry.url or f"{self.entry.feed}: {self.entry.title or 'untitled entry'}"

    @property
    def host(self) -> str | None:
        """The host of the entry's page (the digest limits requests per host)."""
        return urlsplit(self.entry.url).hostname if self.entry.url else None

    def load(self, options: LoadOptions | None = None) -> Article:
        """The entry's article: its page with the entry's metadata, else its summary. The
        page's outlet names it ("Harbour Times"); the feed's name only when the page names
        none (an aggregator's feed carries many outlets)."""
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
                    site_name=_outlet(page.site_name, entry.url) or entry.feed,
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
                *((("hidden_text", entry.hidden),) if entry.hidden else ()),
            ),
        )


def _date(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def entry_key(source: str, entry: FeedEntry) -> str:
    """What identifies an entry across runs and feeds: its page's canonical address, else a
    hash of its feed and of what it says."""
    if entry.url:
        return entry.url
    said = [source, entry.title or "", _date(entry.published) or "", entry.summary or ""]
    return "sha256:" + hashlib.sha256("\x1f".join(said).encode("utf-8")).hexdigest()


def _entry_json(entry: FeedEntry) -> str:
    """An entry as the store keeps it while it waits."""
    fields = dataclasses.asdict(entry)
    fields["published"] = _date(entry.published)
    return json.dumps(fields, ensure_ascii=False)


def _entry_from_json(text: str) -> FeedEntry | None:
    """An entry the store kept; None if it cannot be read back (it is then skipped)."""
    try:
        fields = json.loads(text)
        published = fields.pop("published")
        return FeedEntry(
            **fields, published=datetime.fromisoformat(published) if published else None
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


@dataclass
class FeedRead:
    """What reading the feeds gave: entries to brief, and what was left out or failed."""

    entries: list[EntrySource] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (feed, reason)
    # The error behind each failed feed, for a caller to word its fix in its own terms.
    failures: dict[str, BrieferError] = field(default_factory=dict)
    unchanged: int = 0  # feeds that answered 304
    old: int = 0  # entries before `since`
    duplicates: int = 0  # the same page named again
    briefed_before: int = 0  # pages an earlier digest briefed
    earlier: int = 0  # of `entries`: waiting since an earlier run (pending, or failed then)
    held_back: int = 0  # entries over `max_entries` of their feed, left for a later run
    max_entries: int = MAX_ENTRIES_PER_FEED
    # Entries within their feed's cap but over `max_digest_entries` of all feeds together.
    digest_held_back: int = 0
    max_digest_entries: int = MAX_ENTRIES_PER_DIGEST
    kept: bool = True  # whether held-back entries are kept (only with a store)


def read_feeds(
    sources: list[str],
    *,
    store: Store | None,
    options: LoadOptions | None = None,
    since: datetime | None = None,
    max_entries: int = MAX_ENTRIES_PER_FEED,
    max_digest_entries: int = MAX_ENTRIES_PER_DIGEST,
) -> FeedRead:
    """Read every feed (conditionally when the store knows it), record its new entries, and
    choose the entries to brief: at most `max_entries` a feed and `max_digest_entries` in all,
    the newest first."""
    _check_cap(max_entries, "a feed", "max_entries")
    _check_cap(max_digest_entries, "a digest", "max_digest_entries")
    read = FeedRead(
        max_entries=max_entries, max_digest_entries=max_digest_entries, kept=store is not None
    )
    seen: set[str] = set()  # keys of the entries of this run, and of those briefed before
    known: set[str] = set()  # keys of the chosen entries known from an earlier run
    for source in dict.fromkeys(sources):
        offered: dict[str, EntrySource] = {}
        earlier: set[str] = set()  # keys waiting since an earlier run
        try:
            offered, earlier = _read_feed(source, store, options, since, read, seen)
        except BrieferError as exc:
            read.failed.append((source, one_line(str(exc)).removeprefix(f"{source}: ")))
            read.failures[source] = exc
        except Exception as exc:  # a bug while reading one feed must not stop the others
            reason = one_line(f"{type(exc).__name__}: {exc}", 200)
            read.failed.append((source, f"could not be read ({reason})"))
        unread = 0  # waiting in the store, too old to be chosen this run
        if store is not None:  # what earlier runs left, whatever the feed answered
            # Enough of the newest to choose from, even if some are in `offered` or `seen`.
            rows = store.open_entries(source, limit=max_entries + len(offered) + len(seen))
            unread = store.count_open_entries(source) - len(rows)
            for row in rows:
                kept = _entry_from_json(row.entry)
                if kept is not None and row.key not in offered:
                    offered[row.key] = EntrySource(kept, row.key)
                    earlier.add(row.key)
        chosen: list[EntrySource] = []
        for key, waiting in offered.items():
            if key in seen:
                read.duplicates += 1
            else:
                seen.add(key)
                chosen.append(waiting)
        chosen.sort(key=_newest_first)  # stable: undated entries keep the feed's order
        read.entries += chosen[:max_entries]
        known.update(entry.key for entry in chosen[:max_entries] if entry.key in earlier)
        read.held_back += len(chosen[max_entries:]) + unread
    _cap_digest(read)
    read.earlier = sum(entry.key in known for entry in read.entries)
    return read


def _check_cap(value: int, per: str, setting: str) -> None:
    if not 1 <= value <= MAX_ENTRIES_LIMIT:
        raise ConfigError(
            f"{value} entries {per} is not possible",
            fix=f"give {{{setting}}} a number from 1 to {MAX_ENTRIES_LIMIT:,}",
        )


def _cap_digest(read: FeedRead) -> None:
    """Keep the `max_digest_entries` newest of the entries chosen from all feeds (undated ones
    last, in the feeds' order), in the order they were chosen. The others are held back: with
    a store they are pending there already (recorded when their feed was read, or waiting
    since an earlier run), and the next runs brief them."""
    over = len(read.entries) - read.max_digest_entries
    if over <= 0:
        return
    ranked = sorted(range(len(read.entries)), key=lambda n: _newest_first(read.entries[n]))
    kept = set(ranked[: read.max_digest_entries])
    read.entries = [entry for n, entry in enumerate(read.entries) if n in kept]
    read.digest_held_back = over


def _read_feed(
    source: str,
    store: Store | None,
    options: LoadOptions | None,
    since: datetime | None,
    read: FeedRead,
    seen: set[str],
) -> tuple[dict[str, EntrySource], set[str]]:
    """Read one feed and record its new entries (with a store); return the entries it lists
    that are still to brief, by key, and the keys of those known from an earlier run."""
    etag, modified = store.feed_validators(source) if store is not None else (None, None)
    feed = load_feed(source, options=options, etag=etag, last_modified=modified)
    if feed.not_modified:
        read.unchanged += 1
        if store is not None:
            store.record_feed(source, [], feed.etag, feed.last_modified)
        return {}, set()
    listed: dict[str, EntrySource] = {}
    for item in feed.entries:
        key = entry_key(source, item)
        if since is not None and item.published is not None and item.published < since:
            read.old += 1
        elif key in listed:
            read.duplicates += 1
        else:
            listed[key] = EntrySource(item, key)
    if store is None:
        return listed, set()
    states = store.entry_states(list(listed))
    new: list[EntrySource] = []
    briefed: list[str] = []
    earlier: set[str] = set()
    for key, entry in list(listed.items()):
        state = states.get(key)
        if state is None and entry.entry.url and store.has_url(entry.entry.url):
            state = "briefed"  # by a digest of pages, or before entries were kept
            briefed.append(key)
        if state in ("briefed", "given_up"):
            del listed[key]
            read.briefed_before += state == "briefed"
            seen.add(key)
        elif state is None:
            new.append(entry)
        else:  # pending or failed: known from an earlier run (maybe of another feed)
            earlier.add(key)
    store.record_feed(
        source,
        [(e.key, _date(e.entry.published), _entry_json(e.entry)) for e in new],
        feed.etag,
        feed.last_modified,
        briefed=briefed,
    )
    return listed, earlier


def _newest_first(entry: EntrySource) -> tuple[bool, float]:
    published = entry.entry.published
    return (published is None, -published.timestamp() if published is not None else 0.0)


def outcome_noter(store: Store, inputs: Sequence[object]) -> Callable[[int, DigestItem], None]:
    """What notes each feed entry's outcome in the store as it finishes, for
    `briefer.digest.runner.adigest(on_done=...)` (`inputs`: the digest's, in order)."""

    def note(position: int, item: DigestItem) -> None:
        source = inputs[position]
        if not isinstance(source, EntrySource):
            return
        try:
            note_outcome(store, source, item)
        except BrieferError as exc:  # not noted: the entry stays pending and is tried again
            _log.warning("could not note %s in the store: %s", source, exc)

    return note


def note_outcome(store: Store, source: EntrySource, item: DigestItem) -> None:
    """Record in the store how briefing a feed entry ended: briefed, or failed (and whether it
    is given up: then its item's error says so)."""
    if item.ok:
        store.entry_briefed(source.key, item.brief_id)
        return
    its_own = item.failure is None or isinstance(item.failure, InputError)
    given_up = store.entry_failed(
        source.key, item.error or "failed", its_own=its_own, give_up_after=MAX_ATTEMPTS
    )
    if given_up:  # said in the item's error, and in its failure (which the CLI words anew)
        note = f"failed in {MAX_ATTEMPTS} runs: not tried again"
        item.error = f"{item.error} ({note})"
        if item.failure is not None:
            item.failure = InputError(f"{item.failure.message} ({note})", fix=item.failure.fix)


def describe(read: FeedRead) -> str:
    """One line on what the feeds gave, for stderr and the digest's report."""
    parts = [f"{counted(len(read.entries), 'entry', 'entries')} to brief"]
    kept = "kept for the next run" if read.kept else "not kept: no store"
    for count, what in (
        (read.earlier, "of them waiting since an earlier run"),
        (
            read.held_back,
            f"held back (at most {read.max_entries:,} a feed, the newest first; {kept})",
        ),
        (
            read.digest_held_back,
            f"{'more ' if read.held_back else ''}held back (at most "
            f"{read.max_digest_entries:,} a digest, the newest of all feeds first; {kept})",
        ),
        (read.briefed_before, "briefed by an earlier digest"),
        (read.old, "older than --since"),
        (read.duplicates, "named twice"),
    ):
        if count:
            parts.append(f"{count:,} {what}")
    if read.unchanged:
        parts.append(f"{counted(read.unchanged, 'feed')} unchanged since last read")
    if read.failed:
        parts.append(f"{counted(len(read.failed), 'feed')} failed")
    return "feeds: " + ", ".join(parts)


def _outlet(site_name: str | None, url: str) -> str | None:
    """The outlet a page names, or None when it names none: a site name that is only the
    page's host (what extraction falls back to) names no outlet."""
    if not site_name:
        return None
    address = urlsplit(url)
    hosts = {address.netloc.lower(), (address.hostname or "").lower()}
    return (
        None
        if site_name.lower().removeprefix("www.") in {h.removeprefix("www.") for h in hosts}
        else site_name
    )
