"""A morning brief from feeds, end to end: local feeds and pages, conditional GETs, summaries
when a page fails, entries already briefed left alone, and a feed that fails reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from .exchanges import FIXTURES
from .test_feeds import server  # noqa: F401  (the local feed server fixture)

PAGE = """<html><head><title>Ferry Returns to Calder Harbour</title></head><body><article>
<h1>Ferry Returns to Calder Harbour</h1>
<p>The Calder ferry resumed crossings on Monday after a three-week repair, carrying 412
passengers on its first day, harbour master Ines Roe said.</p>
<p>Roe said the operator would add an evening crossing from December. The repair cost
about 90,000 pounds, according to the council.</p>
<p>Commuters had faced a two-hour detour by road while the ferry was out of service.</p>
</article></body></html>"""


def rss(title: str, items: list[tuple[str, str | None, datetime, str]]) -> bytes:
    entries = "".join(
        f"<item><title>{headline}</title>"
        + (f"<link>{link}</link>" if link else "")
        + f"<pubDate>{format_datetime(when)}</pubDate><description>{summary}</description></item>"
        for headline, link, when, summary in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link><description>news</description>{entries}"
        "</channel></rss>"
    ).encode()


def test_a_digest_of_feeds_briefs_new_entries_once_and_reads_unchanged_feeds_for_free(
    server,  # noqa: F811  (the fixture imported above)
    run,
    tmp_path,
):
    now = datetime.now(UTC)
    page = server.serve("/ferry.html", body=PAGE.encode(), content_type="text/html")
    gone = server.url("/gone.html")  # 404: the feed's summary is briefed instead
    ledger = server.serve(
        "/ledger.xml",
        body=rss(
            "Calder Ledger",
            [
                ("Ferry returns", page + "?utm_source=rss&utm_medium=feed", now, "Ferry back."),
                (
                    "Council shuts library early",
                    gone,
                    now - timedelta(hours=3),
                    "The Calder council voted on Tuesday to close the Harbour Street library "
                    "at 5 p.m. on weekdays, saving 40,000 pounds a year, the treasurer said.",
                ),
                ("Old news", server.url("/old.html"), now - timedelta(days=5), "Old."),
            ],
        ),
        content_type="application/rss+xml",
        etag='"ledger-1"',
    )
    wire = server.serve(
        "/wire.xml",
        body=rss("Valley Wire", [("Ferry is back", page, now, "Ferry.")]),
        content_type="application/rss+xml",
        etag='"wire-1"',
    )
    broken = server.url("/missing-feed.xml")
    db = str(tmp_path / "store.db")
    args = ["digest", "--feed", ledger, "--feed", wire, "--feed", broken, "--since", "2d"]
    args += ["--allow-private", "--engine", "offline", "--db", db, "-f", "json", "-q"]

    first = run(*args)
    assert first.code == 1  # the broken feed is a failure, reported; the rest is briefed
    data = json.loads(first.out)
    briefed = [i for i in data["items"] if i["envelope"]]
    assert len(briefed) == 2  # the ferry once (two feeds, tracking parameters), the library
    by_url = {i["envelope"]["article"]["url"]: i for i in briefed}
    ferry, library = by_url[page], by_url[gone]
    assert ferry["envelope"]["article"]["site_name"] in ("Calder Ledger", "Valley Wire")
    assert ferry["envelope"]["article"]["title"] == "Ferry Returns to Calder Harbour"
    notes = [w["code"] for w in library["envelope"]["warnings"]]
    assert "feed_summary" in notes  # briefed from the summary, and says so
    failed = [i for i in data["items"] if i["status"] == "failed"]
    assert [f["source"] for f in failed] == [f"feed {broken}"]
    assert "1 feed failed" in first.err and "older than --since" in first.err
    pages_fetched = [p for p, _ in server.requests if p.endswith(".html")]
    assert sorted(set(pages_fetched)) == ["/ferry.html", "/gone.html"]

    before = len(server.requests)
    second = run(*args[:-4], "--allow-private", "--engine", "offline", "--db", db, "-q")
    later = server.requests[before:]
    assert [h.get("if-none-match") for p, h in later if p == "/ledger.xml"] == ['"ledger-1"']
    assert not [p for p, _ in later if p.endswith(".html")]  # zero page fetches
    assert "2 feeds unchanged" in second.err

    # The feed changes: only its new entry's page is fetched; the ferry was briefed already.
    fresh = server.serve(
        "/bridge.html", body=PAGE.replace("ferry", "bridge").encode(), content_type="text/html"
    )
    server.serve(
        "/ledger.xml",
        body=rss(
            "Calder Ledger",
            [("Ferry returns", page, now, "Ferry."), ("Bridge opens", fresh, now, "Bridge.")],
        ),
        content_type="application/rss+xml",
        etag='"ledger-2"',
    )
    before = len(server.requests)
    third = run(*args[:-4], "--allow-private", "--engine", "offline", "--db", db, "-q")
    fetched = [p for p, _ in server.requests[before:] if p.endswith(".html")]
    assert fetched == ["/bridge.html"] and "1 briefed by an earlier digest" in third.err


def test_a_refused_feed_is_counted_as_a_feed_and_its_fix_names_the_flag(
    server,  # noqa: F811  (the fixture imported above)
    run,
    tmp_path,
):
    feed = server.serve(
        "/local.xml",
        body=rss("Local wire", [("Ferry", server.url("/p.html"), datetime.now(UTC), "Ferry.")]),
        content_type="application/rss+xml",
    )
    db = str(tmp_path / "store.db")
    result = run("digest", "--feed", feed, "--engine", "offline", "--db", db, "-q")
    assert result.code == 1
    assert "--allow-private" in result.err and "LoadOptions" not in result.err
    assert result.err.strip().endswith("1 feed failed") and "article" not in result.err


def test_nothing_new_keeps_the_last_digest_unless_asked_to_write_anyway(
    server,  # noqa: F811  (the fixture imported above)
    run,
    tmp_path,
):
    page = server.serve("/ferry.html", body=PAGE.encode(), content_type="text/html")
    feed = server.serve(
        "/ledger.xml",
        body=rss("Calder Ledger", [("Ferry returns", page, datetime.now(UTC), "Ferry back.")]),
        content_type="application/rss+xml",
        etag='"ledger-1"',
    )
    out = tmp_path / "morning.md"
    args = ["digest", "--feed", feed, "--allow-private", "--engine", "offline", "-q"]
    args += ["--db", str(tmp_path / "store.db"), "-o", str(out)]
    assert run(*args).code == 0
    first = out.read_text(encoding="utf-8")
    assert "Ferry" in first
    again = run(*args)
    assert again.code == 0 and "nothing new since the feeds were last read" in again.err
    assert out.read_text(encoding="utf-8") == first  # yesterday's digest is not emptied
    forced = run(*args, "--always-write")
    assert forced.code == 0 and "0 articles" in out.read_text(encoding="utf-8")


def test_an_entry_is_named_by_its_pages_outlet_and_by_the_feed_only_when_the_page_is_silent(
    server,  # noqa: F811  (the fixture imported above)
    tmp_path,
):
    from briefer import Briefer
    from briefer.inputs import LoadOptions

    named = PAGE.replace(
        "<head>", '<head><meta property="og:site_name" content="Harbour Times">'
    ).replace("Ferry", "Tram")
    outlet = server.serve("/tram.html", body=named.encode(), content_type="text/html")
    silent = server.serve("/ferry.html", body=PAGE.encode(), content_type="text/html")
    now = datetime.now(UTC)
    feed = server.serve(
        "/wire.xml",
        body=rss("Local test wire", [("Tram", outlet, now, "Tram."), ("Ferry", silent, now, "F.")]),
        content_type="application/rss+xml",
    )
    briefer = Briefer(engine="offline", load_options=LoadOptions(allow_private=True))
    digest = briefer.digest(feeds=[feed])
    labels = {i.envelope.article.url: i.envelope.article.site_name for i in digest.briefed}
    assert labels == {outlet: "Harbour Times", silent: "Local test wire"}


def test_a_story_seen_yesterday_is_a_follow_up_that_shows_what_changed(run, tmp_path):
    folder = FIXTURES / "followup"
    db = str(tmp_path / "store.db")
    first = run("digest", str(folder / "day1_ledger.txt"), "--engine", "offline", "--db", db, "-q")
    assert first.code == 0 and "What changed" not in first.out
    second = run("digest", str(folder / "day2_wire.txt"), "--engine", "offline", "--db", db, "-q")
    assert second.code == 0
    index, body = second.out.split("\n---\n", 1)
    assert "follow-up of" in index
    assert "**What changed.** Since" in body and "day1 ledger: Diesel Leak Closes" in body
    assert "40,000" in body and "65,000" in body  # the number, before and now, with quotes
    assert "Tomas Brandt" in body  # newly named
    data = json.loads(
        run(
            "digest",
            str(folder / "day2_wire.txt"),
            "--engine",
            "offline",
            "--db",
            db,
            "-q",
            "-f",
            "json",
        ).out
    )
    (story,) = data["stories"]
    assert "65,000 litres" in story["follow_up"]["changed"][0]["now"]
    history = json.loads(run("history", "--db", db, "--format", "json").out)
    newest = max(row["id"] for row in history)
    timeline = run("story", str(newest), "--db", db)
    # Both briefs were made today: the story brief of the newest day comes first.
    lines = timeline.out.split("## Timeline", 1)[-1].strip().splitlines()
    assert timeline.code == 0 and lines[0].startswith("1. ") and "day1 ledger" in lines[0]
    assert any(line.startswith("2. ") and "day2 wire" in line for line in lines)
    assert any("added:" in line for line in lines)


def test_the_same_text_briefed_again_is_never_its_own_follow_up(run, tmp_path):
    from briefer import Briefer
    from briefer.io.store import Store

    day1 = str(FIXTURES / "followup" / "day1_ledger.txt")
    db = str(tmp_path / "store.db")
    assert run("digest", day1, "--engine", "offline", "--db", db, "-q").code == 0
    again = run("digest", day1, "--engine", "offline", "--db", db, "-q", "--refresh")
    assert again.code == 0
    assert "follow-up of" not in again.out and "What changed" not in again.out
    # Another engine's brief of the same text, stored: still the same report, not a later one.
    store = Store(tmp_path / "store.db")
    (first_id, first), *_ = store.recent(since=datetime.now(UTC) - timedelta(days=1))
    other = first.model_copy(update={"engine": "openai", "model": "gpt-other"})
    store.put("another-engine", other, store.article_text(first_id))
    digest = Briefer(engine="offline", store=store).digest([day1])
    assert digest.follow_ups == {}
    timeline = run("story", str(first_id), "--db", db).out
    assert timeline.count("day1 ledger: Diesel Leak Closes") == 1  # one text, one entry


def test_the_library_digests_feeds_too(server, tmp_path):  # noqa: F811
    from briefer import Briefer
    from briefer.inputs import LoadOptions
    from briefer.io.store import Store

    now = datetime.now(UTC)
    page = server.serve("/ferry.html", body=PAGE.encode(), content_type="text/html")
    feed = server.serve(
        "/ledger.xml",
        body=rss("Calder Ledger", [("Ferry returns", page, now, "Ferry back.")]),
        content_type="application/rss+xml",
    )
    missing = server.url("/nothing.xml")
    briefer = Briefer(
        engine="offline",
        store=Store(tmp_path / "s.db"),
        load_options=LoadOptions(allow_private=True),
    )
    digest = briefer.digest(feeds=[feed, missing], since=now - timedelta(days=1))
    assert [i.envelope.article.site_name for i in digest.briefed] == ["Calder Ledger"]
    assert [i.source for i in digest.failed] == [f"feed {missing}"]
    assert digest.feed_summary is not None and "1 entry to brief" in digest.feed_summary
    from briefer.renderers import render

    index = render(digest, "markdown").split("\n---\n")[0]
    assert f"published {now.date().isoformat()} (today)" in index  # the day, not the second
