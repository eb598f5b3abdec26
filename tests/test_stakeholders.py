"""Finding the parties to a story: each rule of news writing the stakeholder finder follows."""

from __future__ import annotations

import pytest

from briefer.analysis.stakeholders import find_stakeholders
from briefer.engines.offline import brief_offline
from briefer.inputs.article import article_from_text
from briefer.schema import StakeholderKind


def kinds(text: str) -> dict[str, StakeholderKind]:
    """The stakeholders found in `text`, by name."""
    return {e.name: e.kind for e in find_stakeholders(text)}


# --- a person only with a sign of a person ---------------------------------------------------


def test_two_capitalised_words_are_a_person_only_with_a_sign_of_one():
    text = (
        "Lander Plans\n\nThe results appear in the journal Nature Letters this week. "
        "Blue Horizon will fly its Skylark lander in 2027, and Blue Horizon's Skylark is ready."
    )
    found = kinds(text)
    assert "Nature Letters" not in found  # named, never acting: left out
    assert "Lander Plans" not in found  # a headline's words
    assert found["Blue Horizon"] is StakeholderKind.ORGANIZATION  # acts, no sign of a person


@pytest.mark.parametrize(
    ("text", "things", "people"),
    [
        # "which" is never written of a person; "the story of X, which" is the story's
        (
            "Lander Plans\n\nThe agency is building a probe called Harbour Lantern, which is "
            "scheduled to launch in 2027. Lantern will orbit the moon. The story of Tolu "
            "Adewale, which the paper told in May, is another matter; Adewale said the probe "
            "was sound.",
            ["Harbour Lantern"],
            ["Tolu Adewale"],
        ),
        # a bare name after a determiner is a modifier ("the new Lights film"); an honour
        # opening a name is a sign of a person
        (
            "Film Plans\n\nThe studio will make a fifth Harbour Lights film next year, and the "
            "new Lights film will open in May. Dame Ines Alder will direct it, and Sir Tomas "
            "Varga will produce.",
            ["Harbour Lights"],
            ["Dame Ines Alder", "Sir Tomas Varga"],
        ),
    ],
)
def test_what_is_and_is_not_a_sign_of_a_person(text, things, people):
    found = kinds(text)
    assert all(found.get(name) is not StakeholderKind.PERSON for name in things)
    assert all(found.get(name) is StakeholderKind.PERSON for name in people)


def test_the_signs_of_a_person():
    text = (
        "Lander Plans\n\nThe results appear in the journal Nature Letters this week. "
        "Karen Osei said the lander was sound. Study co-author Tolu Adewale agreed, "
        "as did Ngozi Bello, 41, and Chidi Okafor, who runs the lab. The agency hired "
        "Emeka Obi on Monday; Obi starts in May. Sens. Karen Osei and Femi Ade have "
        "struggled. Voters cheered Keith Moss, Norland center Ifeoma Chukwu."
    )
    found = kinds(text)
    assert "Nature Letters" not in found
    for name in ("Karen Osei", "Tolu Adewale", "Ngozi Bello", "Chidi Okafor", "Emeka Obi"):
        assert found[name] is StakeholderKind.PERSON, name  # given name, role, age, who, surname
    assert found["Femi Ade"] is StakeholderKind.PERSON  # listed with a person
    assert found["Ifeoma Chukwu"] is StakeholderKind.PERSON  # listed, with a role between


def test_initials_open_a_name_and_an_observatory_is_an_organisation():
    text = (
        "Plumes Seen\n\nAstronomers used the W. M. Orly Observatory in Hawaii. "
        "The W. M. Orly Observatory said the data were clear."
    )
    found = kinds(text)
    assert found["W. M. Orly Observatory"] is StakeholderKind.ORGANIZATION
    assert "M. Orly Observatory" not in found


# --- where one name ends and the next begins --------------------------------------------------


