"""Page furniture and datelines never become key facts; the lede leads the key facts.

Every article here is written for these tests.
"""

from __future__ import annotations

from unittest import mock

import pytest

from briefer.analysis.rules import switched_off
from briefer.engines.offline import brief_offline
from briefer.engines.offline import facts as offline_facts
from briefer.engines.offline.quoted import single_quotations
from briefer.inputs.article import article_from_text
from briefer.text import sentences
from briefer.text.furniture import _CONTACT, dateline_end, story_sentences, without_inline


def story(text: str) -> list[str]:
    return [s.text for s in story_sentences(text, sentences(text))]


def ranked_among(text: str, *candidates: str) -> list[str]:
    """The candidate sentences in the order the key facts rank them (every sentence ranked)."""
    with mock.patch.object(offline_facts, "MIN_FACTS", offline_facts.MAX_FACTS):
        facts = [f.evidence for f in brief_offline(article_from_text(text)).key_facts]
    return [f for f in facts if f in candidates]


def statements(text: str) -> list[str]:
    return [f.statement for f in brief_offline(article_from_text(text)).key_facts]


@pytest.mark.parametrize(
    ("opening", "story_starts"),
    [
        ("WASHINGTON — The harbour agency", "The harbour agency"),
        ("WASHINGTON (Reuters) - The harbour agency", "The harbour agency"),
        ("SALT LAKE CITY, Utah – The harbour agency", "The harbour agency"),
        ("(Reuters) — The harbour agency", "The harbour agency"),
        ("Portsmouth (CNN)The harbour agency", "The harbour agency"),
        ("LONDON, Nov 18 (Reuters) - The harbour agency", "The harbour agency"),
        ("Portsmouth, Oregon, United States: The harbour agency", "The harbour agency"),
    ],
)
def test_a_dateline_is_cut_from_the_front_of_the_story(opening, story_starts):
    text = f"{opening} closed the eastern pier on Monday after a crane collapsed."
    start = dateline_end(text, 0, len(text))
    assert text[start:].startswith(story_starts)


@pytest.mark.parametrize(
    "sentence",
    [
        "He said - and meant it - that the pier would reopen.",
        "Dock workers - about 40 of them - walked out on Monday.",
        "The harbour agency closed the eastern pier on Monday.",
        "Ines Alder, the harbour master: The pier will reopen.",
    ],
)
def test_a_sentence_that_merely_holds_a_dash_keeps_its_opening(sentence):
    assert dateline_end(sentence, 0, len(sentence)) == 0


def test_video_prompts_captions_and_datelines_never_become_facts():
    text = (
        "Crane Collapse Closes Pier\n\n"
        "PORTSMOUTH, Ore. (AP) — A crane collapsed onto the eastern pier at Portsmouth "
        "harbour on Monday, injuring two dock workers and halting all cargo traffic.\n\n"
        "Scroll down for video Twisted metal: The crane lies across the pier on Monday "
        "afternoon The harbour agency said the pier would stay shut for at least a week "
        "while engineers check its foundations.\n\n"
        "Harbour master Ines Alder (pictured) said the crane had passed an inspection in "
        "March.\n\n"
        "Share this article\n\n"
        "The two injured workers were taken to St Agnes hospital with broken bones.\n\n"
        "Shipping lines diverted four container vessels to the northern terminal. - Harbour "
        "Fees Rise Again - Ferry Strike Ends After Two Days"
    )
    facts = statements(text)
    said = " ".join(facts)
    assert facts[0].startswith("A crane collapsed onto the eastern pier")
    assert "PORTSMOUTH" not in said and "(AP)" not in said
    assert "Scroll down" not in said and "Twisted metal" not in said
    assert "(pictured)" not in said and "Share this" not in said
    assert "Ferry Strike" not in said
    assert any(f.startswith("The harbour agency said the pier would stay shut") for f in facts)
    kept = story(text)
    assert "Shipping lines diverted four container vessels to the northern terminal." in kept
    assert not any("Share this" in s or "Twisted metal" in s for s in kept)


