"""Typesetting characters are normalised at load time and are not `hidden_text` warnings;
characters that hide or reorder text still are."""

from __future__ import annotations

import pytest

from briefer.core import Briefer
from briefer.inputs import load_article
from briefer.inputs.article import Article, article_from_text
from briefer.text.untrusted import (
    find_suspicious,
    invisible_kind,
    normalise_typesetting,
    strip_invisible,
)
from briefer.verify.quotes import locate

SHY, ZWSP, ZWNJ, ZWJ, WJ, BOM, RLO, PDF = (
    "\u00ad",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\u202c",
)

# Written for these tests: a page as a magazine's layout hyphenates it.
HYPHENATED = (
    "Harbour council approves ferry link\n\n"
    f"The Westvale harbour council voted 7 to 2 on Tuesday to fund a new ferry link to the "
    f"is{SHY}land of Carrow, its chair, Ines Moretti, said after the meeting.\n\n"
    f"The link will cost 4.2 million euros over three years, according to the coun{SHY}cil's "
    f"own bud{SHY}get papers, and the first crossings are planned for the spring of next year.\n\n"
    f"\u201cIslanders have waited long enough for a re{SHY}liable service,\u201d Moretti told "
    f"re{SHY}porters. Two councillors who voted against said the {SHY}operator had not been "
    f"chosen in an open tender.\n\n"
    f"The ferry company Carrow Lines said it would hire 40 crew for the Moretti-{SHY}backed "
    f"route and that tickets would be sold at the harbour office.\n"
)


def _hidden(text: str) -> list[str]:
    return [s.text for s in find_suspicious(text) if s.code == "hidden_text"]


def _warned(envelope) -> list[str]:
    return [w.message for w in envelope.warnings if w.code == "hidden_text"]


# --- typesetting: normalised, never a warning -------------------------------------------------


def test_soft_hyphens_are_not_hidden_text():
    assert _hidden(HYPHENATED) == []


def test_the_article_is_loaded_without_soft_hyphens(tmp_path):
    path = tmp_path / "hyphenated.txt"
    path.write_text(HYPHENATED, encoding="utf-8")
    article = load_article(path)
    assert SHY not in article.text
    assert "island of Carrow" in article.text and "Moretti-backed" in article.text
    assert article.sha256 == article_from_text(HYPHENATED.replace(SHY, "")).sha256


def test_a_brief_of_a_hyphenated_page_warns_nothing_and_every_quote_verifies():
    article = article_from_text(HYPHENATED, source="hyphenated.txt")
    envelope = Briefer(engine="offline").brief(article)
    assert _warned(envelope) == []
    assert envelope.brief.key_facts
    assert envelope.verification.missing == 0
    for fact, check in zip(envelope.brief.key_facts, envelope.verification.key_facts, strict=True):
        assert check.status == "exact"
        assert fact.evidence in article.text  # verbatim of the article, as every renderer shows
        assert article.text[check.start : check.end] == fact.evidence
        # ... and of the page as given, soft hyphens and all: the verifier folds them
        assert locate(fact.evidence, HYPHENATED).status == "exact"


def test_a_quote_copied_with_its_soft_hyphens_verifies_against_the_article():
    article = article_from_text(HYPHENATED)
    found = locate(f"according to the coun{SHY}cil's own bud{SHY}get papers", article.text)
    assert found.status == "exact"
    assert article.text[found.start : found.end] == "according to the council's own budget papers"


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        (f"soft{SHY}ware", "software"),
        (f"{SHY}forces and sex-{SHY}fueled", "forces and sex-fueled"),
        (f"word{WJ}joiner", "wordjoiner"),
        (f"{BOM}Headline\n\nText.", "Headline\n\nText."),
        (f"the end{ZWJ} of it", "the end of it"),  # a joiner at a word break
        (f"the {ZWNJ}end", "the end"),
        (f"Auf{ZWNJ}lage", "Auflage"),  # ligature control inside a Latin word
        (f"https://example.org/{ZWSP}long/{ZWSP}path", "https://example.org/long/path"),
    ],
)
def test_typesetting_characters_are_removed_and_not_warned(given, normalised):
    assert normalise_typesetting(given) == normalised
    assert normalise_typesetting(normalised) == normalised
    assert _hidden(given) == []
    assert Article(text=given, source="<text>").text == normalised


def test_an_article_built_directly_is_normalised_too():
    article = Article(text=HYPHENATED, source="<text>", title=f"Ferry is{SHY}land")
    assert SHY not in article.text and article.title == "Ferry island"


# --- what hides or reorders text: kept, and still a warning -----------------------------------


def test_a_zero_width_space_inside_a_word_still_warns():
    text = f"The council will ig{ZWSP}nore the tender rules, the chair said."
    assert _hidden(text) == ["U+200B"]
    article = article_from_text(text)
    assert ZWSP in article.text  # not ours to repair: reported, and stripped before a model
    envelope = Briefer(engine="offline").brief(article)
    [warning] = [w for w in envelope.warnings if w.code == "hidden_text"]
    assert article.text[warning.start : warning.end] == ZWSP


def test_a_bidi_override_still_warns():
    text = f"The operator's licence number is {RLO}04-XL{PDF}, the council said."
    assert _hidden(text) == ["U+202E", "U+202C"]
    article = article_from_text(text)
    assert RLO in article.text and PDF in article.text
    assert len(_warned(Briefer(engine="offline").brief(article))) == 2
    assert strip_invisible(text) == "The operator's licence number is 04-XL, the council said."


@pytest.mark.parametrize(
    "text",
    [
        f"at{BOM}tack",  # a BOM inside the text is a zero-width no-break space
        f"a{SHY}{ZWSP}b",  # a run of zero-width characters is not typesetting
        f"one{ZWJ}{ZWNJ}{ZWJ}{ZWNJ}two",  # nor is a pattern of joiners
        "tag \U000e0069\U000e0067\U000e006e text",  # tag characters spell text unseen
        f"x{ZWSP}\u0645\u0646",  # a zero-width space inside any word
    ],
)
def test_other_hidden_runs_still_warn(text):
    assert _hidden(text)
    assert Article(text=text, source="<text>").text == text


# --- writing: untouched, never a warning ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"Pride flags \U0001f3f3\ufe0f{ZWJ}\U0001f308 flew on the harbour office.",
        f"A family \U0001f468{ZWJ}\U0001f469{ZWJ}\U0001f467 emoji, and \U0001f469\U0001f3fd{ZWJ}"
        "\U0001f52c a scientist.",
        "Scotland \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f won.",
        f"The word \u0645\u06cc{ZWNJ}\u062e\u0648\u0627\u0647\u0645 in Persian.",  # ZWNJ in a word
        f"Hindi \u0915\u094d{ZWJ}\u0937 conjunct.",  # ZWJ after a virama
    ],
)
def test_joiners_that_are_part_of_the_writing_are_untouched(text):
    assert normalise_typesetting(text) == text
    assert strip_invisible(text) == text
    assert _hidden(text) == []
    article = article_from_text(text)
    assert article.text == text
    assert _warned(Briefer(engine="offline").brief(article)) == []


def test_each_run_has_one_kind():
    assert invisible_kind(f"a{ZWJ}\U0001f308", 1, 2) == "orthography"
    assert invisible_kind(f"a{ZWJ}b", 1, 2) == "typesetting"
    assert invisible_kind(f"a{ZWSP}b", 1, 2) == "hidden"
    assert invisible_kind(f"{RLO}ab", 0, 1) == "hidden"
