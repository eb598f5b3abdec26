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

import errno
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefer.errors import ConfigError, InputError
from briefer.schema import Brief, Envelope
from briefer.text import one_line

if TYPE_CHECKING:
    from briefer.inputs.article import Article

_log = logging.getLogger("briefer.io.store")
BUSY_TIMEOUT_MS = 30_000
# The tables of stores made by 0.1.0 before it kept a user_version (article_text came later).
_FIRST_TABLES = """
CREATE TABLE IF NOT EXISTS briefs (
    id INTEGER PRIMARY KEY,
    cache_key TEXT NOT NULL,
    article_sha256 TEXT NOT NULL,
    engine TEXT NOT NULL,
    model TEXT,
    prompt TEXT,
    schema_version TEXT NOT NULL,
    title TEXT,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    grounded_ratio REAL,
    envelope TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS briefs_by_key ON briefs (cache_key, id);
CREATE TABLE IF NOT EXISTS batch_requests (
    custom_id TEXT PRIMARY KEY,
    cache_key TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT,
    article_text TEXT NOT NULL,
    part INTEGER NOT NULL,
    parts INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    detail TEXT,
    usage TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS batch_requests_by_key ON batch_requests (cache_key);
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY,
    input_file TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""


def _create_first_tables(db: sqlite3.Connection) -> None:
    for statement in _FIRST_TABLES.split(";"):
        db.execute(statement)


def _add_article_text(db: sqlite3.Connection) -> None:
    columns = {row[1] for row in db.execute("PRAGMA table_info(briefs)")}
    if "article_text" not in columns:  # stores of 0.1.0 made before the column have none
        db.execute("ALTER TABLE briefs ADD COLUMN article_text TEXT")


def _add_feeds(db: sqlite3.Connection) -> None:
    """Feeds' validators for conditional GET, and briefs findable by their page's address."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS feeds (source TEXT PRIMARY KEY, etag TEXT, "
        "last_modified TEXT, checked_at TEXT NOT NULL)"
    )
    db.execute("ALTER TABLE briefs ADD COLUMN url TEXT")
    db.execute("UPDATE briefs SET url = json_extract(envelope, '$.article.url') WHERE url IS NULL")
    db.execute("CREATE INDEX IF NOT EXISTS briefs_by_url ON briefs (url)")


def _add_endpoint_formats(db: sqlite3.Connection) -> None:
    """The output format each endpoint and model took (json_schema or json_object)."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS endpoint_formats (endpoint TEXT NOT NULL, model TEXT NOT "
        "NULL, format TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (endpoint, model))"
    )


def _add_feed_entries(db: sqlite3.Connection) -> None:
    """Feed entries between runs: waiting to be briefed (or tried again), or briefed."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS feed_entries (key TEXT PRIMARY KEY, source TEXT NOT NULL, "
        "published TEXT, entry TEXT, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
        "error TEXT, brief_id INTEGER, seen_at TEXT NOT NULL, updated_at TEXT NOT NULL)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS feed_entries_waiting ON feed_entries (source, published) "
        "WHERE status IN ('pending', 'failed')"
    )


# Step i brings a store from user_version i to i + 1, in order, in one transaction. Append new
# steps; never edit or reorder one that has shipped. The first two also bring stores made
# before user_version was kept (version 0, with or without article_text) up to date.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _create_first_tables,
    _add_article_text,
    _add_feeds,
    _add_endpoint_formats,
    _add_feed_entries,
)


def _rollback(db: sqlite3.Connection) -> None:
    """Undo the transaction under way, if SQLite has not undone it itself (it does on some
    errors, such as a full disk: a second rollback would hide that error)."""
    if db.in_transaction:
        db.execute("ROLLBACK")


def migrate(db: sqlite3.Connection) -> None:
    """Bring the store up to the newest version."""
    db.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then find it done
    try:
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found > len(MIGRATIONS):
            raise ConfigError(
                f"the brief store is version {found}, made by a newer briefer than this one "
                f"(which knows up to {len(MIGRATIONS)})",
                fix="upgrade briefer, or choose another {db}",
            )
        for version in range(found, len(MIGRATIONS)):
            MIGRATIONS[version](db)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
        db.execute("COMMIT")
    except BaseException:
        _rollback(db)
        raise


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


def _damaged(path: Path, exc: sqlite3.DatabaseError) -> ConfigError:
    return ConfigError(
        f"the brief store {path} is damaged ({one_line(str(exc), 120)}); move it aside "
        "(or run sqlite3's .recover on it) and briefer starts a new one",
        fix="choose another {db}",
    )


# SQLite's primary result codes (the low byte of an extended one) that say what went wrong.
SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_CANTOPEN, SQLITE_FULL = 8, 10, 11, 14, 13
SQLITE_NOTADB = 26
_NEARLY_FULL = 1 << 20  # bytes free below which an I/O error is taken for a full disk


