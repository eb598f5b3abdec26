"""The store: one SQLite file that is both the cache and the history of briefs.

A brief is keyed by what determines it: the article text's hash, the engine, the model asked
for, the prompt's name and version (for the offline engine, briefer's version), and the schema
version. A cached brief is reused without any request. Every brief made is kept, so the
history shows them all; a lookup returns the newest for its key.

The file lives in the user's data folder (platformdirs) unless `--db` / `BRIEFER_DB` say
otherwise. WAL mode and a busy timeout let several processes write at once.

The store also keeps what feed digests need between runs: each feed's validators (ETag,
Last-Modified) and each feed entry's state (pending, failed, given up, briefed) with, while
it waits, the entry itself; so that an entry seen once is briefed in the end even when its
feed never changes again.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefer.errors import ConfigError, InputError
from briefer.schema import ArticleInfo, Envelope

if TYPE_CHECKING:
    from briefer.inputs.article import Article
from briefer.io.database import (
    MIGRATIONS,
    _check_id,
    _damaged,
    _is_read_only,
    _now,
    _read_only,
    _rollback,
    migrate,
    open_database,
    store_error,
)
from briefer.io.records import BatchRecords, FeedRecords

_log = logging.getLogger("briefer.io.store")


def default_db_path() -> Path:
    """briefer.db in the user's data folder (the command line and the services use the
    BRIEFER_DB setting instead when it is set)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("briefer")) / "briefer.db"


def cache_key(
    article_sha256: str, engine: str, model: str | None, prompt: str, schema_version: str
) -> str:
    """The key of a brief: everything that determines it, hashed."""
    parts = "\x1f".join([article_sha256, engine, model or "", prompt, schema_version])
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class HistoryRow:
    """One stored brief, as `briefer history` lists it."""

    id: int
    created_at: str
    title: str | None
    source: str
    engine: str
    model: str | None
    grounded_ratio: float | None
    total_tokens: int | None = None
    cost_usd: float | None = None
    cached_tokens: int | None = None
    prompt_tokens: int | None = None


@dataclass(frozen=True)
class Stored:
    """A brief, its id in the store (None without a store), and whether it came from there."""

    envelope: Envelope
    id: int | None
    cached: bool

    def about(self, article: ArticleInfo, *, cached: bool = True) -> Stored:
        """This brief as the brief of another copy of the same text: the copy named in its
        envelope, and marked as made elsewhere (`cached`)."""
        envelope = self.envelope.model_copy(update={"article": article})
        return Stored(envelope, self.id, cached=cached)


