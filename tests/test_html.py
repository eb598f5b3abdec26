"""Saved web pages: the article text without the boilerplate, metadata, and clear refusals."""

from __future__ import annotations

import io
import json
import sys

import pytest

from briefer.core import Briefer
from briefer.errors import InputError
from briefer.inputs import CommandLine, load_article
from briefer.inputs.html import extract_article

from .exchanges import FIXTURES

HTML = FIXTURES / "html"
EXPECTED = json.loads((HTML / "expectations.json").read_text(encoding="utf-8"))
ARTICLES = sorted(name for name, e in EXPECTED.items() if e["kind"] == "article")


def test_there_are_realistic_pages():
    assert len(EXPECTED) >= 4 and len(ARTICLES) >= 2
    for name in ARTICLES:
        page = (HTML / name).read_bytes()
        for part in (b"<nav", b"cookie", b"<footer"):
            assert part in page.lower(), (name, part)


@pytest.mark.parametrize("name", ARTICLES)
def test_article_text_is_extracted_without_boilerplate(name):
    expected = EXPECTED[name]
    article = load_article(HTML / name)
    for phrase in expected["must_contain"]:
        assert phrase in article.text, phrase
    for phrase in expected["must_not_contain"]:
        assert phrase not in article.text, phrase
    assert article.title == expected["title"]
    assert article.site_name == expected["site_name"]
    assert article.author == expected["author"]
    assert article.published == expected["published"]


def test_encoding_declared_only_in_a_meta_tag_is_honoured():
    name = next(n for n in EXPECTED if "latin1" in n or "encoded" in n)
    raw = (HTML / name).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really not UTF-8
    article = load_article(HTML / name)
    assert "\ufffd" not in article.text
    assert any(ch in article.text for ch in "éèüç")


@pytest.mark.parametrize(("kind", "hint"), [("paywall", "paywall"), ("no_text", "no article text")])
def test_pages_without_an_article_are_refused_clearly(kind, hint):
    names = [n for n, e in EXPECTED.items() if e["kind"] == kind]
    assert names
    for name in names:
        with pytest.raises(InputError, match=hint) as caught:
            load_article(HTML / name)
        assert "\n" not in str(caught.value) and name in str(caught.value)


def test_html_on_standard_input(monkeypatch):
    name = ARTICLES[0]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((HTML / name).read_bytes())))
    article = load_article(CommandLine("-"))
    assert article.source == "-" and EXPECTED[name]["must_contain"][0] in article.text


def test_html_without_the_extension_is_recognised(tmp_path):
    name = ARTICLES[0]
    copy = tmp_path / "saved-page"
    copy.write_bytes((HTML / name).read_bytes())
    assert load_article(copy).title == EXPECTED[name]["title"]


def test_envelope_carries_metadata_and_publication_date():
    name = ARTICLES[0]
    envelope = Briefer(engine="offline").brief(load_article(HTML / name))
    info = envelope.article
    assert info.published == EXPECTED[name]["published"] and info.site_name
    assert envelope.created_at.date().isoformat() != info.published  # kept apart
    assert envelope.verification.missing == 0


@pytest.mark.parametrize(
    "page",
    [
        "",
        "<html><body></body></html>",
        "<!doctype html><html><body><script>var x = 1;</script></body></html>",
        "<html><body>" + "<div>" * 5000 + "deep" + "</div>" * 5000 + "</body></html>",
        "<html><body><p>Café ünïcödé 北京 😀</p>" * 3 + "</body></html>",
    ],
    ids=["empty", "empty-body", "script-only", "deeply-nested", "short-unicode"],
)
def test_junk_html_never_crashes(page):
    try:
        article = extract_article(page.encode(), source="page.html")
    except InputError as exc:
        assert "page.html" in str(exc)
    else:
        assert article.text.strip()


CONCURRENT = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from briefer.errors import InputError
from briefer.inputs.html import extract_article
pages = [p.read_bytes() for p in sorted(Path(sys.argv[1]).glob("*.html"))] * 12
def one(page):
    try:
        return extract_article(page, source="page.html").words
    except InputError:
        return 0
with ThreadPoolExecutor(8) as pool:
    print(sum(pool.map(one, pages)))
"""


def test_extraction_is_safe_from_many_threads():
    """trafilatura crashed the interpreter now and then when run from several threads at once."""
    import subprocess

    for _ in range(3):
        run = subprocess.run(
            [sys.executable, "-c", CONCURRENT, str(HTML)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stderr[-500:]
        assert int(run.stdout) > 0


@pytest.mark.parametrize(
    ("title", "site", "url", "expected"),
    [
        ("Port reopens - Harbour News.com", "Harbour News.com", None, "Port reopens"),
        ("Port reopens | The Calder Ledger", "The Calder Ledger", None, "Port reopens"),
        ("Port reopens |  | Calder Wire", "Calder Wire", None, "Port reopens"),
        ("Port reopens – Ledger", None, "https://www.ledger.example/a", "Port reopens"),
        # A dash or colon that is part of the headline stays.
        ("Port reopens - and ships queue", "Calder Wire", None, "Port reopens - and ships queue"),
        ("Fact check: is the port open?", "Calder Wire", None, "Fact check: is the port open?"),
        ("Port reopens", None, None, "Port reopens"),
    ],
)
def test_a_title_loses_the_sites_name_the_page_adds(title, site, url, expected):
    from briefer.inputs.html import without_site_suffix

    assert without_site_suffix(title, site, url) == expected