def _read_only(path: Path) -> ConfigError:
    """The store (its file, or its folder) cannot be written: say which, and what to do."""
    folder = path.parent
    exists = path.is_file()
    in_folder = not os.access(folder, os.W_OK) and (not exists or os.access(path, os.W_OK))
    where = f"the store folder {folder}" if in_folder else f"the store file {path}"
    held = (
        "the briefs in it can be listed and shown, but no new one kept"
        if exists
        else f"no store can be made there ({path.name})"
    )
    return ConfigError(
        f"{where} is read-only: {held}", fix="make it writable, or choose another {db}"
    )


def _disk_full(path: Path) -> ConfigError:
    return ConfigError(
        f"the disk is full: the brief store {path} cannot grow (what it holds is intact)",
        fix="free some space, or choose another {db}",
    )


def _primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _is_read_only(path: Path, exc: BaseException) -> bool:
    """Whether `exc` says the store can be read but not written."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
    code = _primary_code(exc)
    if code == SQLITE_READONLY:
        return True
    if code != SQLITE_CANTOPEN:
        return False
    return not os.access(path.parent, os.W_OK) or (path.is_file() and not os.access(path, os.W_OK))


def _is_disk_full(path: Path, exc: BaseException) -> bool:
    """Whether `exc` says there is no room left for the store to grow."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    code = _primary_code(exc)
    if code == SQLITE_FULL:
        return True
    if code != SQLITE_IOERR:
        return False
    try:
        return shutil.disk_usage(path.parent).free < _NEARLY_FULL
    except OSError:
        return False


def store_error(path: Path, exc: sqlite3.Error | OSError) -> ConfigError:
    """What a failure to open, read or write the store at `path` means, in one line: the
    store is read-only, the disk is full, the disk failed, or the file is damaged."""
    if _is_read_only(path, exc):
        return _read_only(path)
    if _is_disk_full(path, exc):
        return _disk_full(path)
    if _primary_code(exc) == SQLITE_IOERR:
        return ConfigError(
            f"the brief store {path} could not be read or written ({one_line(str(exc), 120)}); "
            "check the disk it is on",
            fix="choose another {db}",
        )
    if isinstance(exc, sqlite3.DatabaseError) and _primary_code(exc) in (
        SQLITE_CORRUPT,
        SQLITE_NOTADB,
        None,
        1,  # SQLITE_ERROR: e.g. a table the store must have is missing
    ):
        return _damaged(path, exc)
    return ConfigError(
        f"the brief store {path} failed ({one_line(str(exc), 120)})", fix="choose another {db}"
    )


def _connect_uri(uri: str) -> sqlite3.Connection:
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)


