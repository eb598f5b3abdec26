"""Who a source is: the speaker behind a role, an appositive or a participle, and what a
reference back (the company, the statement, a surname, a pronoun, an elided subject) stands for.

Every article here is written for these tests."""

from __future__ import annotations

import pytest

from briefer.analysis.rules import switched_off
from briefer.analysis.sourcing import (
    SourceKind,
    analyze_sourcing,
)

from .conftest import attribution_to


def test_appositive_after_a_name_is_skipped() -> None:
    text = "Lars Henningsen, head of maritime risk at Nordvik Marine, said the plan was risky."
    a = attribution_to(analyze_sourcing(text), "Lars Henningsen")
    assert a.kind is SourceKind.NAMED_PERSON
    assert text[a.start : a.end].endswith(", said")


@pytest.mark.parametrize(
    "role",
    [
        "a harbour engineer at Nordvik Marine in Tromso, Norway, and Calder College in "
        "Bergen, Norway,",
        "a 41-year-old pilot with the port authority in Tromso, Norway,",
        "president of Calder Marine, a Tromso shipping and salvage company,",
        "a pilot at Calder Marine, a Tromso salvage company,",
    ],
)
def test_a_role_with_commas_of_its_own_after_a_name_is_skipped(role: str) -> None:
    text = f'"The pier will not hold," Ines Alder, {role} said in a statement.'
    profile = analyze_sourcing(text)
    assert [a.source for a in profile.attributions] == ["Ines Alder"]
    assert profile.attributions[0].kind is SourceKind.NAMED_PERSON


def test_a_name_inside_a_phrase_before_the_role_is_no_speaker() -> None:
    text = "In an interview with Harbour Radio, the pilot, 41, said the pier would not hold."
    assert "Harbour Radio" not in [a.source for a in analyze_sourcing(text).attributions]


@pytest.mark.parametrize(
    ("text", "sources"),
    [
        ("Ines Alder testified before the harbour committee on Friday.", []),
        ("Ines Alder testified on Friday that the pier was unsafe.", ["Ines Alder"]),
        ("Ines Alder testified about a meeting at the port in July.", ["Ines Alder"]),
        ('Ines Alder testified: "The pier was unsafe."', ["Ines Alder"]),
    ],
)
def test_testifying_attributes_only_what_was_said(text: str, sources: list[str]) -> None:
    assert [a.source for a in analyze_sourcing(text).attributions] == sources


def test_a_body_described_by_a_which_clause_speaks_and_is_the_body_named_before() -> None:
    text = (
        "Calder Motors showed a new wagon at the harbour fair. The Norwegian automaker, which "
        "has turned to electric cars, says the wagon will go 300 miles on a charge."
    )
    attribution = attribution_to(analyze_sourcing(text), "The Norwegian automaker")
    assert attribution.kind is SourceKind.NAMED_ORGANIZATION


def test_a_heading_in_capitals_is_no_persons_name_to_refer_back_to() -> None:
    text = (
        "Harbour Fair Opens\n\nCALDER WAGON\n\nThe new wagon has a larger battery. Calder "
        "says it will go 300 miles on a charge."
    )
    attribution = attribution_to(analyze_sourcing(text), "Calder")
    assert attribution.refers_to is None
    assert attribution.kind is not SourceKind.NAMED_PERSON


@pytest.mark.parametrize(
    ("text", "sources"),
    [
        # the name the sentence opens with says what follows the participle
        (
            "Harbour director Ines Alder weighed in on Monday, saying that the pier was unsafe.",
            ["Harbour director Ines Alder"],
        ),
        (
            "Calder Marine closed the pier, warning that repairs could take months.",
            ["Calder Marine"],
        ),
        # whoever spoke earlier in the sentence
        (
            "Ines Alder said the pier was unsafe, adding that repairs would take months.",
            ["Ines Alder", "Ines Alder"],
        ),
        # no comma, no name, or a participle that is not speech here
        ("Without saying why, the agency closed the pier on Monday.", []),
        ("The harbour reopened on Monday, saying nothing about the repairs.", []),
        ("Harbour traffic slowed on Monday, warning of a long winter.", []),
    ],
)
def test_a_participle_of_saying_after_a_comma_is_the_subjects_word(
    text: str, sources: list[str]
) -> None:
    assert [a.source for a in analyze_sourcing(text).attributions] == sources


def test_name_given_as_the_appositive() -> None:
    text = "The company’s chief executive, Raymond Achebe, said the deal was fair."
    a = attribution_to(analyze_sourcing(text), "Raymond Achebe")
    assert a.kind is SourceKind.NAMED_PERSON


def test_which_refers_back_to_the_organisation() -> None:
    text = "The figure is disputed by the Halvorsen Taxpayers League, which estimated a lower sum."
    profile = analyze_sourcing(text)
    a = attribution_to(profile, "the Halvorsen Taxpayers League")
    assert (a.kind, a.verb) == (SourceKind.NAMED_ORGANIZATION, "estimated")
    assert [f.text for f in profile.unverified] == ["disputed"]


