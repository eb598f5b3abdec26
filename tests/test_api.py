"""The library API: small, explicit, typed, and enough to build a chat bot on."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import briefer
from briefer import (
    Briefer,
    Comparison,
    Digest,
    Envelope,
    render_json,
    render_markdown,
    render_slack,
)
from briefer.inputs import load_article
from briefer.renderers import render_html, render_text
from briefer.renderers.slack import MAX_BLOCKS, MAX_TEXT, TRIMMED, escape

from .conftest import ARTICLES
from .exchanges import FIXTURES, ROOT

SNAPSHOTS = ROOT / "tests" / "snapshots"


def test_all_is_sorted_exact_and_importable():
    # Sorted as ruff's RUF022 keeps it: CONSTANTS, then Classes, then the rest.
    def isort_style(name: str) -> tuple[bool, bool, str]:
        return (not name.isupper(), not name[:1].isupper(), name)

    assert briefer.__all__ == sorted(briefer.__all__, key=isort_style)
    public = {name for name in briefer.__all__ if name != "__version__"}
    assert public == set(briefer._LAZY)
    for name in briefer.__all__:
        assert getattr(briefer, name) is not None
    with pytest.raises(AttributeError):
        briefer.no_such_thing  # noqa: B018
    # A name in __all__ must be the thing itself, not a submodule that shadows it.
    import types

    for name in briefer.__all__:
        assert not isinstance(getattr(briefer, name), types.ModuleType), name


def test_package_is_typed():
    assert (Path(briefer.__file__).parent / "py.typed").is_file()


def test_configuration_is_read_when_a_briefer_is_built(monkeypatch):
    monkeypatch.setenv("BRIEFER_MODEL", "env-model")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-a-secret")
    assert Briefer().config.model == "env-model"
    assert Briefer(model="given").config.model == "given"
    monkeypatch.setenv("BRIEFER_MODEL", "later")
    assert Briefer().config.model == "later"  # nothing was cached at import


def test_brief_takes_text_a_path_or_an_article():
    path = ARTICLES / "very_short.txt"
    by_path = Briefer(engine="offline").brief(path)
    by_text = Briefer(engine="offline").brief(path.read_text(encoding="utf-8"))
    assert by_path.article.source == str(path)
    assert by_text.article.source == "<text>"
    assert by_path.brief == by_text.brief
    assert asyncio.run(Briefer(engine="offline").abrief(path)).brief == by_path.brief


def test_digest_and_compare_from_the_library():
    briefer_ = Briefer(engine="offline")
    result = briefer_.digest([ARTICLES])
    assert isinstance(result, Digest) and len(result.briefed) == 9
    compare_dir = FIXTURES / "compare"
    comparison = briefer_.compare(sorted(compare_dir.glob("*.txt")))
    assert isinstance(comparison, Comparison) and len(comparison.conflicts) == 3
    again = asyncio.run(briefer_.acompare(sorted(compare_dir.glob("*.txt"))))
    assert len(again.conflicts) == 3


def test_two_briefs_of_one_article_can_be_diffed_from_the_library():
    text = (ARTICLES / "anonymous_sources.txt").read_text(encoding="utf-8")
    full = Briefer(engine="offline").brief(text)
    cut = Briefer(engine="offline", max_input_tokens=300).brief(text)
    diff = briefer.diff_briefs(full, cut, ("full", "cut"))
    assert isinstance(diff, briefer.BriefDiff) and diff.labels == ("full", "cut")
    assert diff.facts_only_in[0]  # the full brief has facts the cut one could not
    assert "full" in briefer.render(diff, "markdown")


def test_renderers_dispatch_by_type_and_refuse_what_they_cannot_render():
    hostile = "Council Meets\n\nThe council met on Monday, <b>the mayor</b> said. It voted 7-2.\n"
    full = Briefer(engine="offline").brief(hostile)
    diff = briefer.diff_briefs(full, full.model_copy(), ("a <i>", "b"))
    page = briefer.render_html(diff)
    assert "<i>" not in page and "&lt;i&gt;" in page  # article and label text escaped
    assert briefer.render_text(full) != briefer.render_markdown(full)  # a brief has its own text
    assert briefer.render_text(diff) == briefer.render_markdown(diff)
    for renderer in (briefer.render_markdown, briefer.render_json, briefer.render_html):
        with pytest.raises(TypeError, match="cannot render a dict"):
            renderer({})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Slack"):
        briefer.render(diff, "slack")


def test_rendering_does_not_import_the_digest_runner_or_the_engines():
    code = (
        "import sys, briefer.renderers; "
        "print(sorted(m for m in sys.modules if m in "
        "('briefer.digest.runner', 'briefer.core', 'briefer.engines.offline', "
        "'briefer.engines.openai', 'openai')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- renderers: snapshots ---------------------------------------------------------------------


def fixed(envelope: Envelope) -> Envelope:
    """The envelope with its creation time pinned, so renderings can be snapshotted."""
    from datetime import UTC, datetime

    return envelope.model_copy(update={"created_at": datetime(2026, 11, 28, 8, 0, tzinfo=UTC)})


@pytest.mark.parametrize("fmt", ["markdown", "text", "html", "slack"])
def test_renderer_snapshots(fmt):
    """Regenerate after an intended change: BRIEFER_UPDATE_SNAPSHOTS=1 pytest tests/test_api.py"""
    import os

    # A fixed source, so the snapshot does not depend on where the checkout lives.
    article = replace(
        load_article(ARTICLES / "anonymous_sources.txt"), source="anonymous_sources.txt"
    )
    envelope = fixed(Briefer(engine="offline").brief(article))
    rendered = {
        "markdown": render_markdown,
        "text": render_text,
        "html": render_html,
        "slack": lambda e: json.dumps(render_slack(e), indent=1, ensure_ascii=False),
    }[fmt](envelope)
    snapshot = SNAPSHOTS / f"render_anonymous_sources.{fmt}"
    if os.environ.get("BRIEFER_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(rendered, encoding="utf-8")
    assert rendered == snapshot.read_text(encoding="utf-8")


def test_an_origin_shared_by_every_caveat_is_said_once():
    envelope = Briefer(engine="offline").brief(load_article(ARTICLES / "anonymous_sources.txt"))
    caveats = len(envelope.brief.sourcing_caveats)
    assert caveats > 2
    for rendered in (render_markdown(envelope), render_text(envelope), render_html(envelope)):
        assert rendered.lower().count("computed from the text") == 1


def test_json_renderer_round_trips():
    envelope = Briefer(engine="offline").brief(ARTICLES / "courts.txt")
    assert Envelope.model_validate_json(render_json(envelope)) == envelope


# --- Slack ----------------------------------------------------------------------------------------


def _all_texts(messages):
    for message in messages:
        for block in message["blocks"]:
            if "text" in block:
                yield block["type"], block["text"]["text"]
            for element in block.get("elements", []):
                yield "context", element["text"]


def test_slack_limits_hold_for_the_largest_digest():
    result = Briefer(engine="offline").digest([ARTICLES, FIXTURES / "compare", FIXTURES / "html"])
    messages = render_slack(result)
    assert len(messages) >= 2  # it had to be split
    for message in messages:
        assert len(message["blocks"]) <= MAX_BLOCKS
    for kind, text in _all_texts(messages):
        assert len(text) <= (150 if kind == "header" else MAX_TEXT)
    assert "part 1 of" in json.dumps(messages[0])


def test_slack_escapes_and_trims():
    text = "Council <!channel> & <https://evil.example|click> Approves Budget\n\n" + (
        "The council <!channel> & approved the budget on Monday, the mayor said. " * 120
    )
    messages = render_slack(Briefer(engine="offline").brief(text))
    mrkdwn = " ".join(t for kind, t in _all_texts(messages) if kind != "header")
    assert "<!channel>" not in mrkdwn and "&lt;!channel&gt;" in mrkdwn and "&amp;" in mrkdwn
    # headers are plain_text, which Slack never parses for mentions or links
    assert escape("a<b>&c") == "a&lt;b&gt;&amp;c"
    long_texts = [t for _, t in _all_texts(messages) if len(t) >= MAX_TEXT - 20]
    assert all(t.endswith(TRIMMED) for t in long_texts)


def test_every_renderer_handles_every_kind():
    briefer_ = Briefer(engine="offline")
    envelope = briefer_.brief(ARTICLES / "very_short.txt")
    digest = briefer_.digest([ARTICLES / "very_short.txt", Path("missing.txt")])
    comparison = briefer_.compare(sorted((FIXTURES / "compare").glob("*.txt")))
    for thing in (envelope, digest, comparison):
        for render in (render_markdown, render_text, render_json, render_html):
            assert render(thing).strip()
        assert render_slack(thing)[0]["blocks"]


def test_a_fact_that_restates_its_quote_is_printed_once_and_a_paraphrase_with_its_quote():
    text = (ARTICLES / "business.txt").read_text(encoding="utf-8")
    envelope = Briefer(engine="offline").brief(text)
    fact = envelope.brief.key_facts[0]
    facts = briefer.render_markdown(envelope).split("## Key facts")[1].split("## ")[0]
    assert facts.count(fact.evidence.strip()[:60]) == 1  # not printed as statement and quote
    paraphrased = fact.model_copy(update={"statement": "In short: a paraphrase of the first fact."})
    brief = envelope.brief.model_copy(update={"key_facts": [paraphrased]})
    page = briefer.render_markdown(envelope.model_copy(update={"brief": brief}))
    assert "**In short: a paraphrase of the first fact.**" in page
    assert fact.evidence.strip()[:60] in page


@pytest.mark.parametrize(
    ("statement", "evidence", "shown_once"),
    [
        ("Ines Alder: “We joined,” Ines Alder said.", "“We joined,” Ines Alder said.", True),
        ("Ines Alder: “We joined,” Alder said.", "“We joined,” Alder said.", True),
        ("The index closed 0.7% higher.", "The index .XYZ0001 closed 0.7% higher.", True),
        ("The port reopened", "The port reopened on Monday, officials said.", True),
        ("The company cut jobs.", "The company did not cut jobs.", False),
        ("The board cut jobs.", "The board will consider whether it cut jobs.", False),
        ("In short: a paraphrase.", "A paraphrase of the first fact.", False),
    ],
)
def test_a_statement_restates_its_quote_only_with_the_quotes_words_in_order(
    statement: str, evidence: str, shown_once: bool
) -> None:
    from briefer.renderers.brief import restates

    assert restates(statement, evidence) is shown_once


def test_markdown_defuses_html_and_protocol_relative_links_count_as_links():
    from briefer.text.untrusted import remove_foreign_links

    envelope = Briefer(engine="offline").brief(load_article(ARTICLES / "very_short.txt"))
    hostile = envelope.brief.model_copy(
        update={"headline": "Port <script>alert(1)</script> reopens <img src=x onerror=y>"}
    )
    markdown = render_markdown(envelope.model_copy(update={"brief": hostile}))
    assert "<script>" not in markdown and "<img" not in markdown
    assert "&lt;script>" in markdown
    text, removed = remove_foreign_links("See //evil.example/p.png now, and/or //x.", "article")
    assert removed == ["//evil.example/p.png"] and "evil" not in text and "and/or" in text


def test_on_a_phone_the_stakeholder_table_stacks_each_row_with_its_labels():
    envelope = Briefer(engine="offline").brief(ARTICLES / "anonymous_sources.txt")
    page = briefer.render_html(envelope)
    assert '<table class="stakeholders">' in page and '<tr class="head">' in page
    assert '<td data-label="Stance">' in page  # each cell says what it is once rows stack
    assert '<td data-label="Role" class="none">—</td>' in page  # an empty cell is left out
    phone = page.split("@media (max-width:480px)")[1]
    assert "table.stakeholders tr.head{display:none}" in phone
    assert "content:attr(data-label)" in phone
