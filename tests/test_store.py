"""Store migrations: ordered steps keyed by user_version; old stores upgrade without loss."""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
import tempfile
import threading
from pathlib import Path

import pytest

from briefer.core import Briefer
from briefer.engines.flights import Flights
from briefer.errors import ConfigError, InputError
from briefer.inputs import load_article
from briefer.io import store as store_module
from briefer.io.database import MIGRATIONS
from briefer.io.store import Store

from .conftest import ARTICLES

# The tables exactly as briefer 0.1.0 created them: no user_version kept (it stayed 0).
RELEASE_0_1_0 = """
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
    envelope TEXT NOT NULL,
    article_text TEXT
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
);
"""


def old_store(path, *, with_article_text: bool = True) -> tuple[str, str]:
    """A store as 0.1.0 left it, holding one brief and one batch request; (key, headline)."""
    briefer = Briefer(engine="offline")
    article = load_article(ARTICLES / "very_short.txt")
    envelope = briefer.brief(article)
    key = briefer.cache_key(article)
    schema = RELEASE_0_1_0
    row = {
        "cache_key": key,
        "article_sha256": article.sha256,
        "engine": "offline",
        "model": None,
        "prompt": "offline@0.1.0",
        "schema_version": envelope.schema_version,
        "title": article.title,
        "source": "very_short.txt",
        "created_at": "2026-11-01T07:00:00+00:00",
        "grounded_ratio": 1.0,
        "envelope": envelope.model_dump_json(),
        "article_text": article.text,
    }
    if not with_article_text:
        schema = schema.replace(",\n    article_text TEXT\n", "\n", 1)
        del row["article_text"]
    db = sqlite3.connect(path)
    db.executescript(schema)
    db.execute(
        f"INSERT INTO briefs ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )
    db.execute(
        "INSERT INTO batch_requests (custom_id, cache_key, source, article_text, part, parts, "
        "updated_at) VALUES ('k-0', ?, 'very_short.txt', 'text', 0, 1, '2026-11-01')",
        [key],
    )
    db.commit()
    db.close()
    return key, envelope.brief.headline


def user_version(path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def test_a_new_store_is_at_the_newest_version(tmp_path):
    Store(tmp_path / "new.db")
    assert user_version(tmp_path / "new.db") == len(MIGRATIONS) >= 2
    Store(tmp_path / "new.db")  # opening again changes nothing
    assert user_version(tmp_path / "new.db") == len(MIGRATIONS)


def test_a_store_made_by_the_current_release_upgrades_without_loss(tmp_path):
    path = tmp_path / "release.db"
    key, headline = old_store(path)
    assert user_version(path) == 0
    store = Store(path)
    assert user_version(path) == len(MIGRATIONS)
    found = store.get(key)
    assert found is not None and found[1].brief.headline == headline
    assert store.count() == 1 and store.history(5)[0].source == "very_short.txt"
    assert store.article(found[0]).text.startswith("Port of Calder")
    pending = store.pending_request("k-0")
    assert pending is not None and pending.status == "pending"


def test_a_store_from_before_article_text_gains_the_column(tmp_path):
    path = tmp_path / "older.db"
    key, headline = old_store(path, with_article_text=False)
    store = Store(path)
    found = store.get(key)
    assert found is not None and found[1].brief.headline == headline
    with sqlite3.connect(path) as db:
        assert "article_text" in {row[1] for row in db.execute("PRAGMA table_info(briefs)")}


def test_a_store_from_a_newer_briefer_is_refused_untouched(tmp_path):
    path = tmp_path / "future.db"
    Store(path)
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(ConfigError, match="newer briefer") as caught:
        Store(path)
    assert caught.value.settings == ["db"]
    assert user_version(path) == len(MIGRATIONS) + 1


def test_feeds_remember_validators_and_briefs_are_found_by_their_page(tmp_path):
    path = tmp_path / "release.db"
    old_store(path)  # a store from before feeds: upgraded in place
    store = Store(path)
    assert store.feed_validators("https://example.org/feed") == (None, None)
    store.remember_feed("https://example.org/feed", '"v1"', "Mon, 30 Nov 2026 05:00:00 GMT")
    store.remember_feed("https://example.org/feed", '"v2"', None)
    assert Store(path).feed_validators("https://example.org/feed") == ('"v2"', None)
    envelope = Briefer(engine="offline").brief(load_article(ARTICLES / "very_short.txt"))
    page = "https://example.org/news/port"
    assert not store.has_url(page)
    store.put(
        "k",
        envelope.model_copy(update={"article": envelope.article.model_copy(update={"url": page})}),
    )
    assert store.has_url(page) and not store.has_url(page + "?id=2")


def test_an_unreadable_row_is_a_cache_miss_and_show_says_what_to_do(tmp_path):
    store = Store(tmp_path / "s.db")
    briefer = Briefer(engine="offline", store=store)
    article = load_article(ARTICLES / "very_short.txt")
    first = briefer.brief_stored(article)
    with sqlite3.connect(tmp_path / "s.db") as db:
        db.execute('UPDATE briefs SET envelope = \'{"not": "a brief"}\' WHERE id = ?', (first.id,))
    again = briefer.brief_stored(article)
    assert not again.cached and again.id != first.id  # briefed again, stored anew
    assert briefer.brief_stored(article).cached  # and reused from then on
    with pytest.raises(InputError, match=f"stored brief {first.id} cannot be read"):
        store.show(first.id)


def test_a_damaged_store_is_one_line_and_never_written_into(tmp_path, run):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all " * 200)
    with pytest.raises(ConfigError, match="is damaged"):
        Store(garbage)
    result = run("history", "--db", str(garbage))
    assert result.code == 2 and result.err.count("\n") == 1 and "is damaged" in result.err

    path = tmp_path / "pages.db"
    store = Store(path)
    envelope = Briefer(engine="offline").brief(load_article(ARTICLES / "courts.txt"))
    for n in range(40):
        store.put(f"k{n}", envelope, "x" * 4000)
    with sqlite3.connect(path) as db:  # move the pages out of the write-ahead log
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 3 : page * 3 + 2000] = b"\xff" * 2000  # garbage in the middle of the table
    path.write_bytes(bytes(data))
    damaged = Store(path)
    with pytest.raises(ConfigError, match="is damaged"):
        damaged.put("new", envelope)
    assert path.read_bytes() == bytes(data)  # nothing was written


def _stored_brief(path) -> int:
    """A store at `path` holding one brief; its id."""
    store = Store(path)
    stored = Briefer(engine="offline", store=store).brief_stored(ARTICLES / "very_short.txt")
    store.close()  # the last connection: SQLite folds the write-ahead log in and removes it
    assert stored.id is not None
    return stored.id


def file_modes_bind() -> bool:
    """Whether this process is held to file modes (root, with CAP_DAC_OVERRIDE, is not)."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe"
        probe.write_text("")
        probe.chmod(0o444)
        try:
            probe.open("a").close()
        except PermissionError:
            return True
        return False


MODES_IGNORED = "this user may write whatever the modes say (root): open_as_unwritable stands in"


def open_as_unwritable(monkeypatch) -> None:
    """From now on, store files open as for a user without write permission: SQLite falls
    back to reading only (root, who runs these tests here, may write whatever the modes say)."""
    real = store_module.open_database

    def unwritable(path, *, read_only=False):
        return real(path, read_only=True)

    monkeypatch.setattr(store_module, "open_database", unwritable)


def test_a_read_only_store_still_reads_and_refuses_writes_as_read_only(tmp_path, run, monkeypatch):
    path = tmp_path / "s.db"
    brief_id = _stored_brief(path)
    open_as_unwritable(monkeypatch)
    store = Store(path)
    assert store.read_only
    assert [row.id for row in store.history()] == [brief_id]
    assert store.show(brief_id).brief.headline
    envelope = store.show(brief_id)
    with pytest.raises(ConfigError, match=r"^the store file .* is read-only") as caught:
        store.put("another", envelope)
    assert "damaged" not in str(caught.value) and "--db" not in str(caught.value)

    listed = run("history", "--db", str(path))
    assert listed.code == 0 and f"{brief_id}  " in listed.out
    shown = run("show", str(brief_id), "--db", str(path))
    assert shown.code == 0 and shown.out.startswith("#")
    briefed = run("brief", str(ARTICLES / "courts.txt"), "--db", str(path), "--engine", "offline")
    assert briefed.code == 2 and briefed.err.count("\n") == 1
    assert "is read-only" in briefed.err and "damaged" not in briefed.err
    assert "--db" in briefed.err  # what to do, in the command line's words
    cached = run(
        "brief", str(ARTICLES / "very_short.txt"), "--db", str(path), "--engine", "offline"
    )
    assert cached.code == 0  # a brief the store has is still served


@pytest.mark.skipif(not file_modes_bind(), reason=MODES_IGNORED)
def test_a_store_file_without_write_permission_is_read_only(tmp_path, run):
    path = tmp_path / "s.db"
    brief_id = _stored_brief(path)
    path.chmod(0o444)
    listed = run("history", "--db", str(path))
    assert listed.code == 0 and f"{brief_id}  " in listed.out
    briefed = run("brief", str(ARTICLES / "courts.txt"), "--db", str(path), "--engine", "offline")
    assert briefed.code == 2 and "is read-only" in briefed.err and "damaged" not in briefed.err


def test_a_full_disk_is_said_to_be_full(tmp_path, run, monkeypatch):
    path = tmp_path / "s.db"
    _stored_brief(path)
    real = store_module.open_database

    def cramped(path, *, read_only=False):  # a disk with room for a few more pages only
        db = real(path, read_only=read_only)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + 4}")
        return db

    monkeypatch.setattr(store_module, "open_database", cramped)
    store = Store(path)
    envelope = Briefer(engine="offline").brief(load_article(ARTICLES / "courts.txt"))
    with pytest.raises(ConfigError, match=r"^the disk is full: ") as caught:
        for n in range(200):
            store.put(f"k{n}", envelope, "x" * 4000)
    assert "damaged" not in str(caught.value)
    assert Store(path).history()  # what it holds is still there

    article = tmp_path / "long.txt"
    article.write_text((ARTICLES / "courts.txt").read_text() + " More." * 20_000)
    briefed = run("brief", str(article), "--db", str(path), "--engine", "offline")
    assert briefed.code == 2 and briefed.err.count("\n") == 1
    assert "the disk is full" in briefed.err and "damaged" not in briefed.err


@pytest.mark.skipif(not file_modes_bind(), reason=MODES_IGNORED)
def test_a_store_in_a_read_only_folder_is_read_only(tmp_path, run):
    folder = tmp_path / "briefs"
    folder.mkdir()
    path = folder / "s.db"
    brief_id = _stored_brief(path)
    folder.chmod(0o555)
    try:
        shown = run("show", str(brief_id), "--db", str(path))
        assert shown.code == 0 and shown.out.startswith("#")
        briefed = run(
            "brief", str(ARTICLES / "courts.txt"), "--db", str(path), "--engine", "offline"
        )
        assert briefed.code == 2 and "is read-only" in briefed.err
    finally:
        folder.chmod(0o755)


# --- one brief per article, even when it is asked for twice at once ----------------------------


class CountingEngine:
    """The offline engine, counting the briefs asked of it; each waits a few turns of the
    event loop, as a request does, so that other tasks run meanwhile."""

    def __init__(self, inner):
        self._inner = inner
        self.requests = 0

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def brief(self, article):
        self.requests += 1
        return self._inner.brief(article)

    async def abrief(self, article, *, gate=None):
        self.requests += 1
        for _ in range(50):
            await asyncio.sleep(0)
        return self._inner.brief(article)


def test_an_article_given_twice_in_one_digest_is_briefed_once(tmp_path):
    text = (ARTICLES / "courts.txt").read_text(encoding="utf-8")
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = Store(tmp_path / "s.db")
    briefer = Briefer(engine="offline", store=store)
    engine = briefer.engine = CountingEngine(briefer.engine)
    digest = briefer.digest([tmp_path / "a.txt", tmp_path / "b.txt"])
    assert engine.requests == 1 and store.count() == 1
    assert [item.ok for item in digest.items] == [True, True]
    assert {item.brief_id for item in digest.items} == {1}
    assert sorted(item.cached for item in digest.items) == [False, True]
    sources = [item.envelope.article.source for item in digest.items]
    assert sources[0] != sources[1]  # each names its own copy of the article


def test_an_article_asked_for_by_two_threads_at_once_is_briefed_once(tmp_path, monkeypatch):
    store = Store(tmp_path / "s.db")
    briefer = Briefer(engine="offline", store=store)
    engine = briefer.engine = CountingEngine(briefer.engine)
    entered, looked, release = threading.Event(), threading.Event(), threading.Event()
    offline_brief = engine.brief

    def held_brief(article):  # the first brief waits until the second caller has looked
        entered.set()
        release.wait(timeout=120)
        return offline_brief(article)

    engine.brief = held_brief
    lookup = store.get

    def get(key):
        found = lookup(key)
        if threading.current_thread().name == "second":
            looked.set()
        return found

    monkeypatch.setattr(store, "get", get)
    results = {}

    def brief(name):
        results[name] = briefer.brief_stored(ARTICLES / "courts.txt")

    first = threading.Thread(target=brief, args=("first",), name="first")
    second = threading.Thread(target=brief, args=("second",), name="second")
    first.start()
    assert entered.wait(timeout=120)
    second.start()
    assert looked.wait(timeout=120)  # the second found nothing stored, and goes on
    release.set()
    first.join(timeout=120)
    second.join(timeout=120)
    assert engine.requests == 1 and store.count() == 1
    assert results["first"].id == results["second"].id and results["second"].cached


def test_refresh_still_keeps_a_new_brief(tmp_path):
    store = Store(tmp_path / "s.db")
    first = Briefer(engine="offline", store=store).brief_stored(ARTICLES / "courts.txt")
    again = Briefer(engine="offline", store=store, refresh=True).brief_stored(
        ARTICLES / "courts.txt"
    )
    assert not again.cached and again.id != first.id and store.count() == 2


TEN = [
    f"Report number {n} from the harbour.\n\n" + (ARTICLES / "courts.txt").read_text("utf-8")
    for n in range(10)
]


class MeetingEngine:
    """The offline engine, whose every brief waits until the other process asks for its brief
    of the same article: so both have looked in the store, and found nothing, before either
    stores its brief."""

    def __init__(self, inner, barrier):
        self._inner, self._barrier = inner, barrier

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def brief(self, article):
        self._barrier.wait(timeout=120)
        return self._inner.brief(article)


def brief_ten(path: str, barrier, refresh: bool) -> None:
    """Brief the ten articles into the store at `path` (run in a process of its own)."""
    briefer = Briefer(engine="offline", store=Store(path), refresh=refresh)
    briefer.engine = MeetingEngine(briefer.engine, barrier)
    for text in TEN:
        briefer.brief_stored(text)


@pytest.mark.parametrize("refresh", [False, True])
def test_two_processes_briefing_the_same_articles_store_each_once(tmp_path, refresh):
    path = tmp_path / "s.db"
    Store(path)  # made before the processes start
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    workers = [
        context.Process(target=brief_ten, args=(str(path), barrier, refresh)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert Store(path).count() == (20 if refresh else 10)  # --refresh: each run's briefs kept


@pytest.mark.skipif(not file_modes_bind(), reason=MODES_IGNORED)
def test_no_store_in_a_read_only_folder_is_said_so(tmp_path):
    folder = tmp_path / "briefs"
    folder.mkdir(mode=0o555)
    try:
        with pytest.raises(ConfigError, match=r"^the store folder .* is read-only: no store can"):
            Store(folder / "s.db")
    finally:
        folder.chmod(0o755)


def test_when_the_first_asker_is_cancelled_one_who_waited_does_the_work():
    flights = Flights()
    started = []

    async def scenario():
        forever = asyncio.Event()

        async def stuck():
            started.append("first")
            await forever.wait()

        async def work():
            started.append("second")
            return "brief"

        first = asyncio.create_task(flights.arun("key", stuck))
        while not started:
            await asyncio.sleep(0)
        second = asyncio.create_task(flights.arun("key", work))
        for _ in range(5):
            await asyncio.sleep(0)
        assert started == ["first"]  # the second waits for the first
        first.cancel()
        return await second

    assert asyncio.run(scenario()) == ("brief", False)
    assert started == ["first", "second"]


def test_a_failure_is_shared_with_those_who_waited():
    flights = Flights()

    async def scenario():
        release = asyncio.Event()

        async def failing():
            await release.wait()
            raise InputError("no such page")

        async def never():
            raise AssertionError("the second asker must not brief")

        first = asyncio.create_task(flights.arun("key", failing))
        await asyncio.sleep(0)
        second = asyncio.create_task(flights.arun("key", never))
        await asyncio.sleep(0)
        release.set()
        return await asyncio.gather(first, second, return_exceptions=True)

    outcomes = asyncio.run(scenario())
    assert [str(o) for o in outcomes] == ["no such page", "no such page"]
