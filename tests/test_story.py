"""One brief per story: what several outlets agree on, where they differ, what only one has."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from briefer import Briefer, StoryBrief, render, render_markdown, render_slack
from briefer.engines.offline.compare import compare_offline
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.story import story_from_draft
from briefer.errors import BadRequestError, UsageError
from briefer.inputs import load_article
from briefer.schema import PromptInfo, source_label, strict_json_schema, strict_schema_problems
from briefer.schema.story import StoryDraft
from briefer.verify.coverage import Compared
from briefer.verify.labels import count_words

from .conftest import TEST_KEY
from .exchanges import BASE_URL, FIXTURES, article_in, load_exchange, replay

FOLDER = FIXTURES / "compare"
EXPECTED = json.loads((FOLDER / "expected.json").read_text(encoding="utf-8"))
FILES = [FOLDER / name for name in EXPECTED["articles"]]


@pytest.fixture(scope="module")
def story() -> StoryBrief:
    return Briefer(engine="offline").story(FILES)


def test_the_outlets_agree_on_each_planted_fact_once_with_a_checked_quote_from_each(story):
    for planted in EXPECTED["agreements"]:
        quotes = planted["quotes"]
        found = [
            fact
            for fact in story.agreed
            if all(
                any(q.text in quotes[name] or quotes[name] in q.text for q in fact.quotes)
                for name in quotes
            )
        ]
        assert len(found) == 1, planted["id"]
        fact = found[0]
        assert fact.sources == [0, 1, 2]  # every outlet, each quote checked in its own article
        assert sorted(q.source for q in fact.quotes) == [0, 1, 2]
        assert {q.status for q in fact.quotes} == {"exact"}
    # Those every outlet reports come first.
    counts = [len(f.sources) for f in story.agreed]
    assert counts == sorted(counts, reverse=True)


def test_where_they_differ_holds_every_planted_conflict_with_each_outlets_value(story):
    for planted in EXPECTED["conflicts"]:
        match = [c for c in story.differ if c.kind == planted["kind"]]
        if planted["kind"] == "quantity":
            match = [c for c in match if c.topic == planted["unit"]]
            assert len(match) == 1, planted["id"]
            by_file = {EXPECTED["articles"][s]: v for s, v in match[0].values.items()}
            assert by_file == planted["values"]
        else:
            assert len(match) == 1, planted["id"]
    assert len(story.differ) == len(EXPECTED["conflicts"])  # nothing invented


def test_what_only_one_outlet_reports_is_attributed_ranked_in_turn_and_counted(story):
    assert story.only_one, "each outlet has facts of its own"
    assert all(len(f.sources) == 1 for f in story.only_one)
    firsts = [f.sources[0] for f in story.only_one[:3]]
    assert firsts == [0, 1, 2]  # each outlet's most important, in turn
    assert story.only_one_more >= 0
    comparison = Briefer(engine="offline").compare(FILES)
    in_conflict = {(q.source, q.text) for c in story.differ for q in c.quotes}
    shown_once = [
        f for f in comparison.unique if (f.sources[0], f.quotes[0].text) not in in_conflict
    ]
    assert len(story.only_one) + story.only_one_more == len(shown_once)
    # A sentence shown where they differ is not shown again.
    for fact in [*story.agreed, *story.only_one]:
        assert not any((q.source, q.text) in in_conflict for q in fact.quotes)


def test_headline_stakeholders_and_how_each_outlet_sources_it(story):
    headlines = {Briefer(engine="offline").brief(f).brief.headline for f in FILES}
    assert story.headline in headlines
    assert [s.source for s in story.sourcing] == [0, 1, 2]
    tabloid = story.sourcing[2]
    assert "anonymous" in tabloid.line  # "a plant worker who asked not to be named"
    assert all(s.counts.attributions >= s.counts.named for s in story.sourcing)
    names = [s.name for s in story.stakeholders]
    assert "Norland Fire Authority" in names and len(names) == len(set(names))


def test_an_outlet_that_attributes_to_another_outlet_is_said_to_cite_it():
    wire = (
        "Harbour Cranes Halted\n\nThe Marlow harbour authority halted all crane work on "
        "Monday after a cable snapped, the authority said in a statement. Two dockers were "
        "hurt, a spokesperson said.\n"
    )
    follower = (
        "Cranes Stop at Marlow\n\nThe Marlow harbour authority halted all crane work on "
        "Monday after a cable snapped, Reuters reported. Two dockers were hurt, according "
        "to Reuters.\n"
    )
    story = Briefer(engine="offline").story([wire, follower])
    assert story.sourcing[1].cites == ["Reuters"]
    assert "relies on Reuters" in story.sourcing[1].line
    assert story.sourcing[0].cites == []


def test_one_article_is_its_own_brief_not_a_story():
    with pytest.raises(UsageError, match="at least two articles"):
        Briefer(engine="offline").story(FILES[:1])


def test_every_format_renders_differences_first_and_json_reads_back(story):
    markdown = render_markdown(story)
    assert markdown.index("Where they differ") < markdown.index("What they agree on")
    assert markdown.index("What they agree on") < markdown.index("Only one outlet reports")
    assert "“““" not in markdown and "““" not in markdown  # a quote is marked once
    assert StoryBrief.model_validate_json(render(story, "json")) == story
    html = render(story, "html")
    assert "<script" not in html and "Where they differ" in html
    blocks = render_slack(story)[0]["blocks"]
    assert blocks[0]["type"] == "header" and any(
        "Where they differ" in b.get("text", {}).get("text", "") for b in blocks
    )


def test_a_digest_leads_a_story_with_its_story_brief_and_folds_the_outlets(tmp_path):
    for path in FILES:
        shutil.copy(path, tmp_path / path.name)
    briefer = Briefer(engine="offline")
    digest = briefer.digest([tmp_path])
    assert len(digest.stories()) == 1 and set(digest.story_briefs) == {1}
    markdown = render_markdown(digest)
    index, body = markdown.split("\n---\n", 1)
    assert "3 outlets:" in index and "they differ on 3 points" in index
    assert body.count("What they agree on") == 1 and "## Key facts" not in body
    for path in FILES:  # each outlet's brief, in a line
        assert f"- {source_label(path.name)}: " in body
    longest = max(count_words(render_markdown(briefer.brief(p))) for p in FILES)
    assert count_words(body) <= 1.3 * longest
    html = render(digest, "html")
    assert html.count("<details") == 3 and "What they agree on" in html
    (story,) = json.loads(render(digest, "json"))["stories"]
    assert StoryBrief.model_validate(story["story_brief"]) == digest.story_briefs[1]
    slack = json.dumps(render_slack(digest))
    assert "What they agree on" in slack and "Key facts" not in slack


def test_a_story_brief_compares_a_bounded_number_of_outlets_and_says_so(tmp_path, monkeypatch):
    from briefer.digest import stories

    for path in FILES:
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(stories, "MAX_OUTLETS", 2)
    digest = Briefer(engine="offline").digest([tmp_path])
    (group,) = digest.stories()
    story = digest.story_briefs[1]
    assert len(group) == 3 and len(story.sources) == 2
    assert story.warnings[0] == "compares the first 2 of 3 outlets; each outlet's own brief follows"
    body = render_markdown(digest).split("\n---\n", 1)[1]
    for path in FILES:  # no outlet is lost: each still has its line
        assert f"- {source_label(path.name)}: " in body


def test_a_files_name_is_shown_without_underscores():
    assert source_label("/data/news/reuters_wework_probe.txt") == "reuters wework probe"
    assert source_label("x.txt", site_name="Reuters") == "Reuters"


def test_compare_story_on_the_command_line(run):
    result = run("compare", *map(str, FILES), "--story", "--engine", "offline")
    assert result.code == 0
    assert result.out.startswith("# ") and "What they agree on" in result.out


def test_briefer_story_shows_the_story_brief_of_the_newest_day_above_the_timeline(run, tmp_path):
    db = str(tmp_path / "store.db")
    assert run("digest", *map(str, FILES), "--engine", "offline", "--db", db, "-q").code == 0
    single = run("digest", str(FIXTURES / "articles" / "courts.txt"), "--db", db, "-q")
    assert single.code == 0
    history = json.loads(run("history", "--db", db, "--format", "json").out)
    ids = {Path(row["source"]).name: row["id"] for row in history}
    out = run("story", str(ids["harwick_wire.txt"]), "--db", db).out
    story, timeline = out.split("## Timeline", 1)
    assert "What they agree on" in story and timeline.lstrip().startswith("1. ")
    assert "3 outlets:" in out
    alone = run("story", str(ids["courts.txt"]), "--db", db).out
    assert "What they agree on" not in alone and alone.startswith("1. ")  # one outlet: timeline


def test_when_the_engine_cannot_compare_the_story_brief_comes_from_the_offline_comparer(
    monkeypatch,
):
    from briefer.errors import ServiceError

    briefer = Briefer(engine="offline")

    def failing(items):
        raise ServiceError("the endpoint failed with 503 after 3 attempts")

    monkeypatch.setattr(briefer.engine, "compare", failing)
    story = briefer.story(FILES)
    assert story.warnings[0].startswith("the offline comparison failed (the endpoint failed")
    assert len(story.differ) == len(EXPECTED["conflicts"]) and story.agreed  # still whole


# --- the LLM path: one story request (prompts/story.toml) -----------------------------------------


def _llm(**given) -> Briefer:
    return Briefer(config=LLMConfig(api_key=TEST_KEY, base_url=BASE_URL, **given))


def _strict_llm() -> Briefer:
    return Briefer(config=LLMConfig(api_key=TEST_KEY, base_url=BASE_URL), strict=True)


def test_the_llm_writes_the_story_brief_in_one_request_over_briefs_and_articles(
    router, list_prices
):
    log = replay("story_harwick", router)
    story = _llm().story(FILES)
    assert len(log.requests) == 4  # three briefs, then the story
    request = log.bodies[3]
    assert request["response_format"]["json_schema"]["name"] == "story"
    assert request["response_format"]["json_schema"]["strict"] is True
    outlets = json.loads(article_in(request))  # every outlet inside the boundary, as data
    assert [o["outlet"] for o in outlets] == [0, 1, 2]
    assert [o["name"] for o in outlets] == [source_label(str(f)) for f in FILES]
    assert [o["article"] for o in outlets] == [load_article(f).text for f in FILES]
    assert all(o["brief"]["key_facts"] for o in outlets)
    assert story.engine == "openai" and story.model == "gpt-4o-mini-2024-07-18"
    assert story.prompt == PromptInfo(name="story", version="1")
    assert story.headline.startswith("Brannock Chemicals fire forces Harwick evacuation")
    assert [f.sources for f in story.agreed] == [[0, 1, 2]] * 3
    every = [q for f in [*story.agreed, *story.only_one] for q in f.quotes]
    every += [q for c in story.differ for q in c.quotes]
    assert {q.status for q in every} == {"exact"}  # each found in its own outlet's article
    residents = story.differ[0]
    assert residents.kind == "quantity" and residents.values == {
        0: "about 1,200 residents",  # given bare ("1,200"): its unit and hedge from its quote
        1: "more than 3,000 residents",
        2: "2,500 residents",
    }
    assert [c.kind for c in story.differ] == ["quantity", "quantity", "attribution"]
    assert [f.sources for f in story.only_one] == [[2], [1], [0]]  # the model's ranking
    assert [s.source for s in story.sourcing] == [0, 1, 2] and story.stakeholders
    assert story.usage.requests == 1 and story.usage.cost_usd is not None
    assert story.warnings == []
    markdown = render_markdown(story)
    assert "about 1,200 residents" in markdown and "✗" not in markdown
    made = "openai engine, gpt-4o-mini-2024-07-18, prompt story v1 · 1 request"
    assert made in markdown and made in render(story, "html")
    offline = render_markdown(Briefer(engine="offline").story(FILES))
    assert "prompt" not in offline and "\n1. “" in offline  # its facts are outlets' words
    # The model's own wording of a fact is not shown as a quotation; an outlet's words are.
    assert "\n1. A fire broke out at the Brannock Chemicals plant in Harwick on Tuesday. —" in (
        markdown
    )
    assert "“Records show" not in markdown and "“Officials said about 1,200" in markdown


@pytest.mark.parametrize("strict", [False, True])
def test_a_quote_given_to_the_wrong_outlet_is_marked_or_in_strict_mode_dropped(router, strict):
    log = replay("story_quote_from_another_outlet", router)
    story = (_strict_llm() if strict else _llm()).story(FILES)
    assert len(log.requests) == 5  # three briefs, the story, one repair
    repair = log.bodies[4]["messages"][-1]["content"]
    assert "not in the article of the outlet" in repair
    assert "agreed[2] (outlet 2)" in repair and "only_one[2] (outlet 1)" in repair
    wire, local = (load_article(f).text for f in FILES[:2])
    investigation = story.agreed[2]
    rail = [f for f in [*story.agreed, *story.only_one] if "Rail" in f.statement]
    if not strict:
        # Each quote is in another outlet's article, and checked against its own only.
        assert {q.source: q.status for q in investigation.quotes} == {
            0: "exact",
            1: "exact",
            2: "missing",
        }
        assert investigation.quotes[2].text in local
        (fact,) = rail
        assert fact.sources == [1] and fact.quotes[0].status == "missing"
        assert fact.quotes[0].text in wire
        assert "2 quote(s) of the story brief were not found in their own outlet's article" in (
            story.warnings
        )
        assert "✗" in render_markdown(story)
    else:
        assert investigation.sources == [0, 1] and investigation.coverage == "some"
        assert rail == []
        assert story.warnings[-1].startswith("strict mode dropped 2 quote(s) not found")
        assert all(q.status != "missing" for f in story.agreed for q in f.quotes)


def test_a_story_answer_that_does_not_match_the_schema_gets_one_reask(router):
    log = replay("story_schema_invalid_then_ok", router)
    story = _llm().story(FILES)
    assert len(log.requests) == 5
    first, second = log.bodies[3:]
    assert len(second["messages"]) == len(first["messages"]) + 2
    reask = second["messages"][-1]["content"]
    assert "could not be used" in reask and "only_one" in reask and "differ.0.kind" in reask
    assert any(w.startswith("first answer was unusable") for w in story.warnings)
    assert len(story.differ) == 3 and story.usage.requests == 2


def test_when_the_story_request_fails_the_offline_story_brief_stands_in_with_a_warning(router):
    log = replay("story_server_error", router)
    story = _llm(max_retries=0).story(FILES)
    assert len(log.requests) == 4
    assert story.warnings[0].startswith("the openai story request failed (")
    assert "this story brief is the offline engine's" in story.warnings[0]
    assert story.engine == "offline" and story.prompt is None
    assert story.agreed and story.differ  # still whole


def test_a_story_request_too_long_for_the_context_is_not_sent_and_the_offline_one_stands_in(
    router,
):
    briefer = Briefer(config=LLMConfig(api_key=TEST_KEY, base_url=BASE_URL, context_tokens=3000))
    chat = router.post(f"{BASE_URL}/chat/completions")
    items = _offline_items()
    with pytest.raises(BadRequestError, match=r"the story request .* was not sent"):
        briefer.engine.story(items)
    story = briefer._story_of(items)
    assert not chat.called  # measured before it went: nothing sent
    assert story.engine == "offline" and "story request failed" in story.warnings[0]


def test_story_exchanges_say_they_are_hand_written():
    for name in (
        "story_harwick",
        "story_quote_from_another_outlet",
        "story_schema_invalid_then_ok",
        "story_server_error",
    ):
        exchange = load_exchange(name)
        assert exchange["provenance"] == "hand-written" and "by hand" in exchange["note"]


def test_story_draft_schema_is_strict():
    assert strict_schema_problems(strict_json_schema(StoryDraft)) == []


def _offline_items() -> list[Compared]:
    briefer = Briefer(engine="offline")
    return [Compared(briefer.brief(f), load_article(f).text) for f in FILES]


def test_a_draft_difference_the_figures_do_not_make_is_left_out_and_unknown_outlets_dropped():
    wire = "Officials said about 1,200 residents had been evacuated by early afternoon"
    local = "By midday, more than 3,000 residents had been evacuated"
    tabloid = "A staggering 2,500 residents were evacuated"
    draft = StoryDraft.model_validate(
        {
            "headline": "Fire in Harwick",
            "agreed": [],
            "differ": [
                {
                    "kind": "quantity",
                    "topic": "residents",
                    "claims": [
                        {"source": 0, "value": "about 1,200 residents", "quote": wire},
                        {"source": 2, "value": "1,200 residents", "quote": tabloid},
                    ],
                },
                {
                    "kind": "quantity",
                    "topic": "residents",
                    "claims": [
                        {"source": 1, "value": "3,000", "quote": local},
                        {"source": 2, "value": "2,500 residents", "quote": tabloid},
                        {"source": 9, "value": "9 residents", "quote": "No such outlet."},
                    ],
                },
            ],
            "only_one": [],
        }
    )
    story = story_from_draft(
        draft, _offline_items(), model="m", prompt=PromptInfo(name="story", version="1"), notes=[]
    )
    (kept,) = story.differ  # "about 1,200" and "1,200" can both be true: no difference
    assert kept.values == {1: "more than 3,000 residents", 2: "2,500 residents"}
    assert any(
        w.startswith("left out a difference the figures do not make") for w in story.warnings
    )
    assert any("naming an outlet that does not exist" in w for w in story.warnings)


def test_an_engine_without_a_story_request_gets_the_story_built_from_its_comparison():
    """The offline engine (and a plugin) has no `story`: its comparison makes the story."""
    from briefer.engines import StoryWriter

    briefer = Briefer(engine="offline")
    assert not isinstance(briefer.engine, StoryWriter)
    items = _offline_items()
    from briefer.engines.offline.story import story_offline

    expected = story_offline(compare_offline(items), items)
    story = briefer.story(FILES)
    assert story.model_dump(exclude={"created_at"}) == expected.model_dump(exclude={"created_at"})


def test_compare_story_on_the_command_line_with_an_llm_uses_the_story_prompt(
    run, router, monkeypatch
):
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    monkeypatch.setenv("BRIEFER_MODEL", "gpt-4o-mini")
    log = replay("story_harwick", router)
    result = run("compare", *map(str, FILES), "--story", "--format", "json")
    assert result.code == 0, result.err
    assert log.bodies[3]["response_format"]["json_schema"]["name"] == "story"
    story = StoryBrief.model_validate_json(result.out)
    assert story.prompt == PromptInfo(name="story", version="1") and story.engine == "openai"


# --- outlets named as the reader knows them: labels for a digest's inputs -------------------------

NAMES = ["Norland Wire", "Harwick Gazette", "The Daily Blaze"]


def _two_folders(tmp_path: Path) -> tuple[Path, Path]:
    """The wire story in one folder, the local paper and the tabloid in another."""
    wire, others = tmp_path / "wire", tmp_path / "others"
    wire.mkdir()
    others.mkdir()
    shutil.copy(FILES[0], wire)
    for path in FILES[1:]:
        shutil.copy(path, others)
    return wire, others


def test_a_digest_calls_labelled_outlets_by_their_labels_everywhere(tmp_path):
    wire, others = _two_folders(tmp_path)
    labels = {wire: NAMES[0], others: NAMES[1], others / "harwick_tabloid.txt": NAMES[2]}
    digest = Briefer(engine="offline").digest([wire, others], labels=labels)
    # A file's label wins over its folder's; the input is still listed as it was given.
    assert [i.envelope.article.label for i in digest.briefed] == NAMES
    assert [Path(i.source).name for i in digest.items] == [f.name for f in FILES]
    story = digest.story_briefs[1]
    assert [s.label for s in story.sources] == NAMES
    assert [story.label(s.source) for s in story.sourcing] == NAMES
    markdown = render_markdown(digest)
    assert "3 outlets: Norland Wire, Harwick Gazette, The Daily Blaze" in markdown
    for name in NAMES:
        assert f"- {name}: " in markdown  # each outlet's folded line
    assert "harwick wire" not in markdown and "harwick_" not in markdown
    assert all(name in render(digest, "html") for name in NAMES)
    assert all(name in json.dumps(render_slack(digest)) for name in NAMES)


def test_labels_name_urls_as_given_and_load_as_the_labelled_outlet():
    from briefer.digest.labels import Labelled, label_inputs
    from briefer.inputs import URL, CommandLine

    inputs = [URL("https://example.org/news/a/"), CommandLine("https://example.org/b"), "Text."]
    labels = {"https://example.org/news/a": "Example News", "https://example.org/b/": "B"}
    out = label_inputs(inputs, labels)
    assert [o.name if isinstance(o, Labelled) else o for o in out] == ["Example News", "B", "Text."]
    assert str(out[0]) == "https://example.org/news/a/" and out[0].host == "example.org"
    labelled = label_inputs([FILES[0]], {str(FILES[0]): "Norland Wire"})[0]
    assert labelled.load().site_name == "Norland Wire"


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"nowhere/at/all": "X"}, "none of the digest's inputs"),
        ({"WIRE": "  "}, "the label is empty"),
        ({"WIRE": "Two\nlines"}, "not an outlet's name"),
        ({"-": "Standard input"}, "cannot be labelled"),
    ],
)
def test_a_label_for_no_input_or_of_no_name_is_refused_before_anything_is_briefed(
    tmp_path, monkeypatch, labels, message
):
    wire, _ = _two_folders(tmp_path)
    labels = {(str(wire) if key == "WIRE" else key): name for key, name in labels.items()}
    briefer = Briefer(engine="offline")
    briefed = []
    monkeypatch.setattr(briefer, "abrief_stored", lambda *a, **k: briefed.append(a))
    with pytest.raises(UsageError, match=message) as caught:
        briefer.digest([wire], labels=labels)
    assert briefed == []
    assert "--" not in str(caught.value) and "\n" not in str(caught.value)


def test_digest_labels_on_the_command_line(run, tmp_path):
    wire, others = _two_folders(tmp_path)
    result = run(
        "digest", str(wire), str(others), "--engine", "offline", "-q",
        "--label", f"{wire}={NAMES[0]}", "--label", f"{others}={NAMES[1]}",
        "--label", f"{others / 'harwick_tabloid.txt'}={NAMES[2]}",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "3 outlets: Norland Wire, Harwick Gazette, The Daily Blaze" in result.out


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (["nonsense"], "give PATH_OR_URL=NAME"),
        (["=Reuters"], "give PATH_OR_URL=NAME"),
        (["FILE="], "give PATH_OR_URL=NAME"),
        (["FILE=Reuters", "FILE=AP"], "labelled twice"),
        (["elsewhere.txt=Reuters"], "none of the digest's inputs"),
    ],
)
def test_a_malformed_digest_label_is_a_one_line_usage_error(run, values, message):
    args = [v.replace("FILE", str(FILES[0])) for v in values]
    result = run(
        "digest", str(FILES[0]), "--engine", "offline", "-q",
        *(part for value in args for part in ("--label", value)),
    )  # fmt: skip
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefer: error: ") and message in lines[0]
    assert "Traceback" not in result.err
