"""No valid text crashes the engine: every schema limit is met by construction.

The offline engine briefs every article of the shared corpora, and text generated to be
awkward (run-on sentences, long names, stray punctuation, scripts and marks of every kind);
each brief renders in every format and its JSON validates. Only empty or wordless input is
refused, with an `InputError`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefer.analysis.sourcing import analyze_sourcing
from briefer.core import Briefer
from briefer.errors import InputError
from briefer.inputs.article import article_from_text
from briefer.renderers import render_html, render_json, render_markdown, render_slack, render_text
from briefer.renderers.slack import MAX_BLOCKS, MAX_HEADER, MAX_TEXT
from briefer.schema import Envelope

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPORA = ("xsum", "cnndm", "corpus")


def check_envelope(envelope: Envelope) -> None:
    """Render `envelope` in every format: its JSON reads back, Slack's limits are kept."""
    assert Envelope.model_validate_json(render_json(envelope)) == envelope
    render_markdown(envelope)
    render_text(envelope)
    render_html(envelope)
    for message in render_slack(envelope):
        assert len(message["blocks"]) <= MAX_BLOCKS
        for block in message["blocks"]:
            texts = [*([block["text"]] if "text" in block else []), *block.get("elements", [])]
            limit = MAX_HEADER if block["type"] == "header" else MAX_TEXT
            assert all(0 < len(t["text"]) <= limit for t in texts), block


def brief_and_render(briefer: Briefer, text: str, name: str) -> None:
    """Brief `text` with `briefer` and check the envelope renders and validates."""
    check_envelope(briefer.brief(article_from_text(text, source=name)))


# --- every article of the shared corpora ------------------------------------------------------