def open_database(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection to the store file (`read_only`: opened for reading only, as SQLite opens a
    file its user may not write): every connection the store makes is made here."""
    if read_only:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        db = _connect_uri(uri)
        try:
            db.execute("SELECT COUNT(*) FROM sqlite_schema").fetchone()
        except sqlite3.OperationalError as exc:
            if _primary_code(exc) not in (SQLITE_CANTOPEN, SQLITE_READONLY):
                raise
            # In a read-only folder the write-ahead log cannot be made, so nobody can write
            # the file: it is read as it stands.
            db.close()
            db = _connect_uri(uri + "&immutable=1")
    else:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return db


def _check_id(brief_id: int) -> None:
    """Refuse an id no store can hold (SQLite keeps 64-bit integers) in one line."""
    if not 0 < brief_id < 2**63:
        raise InputError(f"no stored brief has id {brief_id}; see `briefer history`")


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _usage(usage: dict[str, Any]) -> dict[str, int]:
    """A batch answer's usage as a `Usage` takes it: cached prompt tokens from OpenAI's and
    vLLM's `prompt_tokens_details`, or a top-level `cached_tokens` (llama.cpp)."""
    details = usage.get("prompt_tokens_details")
    cached = details.get("cached_tokens") if isinstance(details, dict) else None
    return {
        "requests": 1,
        "prompt_tokens": int(usage.get("prompt_tokens") or 0),
        "completion_tokens": int(usage.get("completion_tokens") or 0),
        "total_tokens": int(usage.get("total_tokens") or 0),
        "cached_tokens": int(cached if cached is not None else usage.get("cached_tokens") or 0),
    }


@dataclass(frozen=True)
class OpenEntry:
    """A feed entry waiting to be briefed: pending, or failed and to be tried again."""

    key: str
    source: str  # the feed that listed it first
    entry: str  # the entry, as the digest wrote it (JSON)
    status: str  # 'pending' or 'failed'
    attempts: int  # failures that were the entry's own (`Store.entry_failed`)
    error: str | None  # why it failed last


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


class Store:
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
        with self._connect() as db:
            row = db.execute(
                "SELECT custom_id, cache_key, source, title, article_text, part, parts, status, "
                "detail FROM batch_requests WHERE custom_id = ?",
                (custom_id,),
            ).fetchone()
        return PendingRequest(*row) if row else None

    def mark_request(
        self, custom_id: str, status: str, detail: str, usage: dict[str, Any] | None = None
    ) -> None:
        """Record how a batch request ended: 'answered' (detail: the brief) or 'failed'."""
        with self._connect() as db:
            db.execute(
                "UPDATE batch_requests SET status = ?, detail = ?, usage = ?, updated_at = ? "
                "WHERE custom_id = ?",
                (status, detail, json.dumps(_usage(usage)) if usage else None, _now(), custom_id),
            )

    def mark_article(self, key: str, status: str) -> None:
        """Record that every request of an article ended (e.g. 'stored')."""
        with self._connect() as db:
            db.execute(
                "UPDATE batch_requests SET status = ?, updated_at = ? WHERE cache_key = ?",
                (status, _now(), key),
            )

    def answered_parts(self, key: str) -> list[tuple[int, Brief]]:
        """The answered parts of an article's batch requests."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT part, detail FROM batch_requests WHERE cache_key = ? "
                "AND status = 'answered' ORDER BY part",
                (key,),
            ).fetchall()
        return [(int(part), Brief.model_validate_json(detail)) for part, detail in rows]

    def part_usages(self, key: str) -> list[tuple[int, dict[str, int]]]:
        """The token usage of each answered part."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT part, usage FROM batch_requests WHERE cache_key = ? AND usage IS NOT NULL",
                (key,),
            ).fetchall()
        return [(int(part), json.loads(usage)) for part, usage in rows]

    def failed_requests(self) -> list[PendingRequest]:
        """Batch requests that failed and have not been briefed since."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT custom_id, cache_key, source, title, article_text, part, parts, status, "
                "detail FROM batch_requests WHERE status = 'failed' ORDER BY custom_id"
            ).fetchall()
        return [PendingRequest(*row) for row in rows]

    def record_batch(self, batch_id: str, input_file: str, status: str) -> None:
        """Remember a submitted batch."""
        with self._connect() as db:
            db.execute(
                "INSERT OR REPLACE INTO batches (id, input_file, status, created_at) "
                "VALUES (?, ?, ?, ?)",
                (batch_id, input_file, status, _now()),
            )

    def batches(self) -> list[tuple[str, str, str, str]]:
        """Submitted batches, newest first: (id, input file, status, created at)."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, input_file, status, created_at FROM batches ORDER BY created_at DESC"
            ).fetchall()
        return [tuple(row) for row in rows]

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

    def has_url(self, url: str) -> bool:
        """Whether a brief of the page at `url` (as the envelope records it) is stored."""
        with self._connect() as db:
            return (
                db.execute("SELECT 1 FROM briefs WHERE url = ? LIMIT 1", (url,)).fetchone()
                is not None
            )

    def feed_validators(self, source: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified a feed last sent (None, None when never read)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT etag, last_modified FROM feeds WHERE source = ?", (source,)
            ).fetchone()
        return (row[0], row[1]) if row else (None, None)

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
        with self._connect() as db:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                states.update(
                    db.execute(
                        f"SELECT key, status FROM feed_entries WHERE key IN ({marks})", chunk
                    ).fetchall()
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
        with self._connect() as db:
            rows = db.execute(
                "SELECT key, source, entry, status, attempts, error FROM feed_entries "
                "WHERE source = ? AND status IN ('pending', 'failed') AND entry IS NOT NULL "
                "ORDER BY published IS NULL, published DESC, rowid LIMIT ?",
                (source, limit),
            ).fetchall()
        return [OpenEntry(*row) for row in rows]

    def count_open_entries(self, source: str) -> int:
        """How many entries of feed `source` are waiting to be briefed (`open_entries`)."""
        with self._connect() as db:
            return int(
                db.execute(
                    "SELECT COUNT(*) FROM feed_entries WHERE source = ? AND status IN "
                    "('pending', 'failed') AND entry IS NOT NULL",
                    (source,),
                ).fetchone()[0]
            )

    def entry_briefed(self, key: str, brief_id: int | None) -> None:
        """Record that a feed entry is briefed (its stored copy is dropped)."""
        with self._connect() as db:
            db.execute(
                "UPDATE feed_entries SET status = 'briefed', brief_id = ?, entry = NULL, "
                "error = NULL, updated_at = ? WHERE key = ?",
                (brief_id, _now(), key),
            )

    def entry_failed(self, key: str, error: str, *, its_own: bool, give_up_after: int) -> bool:
        """Record that briefing a feed entry failed, and why; return whether it is given up.

        `its_own`: through a fault of the entry's (no readable page, no summary), not the
        engine's or the network's. Only those count towards `give_up_after` failures.
        """
        with self._connect() as db:
            rows = db.execute(  # fetchall: the statement runs to its end, and commits
                "UPDATE feed_entries SET attempts = attempts + ?, error = ?, updated_at = ?, "
                "status = CASE WHEN attempts + ? >= ? THEN 'given_up' ELSE 'failed' END "
                "WHERE key = ? RETURNING status",
                (int(its_own), error, _now(), int(its_own), give_up_after, key),
            ).fetchall()
        return bool(rows) and rows[0][0] == "given_up"

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