def test_every_evidence_is_still_a_verbatim_span_after_cutting():
    text = (
        "Pier Closed\n\n"
        "WASHINGTON — The harbour agency closed the eastern pier on Monday after a crane "
        "collapsed. Scroll down for video Wreck: Workers inspect the crane (left) on Monday "
        "The agency said repairs would cost about $4 million and take a month."
    )
    for fact in brief_offline(article_from_text(text)).key_facts:
        assert fact.evidence in text
        assert "WASHINGTON" not in fact.evidence and "Scroll down" not in fact.evidence


def test_a_line_that_is_only_a_dateline_byline_or_time_stamp_is_no_sentence():
    text = (
        "HAYWARD, Calif.\n\nStaff Reports\n\n10 p.m.\n\n5:45 AM PST 11/19/2026 by Ines Alder\n\n"
        "Nov. 19, 2026\n\n"
        "The harbour agency closed the eastern pier on Monday after a crane collapsed."
    )
    assert story(text) == [
        "The harbour agency closed the eastern pier on Monday after a crane collapsed."
    ]


def test_a_ticker_and_a_photo_mark_are_left_out_of_a_statement_not_the_evidence():
    sentence = "Asian shares .MIAPJ0000PUS rose 0.3% as Ines Alder (pictured) spoke on Monday."
    assert without_inline(sentence) == "Asian shares rose 0.3% as Ines Alder spoke on Monday."
    sentence = "Harbour crude HCc1 fell 2% and the krona SEK= held, while futures NKc1 rose."
    assert (
        without_inline(sentence) == "Harbour crude fell 2% and the krona held, while futures rose."
    )


@pytest.mark.parametrize(
    "mark", ["(pictured left to right)", "(pictured here)", "(pictured, second left)"]
)
def test_where_a_photo_shows_someone_is_left_out_of_a_statement(mark):
    sentence = f"The three harbour pilots {mark} Ines Alder, Tomas Varga and Ana Ruiz steered it."
    assert without_inline(sentence) == (
        "The three harbour pilots Ines Alder, Tomas Varga and Ana Ruiz steered it."
    )


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "The ferry left at noon. Read more about the ferry strike The union said talks "
            "would resume on Monday.",
            ["The ferry left at noon.", "The union said talks would resume on Monday."],
        ),
        # where the link ends does not show: the glued sentence goes with it
        (
            "The ferry left at noon. More on this story and other news in Calder Varga said "
            "the crossing was rough.",
            ["The ferry left at noon."],
        ),
        # a fragment before the link is no sentence
        (
            "The ferry companies are: Read more about the fleet The union said talks would "
            "resume on Monday.",
            ["The union said talks would resume on Monday."],
        ),
        # text run into a sentence with no full stop: the seam shows where the sentence starts
        # a caption glued on, however short the "sentence" it makes
        (
            "Ines Alder outside the harbour court yesterday, where she was fined The "
            "harbour pilot has lost her licence for a year.",
            ["The harbour pilot has lost her licence for a year."],
        ),
        # a byline run into the story
        (
            "By Tomas Varga, transport correspondent The ferry strike ended on Monday "
            "after two days.",
            ["The ferry strike ended on Monday after two days."],
        ),
        # a video prompt run into the story
        (
            "Media playback is not supported on this device The crew finished second "
            "after a late error.",
            ["The crew finished second after a late error."],
        ),
        (
            "Media playback is not supported on this device It was a tense final for the crew.",
            ["It was a tense final for the crew."],
        ),
        # the prompt before a name or a quotation, where no seam shows
        (
            'Media playback is unsupported on your device Varga, 23, won on points. "It was '
            'close," he said.',
            ["Varga, 23, won on points.", '"It was close," he said.'],
        ),
        # a video's time stamp, and an embed's notice, run into the story
        (
            "3 March 2026 Last updated at 08:07 GMT The crew finished second after a late error.",
            ["The crew finished second after a late error."],
        ),
        (
            "The ferry left at noon. This content will not work on your device, please check "
            "Javascript and cookies are enabled or update your browser",
            ["The ferry left at noon."],
        ),
        # a page's note on reading it elsewhere, and a promotion of another page
        (
            "The ferry left at noon. If you are reading this page on the Harbour News app, "
            "you will need to visit our website to send a question. Find all the latest "
            "ferry times on our dedicated page. The union said talks would resume.",
            ["The ferry left at noon.", "The union said talks would resume."],
        ),
        # a pointer to other pages
        (
            "The ferry left at noon. For a primer on ferry strikes, see our guide to the "
            "union's demands. The union said talks would resume.",
            ["The ferry left at noon.", "The union said talks would resume."],
        ),
        # a label that points to audio, run into the story as a caption's label is
        (
            "Listen: Harbour pilots on the night the crane fell The union said talks would "
            "resume on Monday.",
            ["The union said talks would resume on Monday."],
        ),
        # a caption standing alone between sentences, its label in sentence case
        (
            "The ferry left at noon. Rough crossing: The ferry Calder Star rolled in the swell "
            "on Monday. The union said talks would resume.",
            ["The ferry left at noon.", "The union said talks would resume."],
        ),
        # a title's colon, or a place's, is no caption's label
        (
            "Tide of an Empire: The Story of the Harbour opens on Friday. Vale of Calder: "
            "The council said the pier would reopen.",
            [
                "Tide of an Empire: The Story of the Harbour opens on Friday.",
                "Vale of Calder: The council said the pier would reopen.",
            ],
        ),
        # the reporter's address and handle at the foot of the story
        (
            "Ferry fares will rise 4% next year. tomas.varga@harbour-news.example "
            "twitter.com/tomasvarga.",
            ["Ferry fares will rise 4% next year."],
        ),
        (
            "Tomas Varga leaves the harbour court on Monday In a statement the agency said "
            "the pier would reopen.",
            ["In a statement the agency said the pier would reopen."],
        ),
        # more words that open sentences and never a name: "Some", "Many", "After", "During"
        (
            "Dock workers cheer as the crane is lifted clear Some of them had waited all night "
            "for news.",
            ["Some of them had waited all night for news."],
        ),
        (
            "Ines Alder at the harbour court on Monday During the hearing the agency said the "
            "pier would reopen.",
            ["During the hearing the agency said the pier would reopen."],
        ),
    ],
)
def test_a_link_or_a_caption_glued_to_a_sentence_is_cut_out(text, kept):
    assert story(text) == kept