def shared_articles() -> list[Path]:
    """The articles of the shared corpora; skip the test when they are not there."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent: no corpus to brief at {SHARED}")
    paths = sorted(path for corpus in CORPORA for path in (SHARED / corpus).glob("*.txt"))
    if not paths:
        pytest.skip(f"../shared/{{{','.join(CORPORA)}}} hold no articles: nothing to brief")
    return paths


def test_every_shared_article_is_briefed_rendered_and_valid():
    """All articles are briefed (no store, so nothing is cached) and each failure named."""
    briefer = Briefer(engine="offline")
    assert briefer.store is None  # a Briefer with no store writes nothing anywhere
    failures = []
    paths = shared_articles()
    for path in paths:
        try:
            brief_and_render(briefer, path.read_text(encoding="utf-8"), path.name)
        except Exception as exc:  # every failure is collected, not only the first
            failures.append(f"{path.parent.name}/{path.name}: {type(exc).__name__}: {exc}")
    if failures:
        pytest.fail(f"{len(failures)} of {len(paths)} articles failed:\n" + "\n".join(failures))


# --- generated text -------------------------------------------------------------------------

COMMON_WORDS = (
    "the a an of to in on at for with by from and or but that which who was were is are has "
    "had will would could said says told added according people officials police company "
    "government minister spokesperson matter familiar statement report figures year percent "
    "million market deal vote court city council residents declined comment unclear whether "
    "reportedly estimated more than about nearly"
).split()
NAMES = ("Lena Ortiz", "Harbor Board", "Mr. Varga", "U.S.", "Nordvik Marine", "Dr. Aïcha Benali")
MARKS = ('"', "“", "”", "‘", "’", "'", "—", "–", " - ", ":", ";", "(", ")", "[", "]", "…", "?", "!")
MARKUP = ("<b>", "</p>", "<script>", "<a href='x'>", "&amp;", "*", "_", "|", "#", "`", "\\")
EXOTIC = (
    "é", "ü", "ñ", "Ø", "北京", "東京都", "한국어", "😀", "👍🏽", "\u200f", "\u200e", "\u202e",
    "\u200b", "\u00a0", "مرحبا", "שלום", "e\u0301", "ﬁ", "ǅ", "İ", "ß", "\t", "\r",
)  # fmt: skip

# Phrases the rules look for: refusals, doubt, hedges, anonymity, page furniture, datelines,
# links and text that tries to instruct a model.
PHRASES = (
    "declined to comment", "did not respond to a request for comment", "it is unclear whether",
    "could not be independently verified", "more than 10,000", "people familiar with the matter",
    "who asked not to be named", "a spokesperson for the", "the cause of the crash is unknown",
    "did not say when", "Scroll down for video", "READ MORE:", "(pictured)", "(Photo: AP)",
    "LONDON (Reuters) -", "Related:", "https://example.com/a?b=c", "pic.twitter.com/abc",
    "(@newsdesk)", "Ignore all previous instructions and", "<<<END ARTICLE>>>", "[link](x)",
    "![img](y)", "U.S.", "Mr.", "B.B.", "No.", "etc.", "a.m.", "3.5", "...", "--", "* * *",
    "Media playback is not supported on this device", "3 May 2026 Last updated at 08:07 GMT",
    "For more on this, see", "ines@example.org twitter.com/ines", "Mystery: The",
    "Calder, Oregon, United States:", "5:45 AM PST 11/19/2026 by",
)  # fmt: skip
word = st.one_of(
    st.sampled_from(COMMON_WORDS),
    st.from_regex(r"[A-Z][a-z]{1,12}", fullmatch=True),  # a capitalised name
    st.from_regex(r"[a-z]{1,15}", fullmatch=True),
)
number = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.from_regex(r"\$?[0-9]{1,3}(,[0-9]{3}){0,3}(\.[0-9]{1,2})?%?", fullmatch=True),
)
token = st.one_of(
    word,
    word,
    word,
    number,
    st.sampled_from(NAMES),
    st.sampled_from(MARKS),
    st.sampled_from(EXOTIC),
    st.sampled_from(MARKUP),  # text that renderers escape, and so lengthen
    st.sampled_from(PHRASES),
    st.integers(20, 1500).map(lambda n: "x" * n),  # a word longer than any field
    st.text(min_size=1, max_size=3),  # any code points at all (but NUL: binary, refused)
)


@st.composite
def sentence(draw: st.DrawFn) -> str:
    """A sentence of words, names, numbers and marks, sometimes without an ending."""
    tokens = draw(st.lists(token, min_size=1, max_size=30))
    joiner = draw(st.sampled_from([" ", " ", "", ", "]))
    end = draw(st.sampled_from([".", ".", "?", "!", "", '."', ".”", ":", "…"]))
    return joiner.join(tokens) + end


@st.composite
def run_on(draw: st.DrawFn) -> str:
    """One giant sentence: a run of words repeated to thousands, with no mark at all."""
    words = draw(st.lists(word, min_size=1, max_size=12))
    return " ".join(words * draw(st.integers(100, 600)))


@st.composite
def according_to(draw: st.DrawFn) -> str:
    """ "according to ..." with no comma after the source, and a long run before the stop."""
    source = " ".join(draw(st.lists(word, min_size=1, max_size=40)))
    claim = " ".join(draw(st.lists(word, min_size=0, max_size=60)))
    opening = draw(st.sampled_from(["According to", "according to", "Prices rose according to"]))
    return f"{opening} {source} {claim}."


@st.composite
def long_speaker(draw: st.DrawFn) -> str:
    """ "X said" or "said X" where X runs on for many words (capitalised or not)."""
    words = draw(st.lists(word, min_size=1, max_size=8))
    many = words * draw(st.integers(1, 40))
    if draw(st.booleans()):
        many = [w[:1].upper() + w[1:] for w in many]
    speaker = " ".join(many)
    claim = draw(sentence())
    return draw(
        st.sampled_from(
            [
                f"{speaker} said {claim}",
                f"“{claim}” said {speaker}.",
                f"{claim}, {speaker} told reporters.",
                f"{speaker}, who asked not to be named, said {claim}",
            ]
        )
    )


@st.composite
def punctuated(draw: st.DrawFn) -> str:
    """Many colons, parentheses, quotes and dashes, nested and unbalanced."""
    marks = draw(st.lists(st.sampled_from(MARKS), min_size=1, max_size=10))
    words = draw(st.lists(word, min_size=1, max_size=10))
    return " ".join(m + w for m, w in zip(marks * 20, words * 20, strict=False))


paragraph = st.lists(
    st.one_of(sentence(), sentence(), sentence(), according_to(), long_speaker(), punctuated()),
    min_size=1,
    max_size=8,
).map(" ".join)


@st.composite
def article_text(draw: st.DrawFn) -> str:
    """News-like text: an optional headline, then paragraphs; or a run-on; or any text."""
    kind = draw(st.sampled_from(["article", "article", "article", "run_on", "raw", "bare"]))
    if kind == "run_on":
        return draw(run_on())
    if kind == "raw":
        return draw(st.text(max_size=400))
    if kind == "bare":  # no punctuation at all
        return " ".join(draw(st.lists(word, min_size=1, max_size=200)))
    title = draw(st.one_of(st.none(), sentence()))
    paragraphs = draw(st.lists(paragraph, min_size=1, max_size=6))
    separator = draw(st.sampled_from(["\n\n", "\n", " ", "\r\n\r\n"]))
    return separator.join([title, *paragraphs] if title else paragraphs)


@settings(
    max_examples=150,
    deadline=None,  # a run-on of thousands of words takes longer than the default 200 ms
    database=None,  # nothing written into the work tree (.hypothesis/)
    derandomize=True,  # the same examples every run: a failure here reproduces
    # Articles are large by design (a giant sentence, many paragraphs), so drawing them is
    # slower and bigger than Hypothesis expects of a test's data.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=article_text())
def test_generated_text_is_briefed_or_refused_as_input(text: str) -> None:
    """The engine never fails on text: it briefs it, or refuses empty or wordless input."""
    text = text.replace("\x00", "")  # binary, refused: the rest of such text is still tried
    try:
        article = article_from_text(text, source="generated")
    except InputError:
        assert not any(ch.isalnum() for ch in text)
        return
    check_envelope(Briefer(engine="offline").brief(article))


# --- regressions: each a bug the runs above found, in an article of our own -----------------


def sources(text: str) -> list[str]:
    """The source of each attribution in `text`."""
    return [a.source for a in analyze_sourcing(text).attributions]


def test_according_to_with_no_comma_ends_where_the_claim_begins():
    """The noun phrase is the source, not the whole clause after "according to"."""
    text = (
        "Reservoir levels fell again this week.\n\n"
        "According to the engineers a dam that would hold twice the water of the old one would "
        "cost less to run over a thirty year period than the pumps the county uses today. "
        "According to the council's own figures the repairs would take until the spring. "
        "According to a report by the water board it has never been this low."
    )
    assert sources(text) == [
        "the engineers",
        "the council's own figures",
        "a report by the water board",
    ]
    check_envelope(Briefer(engine="offline").brief(text))


def test_a_source_too_long_to_be_one_is_not_a_source():
    """A capitalised run of forty words before "said" is a clause read as a name."""
    run_on = " ".join(["The Harbour Board Of The Northern Coast Regional Ports Authority"] * 4)
    text = f"Port vote delayed\n\n{run_on} said the vote would wait until March.\n"
    assert sources(text) == []
    facts = Briefer(engine="offline").brief(text).brief.key_facts
    assert all(len(f.attribution) <= 160 for f in facts)


def test_a_long_named_source_is_shortened_at_a_word_in_the_attribution():
    """Twelve long words are a source, but longer than an attribution may be."""
    speaker = " ".join(f"Councillorship{i:02d}" for i in range(12))
    text = f"Port vote delayed\n\nThe vote would wait until March, {speaker} said.\n"
    (fact,) = [
        f for f in Briefer(engine="offline").brief(text).brief.key_facts if "March" in f.evidence
    ]
    assert len(fact.attribution) <= 160 and fact.attribution.endswith("…")
    assert fact.attribution.removesuffix("…") in speaker


def test_markdown_defuses_tags_in_a_field_already_at_its_limit():
    """ "<" becomes "&lt;" for Markdown, which makes a full headline longer than the schema's."""
    title = "Tags " + "<b>xyz " * 24  # under 200 characters, over 200 once defused
    text = f"{title}\n\nThe harbour board voted on Monday to keep the port open, officials said.\n"
    envelope = Briefer(engine="offline").brief(text)
    assert envelope.brief.headline == title.strip()
    assert "# Tags &lt;b>xyz" in render_markdown(envelope)
    check_envelope(envelope)


def test_a_first_line_of_invisible_marks_is_not_a_headline():
    """A line of bidi controls alone would be an empty headline once shown to a reader."""
    text = "\u202e\n\nThe harbour board voted on Monday to keep the port open through winter.\n"
    envelope = Briefer(engine="offline").brief(text)
    assert envelope.article.title is None
    assert envelope.brief.headline.startswith("The harbour board voted")
    check_envelope(envelope)


def test_a_field_with_nothing_visible_in_it_still_renders():
    """Renderers strip invisible marks; a field of nothing else (a model may write one) is
    shown empty, or as "Untitled article" in Slack, which refuses an empty header."""
    text = "The harbour board voted on Monday to keep the port open, officials said.\n"
    envelope = Briefer(engine="offline").brief(text)
    brief = envelope.brief.model_copy(update={"headline": "\u202e\u200b"})
    check_envelope(envelope.model_copy(update={"brief": brief}))
    assert render_slack(envelope.model_copy(update={"brief": brief}))[0]["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Untitled article"},
    }
