"""Merge the briefs of an article's parts into one, deterministically (the offline reduce).

* Key facts are taken in turn from each part (its best first), skipping near-duplicates
  (facts whose evidence shares 60% or more of its content words with one already taken).
* Stakeholders are merged by name (a name that is the other's last word counts as the same:
  "Albright" and "Denise Albright"); those named in more parts rank first.
* Questions and caveats are taken in turn from each part, without repeats.
* Headline and summary are the first part's: the lead of the article.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from briefer.schema import Brief, Stakeholder
from briefer.text import one_line
from briefer.text.lexicon import content_words

MAX_FACTS = 7
MAX_STAKEHOLDERS = 12
MAX_QUESTIONS = 6
MAX_CAVEATS = 12
DUPLICATE_OVERLAP = 0.6

T = TypeVar("T")
K = TypeVar("K")


def merge_briefs(parts: Sequence[Brief]) -> Brief:
    """Merge the briefs of consecutive parts of one article."""
    if len(parts) == 1:
        return parts[0]
    return Brief(
        headline=parts[0].headline,
        summary=parts[0].summary,
        key_facts=_take_turns(
            [p.key_facts for p in parts],
            lambda f: set(content_words(f.evidence)),
            MAX_FACTS,
            repeats=_near_duplicate,
        ),
        stakeholders=_stakeholders(parts),
        open_questions=_take_turns(
            [p.open_questions for p in parts], lambda q: q.question.lower(), MAX_QUESTIONS
        ),
        sourcing_caveats=_take_turns(
            [p.sourcing_caveats for p in parts],
            lambda c: (c.kind, one_line(c.evidence).lower()),
            MAX_CAVEATS,
        ),
    )


def _near_duplicate(words: set[str], taken: list[set[str]]) -> bool:
    """Whether a fact's content words are mostly those of a fact already taken."""
    return any(len(words & other) >= DUPLICATE_OVERLAP * max(len(words), 1) for other in taken)


def _stakeholders(parts: Sequence[Brief]) -> list[Stakeholder]:
    first: dict[str, Stakeholder] = {}
    parts_naming: dict[str, int] = {}
    order: dict[str, int] = {}
    for part in parts:
        for s in part.stakeholders:
            key = _same_as(s.name, first) or s.name.lower()
            if key not in first:
                first[key] = s
                order[key] = len(order)
                parts_naming[key] = 0
            parts_naming[key] += 1
    ranked = sorted(first, key=lambda k: (-parts_naming[k], order[k]))
    return [first[k] for k in ranked[:MAX_STAKEHOLDERS]]


def _same_as(name: str, known: dict[str, Stakeholder]) -> str | None:
    lower = name.lower()
    for key in known:
        if lower == key or key.endswith(" " + lower) or lower.endswith(" " + key):
            return key
    return None


def _interleave(lists: Iterable[Sequence[T]]) -> list[T]:
    lists = list(lists)
    out: list[T] = []
    for depth in range(max((len(items) for items in lists), default=0)):
        out.extend(items[depth] for items in lists if depth < len(items))
    return out


def _take_turns(
    lists: list[Sequence[T]],
    key: Callable[[T], K],
    limit: int,
    *,
    repeats: Callable[[K, list[K]], bool] = lambda k, taken: k in taken,
) -> list[T]:
    """Take the items of `lists` in turn, one from each, up to `limit`, skipping an item
    whose key `repeats` one already taken (by default: equals it)."""
    out: list[T] = []
    taken: list[K] = []
    for item in _interleave(lists):
        k = key(item)
        if repeats(k, taken):
            continue
        taken.append(k)
        out.append(item)
        if len(out) == limit:
            break
    return out
