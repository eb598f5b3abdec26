"""One brief per story: what several outlets agree on, where they differ, what only one has."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from briefer import Briefer, StoryBrief, render, render_markdown, render_slack
from briefer.errors import UsageError
from briefer.evaluation import count_words
from briefer.schema import source_label

from .exchanges import FIXTURES

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
