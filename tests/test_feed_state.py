"""Feed digests lose nothing: a bad feed is that feed's failure, at most N entries a feed (the
newest), the rest kept as pending, failed entries tried again, and a digest killed at any point
then run again briefs every entry exactly once.

Feeds and pages are served on 127.0.0.1 by the local server of `test_feeds`; entries are
written here.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from briefer import Briefer
from briefer.errors import ServiceError
from briefer.inputs import LoadOptions
from briefer.io.store import Store

from .test_feed_digest import PAGE
from .test_feeds import Server, entity_bomb, json_feed, server  # noqa: F401

LOCAL = LoadOptions(allow_private=True)
NOW = datetime(2031, 5, 6, 6, 0, tzinfo=UTC)
TOWNS = ["Calder", "Marrow", "Westgate", "Harrow", "Skarvik", "Northgate", "Fenwick", "Orrin"]


def story(n: int) -> str:
    """A short made-up report, different for every n."""
    town = TOWNS[n % len(TOWNS)]
    return (
        f"The {town} district council voted {n + 5} to 2 on Monday to spend {n + 1},000 pounds "
        f"on repairs to bridge {n} over the River {town}, council leader Ines Okafor said. "
        f"Work on bridge {n} starts in June and lasts {n % 7 + 3} weeks, the council said."
    )


def rss(
    entries: list[tuple[str, str | None, datetime | None, str]], title: str = "Ledger"
) -> bytes:
    items = "".join(
        f"<item><title>{headline}</title>"
        + (f"<link>{link}</link>" if link else "")
        + (f"<pubDate>{format_datetime(when)}</pubDate>" if when else "")
        + f"<description>{summary}</description></item>"
        for headline, link, when, summary in entries
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://ledger.example/</link>{items}</channel></rss>"
    ).encode()


def summary_entries(count: int, *, shuffle: bool = False) -> list[tuple[str, None, datetime, str]]:
    """`count` entries without links (briefed from their summaries), one hour apart; entry 0 is
    the newest. With `shuffle`, the feed lists them out of date order."""
    entries = [
        (f"Bridge {n} repairs", None, NOW - timedelta(hours=n), story(n)) for n in range(count)
    ]
    return entries[1::2] + entries[0::2] if shuffle else entries


def brief_rows(db: Path) -> list[tuple[str, str]]:
    """(source, title) of every stored brief."""
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT source, title FROM briefs ORDER BY id").fetchall()


def sent_etag(server: Server, path: str) -> str | None:  # noqa: F811
    """The If-None-Match of the last request for `path`."""
    return [headers for at, headers in server.requests if at == path][-1].get("if-none-match")


def titles(digest) -> list[str]:
    return [i.envelope.article.title for i in digest.briefed]


# --- a bad feed is that feed's failure --------------------------------------------------------


def test_a_bad_feed_is_listed_with_its_reason_and_every_other_feed_is_briefed(
    server: Server,  # noqa: F811
    run,
    tmp_path,
):
    good_rss = server.serve(
        "/good.xml", body=rss(summary_entries(2)), content_type="application/rss+xml"
    )
    good_json = server.serve("/good.json", body=json_feed(), content_type="application/feed+json")
    digits = server.serve(
        "/digits.json", body=json_feed(_n="9" * 5_000), content_type="application/feed+json"
    )
    deep = server.serve(
        "/deep.json",
        body=json_feed(_d="[" * 300_000 + "]" * 300_000),
        content_type="application/feed+json",
    )
    bomb = server.serve("/bomb.xml", body=entity_bomb().encode(), content_type="application/xml")
    args = ["digest", "--allow-private", "--engine", "offline", "-f", "json", "-q"]
    args += ["--db", str(tmp_path / "s.db"), "--max-fetch-bytes", "10000000"]
    for feed in (good_rss, digits, deep, bomb, good_json):
        args += ["--feed", feed]
    result = run(*args)
    assert result.code == 1 and "internal error" not in result.err + result.out
    data = json.loads(result.out)
    briefed = [i["envelope"]["article"]["title"] for i in data["items"] if i["envelope"]]
    assert sorted(briefed) == ["Bridge 0 repairs", "Bridge 1 repairs", "Lamp lit"]
    failed = {i["source"]: i["error"] for i in data["items"] if i["status"] == "failed"}
    assert set(failed) == {f"feed {digits}", f"feed {deep}", f"feed {bomb}"}
    assert "a number 5,000 characters long" in failed[f"feed {digits}"]
    assert "nested more than 64 levels deep" in failed[f"feed {deep}"]
    assert "declares XML entities" in failed[f"feed {bomb}"]
    assert all("\n" not in reason for reason in failed.values())


def test_a_feed_the_reader_trips_over_is_that_feeds_failure(
    server: Server,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    """Even an error nobody foresaw while reading one feed leaves the others to be briefed."""
    import briefer.digest.feeds as digest_feeds

    good = server.serve("/good.xml", body=rss(summary_entries(1)))
    odd = server.serve("/odd.xml", body=rss(summary_entries(1)))
    real = digest_feeds.load_feed

    def load_feed(source, **kwargs):
        if source == odd:
            raise RuntimeError("a bug in the reader")
        return real(source, **kwargs)

    monkeypatch.setattr(digest_feeds, "load_feed", load_feed)
    briefer = Briefer(engine="offline", store=Store(tmp_path / "s.db"), load_options=LOCAL)
    digest = briefer.digest(feeds=[odd, good])
    assert titles(digest) == ["Bridge 0 repairs"]
    (failed,) = digest.failed
    assert failed.source == f"feed {odd}"
    assert failed.error == "could not be read (RuntimeError: a bug in the reader)"


# --- at most N entries a feed, the newest first; the rest kept --------------------------------


def test_at_most_max_entries_a_feed_the_newest_first_and_the_rest_briefed_by_the_next_runs(
    server: Server,  # noqa: F811
    run,
    tmp_path,
):
    feed = server.serve(
        "/ledger.xml",
        body=rss(summary_entries(7, shuffle=True)),
        content_type="application/rss+xml",
        etag='"ledger-1"',
    )
    db = tmp_path / "s.db"
    args = ["digest", "--feed", feed, "--max-entries", "3", "--allow-private", "--engine"]
    args += ["offline", "--db", str(db), "-f", "json", "-q"]

    first = run(*args)
    assert first.code == 0
    data = json.loads(first.out)
    assert [i["envelope"]["article"]["title"] for i in data["items"]] == [
        "Bridge 0 repairs",
        "Bridge 1 repairs",
        "Bridge 2 repairs",
    ]
    assert "3 entries to brief" in first.err and "4 held back" in first.err
    assert data["feeds"]["held_back"] == 4 and "4 held back" in data["feeds"]["summary"]
    other = str(tmp_path / "other.db")  # a first run again, in Markdown: the report says it too
    markdown = run(*args[:-5], "--db", other, "-q")
    assert "Feeds: 3 entries to brief, 4 held back (at most 3 a feed" in markdown.out

    second = run(*args)  # the feed answers 304: the kept entries are briefed all the same
    assert sent_etag(server, "/ledger.xml") == '"ledger-1"'
    assert "3 entries to brief, 3 of them waiting since an earlier run, 1 held back" in second.err
    assert [i["envelope"]["article"]["title"] for i in json.loads(second.out)["items"]] == [
        "Bridge 3 repairs",
        "Bridge 4 repairs",
        "Bridge 5 repairs",
    ]
    third = run(*args)
    assert [i["source"] for i in json.loads(third.out)["items"]] == ["Ledger: Bridge 6 repairs"]
    assert "held back" not in third.err
    fourth = run(*args)
    assert fourth.out == "" and "nothing new since the feeds were last read" in fourth.err
    assert sorted(title for _, title in brief_rows(db)) == [f"Bridge {n} repairs" for n in range(7)]


def test_the_default_cap_is_200_entries_a_feed(server: Server, tmp_path):  # noqa: F811
    from briefer.cli.digest import digest as digest_command
    from briefer.digest.feeds import MAX_ENTRIES_PER_FEED, read_feeds

    assert MAX_ENTRIES_PER_FEED == 200
    import inspect

    default = inspect.signature(digest_command).parameters["max_entries"].default
    assert default == MAX_ENTRIES_PER_FEED
    feed = server.serve("/big.xml", body=rss(summary_entries(250, shuffle=True)))
    read = read_feeds([feed], store=Store(tmp_path / "s.db"), options=LOCAL)
    assert len(read.entries) == 200 and read.held_back == 50
    published = [source.entry.published for source in read.entries]
    assert published == sorted(published, reverse=True)
    assert published[-1] == NOW - timedelta(hours=199)  # the 200 newest


def test_without_a_store_entries_over_the_cap_are_left_out_and_said(server: Server):  # noqa: F811
    from briefer.digest.feeds import describe, read_feeds

    feed = server.serve("/big.xml", body=rss(summary_entries(5)))
    read = read_feeds([feed], store=None, options=LOCAL, max_entries=2)
    assert len(read.entries) == 2 and read.held_back == 3
    assert "3 held back" in describe(read)


# --- no entry lost ----------------------------------------------------------------------------


def test_entries_the_engine_failed_on_are_briefed_next_time_even_when_the_feed_is_unchanged(
    server: Server,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    feed = server.serve(
        "/ledger.xml", body=rss(summary_entries(5)), content_type=RSS_TYPE, etag='"v1"'
    )
    db = tmp_path / "s.db"
    down = Briefer(engine="offline", store=Store(db), load_options=LOCAL)

    async def unavailable(article, *, gate=None):
        raise ServiceError("503 Service Unavailable after 3 attempts")

    monkeypatch.setattr(down.engine, "abrief", unavailable)
    first = down.digest(feeds=[feed])
    assert len(first.failed) == 5 and not first.briefed

    back = Briefer(engine="offline", store=Store(db), load_options=LOCAL)
    second = back.digest(feeds=[feed])
    assert sent_etag(server, "/ledger.xml") == '"v1"'  # answered 304
    assert "feed unchanged" in (second.feed_summary or "")
    assert sorted(titles(second)) == [f"Bridge {n} repairs" for n in range(5)]
    assert len(brief_rows(db)) == 5
    assert back.digest(feeds=[feed]).items == []  # nothing left, nothing briefed twice


def test_an_entry_that_cannot_be_briefed_is_tried_in_three_runs_then_given_up(
    server: Server,  # noqa: F811
    tmp_path,
):
    gone = server.url("/gone.html")  # 404, and the entry has no summary to fall back on
    feed = server.serve(
        "/ledger.xml",
        body=rss([("Gone", gone, NOW, "")]),
        content_type=RSS_TYPE,
        etag='"v1"',
    )
    briefer = Briefer(engine="offline", store=Store(tmp_path / "s.db"), load_options=LOCAL)
    for run in range(3):
        (item,) = briefer.digest(feeds=[feed]).items
        assert not item.ok and "no summary" in (item.error or "")
        assert ("not tried again" in (item.error or "")) == (run == 2)
    assert briefer.digest(feeds=[feed]).items == []
    assert sum(path == "/gone.html" for path, _ in server.requests) == 3


RSS_TYPE = "application/rss+xml"
KILLED = """
import os, signal, sys
from briefer import Briefer
from briefer.inputs import LoadOptions
from briefer.io.store import Store

