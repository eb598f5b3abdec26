"""Feeds: RSS, Atom and JSON Feed read into plain entries; lists of feeds; conditional GETs.

Feeds are served by a real HTTP server on 127.0.0.1, so every test that fetches relaxes the
public-address guard with `LoadOptions(allow_private=True)`, except the one checking that guard.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from briefer.errors import InputError
from briefer.inputs import LoadOptions
from briefer.inputs.feed_fields import MAX_SUMMARY_CHARS
from briefer.inputs.feed_lists import canonical_url, read_feed_list
from briefer.inputs.feeds import Feed, load_feed
from briefer.inputs.fetch import USER_AGENT

from .exchanges import FIXTURES

FEEDS = FIXTURES / "feeds"
LOCAL = LoadOptions(allow_private=True)
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml"
JSON_FEED = "application/feed+json"


@dataclass
class Route:
    """What the server answers on one path."""

    body: bytes = b""
    content_type: str = "application/xml"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    send_length: bool = True  # False: the body ends when the connection closes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Server:
    """A local feed server: its routes, and every request it received."""

    port: int
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, fixture: str | None = None, **route: object) -> str:
        """Serve `fixture` (a file of fixtures/feeds) or `body` at `path`; return its URL."""
        if fixture is not None:
            route["body"] = (FEEDS / fixture).read_bytes()
        self.routes[path] = Route(**route)  # type: ignore[arg-type]
        return self.url(path)


@pytest.fixture
def server() -> Iterator[Server]:
    routes: dict[str, Route] = {}
    requests: list[tuple[str, dict[str, str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            conditional = (
                route.etag is not None and self.headers.get("If-None-Match") == route.etag
            ) or (
                route.last_modified is not None
                and self.headers.get("If-Modified-Since") == route.last_modified
            )
            self.send_response(304 if conditional else route.status)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if conditional:
                self.end_headers()
                return
            self.send_header("Content-Type", route.content_type)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, *args: object) -> None:
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=http.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield Server(http.server_address[1], routes, requests)
    http.shutdown()
    http.server_close()


def one_line_error(caught: pytest.ExceptionInfo[InputError]) -> str:
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- each format ------------------------------------------------------------------------------


def test_an_rss_feed_is_read(server):
    url = server.serve("/news/rss.xml", "rss.xml", content_type=RSS)
    feed = load_feed(url, options=LOCAL)
    assert feed.source == url and feed.title == "The Calder Valley Ledger"
    assert not feed.not_modified and feed.etag is None and feed.last_modified is None
    ferry, council, closures = feed.entries
    assert {entry.feed for entry in feed.entries} == {"The Calder Valley Ledger"}

    assert ferry.title == "Marrow Island ferry sails again after pier repairs"
    assert ferry.url == "https://ledger.example/news/marrow-ferry?id=481"  # no utm_*, no #
    assert ferry.author == "Ines Okafor"
    assert ferry.published == datetime(2025, 3, 4, 6, 15, tzinfo=UTC)  # 07:15 +01:00
    assert ferry.published.utcoffset() is not None
    assert ferry.summary == (
        "The Marrow Island ferry returns to its timetable on Monday, after six weeks of "
        "repairs to the north pier. Harbour master Dilys Varga said the first crossing "
        "leaves at 06:40."
    )

    # A relative link is resolved against the feed's own address; fbclid goes.
    assert council.url == server.url("/news/westgate-cycle-lanes?page=2")
    assert council.author == "Tomas Brandt"  # from "desk@ledger.example (Tomas Brandt)"
    assert council.published == datetime(2025, 3, 3, 18, 40, tzinfo=UTC)

    # No link (its guid is not a permalink) and no date: kept, with its summary.
    assert closures.url is None and closures.published is None and closures.author is None
    assert closures.summary is not None and closures.summary.startswith("Resurfacing work")

    (path, headers), *_ = server.requests
    assert path == "/news/rss.xml" and headers["user-agent"] == USER_AGENT
    assert "application/rss+xml" in headers["accept"]
    assert "if-none-match" not in headers and "if-modified-since" not in headers


def test_an_atom_feed_is_read(server):
    feed = load_feed(server.serve("/science.atom", "atom.xml", content_type=ATOM), options=LOCAL)
    assert feed.title == "Northgate Science Desk"
    lakes, sensors = feed.entries
    assert lakes.title == "Meltwater lakes are forming earlier on the Skarvik glacier"
    assert lakes.url == "https://science.northgate.example/2025/03/skarvik-lakes?lang=en"
    assert lakes.author == "Priya Raman"
    assert lakes.published == datetime(2025, 3, 2, 14, 30, tzinfo=UTC)
    # The full content is preferred to the short summary, as plain text.
    assert lakes.summary is not None
    assert lakes.summary.startswith("A five-year survey of the Skarvik glacier found")
    assert "eleven days earlier on average than in the 1990s. The team" in lakes.summary
    assert "<" not in lakes.summary and "  " not in lakes.summary

    assert sensors.url == "https://science.northgate.example/2025/02/air-sensors"
    assert sensors.published == datetime(2025, 2, 27, 8, 0, tzinfo=UTC)  # only <updated>
    assert sensors.summary == (
        "The 40 sensors recorded 12 smog days last winter, against 19 the winter before & "
        "23 in 2022."
    )


def test_a_json_feed_is_read(server):
    url = server.serve("/bulletin/feed.json", "feed.json", content_type=JSON_FEED)
    feed = load_feed(url, options=LOCAL)
    assert feed.title == "Harrow Point Bulletin"
    lamp, tides, notice = feed.entries
    assert lamp.url == "https://bulletin.harrow.example/lighthouse-lamp?section=local"
    assert lamp.author == "Aled Pryce"
    assert lamp.published == datetime(2025, 3, 5, 18, 0, tzinfo=UTC)
    assert lamp.summary == (
        "After two winters of work, the 1911 lamp turns again. It will be lit each Saturday "
        "evening through the summer."
    )
    assert tides.url == server.url("/bulletin/posts/tide-tables-2025")
    assert tides.author == "Bulletin newsroom"  # the feed's author, for an entry without one
    assert tides.published == datetime(2025, 3, 6, 7, 45, tzinfo=UTC)
    assert tides.summary == (
        "The harbour office no longer prints tide tables. They are now posted on its website "
        "each month."
    )
    assert notice.url is None and notice.title == "Road notice: Quay Street closed on Thursday"
    assert notice.published == datetime(2025, 3, 6, 10, 0, tzinfo=UTC)  # date_modified
    assert notice.summary == "Quay Street is closed to traffic on Thursday for a water main repair."


@pytest.mark.parametrize(
    ("name", "title", "relative"),
    [
        ("rss.xml", "The Calder Valley Ledger", "https://ledger.example/news/westgate-cycle-lanes"),
        ("atom.xml", "Northgate Science Desk", None),
        ("feed.json", "Harrow Point Bulletin", "https://bulletin.harrow.example/posts/"),
    ],
)
def test_a_feed_file_is_read(name, title, relative):
    """A saved feed has no address: relative links resolve against the site it names."""
    feed = load_feed(str(FEEDS / name))
    assert feed.source == str(FEEDS / name) and feed.title == title
    assert feed.etag is None and not feed.not_modified
    assert all(entry.published is None or entry.published.tzinfo for entry in feed.entries)
    urls = [entry.url for entry in feed.entries if entry.url]
    assert all(url.startswith("https://") for url in urls)
    if relative:
        assert any(url.startswith(relative) for url in urls)


def test_a_feed_without_a_title_is_named_by_its_host(server, tmp_path):
    body = (
        b'<rss version="2.0"><channel><link>https://Wire.Fen.example/</link>'
        b"<item><title>Sluice gates opened</title></item></channel></rss>"
    )
    assert load_feed(server.serve("/t.xml", body=body), options=LOCAL).title == "127.0.0.1"
    saved = tmp_path / "saved.xml"
    saved.write_bytes(body)
    assert load_feed(saved).title == "wire.fen.example"  # a file: the host of its site
    untitled = tmp_path / "untitled.xml"
    untitled.write_bytes(body.replace(b"<link>https://Wire.Fen.example/</link>", b""))
    feed = load_feed(untitled)
    assert feed.title == "untitled.xml" and feed.entries[0].feed == "untitled.xml"


def test_summaries_are_plain_text_and_capped(server):
    long = "<p>" + " ".join(["tide"] * 8_000) + "</p><style>p {color: red}</style>"
    body = (
        '<rss version="2.0"><channel><title>Long Reads</title><item><title>Long</title>'
        f"<link>https://long.example/a</link><description><![CDATA[{long}]]></description>"
        "</item></channel></rss>"
    ).encode()
    (entry,) = load_feed(server.serve("/long.xml", body=body), options=LOCAL).entries
    assert entry.summary is not None
    assert len(entry.summary) <= MAX_SUMMARY_CHARS and entry.summary.endswith("tide")
    assert set(entry.summary.split()) == {"tide"}


# --- conditional requests ---------------------------------------------------------------------


def test_an_etag_is_sent_back_and_a_304_is_not_modified(server):
    url = server.serve("/rss.xml", "rss.xml", content_type=RSS, etag='"ledger-v7"')
    first = load_feed(url, options=LOCAL)
    assert first.etag == '"ledger-v7"' and len(first.entries) == 3 and not first.not_modified

    again = load_feed(url, options=LOCAL, etag=first.etag, last_modified=first.last_modified)
    assert again == Feed(
        source=url,
        title="127.0.0.1",
        entries=[],
        etag='"ledger-v7"',
        last_modified=None,
        not_modified=True,
    )
    (_, sent_first), (_, sent_again) = server.requests
    assert "if-none-match" not in sent_first
    assert sent_again["if-none-match"] == '"ledger-v7"'

    # The feed changed: a new ETag, a full answer.
    server.routes["/rss.xml"].etag = '"ledger-v8"'
    changed = load_feed(url, options=LOCAL, etag=first.etag)
    assert changed.etag == '"ledger-v8"' and len(changed.entries) == 3


def test_last_modified_is_sent_back(server):
    stamp = "Tue, 04 Mar 2025 07:00:00 GMT"
    url = server.serve("/atom.xml", "atom.xml", content_type=ATOM, last_modified=stamp)
    first = load_feed(url, options=LOCAL)
    assert first.last_modified == stamp and first.etag is None and len(first.entries) == 2

    again = load_feed(url, options=LOCAL, last_modified=first.last_modified)
    assert again.not_modified and again.entries == [] and again.last_modified == stamp
    assert server.requests[-1][1]["if-modified-since"] == stamp


# --- refusals ---------------------------------------------------------------------------------


def test_a_malformed_feed_is_refused_in_one_line(server):
    url = server.serve("/broken.xml", "malformed.xml", content_type=RSS)
    with pytest.raises(InputError) as caught:
        load_feed(url, options=LOCAL)
    message = one_line_error(caught)
    assert message.startswith(f"{url}: not a readable RSS, Atom or JSON feed")
    assert "line 6" in message

    with pytest.raises(InputError, match="not a readable RSS, Atom or JSON feed") as caught:
        load_feed(str(FEEDS / "malformed.xml"))
    assert str(FEEDS / "malformed.xml") in one_line_error(caught)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"", "application/xml"),
        (b"just some words, no feed", "text/plain"),
        (b'{"items": [{"title": "x"}]}', "application/json"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "application/feed+json"),
        (b"<sitemap><url>https://x.example/</url></sitemap>", "application/xml"),
    ],
)
def test_things_that_are_not_feeds_are_refused(server, body, content_type):
    url = server.serve("/x", body=body, content_type=content_type)
    with pytest.raises(InputError, match="not a readable RSS, Atom or JSON feed") as caught:
        load_feed(url, options=LOCAL)
    one_line_error(caught)


def test_a_web_page_is_refused(server):
    page = b"<!doctype html><html><head><title>Ledger</title></head><body>News</body></html>"
    url = server.serve("/index.html", body=page, content_type="text/html; charset=utf-8")
    with pytest.raises(InputError, match=r"a web page \(text/html\), not a feed") as caught:
        load_feed(url, options=LOCAL)
    assert one_line_error(caught).startswith(url)
    # Mislabelled as XML, it is still a web page.
    url = server.serve("/page.xml", body=page, content_type="application/xml")
    with pytest.raises(InputError, match="a web page"):
        load_feed(url, options=LOCAL)


def test_other_content_types_are_refused(server):
    url = server.serve("/logo.png", body=b"\x89PNG\r\n", content_type="image/png")
    with pytest.raises(InputError, match=r"not a feed \(image/png\)"):
        load_feed(url, options=LOCAL)


@pytest.mark.parametrize("send_length", [True, False])
def test_a_feed_over_max_fetch_bytes_is_refused(server, send_length):
    body = (FEEDS / "rss.xml").read_bytes()
    url = server.serve("/rss.xml", body=body, content_type=RSS, send_length=send_length)
    small = LoadOptions(allow_private=True, max_fetch_bytes=len(body) - 1)
    with pytest.raises(InputError, match="the feed is larger than") as caught:
        load_feed(url, options=small)
    assert "LoadOptions(max_fetch_bytes=...)" in one_line_error(caught)
    exact = LoadOptions(allow_private=True, max_fetch_bytes=len(body))
    assert len(load_feed(url, options=exact).entries) == 3


def test_a_feed_file_over_max_bytes_is_refused():
    with pytest.raises(InputError, match=r"LoadOptions\(max_bytes=\.\.\.\)"):
        load_feed(str(FEEDS / "rss.xml"), options=LoadOptions(max_bytes=100))


def test_a_private_address_is_refused_without_allow_private(server):
    url = server.serve("/rss.xml", "rss.xml", content_type=RSS)
    with pytest.raises(InputError, match="loopback") as caught:
        load_feed(url)
    assert "LoadOptions(allow_private=True)" in one_line_error(caught)
    assert server.requests == []


def test_a_redirect_is_followed_and_links_resolve_against_where_it_led(server):
    server.serve("/new/rss.xml", "rss.xml", content_type=RSS)
    old = server.serve("/old", status=301, headers={"Location": "/new/rss.xml"})
    feed = load_feed(old, options=LOCAL)
    assert feed.source == old and len(feed.entries) == 3
    assert feed.entries[1].url == server.url("/news/westgate-cycle-lanes?page=2")
    assert [path for path, _ in server.requests] == ["/old", "/new/rss.xml"]


def test_only_http_and_https_addresses():
    with pytest.raises(InputError, match="only http and https"):
        load_feed("ftp://ledger.example/rss.xml")


def test_a_body_naming_a_file_is_never_opened(server, tmp_path):
    """feedparser opens a str or bytes that names a file: it must only ever get our bytes."""
    secret = tmp_path / "saved.xml"
    secret.write_bytes((FEEDS / "rss.xml").read_bytes())
    url = server.serve("/trick.xml", body=str(secret).encode(), content_type="application/xml")
    with pytest.raises(InputError, match="not a readable"):
        load_feed(url, options=LOCAL)


def test_feedparser_is_imported_only_when_a_feed_is_read():
    code = "import sys, briefer.inputs.feeds; print('feedparser' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "False"


# --- lists of feeds ---------------------------------------------------------------------------


def test_an_opml_list_gives_every_feed_once_nested_ones_too():
    assert read_feed_list(FEEDS / "subscriptions.opml") == [
        "https://ledger.example/rss.xml",
        "https://bulletin.harrow.example/feed.json",
        "https://science.northgate.example/feed.atom",
        "https://courier.fen.example/atom.xml?edition=morning&lang=en",
    ]


def test_opml_is_told_by_its_content_not_its_name(tmp_path):
    named_txt = tmp_path / "export.txt"
    named_txt.write_bytes((FEEDS / "subscriptions.opml").read_bytes())
    assert read_feed_list(named_txt)[0] == "https://ledger.example/rss.xml"


def test_a_plain_text_list_skips_blank_lines_and_comments():
    assert read_feed_list(FEEDS / "feeds.txt") == [
        "https://ledger.example/rss.xml",
        "https://science.northgate.example/feed.atom",
        "fixtures/feeds/feed.json",
    ]


def test_broken_opml_is_refused_in_one_line(tmp_path):
    broken = tmp_path / "broken.opml"
    broken.write_text('<opml version="2.0"><body><outline xmlUrl="https://a.example/">')
    with pytest.raises(InputError, match="not well-formed OPML") as caught:
        read_feed_list(broken)
    assert "export the list again" in one_line_error(caught)
    entities = tmp_path / "entities.opml"
    entities.write_text(
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]>'
        '<opml><body><outline xmlUrl="https://a.example/&a;"/></body></opml>'
    )
    with pytest.raises(InputError, match="declares XML entities"):
        read_feed_list(entities)
    # In UTF-16 the declaration is not ASCII bytes: the list is refused all the same.
    entities.write_bytes(
        entities.read_text().replace('"1.0"', '"1.0" encoding="utf-16"').encode("utf-16")
    )
    with pytest.raises(InputError) as caught:
        read_feed_list(entities)
    assert one_line_error(caught).startswith(f"{entities}: ")


def test_unreadable_lists_are_refused(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_feed_list(tmp_path / "missing.txt")
    with pytest.raises(InputError, match="directory"):
        read_feed_list(tmp_path)
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("https://caf\xe9.example/rss\n".encode("latin-1"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_feed_list(latin1)


def test_a_list_over_one_megabyte_is_refused(tmp_path):
    huge = tmp_path / "huge.txt"
    huge.write_text("https://ledger.example/rss.xml\n" * 40_000)
    assert huge.stat().st_size > 1_000_000
    with pytest.raises(InputError, match="limit") as caught:
        read_feed_list(huge)
    one_line_error(caught)


# --- canonical addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://Example.org/a?utm_source=x&id=3#top", "https://example.org/a?id=3"),
        ("HTTPS://NEWS.Example/Story", "https://news.example/Story"),
        ("https://news.example/a?b=2&fbclid=x&a=1&gclid=y", "https://news.example/a?b=2&a=1"),
        ("https://news.example/a?utm_medium=rss&UTM_Campaign=z", "https://news.example/a"),
        ("https://news.example/a?mc_cid=1&mc_eid=2&igshid=3&ref_src=4&_ga=5", "https://news.example/a"),
        ("https://news.example/a?q=tide%20tables&page=2", "https://news.example/a?q=tide%20tables&page=2"),
        ("https://news.example/a?utm=keep&reference=keep", "https://news.example/a?utm=keep&reference=keep"),
        ("https://news.example:443/a", "https://news.example/a"),
        ("http://news.example:8080/a", "http://news.example:8080/a"),
        ("https://news.example", "https://news.example/"),
        ("  https://news.example/a#  ", "https://news.example/a"),
    ],
)  # fmt: skip
def test_canonical_url(given, expected):
    assert canonical_url(given) == expected


# --- hostile feeds: entities, JSON limits -----------------------------------------------------

ITEM = "<item><title>Sluice gates opened</title><description>{}</description></item>"


def entity_bomb(value_chars: int = 2_000, references: int = 1_000, *, before: str = "") -> str:
    """An RSS feed whose one entity is referenced many times: the quadratic blowup."""
    return (
        '<?xml version="1.0"?>\n'
        + before
        + f'<!DOCTYPE rss [\n<!ENTITY sluice "{"s" * value_chars}">\n]>\n'
        + '<rss version="2.0"><channel><title>Fen Wire</title>'
        + ITEM.format("&sluice;" * references)
        + "</channel></rss>"
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bomb.xml", entity_bomb().encode()),
        ("utf16.xml", entity_bomb().replace('"1.0"', '"1.0" encoding="utf-16"').encode("utf-16")),
        # A comment that looks like an element start ends feedparser's own DTD scan early.
        ("comment.xml", entity_bomb(before="<!-- <a> -->\n").encode()),
        (
            "parameter.xml",
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p "x">]><rss version="2.0">'
            b"<channel><title>t</title>" + ITEM.format("x").encode() + b"</channel></rss>",
        ),
    ],
)
def test_a_feed_declaring_entities_is_refused_before_any_expansion(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match="declares XML entities") as caught:
        load_feed(path)
    assert one_line_error(caught).startswith(f"{path}: ")


def test_an_entity_bomb_over_http_is_refused_naming_the_feed(server):
    url = server.serve("/bomb.xml", body=entity_bomb().encode(), content_type=RSS)
    with pytest.raises(InputError, match="declares XML entities") as caught:
        load_feed(url, options=LOCAL)
    assert one_line_error(caught).startswith(f"{url}: ")


def test_a_doctype_naming_an_external_dtd_is_still_read(tmp_path):
    """RSS 0.91 feeds name Netscape's DTD; it is never fetched, and the feed is read."""
    path = tmp_path / "rss091.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS '
        '0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        '<rss version="0.91"><channel><title>Fen Wire</title><link>https://fen.example/</link>'
        + ITEM.format("The gates opened at dawn.")
        + "</channel></rss>"
    )
    (entry,) = load_feed(path).entries
    assert entry.summary == "The gates opened at dawn."