class Store(BatchRecords, FeedRecords):
    """Briefs in SQLite, keyed for reuse and kept for history."""

    def __init__(self, path: Path | str | None = None) -> None:
        """Open the store at `path` (by default `default_db_path()`), made or upgraded as
        needed. A store that can be read but not written (`read_only`) is opened for reading:
        lookups work, and anything that would write raises `ConfigError` saying so."""
        self.path = Path(path) if path is not None else default_db_path()
        self.read_only = False
        self._local = threading.local()  # one connection per thread, kept open
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                migrate(db)
        except (OSError, sqlite3.Error, ConfigError) as exc:
            cause = exc.__cause__ if isinstance(exc, ConfigError) else exc
            if not isinstance(cause, OSError | sqlite3.Error):
                raise
            if not (_is_read_only(self.path, cause) and self.path.is_file()):
                raise store_error(self.path, cause) from None
            self._open_for_reading()

    def _open_for_reading(self) -> None:
        """Open the store read-only, as long as it needs no upgrade (which would write)."""
        self.close()
        self.read_only = True
        with self._connect() as db:
            found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found != len(MIGRATIONS):
            raise ConfigError(
                f"the store file {self.path} is read-only, and its version ({found}) is not "
                f"this briefer's ({len(MIGRATIONS)}); make it writable so briefer can upgrade it",
                fix="or choose another {db}",
            )

    def close(self) -> None:
        """Close this thread's connection (the store opens a new one when used again)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        try:
            if db is None:
                db = open_database(self.path, read_only=self.read_only)
                self._local.db = db
            yield db
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            raise store_error(self.path, exc) from exc

    def check_writable(self) -> None:
        """Raise `ConfigError` unless a brief can be stored: the store is not read-only, and
        not damaged (checked once per process and thread: writing could only spread damage)."""
        if self.read_only:
            raise _read_only(self.path)
        if getattr(self._local, "checked", False):
            return
        with self._connect() as db:
            result = db.execute("PRAGMA quick_check").fetchone()
        if not result or result[0] != "ok":
            raise _damaged(self.path, sqlite3.DatabaseError(str(result[0] if result else "?")))
        self._local.checked = True

    def get(self, key: str) -> tuple[int, Envelope] | None:
        """The newest readable brief stored under `key`, with its id; a row that can no
        longer be read (damaged, or from an incompatible version) is skipped, with a
        warning in the log, so the article is simply briefed again."""
        with self._connect() as db:
            return self._newest(db, key)

    @staticmethod
    def _newest(db: sqlite3.Connection, key: str) -> tuple[int, Envelope] | None:
        rows = db.execute(
            "SELECT id, envelope FROM briefs WHERE cache_key = ? ORDER BY id DESC LIMIT 5",
            (key,),
        ).fetchall()
        for brief_id, data in rows:
            try:
                return int(brief_id), Envelope.model_validate_json(data)
            except ValueError:
                _log.warning("stored brief %s cannot be read; briefing the article again", brief_id)
        return None

    def put(self, key: str, envelope: Envelope, article_text: str | None = None) -> int:
        """Store a brief (and the article's text, for later comparisons); return its id."""
        self.check_writable()
        with self._connect() as db:
            return self._insert(db, key, envelope, article_text)

    def put_once(
        self, key: str, envelope: Envelope, article_text: str | None = None
    ) -> tuple[int, Envelope | None]:
        """Store a brief unless a readable one is stored under `key` already: then store
        nothing, and return that one's id and brief (None when this one was stored).

        For a writer that found no brief under `key` and made one, while another process
        may have been making the same: the look and the write are one transaction, so two
        such writers leave one brief, not two.
        """
        self.check_writable()
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")  # the writers of the store queue here
            try:
                found = self._newest(db, key)
                brief_id = found[0] if found else self._insert(db, key, envelope, article_text)
                db.execute("COMMIT")
            except BaseException:
                _rollback(db)
                raise
        return brief_id, found[1] if found else None

    @staticmethod
    def _insert(
        db: sqlite3.Connection, key: str, envelope: Envelope, article_text: str | None
    ) -> int:
        prompt = f"{envelope.prompt.name}@{envelope.prompt.version}" if envelope.prompt else None
        cursor = db.execute(
            "INSERT INTO briefs (cache_key, article_sha256, engine, model, prompt, "
            "schema_version, title, source, created_at, grounded_ratio, envelope, "
            "article_text, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                envelope.article.sha256,
                envelope.engine,
                envelope.model,
                prompt,
                envelope.schema_version,
                envelope.article.title,
                envelope.article.source,
                envelope.created_at.isoformat(),
                envelope.verification.grounded_ratio,
                envelope.model_dump_json(),
                article_text,
                envelope.article.url,
            ),
        )
        return int(cursor.lastrowid or 0)

    def show(self, brief_id: int) -> Envelope:
        """The stored brief with this id."""
        _check_id(brief_id)
        with self._connect() as db:
            row = db.execute("SELECT envelope FROM briefs WHERE id = ?", (brief_id,)).fetchone()
        if row is None:
            raise InputError(f"no stored brief has id {brief_id}; see `briefer history`")
        try:
            return Envelope.model_validate_json(row[0])
        except ValueError:
            raise InputError(
                f"stored brief {brief_id} cannot be read (damaged, or written by an "
                "incompatible version); brief its article again"
            ) from None

    def article_text(self, brief_id: int) -> str | None:
        """The text of the article a stored brief was made from, if it was kept."""
        _check_id(brief_id)
        with self._connect() as db:
            row = db.execute("SELECT article_text FROM briefs WHERE id = ?", (brief_id,)).fetchone()
        if row is None:
            raise InputError(f"no stored brief has id {brief_id}; see `briefer history`")
        return str(row[0]) if row[0] is not None else None

    def article(self, brief_id: int) -> Article:
        """The article a stored brief was made from (its text and metadata)."""
        from briefer.inputs.article import Article

        envelope = self.show(brief_id)
        text = self.article_text(brief_id)
        if text is None:
            raise InputError(
                f"stored brief {brief_id} was kept without its article; brief it again"
            )
        info = envelope.article
        return Article(
            text=text, source=info.source, title=info.title, author=info.author,
            site_name=info.site_name, published=info.published, url=info.url,
        )  # fmt: skip

    def history(
        self, limit: int = 50, *, since: datetime | None = None, search: str | None = None
    ) -> list[HistoryRow]:
        """The newest stored briefs, newest first: made at or after `since`, and whose
        title, source or headline holds `search` (any case), when given."""
        where, params = [], []
        if since is not None:
            where.append("created_at >= ?")
            params.append(since.astimezone(UTC).isoformat())
        if search:
            pattern = (
                "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            )
            where.append(
                "(title LIKE ? ESCAPE '\\' OR source LIKE ? ESCAPE '\\' "
                "OR json_extract(envelope, '$.brief.headline') LIKE ? ESCAPE '\\')"
            )
            params += [pattern, pattern, pattern]
        sql = (
            "SELECT id, created_at, title, source, engine, model, grounded_ratio, "
            "json_extract(envelope, '$.usage.total_tokens'), "
            "json_extract(envelope, '$.usage.cost_usd'), "
            "json_extract(envelope, '$.usage.cached_tokens'), "
            "json_extract(envelope, '$.usage.prompt_tokens') FROM briefs"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY id DESC LIMIT ?"
        )
        with self._connect() as db:
            rows = db.execute(sql, (*params, limit)).fetchall()
        return [HistoryRow(*row) for row in rows]

    def recent(
        self, *, since: datetime, before: datetime | None = None, limit: int = 300
    ) -> list[tuple[int, Envelope]]:
        """Stored briefs made in [since, before) that kept their article's text, newest
        first, the newest brief of each article only (the candidates for its story)."""
        sql = (
            "SELECT id, envelope FROM briefs WHERE id IN (SELECT MAX(id) FROM briefs "
            "WHERE article_text IS NOT NULL AND created_at >= ?"
            + (" AND created_at < ?" if before is not None else "")
            + " GROUP BY article_sha256) ORDER BY id DESC LIMIT ?"
        )
        params: list[Any] = [since.astimezone(UTC).isoformat()]
        if before is not None:
            params.append(before.astimezone(UTC).isoformat())
        with self._connect() as db:
            rows = db.execute(sql, (*params, limit)).fetchall()
        return [(int(i), Envelope.model_validate_json(e)) for i, e in rows]

    # --- endpoints: the output format each one took (briefer.engines.openai.endpoint) ---------

    def recall_format(self, endpoint: str, model: str) -> str | None:
        """The output format an endpoint and model took last time, if one is kept."""
        with self._connect() as db:
            row = db.execute(
                "SELECT format FROM endpoint_formats WHERE endpoint = ? AND model = ?",
                (endpoint, model),
            ).fetchone()
        return str(row[0]) if row else None

    def remember_format(self, endpoint: str, model: str, key: str) -> None:
        """Keep the output format an endpoint and model take, for the next run (not in a
        read-only store: it is only a shortcut)."""
        if self.read_only:
            return
        with self._connect() as db:
            db.execute(
                "INSERT INTO endpoint_formats (endpoint, model, format, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(endpoint, model) DO UPDATE SET "
                "format = excluded.format, updated_at = excluded.updated_at",
                (endpoint, model, key, _now()),
            )

    def count(self) -> int:
        """How many briefs are stored."""
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM briefs").fetchone()[0])
