"""Measure the offline engine against hand-written labels (fixtures/labels/*.json).

A labels file lists, for one article, the stakeholders (name, kind, aliases) and the exact
phrases of anonymous sources. The scores here are what `bench/eval_offline.py` prints and what
the quality tests require.

Matching rules:

* A predicted stakeholder matches a labelled one when their normalised names are equal (the
  label's aliases count), or when one name's words contain the other's and both end in the
  same head word ("employees" ~ "former Brightline employees").
* A labelled anonymous-source phrase is found when an attribution classified anonymous
  overlaps its first occurrence in the article.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Score:
    """Hits over totals for recall and precision."""

    true_positives: int
    labelled: int
    predicted: int
    predicted_correct: int

    @property
    def recall(self) -> float:
        return self.true_positives / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.predicted_correct / self.predicted if self.predicted else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.true_positives + other.true_positives,
            self.labelled + other.labelled,
            self.predicted + other.predicted,
            self.predicted_correct + other.predicted_correct,
        )


ZERO = Score(0, 0, 0, 0)


def load_labels(path: Path) -> dict[str, Any]:
    """Read one labels file."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _norm(name: str) -> str:
    name = name.lower().replace("’", "'")
    name = re.sub(r"^the\s+", "", name)
    return " ".join(re.findall(r"[\w&]+", name))


def _matches(predicted: str, names: list[str]) -> bool:
    p = _norm(predicted)
    p_words = p.split()
    for name in names:
        n = _norm(name)
        if p == n:
            return True
        n_words = n.split()
        if not p_words or not n_words or p_words[-1] != n_words[-1]:
            continue
        if set(p_words) <= set(n_words) or set(n_words) <= set(p_words):
            return True
    return False


def stakeholder_score(predicted: list[str], labels: dict[str, Any]) -> Score:
    """Score predicted stakeholder names against one article's labels."""
    groups = [[s["name"], *s.get("aliases", [])] for s in labels["stakeholders"]]
    found = sum(1 for names in groups if any(_matches(p, names) for p in predicted))
    correct = sum(1 for p in predicted if any(_matches(p, names) for names in groups))
    return Score(found, len(groups), len(predicted), correct)


def span_recall(text: str, phrases: list[str], spans: list[tuple[int, int]]) -> Score:
    """Score how many labelled phrases (first occurrence) overlap any predicted span."""
    found = 0
    for phrase in phrases:
        at = text.find(phrase)
        if at < 0:
            continue
        end = at + len(phrase)
        if any(s < end and at < e for s, e in spans):
            found += 1
    return Score(found, len(phrases), len(spans), 0)
