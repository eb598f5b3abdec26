"""The SQLite file under the brief store: opened, brought up to date by ordered migrations,
and its failures told as they are (read-only, a full disk, damaged)."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from briefer.errors import ConfigError, InputError
from briefer.text import one_line

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
