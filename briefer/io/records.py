"""What the brief store keeps besides briefs: the requests of OpenAI batches and how each
ended (`BatchRecords`), and what feeds answered and what became of each of their entries
(`FeedRecords`). Both are mixins of `briefer.io.store.Store`, which gives them its connection
and its check that a write may happen."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from briefer.io.database import _now, _rollback, _usage
from briefer.schema import Brief

if TYPE_CHECKING:
    from briefer.inputs.article import Article


@dataclass(frozen=True)
class PendingRequest:
    """A prepared batch request and what it stands for."""

    custom_id: str
    cache_key: str
    source: str
    title: str | None
    article_text: str
    part: int
    parts: int
    status: str
    detail: str | None


@dataclass(frozen=True)
class OpenEntry:
    """A feed entry waiting to be briefed: pending, or failed and to be tried again."""

    key: str
    source: str  # the feed that listed it first
    entry: str  # the entry, as the digest wrote it (JSON)
    status: str  # 'pending' or 'failed'
    attempts: int  # failures that were the entry's own (`Store.entry_failed`)
    error: str | None  # why it failed last


class _Connected:
    """What the mixins need of the store (`briefer.io.store.Store` gives it), and a statement
    run with it."""

    def _connect(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def check_writable(self) -> None:
        raise NotImplementedError

    def _execute(self, sql: str, parameters: Sequence[object] = ()) -> list[Any]:
        """Run one statement on the store; the rows it gives, read to the end (so that a write
        that returns rows has run to its end, and committed)."""
        with self._connect() as db:
            return db.execute(sql, parameters).fetchall()


class BatchRecords(_Connected):
    """The requests of OpenAI batches: what each custom_id stands for, and how it ended."""

    # --- batches: what each custom_id stands for, and how it ended -----------------------------

    def remember_requests(self, requests: list[tuple[str, str, Article, int, int]]) -> None:
        """Record prepared batch requests (custom_id, key, article, part, parts), in one go."""
        rows = [
            (custom_id, key, a.source, a.title, a.text, part, parts, _now())
            for custom_id, key, a, part, parts in requests
        ]
        with self._connect() as db:
            db.execute("BEGIN")
            db.executemany(
                "INSERT OR REPLACE INTO batch_requests (custom_id, cache_key, source, title, "
                "article_text, part, parts, status, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
                rows,
            )
            db.execute("COMMIT")

    def pending_request(self, custom_id: str) -> PendingRequest | None:
        """What a batch request's custom_id stands for."""
        rows = self._execute(
            "SELECT custom_id, cache_key, source, title, article_text, part, parts, status, "
            "detail FROM batch_requests WHERE custom_id = ?",
            (custom_id,),
        )
        return PendingRequest(*rows[0]) if rows else None

    def mark_request(
        self, custom_id: str, status: str, detail: str, usage: dict[str, Any] | None = None
    ) -> None:
        """Record how a batch request ended: 'answered' (detail: the brief) or 'failed'."""
        self._execute(
            "UPDATE batch_requests SET status = ?, detail = ?, usage = ?, updated_at = ? "
            "WHERE custom_id = ?",
            (status, detail, json.dumps(_usage(usage)) if usage else None, _now(), custom_id),
        )

    def mark_article(self, key: str, status: str) -> None:
        """Record that every request of an article ended (e.g. 'stored')."""
        self._execute(
            "UPDATE batch_requests SET status = ?, updated_at = ? WHERE cache_key = ?",
            (status, _now(), key),
        )

    def answered_parts(self, key: str) -> list[tuple[int, Brief]]:
        """The answered parts of an article's batch requests."""
        rows = self._execute(
            "SELECT part, detail FROM batch_requests WHERE cache_key = ? "
            "AND status = 'answered' ORDER BY part",
            (key,),
        )
        return [(int(part), Brief.model_validate_json(detail)) for part, detail in rows]

    def part_usages(self, key: str) -> list[tuple[int, dict[str, int]]]:
        """The token usage of each answered part."""
        rows = self._execute(
            "SELECT part, usage FROM batch_requests WHERE cache_key = ? AND usage IS NOT NULL",
            (key,),
        )
        return [(int(part), json.loads(usage)) for part, usage in rows]

    def failed_requests(self) -> list[PendingRequest]:
        """Batch requests that failed and have not been briefed since."""
        rows = self._execute(
            "SELECT custom_id, cache_key, source, title, article_text, part, parts, status, "
            "detail FROM batch_requests WHERE status = 'failed' ORDER BY custom_id"
        )
        return [PendingRequest(*row) for row in rows]

    def record_batch(self, batch_id: str, input_file: str, status: str) -> None:
        """Remember a submitted batch."""
        self._execute(
            "INSERT OR REPLACE INTO batches (id, input_file, status, created_at) "
            "VALUES (?, ?, ?, ?)",
            (batch_id, input_file, status, _now()),
        )

    def batches(self) -> list[tuple[str, str, str, str]]:
        """Submitted batches, newest first: (id, input file, status, created at)."""
        rows = self._execute(
            "SELECT id, input_file, status, created_at FROM batches ORDER BY created_at DESC"
        )
        return [tuple(row) for row in rows]


