"""The engine seam: Briefer drives any engine through the Engine protocol alone.

A stand-in engine is installed the way a plugin package would be: a module on sys.path and a
distribution whose entry_points.txt names its factory under the `briefer.engines` group.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import sys
from pathlib import Path

import pytest

from briefer.core import Briefer
from briefer.engines import ENTRY_POINT_GROUP, create_engine, engine_names
from briefer.engines.openai.config import LLMConfig
from briefer.errors import ConfigError
from briefer.io.store import Store

ROOT = Path(__file__).resolve().parent.parent

# The whole plugin: it quotes the article's first sentence as its one key fact, and says so
# with a misquote as its second, so verification has something to catch.
PLUGIN = """
from dataclasses import dataclass, field
from briefer.engines import EngineResult
from briefer.engines.estimate import Plan
from briefer.schema import Brief, KeyFact, Usage
from briefer.schema.comparison import Comparison
from briefer.text import sentences
from briefer.text.tokens import TokenCounter
from briefer.verify.coverage import assemble


class FirstSentenceEngine:
    name = "first-sentence"
    origin = "model"
    model = "stand-in-1"
    prompt_id = "first@1"
    counter = TokenCounter("estimate")
    on_rate_limit = None
    closed = 0

    def brief(self, article):
        first = sentences(article.text)[0].text
        brief = Brief(
            headline=article.title or first[:80],
            summary=first,
            key_facts=[
                KeyFact(statement=first, evidence=first, attribution="the reporter"),
                KeyFact(statement="Invented.", evidence="words the article never had",
                        attribution="the reporter"),
            ],
            stakeholders=[], open_questions=[], sourcing_caveats=[],
        )
        usage = Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15, cost_usd=0.25)
        return EngineResult(brief=brief, usage=usage, model=self.model, prompt=None)

    async def abrief(self, article, *, gate=None):
        return self.brief(article)

    def compare(self, items):
        return assemble(items, engine=self.name, model=self.model, agreed=[], partial=[],
                        unique=[], conflicts=[])

    def estimate(self, article, *, truncated):
        return Plan(engine=self.name, model=self.model, price_entry=None, exact_counts=False,
                    context_tokens=None, output_budget=None, chunks=1, requests=1,
                    input_tokens=self.counter.count(article.text), expected_output_tokens=5,
                    cost_usd=0.25, truncated=truncated)

    def close(self):
        type(self).closed += 1

    async def aclose(self):
        type(self).closed += 1


def make(setup):
    return FirstSentenceEngine()
"""

TEXT = (
    "The harbour authority closed the north pier on Tuesday after a crane collapsed. "
    "No one was hurt, the authority said in a statement. Repairs will take a month."
)


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "stand_in_engine.py").write_text(PLUGIN, encoding="utf-8")
    dist = tmp_path / "stand_in_engine-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: stand-in-engine\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nfirst-sentence = stand_in_engine:make\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield "first-sentence"
    sys.modules.pop("stand_in_engine", None)


def test_a_plugin_engine_is_listed_and_created(plugin: str) -> None:
    assert engine_names()[:2] == ["offline", "openai"]
    assert plugin in engine_names()
    assert create_engine(plugin, _setup()).name == plugin


def test_briefer_briefs_verifies_stores_estimates_and_compares_with_a_plugin_engine(
    plugin: str, tmp_path: Path
) -> None:
    store = Store(tmp_path / "briefs.db")
    briefer = Briefer(engine=plugin, store=store)
    stored = briefer.brief_stored(TEXT)
    envelope = stored.envelope
    assert envelope.engine == plugin and envelope.model == "stand-in-1"
    assert envelope.usage.cost_usd == 0.25  # the engine's own cost, passed through
    # The misquote is caught by verification, as for any model-written brief.
    statuses = [f.status for f in envelope.verification.key_facts]
    assert statuses[0] == "exact" and statuses[1] == "missing"
    # The sourcing analysis still runs on the text: the statement is attributed.
    assert envelope.sourcing.attributions >= 1
    # Stored under the engine's model and prompt, and found again without briefing.
    again = briefer.brief_stored(TEXT)
    assert again.cached and again.id == stored.id
    assert "first@1" in str(briefer.prompt_info.name + "@" + briefer.prompt_info.version)
    plan = briefer.estimate(TEXT)
    assert plan.engine == plugin and plan.requests == 1
    comparison = briefer.compare([TEXT, TEXT.replace("Tuesday", "Wednesday")])
    assert comparison.engine == plugin and len(comparison.sources) == 2
    before = type(briefer.engine).closed
    briefer.close()
    assert type(briefer.engine).closed == before + 1


# A plugin as its author would write it: a name and brief(); SimpleEngine gives the rest.
SMALL_PLUGIN = """
from briefer import Brief, EngineResult, KeyFact, SimpleEngine
from briefer.schema import Usage
from briefer.text import sentences


