"""At most N feed entries a digest, of all feeds together: the newest first across feeds, the cut
said, and the entries over the cap kept in the store as pending and briefed by the next runs,
each exactly once.

Feeds are served on 127.0.0.1 by the local server of `test_feeds`; entries are written here.
"""

from __future__ import annotations

import json
import re

import pytest

from briefer.cli.common import flag_for
from briefer.errors import ConfigError
from briefer.io.store import Store

from .test_feed_state import LOCAL, NOW, brief_rows, rss, sent_etag, summary_entries
from .test_feeds import Server, server  # noqa: F401


def two_feeds(server: Server, count: int = 8) -> tuple[str, str]:  # noqa: F811
    """Two feeds sharing `count` entries an hour apart: the Ledger has the even hours (entry 0
    the newest), the Courier the odd ones; each lists them out of date order."""
    entries = summary_entries(count)
    ledger, courier = entries[0::2], entries[1::2]
    return (
        server.serve("/ledger.xml", body=rss(ledger[::-1], "Ledger"), etag='"ledger-1"'),
        server.serve("/courier.xml", body=rss(courier[::-1], "Courier"), etag='"courier-1"'),
    )


def titles(output: str) -> list[str]:
    return sorted(item["envelope"]["article"]["title"] for item in json.loads(output)["items"])


def bridges(*numbers: int) -> list[str]:
    return sorted(f"Bridge {n} repairs" for n in numbers)


def test_at_most_n_entries_a_digest_the_newest_of_all_feeds_and_the_rest_briefed_next_runs(
    server: Server,  # noqa: F811
    run,
    tmp_path,
):
    ledger, courier = two_feeds(server)
    db = tmp_path / "s.db"
    args = ["digest", "--feed", ledger, "--feed", courier, "--max-digest-entries", "3"]
    args += ["--allow-private", "--engine", "offline", "--db", str(db), "-f", "json", "-q"]

    first = run(*args)
    assert first.code == 0, first.err
    assert titles(first.out) == bridges(0, 1, 2)  # the newest three, from both feeds
    said = "5 held back (at most 3 a digest, the newest of all feeds first; kept for the next run)"
    assert "3 entries to brief" in first.err and said in first.err
    assert json.loads(first.out)["feeds"]["held_back"] == 5
    pending = Store(db).count_open_entries(ledger) + Store(db).count_open_entries(courier)
    assert pending == 5

    second = run(*args)  # both feeds answer 304: what was held back is briefed all the same
    assert sent_etag(server, "/ledger.xml") == '"ledger-1"'
    assert sent_etag(server, "/courier.xml") == '"courier-1"'
    assert titles(second.out) == bridges(3, 4, 5)
    assert "3 entries to brief, 3 of them waiting since an earlier run, 2 held back" in second.err
    third = run(*args)
    assert titles(third.out) == bridges(6, 7)
    assert "held back" not in third.err
    fourth = run(*args)
    assert fourth.out == "" and "nothing new since the feeds were last read" in fourth.err
    assert sorted(title for _, title in brief_rows(db)) == bridges(*range(8))  # each once


def test_both_caps_at_once_are_each_said(server: Server):  # noqa: F811
    from briefer.digest.feeds import describe, read_feeds

    ledger, courier = two_feeds(server, 10)  # five entries each
    read = read_feeds(
        [ledger, courier], store=None, options=LOCAL, max_entries=4, max_digest_entries=6
    )
    published = [source.entry.published for source in read.entries]
    assert sorted(published, reverse=True) == [NOW.replace(hour=6 - n) for n in range(6)]
    assert (read.held_back, read.digest_held_back) == (2, 2)
    line = describe(read)
    assert "6 entries to brief" in line
    assert "2 held back (at most 4 a feed, the newest first; not kept: no store)" in line
    assert "2 more held back (at most 6 a digest, the newest of all feeds first; not kept" in line


def test_a_digest_within_the_cap_is_not_cut(server: Server, tmp_path):  # noqa: F811
    from briefer.digest.feeds import describe, read_feeds

    ledger, courier = two_feeds(server)
    read = read_feeds([ledger, courier], store=Store(tmp_path / "s.db"), options=LOCAL)
    assert len(read.entries) == 8 and read.digest_held_back == 0
    assert "held back" not in describe(read)


def test_the_default_cap_is_1000_entries_a_digest():
    import inspect

    from briefer.cli.digest import digest as digest_command
    from briefer.digest.feeds import MAX_ENTRIES_PER_DIGEST

    assert MAX_ENTRIES_PER_DIGEST == 1_000
    default = inspect.signature(digest_command).parameters["max_digest_entries"].default
    assert default == MAX_ENTRIES_PER_DIGEST


@pytest.mark.parametrize("value", [0, -1, 1_000_001])
@pytest.mark.parametrize("setting", ["max_entries", "max_digest_entries"])
def test_a_cap_out_of_range_is_refused_in_the_library_in_its_own_words(setting, value):
    from briefer.digest.feeds import read_feeds

    with pytest.raises(ConfigError) as caught:
        read_feeds(["http://127.0.0.1:9/feed.xml"], store=None, **{setting: value})
    assert f"Briefer.digest({setting}=...)" in str(caught.value) and "--" not in str(caught.value)
    assert flag_for(setting) in caught.value.describe(flag_for)


@pytest.mark.parametrize(
    "args",
    [
        ["--max-digest-entries", "0"],
        ["--max-digest-entries", "1000001"],
        ["--max-digest-entries", "99999999999999999999"],
        ["--max-entries", "99999999999999999999"],
    ],
)
def test_a_cap_out_of_range_is_a_one_line_usage_error(args, run, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(summary_entries(2)))
    result = run("digest", "--feed", str(feed), *args, "--engine", "offline", "--db",
                 str(tmp_path / "s.db"))  # fmt: skip
    assert result.code == 2, result.err
    assert args[0] in result.err and "internal error" not in result.err
    assert result.err.count("\n") == 1, result.err


def test_a_dry_run_plans_only_what_the_cap_lets_through_and_says_so(
    server: Server,  # noqa: F811
    run,
):
    ledger, courier = two_feeds(server)
    result = run("digest", "--feed", ledger, "--feed", courier, "--max-digest-entries", "3",
                 "--allow-private", "--engine", "offline", "--dry-run")  # fmt: skip
    assert result.code == 0, result.err
    assert "3 entries to brief, 5 held back (at most 3 a digest" in result.err
    assert re.search(r"^articles: +3$", result.out, re.M), result.out  # the plan is of three