class FeedRecords(_Connected):
    """What each feed answered last (its validators), and what became of each entry."""

    def has_url(self, url: str) -> bool:
        """Whether a brief of the page at `url` (as the envelope records it) is stored."""
        return bool(self._execute("SELECT 1 FROM briefs WHERE url = ? LIMIT 1", (url,)))

    def feed_validators(self, source: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified a feed last sent (None, None when never read)."""
        rows = self._execute("SELECT etag, last_modified FROM feeds WHERE source = ?", (source,))
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    def remember_feed(self, source: str, etag: str | None, last_modified: str | None) -> None:
        """Keep a feed's validators for the next conditional GET (`record_feed` keeps its
        entries with them)."""
        with self._connect() as db:
            self._remember_feed(db, source, etag, last_modified)

    @staticmethod
    def _remember_feed(
        db: sqlite3.Connection, source: str, etag: str | None, last_modified: str | None
    ) -> None:
        db.execute(
            "INSERT INTO feeds (source, etag, last_modified, checked_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(source) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, checked_at = excluded.checked_at",
            (source, etag, last_modified, _now()),
        )

    # --- feed entries: nothing seen is lost between runs -----------------------------------------

    def entry_states(self, keys: list[str]) -> dict[str, str]:
        """The state of each of `keys` the store knows: 'pending', 'failed', 'given_up' or
        'briefed'."""
        states: dict[str, str] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            states.update(
                self._execute(f"SELECT key, status FROM feed_entries WHERE key IN ({marks})", chunk)
            )
        return states

    def record_feed(
        self,
        source: str,
        entries: list[tuple[str, str | None, str]],
        etag: str | None,
        last_modified: str | None,
        *,
        briefed: Sequence[str] = (),
    ) -> None:
        """Record a feed's new entries (key, published, entry) as pending, the keys in
        `briefed` as briefed already, then the feed's validators: all in one transaction, so
        the validators are never kept without the entries they stand for."""
        self.check_writable()
        now = _now()
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR IGNORE INTO feed_entries (key, source, published, entry, status, "
                    "seen_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                    [(key, source, when, entry, now, now) for key, when, entry in entries],
                )
                db.executemany(
                    "INSERT INTO feed_entries (key, source, status, seen_at, updated_at) "
                    "VALUES (?, ?, 'briefed', ?, ?) ON CONFLICT(key) DO UPDATE SET "
                    "status = 'briefed', entry = NULL, updated_at = excluded.updated_at",
                    [(key, source, now, now) for key in briefed],
                )
                self._remember_feed(db, source, etag, last_modified)
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                raise

    def open_entries(self, source: str, limit: int = -1) -> list[OpenEntry]:
        """The entries of feed `source` waiting to be briefed (pending, or failed and not
        given up), the newest first (undated ones last, in the order they were seen); at
        most `limit` of them (all when negative)."""
        rows = self._execute(
            "SELECT key, source, entry, status, attempts, error FROM feed_entries "
            "WHERE source = ? AND status IN ('pending', 'failed') AND entry IS NOT NULL "
            "ORDER BY published IS NULL, published DESC, rowid LIMIT ?",
            (source, limit),
        )
        return [OpenEntry(*row) for row in rows]

    def count_open_entries(self, source: str) -> int:
        """How many entries of feed `source` are waiting to be briefed (`open_entries`)."""
        rows = self._execute(
            "SELECT COUNT(*) FROM feed_entries WHERE source = ? AND status IN "
            "('pending', 'failed') AND entry IS NOT NULL",
            (source,),
        )
        return int(rows[0][0])

    def entry_briefed(self, key: str, brief_id: int | None) -> None:
        """Record that a feed entry is briefed (its stored copy is dropped)."""
        self._execute(
            "UPDATE feed_entries SET status = 'briefed', brief_id = ?, entry = NULL, "
            "error = NULL, updated_at = ? WHERE key = ?",
            (brief_id, _now(), key),
        )

    def entry_failed(self, key: str, error: str, *, its_own: bool, give_up_after: int) -> bool:
        """Record that briefing a feed entry failed, and why; return whether it is given up.

        `its_own`: through a fault of the entry's (no readable page, no summary), not the
        engine's or the network's. Only those count towards `give_up_after` failures.
        """
        rows = self._execute(
            "UPDATE feed_entries SET attempts = attempts + ?, error = ?, updated_at = ?, "
            "status = CASE WHEN attempts + ? >= ? THEN 'given_up' ELSE 'failed' END "
            "WHERE key = ? RETURNING status",
            (int(its_own), error, _now(), int(its_own), give_up_after, key),
        )
        return bool(rows) and rows[0][0] == "given_up"
