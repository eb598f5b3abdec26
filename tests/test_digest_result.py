"""What a digest's result says of itself (the lines a caller prints) and what a digest would
send: the library's answers, which the command line, the MCP tool and the service only word."""

from __future__ import annotations

from functools import cache

from briefer.core import Briefer
from briefer.digest import Digest, DigestItem
from briefer.digest.morning import plan_digest
from briefer.errors import BrieferError, FetchError
from briefer.inputs import CommandLine
from briefer.schema import Envelope, Notice

from .conftest import ARTICLES
from .test_feed_state import rss, summary_entries

ARTICLE = ARTICLES / "courts.txt"


@cache
def envelope() -> Envelope:
    return Briefer(engine="offline").brief(CommandLine(str(ARTICLE)))


def briefed(source: str, *warnings: Notice) -> DigestItem:
    made = envelope().model_copy(update={"warnings": list(warnings)})
    return DigestItem(source, envelope=made)


def failed(source: str, error: str = "could not be read", kind: str = "article") -> DigestItem:
    return DigestItem(source, error=error, kind=kind)


def test_the_failures_line_counts_articles_and_feeds_apart():
    articles = [briefed("a"), failed("b"), failed("c")]
    feeds = [failed("feed x", kind="feed"), failed("feed y", kind="feed")]
    assert Digest([*articles, *feeds]).failures_line() == "2 of 3 articles failed, 2 feeds failed"
    assert Digest([briefed("a"), feeds[0]]).failures_line() == "1 feed failed"
    assert Digest([briefed("a"), failed("b")]).failures_line() == "1 of 2 articles failed"
    assert Digest([briefed("a")]).failures_line() == ""


def test_nothing_new_is_feeds_alone_with_no_entry_and_no_failure():
    read = "feeds: 0 entries to brief"
    assert Digest([], feed_summary=read).nothing_new
    assert not Digest([failed("feed x", kind="feed")], feed_summary=read).nothing_new
    assert not Digest([briefed("a")], feed_summary=read).nothing_new
    assert not Digest([]).nothing_new  # no feed was read: articles were asked for


def test_the_fallback_line_counts_the_offline_briefs_and_gives_the_first_reason():
    fell_back = Notice(code="fallback_offline", message="the LLM failed: HTTP 400")
    other = Notice(code="reasked", message="asked again")
    items = [briefed("a", other, fell_back), briefed("b"), failed("c"), briefed("d", fell_back)]
    line = Digest(items).fallback_line()
    assert line == "the offline engine briefed 2 of 4 articles: the LLM failed: HTTP 400"
    assert Digest([briefed("a", other), failed("c")]).fallback_line() is None


def test_worded_failures_are_a_copy_and_the_result_is_left_as_it_was():
    error = FetchError("https://x.example/a: refused\n  a private address", fix="use {private}")
    items = [
        briefed("a"),
        DigestItem("https://x.example/a", error="refused", failure=error),
        failed("b"),  # no error to word: kept as it is
    ]
    result = Digest(items, feed_summary="feeds: 1 entry to brief")

    def word(exc: BrieferError) -> str:
        return exc.describe(lambda setting: f"--{setting}")

    worded = result.worded(word)
    assert [i.error for i in worded.failed] == [
        "refused a private address; use --private",
        "could not be read",
    ]  # on one line, without the source the item names
    assert [i.error for i in result.failed] == ["refused", "could not be read"]
    assert worded.items[0] is items[0] and worded.items[2] is items[2]
    assert worded.feed_summary == result.feed_summary
    assert [len(s) for s in worded.stories()] == [1]


def test_a_plan_reads_the_feeds_says_what_they_gave_and_records_nothing(tmp_path):
    from briefer.io.store import Store

    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(summary_entries(4)))
    store = Store(tmp_path / "s.db")
    briefer = Briefer(engine="offline", store=store)
    said: list[str] = []
    plans = plan_digest(
        briefer, [CommandLine(str(ARTICLE))], [str(feed)], caps=(3, 2), on_feeds=said.append
    )
    assert len(plans) == 3  # the article, and the two newest entries the caps let through
    assert all(p.engine == "offline" and p.requests == 0 for p in plans)
    assert len(said) == 1 and said[0].startswith("feeds: 2 entries to brief, ")
    assert "held back (at most 3 a feed" in said[0]
    assert "held back (at most 2 a digest" in said[0]
    assert store.count_open_entries(str(feed)) == 0  # a plan keeps no entry for later
    assert plan_digest(briefer, [CommandLine(str(ARTICLE))]) == plans[:1]


def test_progress_so_far_is_a_digest_of_each_finished_item_once_in_finishing_order():
    from briefer.digest.runner import Progress

    first, second, retried = briefed("a"), failed("b"), briefed("c")
    progress = Progress(total=4, finished=[retried, first, retried, second])
    so_far = progress.so_far()
    assert [i.source for i in so_far.items] == ["c", "a", "b"]
    assert so_far.items[0] is retried
