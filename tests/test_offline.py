"""The offline engine: quality on labelled fixtures, determinism, robustness, no network."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from briefer.core import Briefer
from briefer.engines.offline import brief_offline
from briefer.engines.offline import facts as offline_facts
from briefer.errors import BrieferError
from briefer.inputs.article import article_from_text
from briefer.schema import Brief
from briefer.verify.labels import Ratio, load_labels, score_brief, stakeholder_scores

from .conftest import ARTICLES, fixture_article
from .exchanges import FIXTURES

LABELS = sorted((FIXTURES / "labels").glob("*.labels.json"))


def test_the_fixture_set_is_labelled():
    assert len(LABELS) >= 8
    for path in LABELS:
        assert (ARTICLES / load_labels(path).article).is_file()


def test_stakeholder_quality_over_the_fixture_set():
    recall, precision = Ratio(0, 0), Ratio(0, 0)
    for path in LABELS:
        labels = load_labels(path)
        article = fixture_article(Path(labels.article).stem)
        brief = brief_offline(article)
        predicted = [(s.name, s.role) for s in brief.stakeholders]
        scores = stakeholder_scores(labels, predicted, article.text)
        recall += scores["stakeholder_recall"]
        precision += scores["stakeholder_precision"]
    assert recall.value is not None and recall.value >= 0.8, f"stakeholder recall {recall}"
    assert precision.value is not None and precision.value >= 0.7, f"precision {precision}"


def test_anonymous_sources_reach_the_brief_over_the_fixture_set():
    total = Ratio(0, 0)
    briefer = Briefer(engine="offline")
    for path in LABELS:
        labels = load_labels(path)
        article = fixture_article(Path(labels.article).stem)
        score = score_brief(path.name, briefer.brief(article), article.text, labels)
        total += score.metrics["anonymous_recall"]
    assert total.total >= 15
    assert total.value is not None and total.value >= 0.85, f"anonymous recall {total}"


@pytest.mark.parametrize("path", LABELS, ids=lambda p: p.name.removesuffix(".labels.json"))
def test_every_fixture_gets_a_grounded_brief(path):
    article = fixture_article(path.name.removesuffix(".labels.json"))
    brief = brief_offline(article)
    Brief.model_validate(brief.model_dump())
    assert 1 <= len(brief.key_facts) <= offline_facts.MAX_FACTS
    for fact in brief.key_facts:
        assert fact.evidence in article.text
    for caveat in brief.sourcing_caveats:
        assert caveat.evidence in article.text


def test_anonymous_article_gets_anonymous_caveats_and_questions():
    brief = brief_offline(fixture_article("anonymous_sources"))
    kinds = {c.kind.value for c in brief.sourcing_caveats}
    assert {"anonymous_source", "declined_comment", "unverified_number"} <= kinds
    # Questions only from what the article says it does not know: here, who did not answer.
    assert brief.open_questions and all(
        q.question.startswith(("What is the response of", "Can this be confirmed"))
        or q.question.endswith("?")
        for q in brief.open_questions
    )
    attributions = {f.attribution for f in brief.key_facts}
    assert any("people familiar with the matter" in a for a in attributions)


def test_on_the_record_article_has_no_anonymous_caveat():
    brief = brief_offline(fixture_article("on_the_record"))
    assert all(c.kind.value != "anonymous_source" for c in brief.sourcing_caveats)
    assert brief.headline.startswith("Westbrook Council Votes")


def test_same_input_same_brief_byte_for_byte():
    for path in LABELS:
        article = fixture_article(path.name.removesuffix(".labels.json"))
        assert brief_offline(article).model_dump_json() == brief_offline(article).model_dump_json()


def test_runs_with_sockets_disabled(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    envelope = Briefer(engine="offline").brief(fixture_article("anonymous_sources"))
    assert envelope.engine == "offline" and envelope.model is None
    assert envelope.usage.requests == 0


@pytest.mark.parametrize(
    "text",
    [
        "Der Stadtrat hat am Dienstag beschlossen, die Buspreise einzufrieren. "
        "Bürgermeisterin Anna Keller sagte, die Maßnahme koste 6,8 Millionen Euro.",
        "北京市政府周二宣布新的交通计划。官员表示，该计划将耗资数百万元。",
        "breaking news from the port\nships are moving again\nofficials say the spill is contained",
        "word " * 20000,  # one very long line, no sentence ends
        "Port of Calder reopens",  # only a headline
        "“Quote,” he said.",
        "$$$ 123 ... !!!",
    ],
    ids=[
        "german",
        "chinese",
        "no-periods",
        "one-long-line",
        "headline-only",
        "quote",
        "symbols",
    ],
)
def test_unusual_text_gives_a_valid_brief(text):
    article = article_from_text(text)
    brief = brief_offline(article)
    assert brief.key_facts and brief.headline
    for fact in brief.key_facts:
        assert fact.evidence in article.text and len(fact.evidence) <= 600


def test_text_too_long_to_be_a_file_name_is_briefed_as_text():
    """`brief(str)` asks whether a one-line string names a file; the answer is never a crash."""
    text = "The harbour board voted on Monday to keep the port open through the winter. " * 5
    assert Briefer(engine="offline").brief(text).brief.key_facts
    with pytest.raises(BrieferError):
        Briefer(engine="offline").brief("The harbour board\x00 voted on Monday.")


def test_auto_engine_without_configuration_is_offline():
    assert Briefer().engine.name == "offline"
    assert Briefer(engine="auto").engine.name == "offline"


def test_engine_from_environment(monkeypatch):
    monkeypatch.setenv("BRIEFER_ENGINE", "offline")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-a-secret")
    assert Briefer().engine.name == "offline"


def test_random_text_never_crashes():
    """Random mixes of letters, punctuation, scripts, controls and attribution phrases."""
    import random

    rng = random.Random(3)
    pieces = [*"abcdefghij KLMNOP 0123456789.,;:!?'\"“”‘’—–-()[]<>\n\n\t$%&*/\\@#",
              "é", "北", "😀", "\u200b", "\u202e", "\r", "…", "Mr.", "U.S.", " said ",
              "according to", " people familiar with the matter ", "more than 10,000",
              " declined to comment", " New York ", " Harbor Board ", " (HB) ", " Lena Ortiz",
              ", who ", " between ", " and ", " a spokesperson for ", "’s ", " were told ",
              ]  # fmt: skip
    briefer_ = Briefer(engine="offline")
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.choice([1, 5, 30, 200, 2000])))
        try:
            envelope = briefer_.brief(text)
        except BrieferError:
            continue
        assert envelope.brief.key_facts and envelope.verification.missing == 0