def test_a_nationality_before_each_of_two_names_is_not_part_of_either():
    text = (
        "Hostages Freed\n\nAmerican Kevin King and Australian Timothy Weeks were freed on "
        "Tuesday. King and Weeks were taken in 2016."
    )
    found = kinds(text)
    assert found["Kevin King"] is StakeholderKind.PERSON  # "King" is his name, not a title
    assert found["Timothy Weeks"] is StakeholderKind.PERSON
    assert not any(name.startswith(("American", "Australian")) for name in found)


def test_a_persons_name_ends_before_and():
    text = (
        "Players Banned\n\nThe league suspended Norland end Keith Moss and Harbor center "
        "Ifeoma Chukwu on Friday."
    )
    found = kinds(text)
    assert found["Keith Moss"] is StakeholderKind.PERSON
    assert found["Ifeoma Chukwu"] is StakeholderKind.PERSON  # listed with Keith Moss


# --- a group is a party when it acts or speaks ------------------------------------------------


def test_a_group_only_ever_acted_upon_is_not_a_stakeholder():
    text = (
        "Plant Cuts Jobs\n\nSales fell as automakers sweeten deals, and dealers shouldn’t "
        "worry, an analyst said. The Norland plant laid off 300 workers on Monday and will "
        "hire workers again in May."
    )
    found = kinds(text)
    assert "workers" not in found  # only ever an object
    assert found["automakers"] is StakeholderKind.GROUP  # the subject after "as"
    assert found["dealers"] is StakeholderKind.GROUP  # "shouldn't worry"


# --- kinds in the brief -----------------------------------------------------------------------


def test_a_function_a_firm_can_have_does_not_make_a_one_word_name_a_person():
    text = (
        "Office Group Cuts Jobs\n\nDeskNest will cut 2,000 jobs, the company said. "
        "BrightVest, its largest investor, approved the plan on Monday. BrightVest said the "
        "cuts were needed."
    )
    stakeholders = {s.name: s for s in brief_offline(article_from_text(text)).stakeholders}
    assert stakeholders["BrightVest"].kind is not StakeholderKind.PERSON
    assert stakeholders["BrightVest"].role == "its largest investor"


def test_a_body_that_lists_its_fields_is_one_name():
    text = (
        "Solar Plan\n\nThe Ministry of Trade, Industry and Energy said on Monday that module "
        "costs would fall. The Ministry of Trade, Industry and Energy set a 2030 target."
    )
    found = kinds(text)
    assert found["Ministry of Trade, Industry and Energy"] is StakeholderKind.GOVERNMENT
    assert "Industry and Energy" not in found and "Ministry of Trade" not in found


def test_a_body_an_organisation_owns_is_a_party_of_its_own():
    text = (
        "Plumes Seen\n\nKaren Osei, a planetary scientist at VSA's Tarn Space Flight Center, "
        "said the plumes were real. VSA said more flights would follow. Officials spoke at "
        "Norway's Labour Party headquarters."
    )
    found = kinds(text)
    assert found["Tarn Space Flight Center"] is StakeholderKind.ORGANIZATION
    assert "VSA" in found
    assert "Labour Party" not in found  # a setting, and a modifier of "headquarters"


# --- a place is a party, not a setting --------------------------------------------------------


def test_places_in_an_address_or_a_list_of_examples_are_settings():
    text = (
        "Coach Hired\n\nThe club hired a coach who won titles in four countries (Chile, "
        "Peru, Uruguay and Bolivia) and has worked in Ecuador, Paraguay and Colombia. "
        "The data came from a supercomputer in Lyon, France, the club said. Whether Ghana "
        "and Kenya would agree was unclear. Separately, Norway's output rose."
    )
    found = kinds(text)
    for setting in ("Chile", "Peru", "Uruguay", "Bolivia", "Paraguay", "Colombia", "France"):
        assert setting not in found, setting
    assert {"Ghana", "Kenya", "Norway"} <= set(found)  # a list that acts; after an adverb