def test_the_address_pattern_starts_only_where_a_token_starts():
    # Else a long run of letters is read again from each of its letters: quadratic time.
    text = "x" * 40 + "tomas@harbour.example twitter.com/tomasvarga."
    assert _CONTACT.search(text) is not None
    assert _CONTACT.search(text, 10) is None  # never from inside the token


def test_related_headlines_on_lines_of_their_own_are_cut_from_the_sentence_before():
    text = (
        "The agency expects to pick four finalists early next year.\n"
        "- Harbour Cranes: Where the New Fleet Will Dock\n"
        "- Ferry Strike Ends After Two Days\n"
        "Editor's note: This story was updated to add the agency's statement."
    )
    assert story(text) == ["The agency expects to pick four finalists early next year."]


def test_a_bulleted_list_of_the_story_itself_is_kept():
    text = (
        "The plan has three parts.\n"
        "- the agency will hire 40 inspectors by June\n"
        "- ferries will run every hour at night"
    )
    kept = " ".join(story(text))
    assert "hire 40 inspectors" in kept and "every hour at night" in kept


def test_a_title_in_capitals_after_a_preposition_is_not_a_glued_caption():
    text = (
        "A sailor who helped sink a smuggling ring on the northern coast of the island in "
        "the winter of 1987 was honoured in The Harbour Gazette alongside the crew of the "
        "lifeboat that brought the smugglers in, and then spoke to cadets at the academy."
    )
    assert story(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "The pilots said the harbour fire was first reported by The local paper on Monday.",
        "The harbour police seized two bags of Class A drugs and a boat on Monday night.",
    ],
)
def test_a_capital_after_a_verb_of_naming_or_a_label_is_no_seam(text):
    assert story(text) == [text]


