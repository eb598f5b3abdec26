"""Fetching URLs: only public http(s) hosts, bounded redirects and sizes, HTML only."""

from __future__ import annotations

import ipaddress
import socket

import httpx
import pytest

from briefer.errors import FetchError, InputError
from briefer.inputs import URL, LoadOptions, fetch, load_article
from briefer.inputs.fetch import USER_AGENT, fetch_page, forbidden_reason

from .conftest import ARTICLES

PUBLIC = "93.184.215.14"
PAGE = (
    "<!doctype html><html><head><title>Port reopens</title>"
    '<meta property="og:site_name" content="Harbor Times"></head><body><nav>Home News Sport</nav>'
    "<article><h1>Port of Calder reopens after diesel cleanup</h1>"
    + "".join(
        f"<p>{line}</p>"
        for line in (ARTICLES / "on_the_record.txt").read_text(encoding="utf-8").split("\n\n")[1:]
    )
    + "</article><footer>Copyright Harbor Times Media</footer></body></html>"
)


@pytest.fixture
def public_dns(monkeypatch):
    """Every name resolves to a public address unless a test says otherwise."""
    answers: dict[str, str] = {}

    def getaddrinfo(host, *args, **kwargs):
        address = answers.get(host, PUBLIC)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def html(body: str = PAGE, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, headers={"content-type": "text/html; charset=utf-8", **headers}, text=body
    )


def test_a_page_is_fetched_and_extracted(router, public_dns):
    route = router.get("https://news.example/port").mock(return_value=html())
    article = load_article(URL("https://news.example/port"))
    assert route.called
    sent = route.calls[0].request
    assert "briefer" in sent.headers["user-agent"] and sent.headers["user-agent"] == USER_AGENT
    assert article.source == "https://news.example/port" and article.url.endswith("/port")
    assert "Westbrook City Council voted 9-4" in article.text
    assert "Copyright Harbor Times" not in article.text and "Home News Sport" not in article.text
    assert article.site_name == "Harbor Times"


def test_redirects_are_followed_and_each_hop_checked(router, public_dns):
    router.get("http://news.example/a").mock(
        return_value=httpx.Response(301, headers={"location": "https://news.example/b"})
    )
    router.get("https://news.example/b").mock(return_value=html())
    page = fetch_page("http://news.example/a")
    assert page.url == "https://news.example/b"


def test_redirect_to_the_metadata_address_is_refused_before_any_request(router, public_dns):
    router.get("https://news.example/a").mock(
        return_value=httpx.Response(
            302, headers={"location": "http://169.254.169.254/latest/meta-data/"}
        )
    )
    metadata = router.get(url__startswith="http://169.254.169.254/")
    with pytest.raises(InputError, match="metadata"):
        fetch_page("https://news.example/a")
    assert not metadata.called


def test_a_host_resolving_to_loopback_is_refused_before_any_request(router, public_dns):
    public_dns["evil.example"] = "127.0.0.1"
    route = router.get("https://evil.example/story")
    with pytest.raises(InputError, match="loopback") as caught:
        load_article(URL("https://evil.example/story"))
    assert not route.called
    # The library's own words; the command line names its flag instead (tests/test_cli.py).
    assert "use LoadOptions(allow_private=True)" in str(caught.value)
    assert caught.value.settings == ["allow_private"]


def test_allow_private_lets_it_through(router, public_dns):
    public_dns["intranet.example"] = "10.1.2.3"
    router.get("https://intranet.example/story").mock(return_value=html())
    article = load_article(URL("https://intranet.example/story"), LoadOptions(allow_private=True))
    assert "Westbrook" in article.text


def test_too_many_redirects(router, public_dns):
    for i in range(7):
        router.get(f"https://news.example/{i}").mock(
            return_value=httpx.Response(302, headers={"location": f"/{i + 1}"})
        )
    with pytest.raises(InputError, match="redirects"):
        fetch_page("https://news.example/0")


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.0.0.8", "private"),
        ("192.168.1.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.10.1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("::1", "loopback"),
        ("fd00:ec2::254", "metadata"),
        ("::ffff:127.0.0.1", "loopback"),
        ("0.0.0.0", "private"),  # "this host": in the private ranges
        ("224.0.0.1", "reserved"),
    ],
)
def test_forbidden_addresses(address, reason):
    assert reason in (forbidden_reason(ipaddress.ip_address(address)) or "")


