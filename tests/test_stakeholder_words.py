"""The stakeholder finder's word lists (`briefer/analysis/stakeholders.toml`): each is read,
says what it is for, and loads once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path

from briefer.analysis.rules import NAMES
from briefer.analysis.stakeholder_words import StakeholderWords, stakeholder_words

DATA = Path(__file__).resolve().parents[1] / "briefer" / "analysis" / "stakeholders.toml"
AS_WRITTEN = {"name_suffixes", "office_words", "staff_words"}  # matched case-sensitively


def test_every_table_is_a_list_the_finder_reads():
    tables = tomllib.loads(DATA.read_text(encoding="utf-8"))
    assert list(tables) == [f.name for f in fields(StakeholderWords)]
    for name, table in tables.items():
        words = table["words"]
        assert list(table) == ["words"] and words, name
        assert len(words) == len(set(words)), f"{name}: a word twice"
        assert all(w == w.strip() and w for w in words), name
        if name not in AS_WRITTEN:
            assert all(w == w.lower() for w in words), f"{name}: lower case"


def test_every_table_says_what_it_is_for_and_names_only_real_rules():
    lines = DATA.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith("["):
            assert lines[i - 1].startswith("# "), f"{line}: no comment above it"
    named = set(re.findall(r'"(stakeholders\.[\w-]+)"', "\n".join(lines)))
    assert named and named <= NAMES


def test_the_lists_load_once():
    words = stakeholder_words()
    assert stakeholder_words() is words
    assert "bin" in words.name_particles and "Jr" in words.name_suffixes
