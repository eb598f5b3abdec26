"""What the offline engine's key facts say and whom they credit: statements, quotations, who
asserts each fact, a fact-check's claim, the headline and summary of an untitled article.

Every article here is written for these tests."""

from __future__ import annotations

from unittest import mock

from briefer.analysis.rules import switched_off
from briefer.core import Briefer
from briefer.engines.offline import brief_offline
from briefer.engines.offline import facts as offline_facts
from briefer.inputs.article import article_from_text
from briefer.renderers import render_markdown
from briefer.renderers.brief import restates
from briefer.schema import QUOTED, REPORTER


def who_asserts(text: str, width: int) -> dict[str, str]:
    """Each key fact's attribution, by the first `width` characters of its evidence.

    Every sentence of a short text is made a fact (the count is not what these tests test).
    """
    with mock.patch.object(offline_facts, "MIN_FACTS", offline_facts.MAX_FACTS):
        facts = brief_offline(article_from_text(text)).key_facts
    return {f.evidence[:width]: f.attribution for f in facts}


def _asserted(text: str) -> dict[str, str]:
    """Each key fact's whole evidence and who asserts it, every sentence ranked."""
    return who_asserts(text, len(text))


def test_a_speaker_described_by_a_closed_relative_clause_asserts_the_fact():
    sentence = (
        "Ines Alder, who has run the harbour for a decade, said repairs would take until spring."
    )
    text = f"Pier Closed\n\nThe harbour agency closed the eastern pier on Monday. {sentence}"
    assert _asserted(text)[sentence] == "Ines Alder"


def test_a_quotation_whose_speaker_is_not_found_is_not_the_reporters_word():
    text = (
        "Pier Closed\n\nThe harbour agency closed the eastern pier on Monday after a crane "
        "collapsed.\n\n"
        '"We have never seen anything like it in forty years on this coast.\n\n'
        '"Nobody on the dock had any warning at all before it fell."\n\n'
        '"Pier 4", as dockers call it, reopened in 2011 after a storm.'
    )
    asserted = _asserted(text)
    assert asserted['"We have never seen anything like it in forty years on this coast.'] == (
        QUOTED
    )
    assert asserted['"Nobody on the dock had any warning at all before it fell."'] == QUOTED
    # a quoted name that opens a sentence does not make the sentence a quotation
    assert asserted['"Pier 4", as dockers call it, reopened in 2011 after a storm.'] == REPORTER


def test_a_claim_in_a_relative_clause_does_not_make_the_sentence_that_persons():
    text = (
        "Extradition Fight Ends\n\nJulian Assange, who denies the accusation, has avoided "
        "extradition to Sweden for seven years after seeking refuge in an embassy in 2012. "
        "Prosecutors in Sweden dropped the investigation on Tuesday, the authority said. "
        "The allies want a faster timeline, said the people, who asked not to be identified."
    )
    facts = who_asserts(text, 20)
    assert facts["Julian Assange, who "] == "the reporter"
    assert facts["Prosecutors in Swede"] == "the authority"
    assert facts["The allies want a fa"] == "the people"  # a clause about the source is theirs


def test_who_asserts_a_fact_follows_the_nearest_subject_and_skips_clauses_about_a_call():
    text = (
        "Witnesses Testify\n\nThe hearing ran for nine hours on Tuesday in the harbour city. "
        "Dana Volk said she had no knowledge of the payments to the dredging firm. "
        "Tom Marsh was the third witness to testify about the dredging contract on Tuesday. "
        "He said he was not concerned about the content of the contract itself at all. "
        "Ada Pell was arrested in April for a call she reportedly made to the mayor's office, "
        "in which she said she would close the port."
    )
    facts = who_asserts(text, 12)
    assert facts["He said he w"] == "Tom Marsh"  # the subject since Volk spoke, not Volk
    assert facts["Ada Pell was"] == "the reporter (no source named)"  # "reportedly"


def test_each_sentence_of_a_long_quotation_is_the_speaker_s():
    text = (
        "Markets Rally\n\nShares rose for a fifth day on Monday across the region's exchanges. "
        '"Markets usually run ahead of the economy and price in growth early. There are three '
        "reasons for hope this winter, from lower taxes to cheaper loans. We expect growth to "
        'return in 2020," said Ines Varga, an analyst at Nordvik Marine. '
        "The central bank meets on Thursday to set its interest rate for the quarter."
    )
    with switched_off("facts.mid-quotation"):  # each sentence its own fact
        facts = who_asserts(text, 20)
    assert facts["There are three reas"] == "Ines Varga"
    assert facts["Shares rose for a fi"] == "the reporter"
    facts = who_asserts(text, 20)  # the middle sentence is the whole quotation to it
    assert facts['"Markets usually run'] == "Ines Varga"
    assert "There are three reas" not in facts