def test_the_lede_leads_the_key_facts_not_a_question_or_a_quotation():
    text = (
        "Pier Closed\n\n"
        "What happens when a harbour loses its busiest pier? "
        "“We have never seen anything like it,” said one dock worker. "
        "The harbour agency closed the eastern pier on Monday after a crane collapsed onto "
        "it, injuring two dock workers. "
        "Engineers will inspect the pier's foundations later this week. "
        "Cargo ships were diverted to the northern terminal, which handled 40 vessels. "
        "Harbour master Ines Alder said repairs would cost about $4 million. "
        "The agency last closed a pier in 2011, for three days, after a storm."
    )
    with mock.patch.object(offline_facts, "MIN_FACTS", offline_facts.MAX_FACTS):  # all ranked
        facts = statements(text)
    assert facts[0].startswith("The harbour agency closed the eastern pier")
    assert facts[1].startswith("Engineers will inspect")
    assert facts[2].startswith("Cargo ships were diverted")


def test_a_run_on_sentence_ranks_below_a_readable_one_after_the_lede():
    run_on = (
        "Divers inspected the hull on Tuesday and found two cracks near the stern which the "
        "owners said had been repaired in 2019 although records held by the port show no such "
        "repair and the insurer has asked for the logs of every voyage since then while the crew "
        "waits in the town for word on when they may sail again with the cargo still aboard."
    )
    text = (
        "Tanker Held\n\n"
        "Port officials in Calder held a tanker on Monday after its crew reported a leak. "
        "The ship was carrying 40,000 tonnes of diesel bound for three northern terminals. "
        "No fuel reached the water, the harbour master said in a statement on Monday night. "
        f"{run_on} "
        "The owners, Marlow Shipping, said the inspection of the hull would take 10 days."
    )
    with mock.patch.object(offline_facts, "MIN_FACTS", offline_facts.MAX_FACTS):  # all ranked
        facts = [f.evidence for f in brief_offline(article_from_text(text)).key_facts]
    assert facts.index(
        "The owners, Marlow Shipping, said the inspection of the hull would take 10 days."
    ) < (facts.index(run_on) if run_on in facts else len(facts))


@pytest.mark.parametrize(
    ("rule", "middle", "earlier", "later"),
    [
        # a paragraph's first sentence above one inside a paragraph
        (
            "facts.paragraph-opening",
            "Engineers will inspect the foundations of the pier later this week.\n\n"
            "Cargo ships were diverted to the northern terminal on Monday night. {earlier}"
            "\n\n{later}",
            "Ferry crossings to the islands were moved to the western quay for the week.",
            "Fishing boats were told to unload their catch at the southern slipway until then.",
        ),
        # what will happen next above background
        (
            "facts.what-next",
            "The crane had been bought second-hand from a yard in the south in the spring."
            "\n\n{earlier}\n\n{later}",
            "Cargo ships bound for the pier were sent to the northern terminal overnight.",
            "Engineers will inspect the foundations of the pier before it can reopen.",
        ),
    ],
)
def test_a_ranking_rule_puts_a_later_sentence_first(rule, middle, earlier, later):
    text = (
        "Pier Closed\n\n"
        "The harbour agency closed the eastern pier on Monday after a crane collapsed onto it.\n\n"
        "Two dock workers were taken to hospital with minor injuries, the agency said.\n\n"
        f"{middle.format(earlier=earlier, later=later)}\n\n"
        "The agency last closed a pier after a storm, for three days."
    )
    assert ranked_among(text, earlier, later) == [later, earlier]
    with switched_off(rule):  # what the rule changes: place alone puts the earlier one first
        assert ranked_among(text, earlier, later) == [earlier, later]


def test_a_year_is_no_figure_that_lifts_a_sentence():
    earlier = "Cargo ships bound for the pier were sent to the northern terminal overnight."
    later = "The pier was built in 1998, rebuilt in 2009 and refitted in 2016 by its makers."
    text = (
        "Pier Closed\n\n"
        "The harbour agency closed the eastern pier on Monday after a crane collapsed onto it.\n\n"
        "Two dock workers were taken to hospital with minor injuries, the agency said.\n\n"
        "Engineers are checking the foundations of the pier and the other cranes.\n\n"
        f"{earlier}\n\n{later}\n\n"
        "The agency last closed a pier after a storm, for three days."
    )
    assert ranked_among(text, earlier, later) == [earlier, later]
    with switched_off("facts.years-are-dates"):  # two years counted as figures lift it
        assert ranked_among(text, earlier, later) == [later, earlier]