def test_a_persons_name_ends_before_of_and_their_workplace():
    text = (
        "Plumes Seen\n\nThe map was drawn by Karen Osei of the VSA and planetary scientist "
        "Ngozi Bello of NASA. The VSA said it would publish the data, and NASA agreed."
    )
    found = kinds(text)
    assert found["Karen Osei"] is StakeholderKind.PERSON
    assert found["Ngozi Bello"] is StakeholderKind.PERSON
    assert not any(" of " in name for name in found)


def test_a_hyphenated_newspaper_is_the_press_and_its_city_is_not_the_paper():
    text = (
        'Fight Fines\n\nCalder fined two players on Friday. "We lost," the captain said, '
        "via Karen Osei of the Calder Post-Gazette. Calder will appeal, and Calder said more."
    )
    found = {e.name: e for e in find_stakeholders(text)}
    assert "Karen Osei" not in found  # the reporter the quote came through
    assert "Calder Post-Gazette" not in found  # the press, named once
    assert "Calder" in found  # the team, not the paper's short name


def test_a_persons_initials_stand_for_a_given_name_and_a_countrys_do_not():
    text = (
        "The first two films were directed by J.J. Abrams. Abrams later produced the third. "
        "The U.S. Navy said the ship sailed on time."
    )
    found = {e.name: e.kind for e in find_stakeholders(text)}
    assert found["J.J. Abrams"] is StakeholderKind.PERSON and "Abrams" not in found
    assert found["U.S. Navy"] is StakeholderKind.GOVERNMENT


def test_a_body_ends_at_its_suffix_before_and_but_a_name_of_two_trades_is_one():
    text = (
        "Buyers include the Norvik Group and Tessel Solar Works parent Tessel Holdings. "
        "Norvik Group said orders rose. Separately, Calder Oil and Gas said it would drill. "
        "Calder Oil and Gas declined to say where."
    )
    found = {e.name for e in find_stakeholders(text)}
    assert "Norvik Group" in found and not any(" and Tessel" in name for name in found)
    assert "Calder Oil" not in found and "Gas" not in found  # one name, never two halves


def test_the_market_heard_speaking_is_a_group_of_analysts_not_a_street():
    from briefer.analysis.sourcing import analyze_sourcing

    text = (
        "Harbor Freight reported $2.53 a share on Tuesday. Wall Street predicted $2.52 a share. "
        "Shares rose 2% by noon, and the results look fine, according to Wall Street."
    )
    cited = [a.source for a in analyze_sourcing(text).attributions]
    found = {e.name: e for e in find_stakeholders(text, cited=cited)}
    assert found["Wall Street"].kind is StakeholderKind.GROUP
    assert len(found["Wall Street"].mentions) == 2
    quiet = "Tourists walked down Wall Street on Tuesday. The shops on Wall Street were shut."
    assert "Wall Street" not in {e.name for e in find_stakeholders(quiet)}


def test_a_month_or_a_weekday_after_a_given_name_is_a_surname():
    text = (
        "Vote Called\n\nPrime Minister Helen May said on Friday that the vote would be held "
        "on 9 June. Mrs May said the date was final. The striker Robin Friday, who scored "
        "twice in May, said he would vote."
    )
    found = {e.name: e for e in find_stakeholders(text)}
    assert found["Helen May"].kind is StakeholderKind.PERSON
    assert found["Helen May"].title == "Prime Minister"
    assert len(found["Helen May"].mentions) == 2  # "Mrs May" is the same person
    assert found["Robin Friday"].kind is StakeholderKind.PERSON
    assert not any(name in found for name in ("Helen", "Robin", "June", "May"))


def test_a_persons_name_ends_before_for_when_another_person_follows():
    text = (
        "Call Renewed\n\nThe MP backs calls from party leader Ruth Okafor for Helen May to "
        "change course. Ms Okafor said so on Monday, and Mrs May said she would listen. The "
        "Assisted Dying for the Terminally Ill Bill was not discussed."
    )
    found = kinds(text)
    assert found["Ruth Okafor"] is StakeholderKind.PERSON
    assert found["Helen May"] is StakeholderKind.PERSON
    assert not any(" for Helen" in name or name == "Assisted Dying" for name in found)