db, feed, point, after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

class Killed(Store):
    \"\"\"A store whose process is killed (SIGKILL) after its `after`-th `point` call.\"\"\"

    calls = 0

    def _count(self):
        Killed.calls += 1
        if Killed.calls == after:
            os.kill(os.getpid(), signal.SIGKILL)

    def put(self, *args, **kwargs):
        brief_id = super().put(*args, **kwargs)
        if point == "put":
            self._count()
        return brief_id

    def put_once(self, *args, **kwargs):
        kept = super().put_once(*args, **kwargs)
        if point == "put":
            self._count()
        return kept

    def record_feed(self, *args, **kwargs):
        done = super().record_feed(*args, **kwargs)
        if point == "record":
            self._count()
        return done

briefer = Briefer(engine="offline", store=Killed(db), load_options=LoadOptions(allow_private=True))
briefer.digest(feeds=[feed])
"""


@pytest.mark.parametrize(("point", "after"), [("record", 1), ("put", 1), ("put", 4), ("put", 8)])
def test_a_digest_killed_at_any_point_then_run_again_briefs_every_entry_exactly_once(
    server: Server,  # noqa: F811
    tmp_path,
    point,
    after,
):
    """kill -9 after the feed is recorded, or after the k-th brief is stored (the last one
    too, before the digest notes it), then a run that finds the feed unchanged (304)."""
    pages = [
        server.serve(
            f"/news/{n}.html",
            body=PAGE.replace("Calder", TOWNS[n]).encode(),
            content_type="text/html",
        )
        for n in range(4)
    ]
    entries = [
        (f"Page {n}", page, NOW - timedelta(minutes=n), "Short.") for n, page in enumerate(pages)
    ]
    entries += summary_entries(4)
    feed = server.serve("/ledger.xml", body=rss(entries), content_type=RSS_TYPE, etag='"v1"')
    db = tmp_path / "s.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    killed = subprocess.run(
        [sys.executable, "-c", KILLED, str(db), feed, point, str(after)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    assert len(brief_rows(db)) == (after if point == "put" else 0)

    briefer = Briefer(engine="offline", store=Store(db), load_options=LOCAL)
    briefer.digest(feeds=[feed])
    assert sent_etag(server, "/ledger.xml") == '"v1"'  # answered 304
    rows = brief_rows(db)
    assert len(rows) == 8  # every entry once: four pages, four summaries
    assert len({source for source, _ in rows}) == 8
    assert briefer.digest(feeds=[feed]).items == []  # a third run has nothing left to do
    assert len(brief_rows(db)) == 8
