"""Malformed feeds and lists of feeds give entries or a one-line `BrieferError`, nothing else.

Well-formed RSS, Atom, JSON Feed and OPML documents (written here) are broken at random:
pieces cut, repeated, or replaced by fragments chosen to upset XML and JSON parsers (entity
declarations, stray markup, bad bytes and encodings marks, huge numbers, deep nesting,
hostile links and dates). Whatever comes out of `load_feed` and `read_feed_list` is a feed of
plain entries, a list of feeds, or one of our errors with a one-line message.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefer.errors import BrieferError
from briefer.inputs import LoadOptions
from briefer.inputs.feed_fields import MAX_SUMMARY_CHARS
from briefer.inputs.feed_lists import read_feed_list
from briefer.inputs.feeds import Feed, load_feed

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Fen Wire</title><link>https://fen.example/</link><description>Fen news</description>
<item><title>Sluice gates opened at Marrow Fen</title><link>/news/sluice?utm_source=x</link>
<guid isPermaLink="false">fen-1</guid><pubDate>Tue, 04 Mar 2025 07:15:00 +0100</pubDate>
<author>desk@fen.example (Ines Okafor)</author>
<description>The gates opened at dawn &amp; the water fell by a metre.</description>
<content:encoded><![CDATA[<p>The gates <b>opened</b> at dawn.</p>]]></content:encoded></item>
<item><title>Ferry timetable changes</title><description>From Monday.</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Northgate Desk</title>
<link href="https://northgate.example/"/><updated>2025-03-02T14:30:00Z</updated>
<entry><title type="html">Lakes &lt;em&gt;form&lt;/em&gt; early</title>
<link rel="alternate" href="https://northgate.example/lakes"/><id>tag:northgate,2025:1</id>
<published>2025-03-02T14:30:00Z</published><author><name>Priya Raman</name></author>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Meltwater.</p></div></content>
</entry><entry><title>Sensors</title><updated>2025-02-27T08:00:00Z</updated>
<summary>40 sensors.</summary></entry></feed>"""

JSON_FEED = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "Harrow Bulletin",
"home_page_url": "https://harrow.example/", "authors": [{"name": "Newsroom"}],
"items": [{"id": "1", "url": "/lamp", "title": "Lamp lit", "content_html": "<p>It turns.</p>",
"date_published": "2025-03-05T18:00:00+00:00", "authors": [{"name": "Aled Pryce"}]},
{"id": "2", "title": "Quay closed", "content_text": "Thursday.", "date_modified": "2025-03-06"}]}"""

OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>Subscriptions</title></head><body>
<outline text="News"><outline type="rss" text="Fen" xmlUrl="https://fen.example/rss.xml"/>
<outline type="rss" text="Desk" xmlUrl="https://northgate.example/atom"/></outline>
</body></opml>"""

FRAGMENTS = [
    b"<!DOCTYPE rss [",
    b'<!ENTITY x "xxxxxxxx">',
    b"]>",
    b"&x;",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"<![CDATA[",
    b"]]>",
    b"<",
    b">",
    b"</",
    b"<item>",
    b"</item>",
    b"<entry>",
    b"<link>http://[::1</link>",
    b"<link>javascript:alert(1)</link>",
    b'<link href="//evil.example:99999/"/>',
    b"<pubDate>Mon, 99 Foo 99999 99:99:99 +9999</pubDate>",
    b"<published>99999-99-99T99:99:99Z</published>",
    b'<?xml version="1.0" encoding="utf-7"?>',
    b'<?xml version="1.0" encoding="bogus-8"?>',
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xc3\x28",
    b"\xed\xa0\x80",
    b'"',
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"9" * 5_000,
    b"1e999999",
    b"-0." + b"1" * 300,
    b"NaN",
    b"[" * 3_000,
    b'{"a":' * 200,
    b'"\\ud800"',
    b'"\\u0000"',
    b'"url": "http://[::1"',
    b'"date_published": "2025-13-45T25:61:61+99:00"',
    b'"items": 7',
    b'"authors": [null, 3, {"name": []}]',
    b"<opml>",
    b'<outline xmlUrl="',
]


@st.composite
def mutated(draw: st.DrawFn, base: bytes) -> bytes:
    """`base` with a few random cuts, repeats and insertions."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "repeat", "truncate", "bytes"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(FRAGMENTS))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif action == "repeat":
            piece = bytes(data[at : at + draw(st.integers(1, 200))])
            data[at:at] = piece * draw(st.integers(1, 50))
        elif action == "truncate":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("fuzz")


def check_one_line(exc: BrieferError) -> None:
    message = str(exc)
    assert message and "\n" not in message and "\r" not in message, message


def check_feed(feed: Feed) -> None:
    """A feed read is plain data, within the module's rules."""
    assert isinstance(feed.title, str) and feed.title
    for entry in feed.entries:
        assert entry.title is None or isinstance(entry.title, str)
        assert entry.url is None or entry.url.startswith(("http://", "https://"))
        assert entry.published is None or (
            isinstance(entry.published, datetime) and entry.published.tzinfo is not None
        )
        assert entry.summary is None or len(entry.summary) <= MAX_SUMMARY_CHARS


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(data=st.one_of(mutated(RSS), mutated(ATOM), mutated(JSON_FEED)))
def test_a_malformed_feed_gives_entries_or_a_one_line_error(folder: Path, data: bytes) -> None:
    path = folder / "feed"
    path.write_bytes(data)
    try:
        feed = load_feed(path, options=LoadOptions(max_bytes=10_000_000))
    except BrieferError as exc:
        check_one_line(exc)
    else:
        check_feed(feed)


@FUZZ
@given(data=st.one_of(mutated(OPML), mutated(RSS)))
def test_a_malformed_list_of_feeds_gives_feeds_or_a_one_line_error(
    folder: Path, data: bytes
) -> None:
    path = folder / "list.opml"
    path.write_bytes(data)
    try:
        feeds = read_feed_list(path)
    except BrieferError as exc:
        check_one_line(exc)
    else:
        assert all(isinstance(feed, str) and feed.strip() == feed and feed for feed in feeds)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
json_items = st.fixed_dictionaries(
    {},
    optional={
        key: json_values | st.text(max_size=40)
        for key in (
            "id",
            "url",
            "external_url",
            "title",
            "content_text",
            "content_html",
            "summary",
            "date_published",
            "date_modified",
            "author",
            "authors",
        )
    },
)


@FUZZ
@given(
    document=st.fixed_dictionaries(
        {"version": st.just("https://jsonfeed.org/version/1.1")},
        optional={
            "title": json_values,
            "home_page_url": json_values | st.text(max_size=40),
            "feed_url": json_values | st.text(max_size=40),
            "authors": json_values,
            "items": st.lists(json_items | json_values, max_size=5) | json_values,
        },
    )
)
def test_any_json_feed_document_gives_entries_or_a_one_line_error(
    folder: Path, document: dict[str, object]
) -> None:
    import json

    path = folder / "feed.json"
    path.write_text(json.dumps(document))
    try:
        feed = load_feed(path)
    except BrieferError as exc:
        check_one_line(exc)
    else:
        check_feed(feed)