def test_public_addresses_are_allowed():
    assert forbidden_reason(ipaddress.ip_address(PUBLIC)) is None
    assert forbidden_reason(ipaddress.ip_address("2606:4700::1111")) is None


@pytest.mark.parametrize("url", ["ftp://news.example/a", "file:///etc/passwd", "gopher://x/"])
def test_only_http_and_https(url):
    with pytest.raises(InputError, match="only http and https"):
        load_article(URL(url))


def test_a_404_is_a_clear_error(router, public_dns):
    router.get("https://news.example/gone").mock(return_value=html("<p>Not here</p>", 404))
    with pytest.raises(InputError, match="404 Not Found"):
        load_article(URL("https://news.example/gone"))


def test_a_pdf_is_refused(router, public_dns):
    router.get("https://news.example/report.pdf").mock(
        return_value=httpx.Response(
            200, headers={"content-type": "application/pdf"}, content=b"%PDF-1.7"
        )
    )
    with pytest.raises(InputError, match=r"not a web page \(application/pdf\)"):
        load_article(URL("https://news.example/report.pdf"))


def test_a_huge_page_is_cut_off(router, public_dns):
    router.get("https://news.example/huge").mock(return_value=html("<p>" + "x" * 70_000 + "</p>"))
    with pytest.raises(InputError, match=r"raise LoadOptions\(max_fetch_bytes=\.\.\.\)"):
        fetch_page("https://news.example/huge", max_bytes=50_000)


def test_a_huge_page_announced_by_its_length_is_refused_early(router, public_dns):
    router.get("https://news.example/huge").mock(
        return_value=html("<p>small</p>", **{"content-length": "999999999"})
    )
    with pytest.raises(InputError, match="larger than"):
        fetch_page("https://news.example/huge")


def test_plain_text_pages_are_read_as_text(router, public_dns):
    text = (ARTICLES / "very_short.txt").read_text(encoding="utf-8")
    router.get("https://news.example/a.txt").mock(
        return_value=httpx.Response(200, headers={"content-type": "text/plain"}, text=text)
    )
    article = load_article(URL("https://news.example/a.txt"))
    assert article.title == "Port of Calder Reopens After Diesel Spill Cleanup"


def test_network_failures_are_fetch_errors(router, public_dns):
    router.get("https://news.example/slow").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(FetchError, match="timeout"):
        load_article(URL("https://news.example/slow"))
    router.get("https://news.example/down").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(FetchError, match="cannot fetch"):
        load_article(URL("https://news.example/down"))
    assert FetchError.exit_code == 1


def test_unresolvable_host(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(FetchError, match="cannot resolve"):
        fetch.resolve_host("no-such-host.invalid")


# --- the check at connection time, against a real local server ------------------------------


@pytest.fixture
def local_page():
    """A real HTTP server on 127.0.0.1 serving PAGE; yields its port and the paths it served."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    served: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.append(self.path)
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], served
    server.shutdown()
    server.server_close()


def test_a_name_that_rebinds_to_loopback_is_refused_when_connecting(local_page):
    """Public when checked, loopback when connecting (DNS rebinding): nothing is fetched."""
    port, served = local_page
    answers = iter([[ipaddress.ip_address(PUBLIC)], [ipaddress.ip_address("127.0.0.1")]])
    with pytest.raises(InputError, match="now resolves to a loopback address"):
        fetch_page(f"http://rebind.test:{port}/story", resolve=lambda host: next(answers))
    assert served == []


def test_the_connection_goes_to_the_address_that_was_checked(local_page):
    """`news.test` resolves nowhere but through our resolver: the page comes from there."""
    port, served = local_page
    page = fetch_page(
        f"http://news.test:{port}/story",
        resolve=lambda host: [ipaddress.ip_address("127.0.0.1")],
        allow_private=True,
    )
    assert page.is_html and "Port of Calder" in page.content.decode()
    assert served == ["/story"]