TITLELESS = (
    "PORTSMOUTH, Ore. (AP) — A crane collapsed onto the eastern pier at Portsmouth harbour "
    "on Monday, injuring two dock workers and halting all cargo traffic for the week. "
    "The harbour agency said the pier would stay shut while engineers check its foundations. "
    "Shipping lines diverted four container vessels to the northern terminal on Tuesday. "
    "Harbour master Ines Alder said the crane had passed an inspection in March."
)


def test_a_titleless_articles_headline_is_the_ledes_first_clause_without_its_dateline():
    brief = brief_offline(article_from_text(TITLELESS))
    assert brief.headline == (
        "A crane collapsed onto the eastern pier at Portsmouth harbour on Monday …"
    )


def test_the_summary_is_more_than_the_first_key_fact_again():
    brief = brief_offline(article_from_text(TITLELESS))
    first, second = (f.statement for f in brief.key_facts[:2])
    assert brief.summary == f"{first} {second}"
    summary_words = set(brief.summary.lower().split())
    for fact in brief.key_facts:
        shared = summary_words & set(fact.statement.lower().split())
        assert len(shared) <= 0.7 * len(summary_words), fact.statement


def test_markdown_does_not_print_a_summary_made_of_the_key_facts_it_lists():
    envelope = Briefer(engine="offline").brief(article_from_text(TITLELESS))
    markdown = render_markdown(envelope)
    first = envelope.brief.key_facts[0].statement
    assert markdown.count(first.rstrip(".")) == 1


QUOTE_FIRST = (
    "Port Results\n\n"
    "The port of Calder handled a record 2.1 million containers in the third quarter. "
    "“Our results were strong, yet sales were below our expectations,” said chief executive "
    "Ines Alder in the company’s news release. "
    "“Why now?” said harbour master Tomas Varga at a meeting on Tuesday."
)


def test_a_quotation_first_sentence_states_the_quotation_after_its_speaker():
    with mock.patch.object(offline_facts, "MIN_FACTS", offline_facts.MAX_FACTS):  # all ranked
        facts = brief_offline(article_from_text(QUOTE_FIRST)).key_facts
    by_speaker = {f.attribution: f.statement for f in facts}
    assert by_speaker["chief executive Ines Alder"] == (
        "Chief executive Ines Alder: “Our results were strong, yet sales were below our "
        "expectations.”"
    )
    assert by_speaker["harbour master Tomas Varga"] == "Harbour master Tomas Varga: “Why now?”"
    for fact in facts:
        assert restates(fact.statement, fact.evidence), fact.statement


def test_a_quotation_that_resumes_after_its_speaker_is_still_theirs():
    text = (
        "Port Expands\n\n"
        "The port of Calder added three berths on Monday to handle larger container ships. "
        '"Calder is open for the biggest ships afloat," harbour master Ines Alder said. '
        '"The new berths cut waiting times for every line that calls here. '
        'We expect to welcome 9,000 vessels a year." '
        "Shipping lines welcomed the change, which took four years to build."
    )
    with switched_off("facts.mid-quotation"):  # each sentence its own fact
        facts = who_asserts(text, 20)
    assert facts['"The new berths cut '] == "Ines Alder"
    assert facts["We expect to welcome"] == "Ines Alder"
    assert facts["Shipping lines welco"] == "the reporter"  # the quotation has closed
    facts = who_asserts(text, 200)  # the last sentence is the whole quotation to it
    whole = '"The new berths cut waiting times for every line that calls here. We expect to'
    assert facts[f'{whole} welcome 9,000 vessels a year."'] == "Ines Alder"


FACT_CHECK = """Did the Harbour Agency Sell the Eastern Pier for $1?
Claim
The harbour agency sold the eastern pier to a shipping company for $1 last month.
Rating
False
Origin
A post shared thousands of times on Monday said the harbour agency had sold the eastern pier
for a single dollar. The agency's published accounts show no sale of the pier, and the
agency said the pier remains public property. Ines Alder, the harbour master, said the post
was "simply invented" and that the pier was closed for repairs, not sold.
"""


def test_a_fact_checks_claim_is_never_stated_as_the_reporters_fact():
    facts = brief_offline(article_from_text(FACT_CHECK)).key_facts
    claim = "The harbour agency sold the eastern pier to a shipping company for $1 last month."
    checked = next(f for f in facts if f.evidence == claim)
    assert checked.statement == f"Claim checked, rated False: “{claim}”"
    assert "rated False" in render_markdown(Briefer(engine="offline").brief(FACT_CHECK))
    with switched_off("facts.checked-claim"):
        facts = brief_offline(article_from_text(FACT_CHECK)).key_facts
        assert next(f for f in facts if f.evidence == claim).statement == claim


def test_a_claim_line_without_a_rating_is_still_the_claim_checked():
    text = FACT_CHECK.replace("Rating\nFalse\n", "")
    facts = brief_offline(article_from_text(text)).key_facts
    assert any(f.statement.startswith("Claim checked: “The harbour agency sold") for f in facts)