def test_back_references_keep_their_kind() -> None:
    profile = analyze_sourcing(
        "The fleet is growing, according to a person who asked not to be identified. "
        "The person said the list was secret. "
        "“Nobody wants this,” a European diplomat said. The diplomat added that talks go on. "
        "Two people briefed on the plans said costs rose. The people added that jobs would go. "
        "One of the people said the cuts were final."
    )
    assert attribution_to(profile, "The person").kind is SourceKind.ANONYMOUS
    assert attribution_to(profile, "The diplomat").kind is SourceKind.UNNAMED_INSTITUTION
    assert attribution_to(profile, "The people").kind is SourceKind.ANONYMOUS
    assert attribution_to(profile, "One of the people").kind is SourceKind.ANONYMOUS


BODY_REFERRED_BACK = (
    "The Calder Port Authority closed the eastern pier on Monday. The authority said it "
    "would reopen in May. Its statement said repairs would cost $4 million. "
    "The doctors said two workers were hurt. A company spokesperson who asked not to be "
    "named said the crane was old."
)


def test_a_body_referred_back_is_the_body_named_before() -> None:
    profile = analyze_sourcing(BODY_REFERRED_BACK)
    assert attribution_to(profile, "The authority").kind is SourceKind.NAMED_ORGANIZATION
    assert attribution_to(profile, "Its statement").kind is SourceKind.NAMED_ORGANIZATION
    # people, not a body; and an indefinite phrase hides who spoke
    assert attribution_to(profile, "The doctors").kind is SourceKind.UNNAMED_INSTITUTION
    spokesperson = "A company spokesperson who asked not to be named"
    assert attribution_to(profile, spokesperson).kind is SourceKind.ANONYMOUS
    with switched_off("sourcing.body-referred-back"):
        off = analyze_sourcing(BODY_REFERRED_BACK)
    assert attribution_to(off, "The authority").kind is SourceKind.UNNAMED_INSTITUTION


def test_a_body_referred_back_needs_a_name_before_it() -> None:
    profile = analyze_sourcing("The authority said the pier would reopen in May.")
    assert attribution_to(profile, "The authority").kind is SourceKind.UNNAMED_INSTITUTION


def test_a_body_brought_in_unnamed_stays_unnamed_when_referred_back() -> None:
    profile = analyze_sourcing(
        "Brisa Ports will cut 300 jobs, according to a group of dock workers. "
        "The group said the terms were unfair."
    )
    assert attribution_to(profile, "The group").kind is SourceKind.UNNAMED_INSTITUTION


def test_elided_subject_after_but_is_the_previous_source() -> None:
    text = "The person declined to name the country but said it had pledged millions of dollars."
    profile = analyze_sourcing(text)
    assert [(a.source, a.verb) for a in profile.attributions] == [
        ("The person", "declined"),
        ("The person", "said"),
    ]
    assert [f.text for f in profile.declined] == ["declined to name the country"]
    assert [f.text for f in profile.hedged] == ["millions of dollars"]


def test_elided_subject_is_not_guessed_across_a_comma() -> None:
    text = "Luhn says, Ailes filmed her and told her to keep quiet."
    assert [a.source for a in analyze_sourcing(text).attributions] == ["Luhn"]


def test_surname_refers_back_to_the_full_name() -> None:
    profile = analyze_sourcing(
        "The council voted 9-4, Mayor Denise Albright said. Albright said the vote was fair."
    )
    a = attribution_to(profile, "Albright")
    assert a.kind is SourceKind.NAMED_PERSON
    assert a.refers_to == "Denise Albright"


def test_pronoun_resolves_to_the_last_named_person() -> None:
    profile = analyze_sourcing(
        "Dana Whitlock, the port’s director, said cargo volumes fell. "
        "The harbor was quiet on Friday. "
        "She said the decline would ease."
    )
    a = attribution_to(profile, "She")
    assert a.kind is SourceKind.NAMED_PERSON
    assert a.refers_to == "Dana Whitlock"


def test_pronoun_too_far_from_any_name_is_skipped() -> None:
    profile = analyze_sourcing(
        "Dana Whitlock said cargo fell. The harbor was quiet. Ships waited. Crews rested. "
        "She said the decline would ease."
    )
    assert [a.source for a in profile.attributions] == ["Dana Whitlock"]


def test_pronoun_is_never_anonymous() -> None:
    profile = analyze_sourcing(
        "People familiar with the matter said the deal was close. They said it could be signed "
        "this week. He said nothing more."
    )
    assert [a.source for a in profile.attributions] == ["People familiar with the matter"]


def test_it_resolves_to_an_organisation() -> None:
    profile = analyze_sourcing(
        "Cardinal Coachworks said it would hire drivers. It said recruiting starts in May."
    )
    a = attribution_to(profile, "It")
    assert a.kind is SourceKind.NAMED_ORGANIZATION
    assert a.refers_to == "Cardinal Coachworks"