def test_a_sentence_speaking_to_the_reader_never_leads():
    hook = "If you live near the harbour, chances are you heard the crane fall last night."
    text = (
        "Pier Closed\n\n"
        f"{hook}\n\n"
        "The harbour agency closed the eastern pier on Monday after the crane collapsed.\n\n"
        "Two dock workers were taken to hospital with minor injuries, the agency said.\n\n"
        "Engineers will inspect the foundations of the pier before it can reopen."
    )
    facts = [f.evidence for f in brief_offline(article_from_text(text)).key_facts]
    assert facts[0].startswith("The harbour agency closed") and hook not in facts[:3]
    with switched_off("facts.reader-address"):
        facts = [f.evidence for f in brief_offline(article_from_text(text)).key_facts]
        assert facts[0] == hook  # what the rule changes


@pytest.mark.parametrize(
    "sentence",
    [
        '"If you want the pier open, you pay for it," the harbour master said on Monday.',
        "The band played Ten Things I Hate About You at the reopening of the harbour.",
    ],
)
def test_a_quotation_or_a_title_saying_you_is_not_the_reporter_speaking(sentence):
    assert not offline_facts._addresses_reader(sentence)


def test_the_generic_your_of_news_is_not_words_to_the_reader():
    sentence = "Living near the harbour means your house is worth more, according to a study."
    assert not offline_facts._addresses_reader(sentence)


def _evidence_and_statements(text: str) -> list[tuple[str, str, str]]:
    with mock.patch.object(offline_facts, "MIN_FACTS", offline_facts.MAX_FACTS):  # all ranked
        facts = brief_offline(article_from_text(text)).key_facts
    return [(f.evidence, f.statement, f.attribution) for f in facts]


def test_a_sentence_inside_a_quotation_is_the_whole_quotation_with_its_speaker():
    text = (
        "Harbour Ice\n\n"
        "The harbour at Calder froze over on Monday for the first time in forty years, "
        "stranding 12 fishing boats at the eastern quay.\n\n"
        '"Cheap land and a deep channel are easy to find here. But open water in winter is '
        'getting very hard to find on this coast," harbour master Ines Alder said.\n\n'
        "Icebreakers from the northern fleet will arrive on Thursday to clear the channel.\n\n"
        "The boats carry about 300 tonnes of fish that will spoil within a week."
    )
    fragment = "But open water in winter is getting very hard to find on this coast"
    facts = _evidence_and_statements(text)
    assert not any(evidence.startswith("But open water") for evidence, _, _ in facts)
    quoted = [fact for fact in facts if fragment in fact[0]]
    assert quoted == [
        (
            '"Cheap land and a deep channel are easy to find here. But open water in winter is '
            'getting very hard to find on this coast," harbour master Ines Alder said.',
            'Ines Alder: "Cheap land and a deep channel are easy to find here. But open water '
            'in winter is getting very hard to find on this coast."',
            "Ines Alder",
        )
    ]
    with switched_off("facts.mid-quotation"):  # the fragment alone, as the sentence splits it
        facts = _evidence_and_statements(text)
    assert any(evidence.startswith("But open water") for evidence, _, _ in facts)


def test_a_sentence_inside_a_long_quotation_is_left_out():
    middle = (
        "The channel has silted up twice since the spring and the dredger is booked until "
        "the autumn."
    )
    text = (
        "Harbour Ice\n\n"
        "The harbour at Calder froze over on Monday for the first time in forty years, "
        "stranding 12 fishing boats at the eastern quay.\n\n"
        "“Cheap land and a deep channel used to be what brought the fleets to this harbour "
        "every winter, and the town grew up around the quays because of them. "
        f"{middle} We cannot promise open water to anyone now,” harbour master Ines Alder said."
        "\n\nIcebreakers from the northern fleet will arrive on Thursday to clear the channel."
        "\n\nThe boats carry about 300 tonnes of fish that will spoil within a week."
    )
    facts = _evidence_and_statements(text)
    assert not any(middle in evidence for evidence, _, _ in facts)
    with switched_off("facts.mid-quotation"):
        assert any(evidence == middle for evidence, _, _ in _evidence_and_statements(text))


