"""The word lists of the stakeholder finder, from `stakeholders.toml`, each loaded once.

`briefer.analysis.names` and `briefer.analysis.name_kinds` read the words of a name (the
words that join it, particles, suffixes, the words that never open one);
`briefer.analysis.stakeholders` reads the words around a name that show whether it is a party
to the story (verbs after a subject, a state's institutions, prepositions of a setting, press
titles). The regular expressions that put them
in their grammar stay in those modules. The entity lists the rest of briefer shares too
(titles, countries, places) are in `entities.toml`, read by `briefer.text.lexicon`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path

_DATA = Path(__file__).with_name("stakeholders.toml")


@dataclass(frozen=True)
class StakeholderWords:
    """The word lists of `stakeholders.toml`, one per table (its comment says what for)."""

    # the words of a name (briefer.analysis.names and .name_kinds)
    connectors: frozenset[str]
    name_particles: frozenset[str]
    joined_particles: frozenset[str]
    name_suffixes: frozenset[str]
    honorifics: frozenset[str]
    never_name_start: frozenset[str]
    office_words: frozenset[str]
    place_prefixes: frozenset[str]
    hyphen_participles: frozenset[str]
    # the words around a name (briefer.analysis.stakeholders)
    act_verbs: frozenset[str]
    self_report_verbs: frozenset[str]
    subject_verbs: frozenset[str]
    irregular_past: frozenset[str]
    head_followers: frozenset[str]
    state_bodies: frozenset[str]
    body_nouns: frozenset[str]
    body_modifiers: frozenset[str]
    one_of_many: frozenset[str]
    staff_words: frozenset[str]
    state_possessions: frozenset[str]
    object_markers: frozenset[str]
    not_a_predicate: frozenset[str]
    clause_conjunctions: frozenset[str]
    locatives: frozenset[str]
    settings: frozenset[str]
    press_titles: frozenset[str]
    credit_verbs: frozenset[str]
    role_representatives: frozenset[str]


@cache
def stakeholder_words() -> StakeholderWords:
    """Load the stakeholder finder's word lists once."""
    data = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    return StakeholderWords(
        **{f.name: frozenset(data[f.name]["words"]) for f in fields(StakeholderWords)}
    )