class Lede(SimpleEngine):
    name = "lede"

    def brief(self, article):
        first = sentences(article.text)[0].text
        fact = KeyFact(statement=first, evidence=first, attribution="the reporter")
        brief = Brief(headline=article.title or first[:80], summary=first, key_facts=[fact],
                      stakeholders=[], open_questions=[], sourcing_caveats=[])
        return EngineResult(brief=brief, usage=Usage(), model=None, prompt=None)


def make(setup):
    return Lede()
"""


def _install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, code: str) -> None:
    module = f"plugin_{name.replace('-', '_')}"
    (tmp_path / f"{module}.py").write_text(code, encoding="utf-8")
    dist = tmp_path / f"{module}-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n{name} = {module}:make\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()


def test_a_plugin_of_twenty_lines_briefs_compares_estimates_and_closes(tmp_path, monkeypatch):
    assert len(SMALL_PLUGIN.strip().splitlines()) <= 20
    _install(tmp_path, monkeypatch, "lede", SMALL_PLUGIN)
    briefer = Briefer(engine="lede")
    envelope = briefer.brief(TEXT)
    assert envelope.engine == "lede" and envelope.verification.key_facts[0].status == "exact"
    assert asyncio.run(briefer.abrief(TEXT)).brief == envelope.brief
    comparison = briefer.compare([TEXT, TEXT.replace("Tuesday", "Wednesday")])
    assert comparison.engine == "lede" and comparison.agreed
    plan = briefer.estimate(TEXT)
    assert plan.requests == 1 and plan.cost_usd is None
    briefer.close()
    sys.modules.pop("plugin_lede", None)


def test_a_plugin_may_not_take_a_built_in_engines_name(tmp_path, monkeypatch):
    _install(tmp_path, monkeypatch, "offline", SMALL_PLUGIN.replace('"lede"', '"offline"'))
    with pytest.raises(ConfigError, match="the name of a built-in engine"):
        Briefer(engine="offline")
    sys.modules.pop("plugin_offline", None)


def test_an_unknown_engine_is_refused_with_the_names_there_are(plugin: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Briefer(engine="no-such-engine")
    assert "auto, offline, openai" in str(caught.value) and plugin in str(caught.value)


def test_the_front_door_never_names_an_engine_class() -> None:
    tree = ast.parse((ROOT / "briefer" / "core.py").read_text(encoding="utf-8"))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert "OpenAIEngine" not in names and "llm" not in names
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert "openai" not in strings  # no branch on the engine's name


def _setup():  # type: ignore[no-untyped-def]
    from briefer.engines import EngineSetup

    return EngineSetup({"llm": LLMConfig()})


def test_the_built_in_engines_are_registered_as_plugins_are() -> None:
    from importlib.metadata import entry_points

    from briefer.engines import DISTRIBUTION

    ours = {
        ep.name: ep.value
        for ep in entry_points(group=ENTRY_POINT_GROUP)
        if ep.dist is not None and ep.dist.metadata["Name"] == DISTRIBUTION
    }
    assert ours == {
        "offline": "briefer.engines.offline:OfflineEngine.create",
        "openai": "briefer.engines.openai:OpenAIEngine.create",
    }
    assert Briefer(engine="offline").engine.name == "offline"


def test_a_source_tree_never_installed_still_has_its_built_in_engines(monkeypatch) -> None:
    import briefer.engines as engines

    monkeypatch.setattr(engines, "entry_points", lambda **_: [])
    assert Briefer(engine="offline").engine.name == "offline"
    assert Briefer(engine="openai", planning=True).engine.name == "openai"


def test_an_engine_takes_the_options_it_knows_and_refuses_a_wrong_one() -> None:
    from briefer.engines import EngineSetup, create_engine

    setup = EngineSetup({"llm": LLMConfig(model="m-1"), "colour": "blue"}, planning=True)
    assert setup.option("llm", LLMConfig, LLMConfig()).model == "m-1"
    assert setup.option("missing", int, 7) == 7
    engine = create_engine("openai", setup)  # "colour" is no option of its: ignored
    assert engine.model == "m-1"
    with pytest.raises(ConfigError, match="'llm' is a str"):
        create_engine("openai", EngineSetup({"llm": "gpt-4o"}))
