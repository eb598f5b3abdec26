"""The named rules of the offline analysis: switching them off, and `briefer eval --ablate`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefer.analysis.rules import NAMES, RULES, enabled, switched_off
from briefer.analysis.sourcing import analyze_sourcing
from briefer.core import Briefer
from briefer.io.store import Store
from briefer.verify.evaluation import ablate
from briefer.verify.labels import label_files

from .exchanges import FIXTURES

PACKAGE = Path(__file__).resolve().parents[1] / "briefer"
LABELS = FIXTURES / "labels"


def test_every_rule_is_applied_somewhere_and_every_switch_names_a_rule():
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    asked = set(re.findall(r'enabled\(\s*"([\w.-]+)"\s*\)', source))
    assert asked == NAMES
    assert len(NAMES) == len(RULES)  # no name twice


def test_a_rule_switched_off_applies_again_after_the_block():
    text = "The berths were reportedly sold to a rival port last spring."
    kinds = lambda: [a.verb for a in analyze_sourcing(text).attributions]  # noqa: E731
    before = kinds()
    with switched_off("sourcing.unattributed"):
        assert not enabled("sourcing.unattributed") and enabled("facts.lede")
        assert "reportedly" not in kinds()
    assert kinds() == before and "reportedly" in before


def test_switching_off_an_unknown_rule_is_refused():
    with (
        pytest.raises(ValueError, match=r"no such rule: facts\.nonsense"),
        switched_off("facts.nonsense"),
    ):
        pass


def test_ablation_has_a_row_per_rule_and_sees_what_a_rule_changes():
    rows = ablate(Briefer(engine="offline"), label_files([LABELS]))
    assert [r.rule for r in rows] == [r.name for r in RULES]
    lede = next(r for r in rows if r.rule == "facts.lede")
    assert lede.changed > 0  # the fixture articles' key facts move without their lede
    hedged = next(r for r in rows if r.rule == "findings.hedged")
    assert hedged.deltas["hedged_recall"] > 0


def test_ablation_refuses_a_briefer_that_reads_a_store(tmp_path: Path):
    briefer = Briefer(engine="offline", store=Store(tmp_path / "b.db"))
    with pytest.raises(ValueError, match="without a store"):
        ablate(briefer, label_files([LABELS]))


def test_eval_cli_ablate_prints_what_each_rule_earns(run):
    result = run("eval", str(LABELS), "--engine", "offline", "--ablate")
    assert result.code == 0, result.err
    assert "| rule | handles | articles changed |" in result.out
    assert all(f"| {rule.name} |" in result.out for rule in RULES)
