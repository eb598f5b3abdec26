"""A morning digest from feeds, against a local feed server with a fixed page latency.

    python bench/feeds.py [--feeds 5] [--entries 40] [--latency 0.1] [--concurrency 8]
                          [--new 3] [--per-host 8]

Measures, on this machine, a digest of FEEDS x ENTRIES feed entries read from a local server
and briefed with the offline engine into a new store, run through the library the way
`briefer digest --feed URL ...` runs it (`read_feeds`, then `adigest`):

1. the first run: wall time (reading the feeds and the digest), requests made (feeds answered
   200, pages), briefs made, and the most pages the server had in flight at once; against the
   ideal time for the page fetches, entries x latency / pages fetched at a time per host;
2. a second run with the same store and the feeds unchanged: wall time and requests (target:
   only new entries, so one conditional feed GET each answered 304, and no page);
3. a third run after --new entries are added to one feed (its ETag changes): requests
   (expected: that feed answered 200, the others 304, and one page per new entry);
4. the first run again, into a new store, with `adigest(..., per_host=N)` raised (it briefs
   the --new entries of run 3 as well).

Each run also reports the time spent reading the feeds (part of the wall time) and this
process's CPU time (all threads: fetching, extracting, briefing, the store). With
`--latency 0` the first run shows the CPU-bound floor of the same digest.

The server runs in a child process (so it does not compete with the digest for the GIL) on
127.0.0.1 only, on a free port, and stops with the benchmark. It serves RSS 2.0 feeds with
different titles, each entry linking to its own HTML article page on the same server (a few
hundred words of made-up local news, generated here: invented towns, people and events). Feeds
carry an ETag and are answered 304 when it matches If-None-Match; they are answered at once.
Pages are answered --latency seconds after the request, each in its own thread, so a slow page
holds up no other request. The server counts feed GETs answered 200, feed GETs answered 304
and page GETs, and the most pages in flight at once.

Every page is on 127.0.0.1, so for the digest they all share one host, and the digest fetches
at most `briefer.digest.runner.PER_HOST` (2) pages of one host at a time: the first run cannot
take less than entries x latency / 2 (200 x 0.1 s / 2 = 10 s at the defaults), whatever the
concurrency. A real morning's feeds spread over many sites, each with its own limit; run 4
shows what more pages at a time would give. Pages are loaded in the event loop's default
thread pool, which caps the pages in flight at its size (min(32, CPUs + 4)) however high
`per_host` is.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import hashlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

# --- made-up news -----------------------------------------------------------------------------

_TOWN_START = [
    "Quar", "Vell", "Brisk", "Tamsel", "Orrin", "Kessel", "Yarrow", "Pellin", "Drummel", "Ottery",
    "Saffer", "Moult", "Glenna", "Hask", "Ibble", "Lorrow", "Nettle", "Wender", "Cradd", "Fennick",
]  # fmt: skip
_TOWN_END = ["ford", "by", "mere", "stead", "wick", "haven", "ton", "field", "combe", "bridge"]
_FIRST = [
    "Ada", "Bram", "Celia", "Dorian", "Edda", "Faisal", "Greta", "Hugo", "Ines", "Jonah",
    "Kira", "Lionel", "Mira", "Nils", "Orla", "Piet", "Rosa", "Soren", "Talia", "Ulric",
]  # fmt: skip
_LAST = [
    "Ambrell", "Brackwater", "Corwin", "Dunmore", "Ellery", "Fenwright", "Galloway", "Hollins",
    "Iredale", "Jessop", "Kettering", "Lusk", "Marchbank", "Norrell", "Oakhurst", "Pembry",
]  # fmt: skip
_ROLES = [
    "the council leader", "the head of the county water board", "a shopkeeper on Mill Lane",
    "the chair of the residents' association", "a spokesperson for the district council",
    "the town clerk", "a retired engineer who lives nearby", "the local fire chief",
    "a teacher at the secondary school", "the owner of the market bakery",
]  # fmt: skip
_RIVERS = ["Tass", "Omber", "Kell", "Wrenna", "Lidd", "Shalloway"]
_COMPANIES = ["Harrowgate Mills", "Northwold Glass", "Cindral Foods", "Parrow & Sons", "Lumen Ply"]
_PRODUCTS = ["glass bottle", "flour", "timber panel", "bicycle frame", "canned soup"]
_MONTHS = ["March", "April", "May", "June", "September", "October"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

# Each event: a headline and the paragraphs that tell it. Slots are filled per article.
_EVENTS: list[tuple[str, list[str]]] = [
    (
        "{town} council approves ${money} million repair of the {river} bridge",
        [
            "{town} district council voted {votes_for} to {votes_against} on {day} evening to "
            "spend ${money} million on repairing the old stone bridge over the River {river}, "
            "which has been closed to lorries since cracks were found in its central arch.",
            "The work is due to start in {month} and to take about {weeks} weeks, during which "
            "the bridge will be shut to all traffic and a footbridge will be put up alongside.",
            '"We have patched this bridge for twenty years and the patches no longer hold," '
            'said {person}, {role}. "This is the repair it should have had long ago."',
        ],
    ),
    (
        "River {river} floods low streets in {town} after {weeks} days of rain",
        [
            "Water from the River {river} spread into the low streets of {town} early on "
            "{day}, after {weeks} days of steady rain, and about {count} homes were left "
            "without power for several hours.",
            "Fire crews pumped water from cellars along the riverside through the morning, and "
            "the primary school on Quay Street stayed closed for the day.",
            '"It came up faster than anyone expected," said {person}, {role}. "By six o\'clock '
            'the road outside was a river of its own."',
        ],
    ),
    (
        "New primary school opens in {town} with {count} pupils",
        [
            "A new primary school opened its doors in {town} on {day}, taking {count} pupils "
            "from the two village schools it replaces, which closed at the end of the summer.",
            "The building, which cost ${money} million, has eight classrooms, a small library "
            "and a hall that the parish council plans to rent out in the evenings.",
            '"The children walked in and went straight to the library," said {person}, '
            '{role}. "That told us we had got something right."',
        ],
    ),
    (
        "{town} bus route {route} to be cut back from {month}",
        [
            "The county transport office said on {day} that bus route {route}, which links "
            "{town} with the market town of {other}, will run every two hours instead of every "
            "hour from {month}, after its subsidy was reduced by ${money} million.",
            "About {count} people use the route on an ordinary weekday, many of them older "
            "residents travelling to the clinic in {other}.",
            '"For some of my neighbours this bus is the only way to see a doctor," said '
            "{person}, {role}, who has started a petition against the change.",
        ],
    ),
    (
        "{town} harvest fair draws {count} visitors in its first year back",
        [
            "The harvest fair returned to {town} on {day} after a gap of {weeks} years, and the "
            "organisers counted {count} visitors through the gates of the showground.",
            "Stalls sold local cheese, cider and honey, and the prize for the heaviest marrow "
            "went to a grower from {other} for a vegetable weighing more than forty pounds.",
            '"We were not sure anyone would come back after so long," said {person}, {role}. '
            '"We ran out of programmes before lunch."',
        ],
    ),
    (
        "{company} to open a {product} plant in {town}, promising {count} jobs",
        [
            "{company} said on {day} that it will build a {product} plant on the old goods "
            "yard in {town}, an investment of ${money} million that it expects to bring "
            "{count} jobs when the plant is running.",
            "Building work should begin in {month}, subject to planning permission, which the "
            "district council is due to consider at its next meeting.",
            '"This is the largest investment the town has seen in a generation," said '
            "{person}, {role}, who welcomed the plan but asked for a new access road.",
        ],
    ),
    (
        "Boil-water notice lifted in {town} after {weeks} days",
        [
            "Residents of {town} were told on {day} that they can drink tap water again, "
            "{weeks} days after a fault at the treatment works on the River {river} led the "
            "county water board to issue a boil-water notice for about {count} homes.",
            "The board said tests of samples taken over the weekend were clear, and that a "
            "replacement filter costing ${money} million had been ordered.",
            '"We are sorry for the trouble this has caused," said {person}, {role}. '
            '"Every customer affected will see a credit on their next bill."',
        ],
    ),
    (
        "{person} wins the {town} council by-election by {votes_for} votes",
        [
            "{person} won the by-election for the {town} ward of the district council on "
            "{day}, taking the seat by {votes_for} votes on a turnout of {turnout} per cent.",
            "The by-election was called after the previous councillor moved to {other}; {count} "
            "ballots were counted at the town hall, and the result was declared just after "
            "midnight.",
            '"People here want the bridge mended and the buses kept," the new councillor said '
            'after the count. "That is what I will be working on from tomorrow."',
        ],
    ),
]
_FILLER = [
    "The council's own figures show that the population of {town} has grown by about {turnout} "
    "per cent over the last ten years, most of it in the new houses on the eastern side of the "
    "town, which has put pressure on roads, schools and the surgery.",
    "A public meeting on the plans is due to be held at the {town} community hall on the first "
    "{day} of {month}, and the district council has said that written comments can be sent in "
    "until the end of that month.",
    "Not everyone is convinced. {other_person}, {other_role}, said the decision had been rushed "
    'and that residents had not been told enough. "We found out from the newspaper," '
    "{other_last} said.",
    "The county council said it had set aside ${small} thousand for the coming year to deal "
    "with the consequences, and that it would review the figure in {month} once the full costs "
    "were known.",
    "{town} lies about {miles} miles from {other}, on the old coach road, and has a weekly "
    "market that dates back, by the council's account, more than five hundred years.",
    "A report to the council last year warned that the problem would grow without action, "
    "estimating that the cost of doing nothing could reach ${money} million within a decade.",
    "Local businesses have been asked to put up notices in their windows, and the council's "
    "office on High Street will stay open until seven in the evening for the next {weeks} "
    "weeks to answer questions.",
    "The district council meets again on {day} week, when members are expected to hear an "
    "update from officers and to vote on the next stage of the plan.",
]


def _town(rng: random.Random) -> str:
    return rng.choice(_TOWN_START) + rng.choice(_TOWN_END)


def _person(rng: random.Random) -> tuple[str, str]:
    last = rng.choice(_LAST)
    return f"{rng.choice(_FIRST)} {last}", last


@dataclass(frozen=True)
class Story:
    """One made-up article: what its feed entry and its page say."""

    slug: str
    title: str
    author: str
    published: datetime
    paragraphs: list[str]


def make_story(feed: int, number: int, towns: list[str]) -> Story:
    """A deterministic made-up article, different for every (feed, number)."""
    rng = random.Random(f"{feed}-{number}")
    headline, told = _EVENTS[(feed * 7 + number) % len(_EVENTS)]
    person, _ = _person(rng)
    other_person, other_last = _person(rng)
    slots = {
        "town": rng.choice(towns),
        "other": _town(rng),
        "river": rng.choice(_RIVERS),
        "person": person,
        "role": rng.choice(_ROLES),
        "other_person": other_person,
        "other_last": other_last,
        "other_role": rng.choice(_ROLES),
        "company": rng.choice(_COMPANIES),
        "product": rng.choice(_PRODUCTS),
        "month": rng.choice(_MONTHS),
        "day": rng.choice(_DAYS),
        "money": f"{rng.randint(2, 90) / 10:.1f}",
        "small": str(rng.randint(40, 900)),
        "count": f"{rng.randint(60, 4000):,}",
        "weeks": str(rng.randint(3, 14)),
        "votes_for": str(rng.randint(12, 400)),
        "votes_against": str(rng.randint(1, 11)),
        "turnout": str(rng.randint(18, 61)),
        "route": str(rng.randint(3, 98)),
        "miles": str(rng.randint(4, 30)),
    }
    filler = rng.sample(_FILLER, 5)
    paragraphs = [p.format(**slots) for p in [*told[:2], filler[0], told[2], *filler[1:]]]
    author, _ = _person(rng)
    published = datetime(2031, 5, 6, 6, 0, tzinfo=UTC) - timedelta(minutes=23 * number + feed)
    return Story(
        slug=f"{number:03d}",
        title=headline.format(**slots),
        author=author,
        published=published,
        paragraphs=paragraphs,
    )


def page_html(story: Story, feed_title: str) -> bytes:
    body = "\n".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(story.title)} | {escape(feed_title)}</title>"
        f"<meta name='author' content='{escape(story.author)}'>"
        f"<meta property='article:published_time' content='{story.published.isoformat()}'>"
        "</head><body><header><nav><a href='/'>Home</a> <a href='/local'>Local</a></nav>"
        f"</header><article><h1>{escape(story.title)}</h1>"
        f"<p class='byline'>By {escape(story.author)}</p>\n{body}\n</article>"
        f"<footer><p>{escape(feed_title)}: local news every morning.</p></footer>"
        "</body></html>"
    ).encode()


# --- the server -------------------------------------------------------------------------------


class Newsroom:
    """The feeds the server offers: titles, stories (newest first) and their current RSS."""

    def __init__(self, feeds: int, entries: int, base: str) -> None:
        self.base = base
        self.titles: list[str] = []
        self.towns: list[list[str]] = []
        self.stories: list[list[Story]] = []
        self.next_number: list[int] = []
        for feed in range(feeds):
            rng = random.Random(f"feed-{feed}")
            towns = [_town(rng) for _ in range(4)]
            name = rng.choice(["The {} Courier", "{} Evening Post", "The {} Herald", "{} Wire"])
            self.titles.append(name.format(towns[0]))
            self.towns.append(towns)
            self.stories.append([make_story(feed, n, towns) for n in reversed(range(entries))])
            self.next_number.append(entries)
        self.rss = [self._render(feed) for feed in range(feeds)]

    def add(self, feed: int, count: int) -> None:
        for _ in range(count):
            number = self.next_number[feed]
            self.next_number[feed] += 1
            story = make_story(feed, number, self.towns[feed])
            # Newer than everything in the feed: a story of this morning.
            newest = self.stories[feed][0].published + timedelta(minutes=5)
            self.stories[feed].insert(0, dataclasses.replace(story, published=newest))
        self.rss[feed] = self._render(feed)

    def story(self, feed: int, slug: str) -> Story | None:
        return next((s for s in self.stories[feed] if s.slug == slug), None)

    def _render(self, feed: int) -> tuple[bytes, str]:
        items = []
        for story in self.stories[feed]:
            link = f"{self.base}/news/{feed}/{story.slug}.html"
            items.append(
                f"<item><title>{escape(story.title)}</title><link>{link}</link>"
                f"<guid isPermaLink='true'>{link}</guid>"
                f"<pubDate>{format_datetime(story.published, usegmt=True)}</pubDate>"
                f"<author>desk@example.org ({escape(story.author)})</author>"
                f"<description>{escape(story.paragraphs[0])}</description></item>"
            )
        body = (
            "<?xml version='1.0' encoding='UTF-8'?>\n<rss version='2.0'><channel>"
            f"<title>{escape(self.titles[feed])}</title><link>{self.base}/news/{feed}/</link>"
            f"<description>Local news from {escape(', '.join(self.towns[feed]))}</description>"
            + "".join(items)
            + "</channel></rss>"
        ).encode()
        return body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    latency = 0.1
    newsroom: Newsroom
    lock = threading.Lock()
    counts: ClassVar[dict[str, int]] = {"feed_200": 0, "feed_304": 0, "pages": 0, "other": 0}
    in_flight = 0
    peak = 0

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and
        # delayed ACKs add tens of milliseconds to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        pieces = parts.path.strip("/").split("/")
        if pieces[0] == "_bench":
            self._control(pieces[1] if len(pieces) > 1 else "", parse_qs(parts.query))
        elif len(pieces) == 2 and pieces[0] == "feeds" and pieces[1].endswith(".xml"):
            self._feed(int(pieces[1].removesuffix(".xml")))
        elif len(pieces) == 3 and pieces[0] == "news" and pieces[2].endswith(".html"):
            self._page(int(pieces[1]), pieces[2].removesuffix(".html"))
        else:
            self._count("other")
            self._answer(404, b"not found", "text/plain")

    def _feed(self, feed: int) -> None:
        with Handler.lock:
            body, etag = Handler.newsroom.rss[feed]
        if self.headers.get("if-none-match") == etag:
            self._count("feed_304")
            self.send_response(304)
            self.send_header("etag", etag)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        self._count("feed_200")
        self._answer(200, body, "application/rss+xml", etag=etag)

    def _page(self, feed: int, slug: str) -> None:
        with Handler.lock:
            Handler.counts["pages"] += 1
            Handler.in_flight += 1
            Handler.peak = max(Handler.peak, Handler.in_flight)
            story = Handler.newsroom.story(feed, slug)
            title = Handler.newsroom.titles[feed]
        try:
            time.sleep(Handler.latency)  # this thread only: other requests go on
            if story is None:
                self._answer(404, b"no such story", "text/plain")
            else:
                self._answer(200, page_html(story, title), "text/html; charset=utf-8")
        finally:
            with Handler.lock:
                Handler.in_flight -= 1

    def _control(self, what: str, query: dict[str, list[str]]) -> None:
        """/_bench/stats, /_bench/reset (counts back to zero), /_bench/add?feed=F&count=N."""
        with Handler.lock:
            if what == "reset":
                Handler.counts = dict.fromkeys(Handler.counts, 0)
                Handler.peak = Handler.in_flight
            elif what == "add":
                Handler.newsroom.add(int(query["feed"][0]), int(query["count"][0]))
            payload = json.dumps({**Handler.counts, "peak": Handler.peak}).encode()
        self._answer(200, payload, "application/json")

    def _count(self, kind: str) -> None:
        with Handler.lock:
            Handler.counts[kind] += 1

    def _answer(self, status: int, body: bytes, content_type: str, etag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        if etag is not None:
            self.send_header("etag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the default of 5 drops simultaneous connections


def serve(latency: float, feeds: int, entries: int) -> None:
    """Run the feed server in this process (the benchmark starts it as a child process)."""
    server = Server(("127.0.0.1", 0), Handler)
    Handler.latency = latency
    Handler.newsroom = Newsroom(feeds, entries, f"http://127.0.0.1:{server.server_address[1]}")
    print(server.server_address[1], flush=True)
    server.serve_forever()


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy


def control(base: str, what: str) -> dict[str, int]:
    with _DIRECT.open(f"{base}/_bench/{what}", timeout=10) as answer:
        return dict(json.load(answer))


# --- the benchmark ----------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    reading: float  # of `wall`: reading the feeds
    cpu: float  # this process's CPU time over `wall` (all threads)
    requests: dict[str, int]
    to_brief: int
    made: int
    cached: int
    failed: list[str]
    from_summary: int
    described: str


def run_digest(feed_urls: list[str], db: Path, base: str, concurrency: int, per_host: int) -> Run:
    """Read the feeds and brief their entries, as `briefer digest --feed ...` does."""
    from briefer.core import Briefer
    from briefer.digest.feeds import describe, outcome_noter, read_feeds
    from briefer.digest.runner import adigest
    from briefer.inputs import LoadOptions
    from briefer.io.store import Store

    options = LoadOptions(allow_private=True)  # the server is on 127.0.0.1
    briefer = Briefer(engine="offline", store=Store(db))
    control(base, "reset")
    start, cpu = time.perf_counter(), time.process_time()
    read = read_feeds(feed_urls, store=briefer.store, options=options, since=None)
    reading = time.perf_counter() - start
    digest = asyncio.run(
        adigest(
            read.entries,
            briefer,
            concurrency=concurrency,
            load_options=options,
            per_host=per_host,
            on_done=outcome_noter(briefer.store, read.entries),
        )
    )
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    requests = control(base, "stats")
    briefed = digest.briefed
    return Run(
        wall=wall,
        reading=reading,
        cpu=cpu,
        requests=requests,
        to_brief=len(read.entries),
        made=sum(not i.cached for i in briefed),
        cached=sum(i.cached for i in briefed),
        failed=[f"{i.source}: {i.error}" for i in digest.failed],
        from_summary=sum(
            any(w.code == "feed_summary" for w in i.envelope.warnings)
            for i in briefed
            if i.envelope is not None
        ),
        described=describe(read),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=5)
    parser.add_argument("--entries", type=int, default=40, help="entries per feed")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds before a page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--new", type=int, default=3, help="entries added to one feed (run 3)")
    parser.add_argument("--per-host", type=int, default=8, help="per_host for run 4 (0: skip)")
    args = parser.parse_args()

    server = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(args.latency),
            str(args.feeds),
            str(args.entries),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{server.stdout.readline().strip()}"
        report(args, base)
    finally:
        server.terminate()
        server.wait()


def report(args: argparse.Namespace, base: str) -> None:
    start = time.perf_counter()
    import feedparser  # noqa: F401  (imported by the first feed read; a one-time cost)

    import briefer.engines.offline
    import briefer.inputs.fetch
    import briefer.inputs.html  # noqa: F401
    from briefer.digest.runner import PER_HOST

    startup = time.perf_counter() - start
    feed_urls = [f"{base}/feeds/{feed}.xml" for feed in range(args.feeds)]
    # Pages are loaded with asyncio.to_thread: the default pool's size caps pages in flight.
    pool = min(32, (os.cpu_count() or 1) + 4)
    raised = min(args.per_host, pool)

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "feeds.db"
        first = run_digest(feed_urls, db, base, args.concurrency, PER_HOST)
        second = run_digest(feed_urls, db, base, args.concurrency, PER_HOST)
        control(base, f"add?feed=0&count={args.new}")
        third = run_digest(feed_urls, db, base, args.concurrency, PER_HOST)
        fourth = None
        if args.per_host:
            fresh = Path(tmp) / "raised.db"
            fourth = run_digest(feed_urls, fresh, base, args.concurrency, args.per_host)

    ideal = first.to_brief * args.latency / PER_HOST
    print(
        f"{args.feeds} feeds x {args.entries} entries, page latency "
        f"{args.latency * 1000:.0f} ms, concurrency {args.concurrency}, offline engine; "
        f"every page on one host (127.0.0.1), so {PER_HOST} pages at a time (PER_HOST)"
    )
    print(
        f"{'run':<32} {'wall s':>7} {'feeds s':>7} {'CPU s':>6} {'feed 200':>8} {'feed 304':>8} "
        f"{'pages':>6} {'peak':>4} {'briefs':>6} {'failed':>6}"
    )
    rows = [
        ("1 first, new store", first),
        ("2 again, feeds unchanged", second),
        (f"3 {args.new} new in the first feed", third),
    ]
    if fourth is not None:
        rows.append((f"4 first, new store, per_host {args.per_host}", fourth))
    for name, run in rows:
        r = run.requests
        print(
            f"{name:<32} {run.wall:>7.2f} {run.reading:>7.2f} {run.cpu:>6.2f} {r['feed_200']:>8} "
            f"{r['feed_304']:>8} {r['pages']:>6} {r['peak']:>4} {run.made:>6} "
            f"{len(run.failed):>6}"
        )
    print(
        "(feeds s: reading the feeds, part of wall; CPU s: this process's, all threads; peak: "
        "most pages in flight at the server at once; briefs: made by the run)"
    )
    for name, run in rows:
        extra = f", {run.from_summary} briefed from the feed's summary" if run.from_summary else ""
        print(f"  {name.split(' ', 1)[0]}: {run.described}{extra}")
        for failure in run.failed[:3]:
            print(f"     failed: {failure}")
    print(
        f"ideal page fetches, run 1: {first.to_brief} x {args.latency:.2f} s / {PER_HOST} "
        f"per host = "
        f"{ideal:.2f} s; run 1 took {first.wall / ideal:.2f}x that"
    )
    if fourth is not None:
        ideal_raised = fourth.to_brief * args.latency / raised
        capped = f" (the thread pool's {pool} workers cap it)" if raised < args.per_host else ""
        print(
            f"ideal page fetches, run 4: {fourth.to_brief} x {args.latency:.2f} s / {raised} "
            f"at a time{capped} = {ideal_raised:.2f} s; run 4 took "
            f"{fourth.wall / ideal_raised:.2f}x that, "
            f"{first.wall / fourth.wall:.1f}x faster than run 1"
        )
    r = second.requests
    met = r["feed_304"] == args.feeds and r["feed_200"] == 0 and r["pages"] == 0
    print(
        f"run 2 (target: only new entries, so {args.feeds} feed GETs answered 304 and no "
        f"page): {r['feed_200'] + r['feed_304']} feed GETs ({r['feed_304']} answered 304), "
        f"{r['pages']} pages, {second.made} briefs: target {'met' if met else 'missed'}"
    )
    r = third.requests
    print(
        f"run 3 (expected: {args.feeds} feed GETs, 1 answered 200, and {args.new} pages): "
        f"{r['feed_200'] + r['feed_304']} feed GETs ({r['feed_200']} answered 200), "
        f"{r['pages']} pages, {third.made} briefs"
    )
    print(
        f"start-up: {startup:.2f} s once per process (imports), not in the wall times; "
        f"{os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