def json_feed(**extra: str) -> bytes:
    fields = "".join(f', "{key}": {value}' for key, value in extra.items())
    return (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Harrow Point Bulletin"'
        + fields
        + ', "items": [{"id": "1", "title": "Lamp lit", "content_text": "The lamp turns."}]}'
    ).encode()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (json_feed(_count="9" * 5_000), "a number 5,000 characters long"),
        (json_feed(_ratio="0." + "3" * 400), "a number 402 characters long"),
        (json_feed(_deep="[" * 300_000 + "]" * 300_000), "nested more than 64 levels deep"),
        (json_feed(_deep='{"a": ' * 65 + "1" + "}" * 65), "nested more than 64 levels deep"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [' * 400_000, "nested"),
    ],
)
def test_a_json_feed_over_the_limits_is_refused_in_one_line(server, tmp_path, data, reason):
    url = server.serve("/feed.json", body=data, content_type=JSON_FEED)
    with pytest.raises(InputError, match=reason) as caught:
        load_feed(url, options=LoadOptions(allow_private=True, max_fetch_bytes=50_000_000))
    assert one_line_error(caught).startswith(f"{url}: ")
    path = tmp_path / "feed.json"
    path.write_bytes(data)
    with pytest.raises(InputError, match=reason):
        load_feed(path, options=LoadOptions(max_bytes=50_000_000))


def test_a_json_feed_within_the_limits_is_read():
    """Extensions nested a few levels deep, long strings and ordinary numbers are fine."""
    data = json_feed(
        _ext='{"a": ' * 30 + '"deep"' + "}" * 30,
        _note='"' + "[" * 5_000 + '"',  # brackets in a string do not nest
        _count="12345678901234567890",
        _ratio="-1.5e300",
    )
    from briefer.inputs.feeds import _parse

    parsed = _parse(data, "feed.json", base=None, content_type=JSON_FEED, charset=None)
    assert [entry.summary for entry in parsed.entries] == ["The lamp turns."]