def test_a_single_word_that_says_he_or_she_is_a_person():
    text = (
        "Second Round\n\nOkafor lost in the second round on Monday. Okafor said he would play "
        "again next week, and Okafor said the court was slow. Calderbank said it expected "
        "growth, and Calderbank said its forecast held."
    )
    found = kinds(text)
    assert found["Okafor"] is StakeholderKind.PERSON
    assert found["Calderbank"] is StakeholderKind.ORGANIZATION  # "it", "its": a body


def test_a_place_before_a_name_with_a_particle_is_not_part_of_it():
    text = (
        "Talks Paused\n\nThe talks were paused, UN envoy to Peru Luis de Mira said. "
        "Mr de Mira said the parties would meet again, and Luis de Mira told the UN so."
    )
    found = kinds(text)
    assert found["Luis de Mira"] is StakeholderKind.PERSON
    assert "Peru Luis de Mira" not in found


# Words next to a name that are not part of it: (article, names found, words in no name).
NOT_PART_OF_A_NAME = [
    pytest.param(
        "Cup Draw\n\nCalder Rovers host Aldwick on Saturday (15:00 BST) and Bury on Tuesday "
        "(19:45 BST), then travel on Monday (19:45 BST and Sunday 23 October) and on Friday "
        "(20:00 BST and Sunday 30 October). The kick-off is at 3pm GMT, "
        "Calder Rovers said, and Calder Rovers said the 12 EU states' fans were welcome. BT "
        "said it would show the game. BT said so twice.",
        ["Calder Rovers", "BT"],  # a company's initials, with no clock time before them
        ["BST", "GMT"],
        id="a time zone after a clock time",
    ),
    pytest.param(
        "Rovers Win\n\nMatch ends, Aldwick Town 0, Calder Rovers 3. Second Half ends, Aldwick "
        "Town 0, Calder Rovers 3. Calder Rovers said the win was deserved, and Aldwick Town "
        "said it would appeal. The Calder City Council 13-week strike ended. Calder City "
        "Council said so, and Unite Local 417 said it agreed. Local 417 said more.",
        ["Calder Rovers", "Aldwick Town", "Unite Local 417"],  # 417: part of a name
        ["0", "3", "13"],
        id="a score, and a number opening a compound",
    ),
    pytest.param(
        "Villa Closed\n\nThe illnesses were reported to the VEA on March 20. The VEA said it "
        "was investigating. The Council on Foreign Relations said it agreed, and the Council "
        "on Foreign Relations said so again on Friday 3 April.",
        ["VEA", "Council on Foreign Relations"],  # "on" still joins a name's words
        ["March", "April"],
        id="a date",
    ),
    pytest.param(
        "Troops Stay\n\nThousands of Ethiopian troops control the port, and 8 GW of Korean "
        "production lines are idle. The African Union said it would stay, and the University "
        "of Helsinki economists said so too. The University of Helsinki said more.",
        ["University of Helsinki"],  # a place, not an adjective, before "economists"
        ["Ethiopian", "Korean"],
        id="of and an adjective of place",
    ),
    pytest.param(
        "Poll Lead\n\nFrontrunners Donald Okafor and Ben Ames led the poll. Shopkeeper Angie "
        "Booth said she would vote for Okafor. Okafor said he was pleased, and Donald Okafor "
        "said more. Ames said he was too. Angie Booth spoke again on Monday.",
        ["Donald Okafor", "Angie Booth"],
        ["Frontrunners", "Shopkeeper"],
        id="a common word opening the sentence before a given name",
    ),
]


@pytest.mark.parametrize(("text", "names", "not_in_a_name"), NOT_PART_OF_A_NAME)
def test_words_next_to_a_name_are_not_part_of_it(
    text: str, names: list[str], not_in_a_name: list[str]
):
    found = kinds(text)
    assert set(names) <= set(found)
    assert not [name for name in found if set(name.split()) & set(not_in_a_name)]