def test_a_stray_quotation_mark_leaves_the_sentences_after_it_facts():
    after = "Icebreakers from the northern fleet will arrive on Thursday to clear the channel."
    text = (
        "Harbour Ice\n\n"
        "The harbour at Calder froze over on Monday for the first time in forty years, "
        'stranding 12 fishing boats at the "eastern quay. '
        f"{after} The boats carry about 300 tonnes of fish that will spoil within a week,"
        '" a crane driver said. He added: "No more.'
    )
    # Three marks in the paragraph: which two pair up is not clear, so no sentence is taken
    # for the inside of a quotation.
    assert any(evidence == after for evidence, _, _ in _evidence_and_statements(text))


def test_a_sentence_inside_a_quotation_in_single_marks_is_no_fact_alone():
    middle = "This is where I want to be in a few years, sailing with the fleet."
    text = (
        "Regatta Ends\n\n"
        "The Calder regatta ended on Sunday after three days of racing in strong winds, with "
        "40 boats from six countries on the water. "
        "'It was a great week but a very hard one,' said the skipper Ines Alder. "
        "'Every time you race against the best crews you take something away. "
        f"{middle}' The harbour agency will decide in March whether the regatta returns "
        "next year, a spokesman said."
    )
    facts = _evidence_and_statements(text)
    assert not any(evidence == middle + "'" for evidence, _, _ in facts)
    assert (
        "'Every time you race against the best crews you take something away. " + middle + "'",
        "a quoted speaker",
    ) in [(evidence, who) for evidence, _, who in facts]
    with switched_off("facts.mid-quotation"):
        assert any(evidence == middle + "'" for evidence, _, _ in _evidence_and_statements(text))


def test_single_quotations_are_not_apostrophes_and_may_run_on_into_the_next_paragraph():
    text = (
        "The players' union met in the 'Eighties club. It was full. "
        "'We are ready. We sail at dawn,' "
        "Alder said. 'We are ready. We sail at dawn. "
        "'And we will win.' Rock 'n' roll, she said.\n"
        "He said: \"Fine.\" And 'Yes. No.'"
    )
    found = [text[start:end] for start, end in single_quotations(text)]
    assert found == [
        "'We are ready. We sail at dawn,'",
        "'We are ready. We sail at dawn. ",
        "'And we will win.'",
    ]


def test_a_whole_quotation_brought_in_by_its_speaker_is_theirs():
    text = (
        "Harbour Ice\n\n"
        "The harbour at Calder froze over on Monday for the first time in forty years, "
        "stranding 12 fishing boats at the eastern quay.\n\n"
        'Harbour master Ines Alder said: "The ice came early this year. We have never seen '
        'the channel close in November."\n\n'
        "Icebreakers from the northern fleet will arrive on Thursday to clear the channel."
    )
    facts = _evidence_and_statements(text)
    assert (
        '"The ice came early this year. We have never seen the channel close in November."',
        'Ines Alder: "The ice came early this year. We have never seen the channel close in '
        'November."',
        "Ines Alder",
    ) in facts


def test_a_statement_that_ends_with_a_single_closing_mark_takes_no_second_full_stop():
    text = (
        "Regatta Ends\n\n"
        "The Calder regatta ended on Sunday after three days of racing in strong winds.\n\n"
        "The winning skipper, Ines Alder, told the crowd at the quay: 'We came here to race "
        "in the worst weather of the year and we will come back next year.'\n\n"
        "The harbour agency will decide in March whether the regatta returns next year."
    )
    statements = [statement for _, statement, _ in _evidence_and_statements(text)]
    assert any(s.endswith("come back next year.'") for s in statements)
