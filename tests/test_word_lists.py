"""The word lists of the analysis rules are data files: each loads once, and each list is read."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from briefer.analysis.rules import NAMES
from briefer.analysis.words import word_lists

ANALYSIS = Path(__file__).resolve().parents[1] / "briefer" / "analysis"
FILES = [ANALYSIS / "words.toml", ANALYSIS / "sourcing" / "words.toml"]
# Lists matched in the text as written, by a pattern: their entries may hold capitals and spaces.
AS_WRITTEN = {"phrasal_verbs"}
# Lists of lower-case phrases of more than one word, compared with a whole source phrase.
PHRASES = {"market_voices"}


def _tables(path: Path) -> dict[str, list[str]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert all(set(table) == {"words"} for table in data.values()), path
    return {name: table["words"] for name, table in data.items()}


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ANALYSIS)))
def test_every_list_is_read_beside_it_and_loads_once(path: Path) -> None:
    modules = [p.read_text(encoding="utf-8") for p in path.parent.glob("*.py")]
    readers = [text for text in modules if f'with_name("{path.name}")' in text]
    read = {name for text in readers for name in re.findall(r'_WORDS\["(\w+)"\]', text)}
    assert read == set(_tables(path))
    assert word_lists(path) is word_lists(path)
    assert all(word_lists(path)[name] for name in read)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ANALYSIS)))
def test_lists_hold_each_word_once_in_lower_case(path: Path) -> None:
    for name, words in _tables(path).items():
        assert len(words) == len(set(words)), name
        if name in PHRASES:
            assert all(w == w.lower() and w == " ".join(w.split()) for w in words), name
        elif name not in AS_WRITTEN:
            assert all(w == w.lower() and w.split() == [w] for w in words), name


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ANALYSIS)))
def test_the_rules_a_list_names_exist(path: Path) -> None:
    named = set(re.findall(r'the rule "([\w.-]+)"', path.read_text(encoding="utf-8")))
    assert named and named <= NAMES


def test_a_malformed_list_is_named(tmp_path: Path) -> None:
    path = tmp_path / "words.toml"
    path.write_text('[ok]\nwords = ["a"]\n\n[broken]\nwords = "a b"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[broken\]"):
        word_lists(path)
