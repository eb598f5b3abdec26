"""Headline and summary of an offline brief: the article's title or its lede's first clause,
and the first key facts put together."""

from __future__ import annotations

import re
from collections.abc import Sequence

from briefer.schema import KeyFact
from briefer.text import Span, one_line
from briefer.text.lexicon import content_words

HEADLINE_WORDS = 16  # a headline of a title-less article: the lede's first clause, this long
SUMMARY_SHARE = 0.7  # no single key fact makes up more of the summary's words than this
SUMMARY_SENTENCES = 3
_CLAUSE_MARK = re.compile(r",\s|\s[—–-]{1,2}\s|;\s|:\s")


def _headline(title: str | None, facts: Sequence[KeyFact], body: list[Span]) -> str:
    """The article's own title; without one, the lede's first clause (never a dateline)."""
    if title:
        return one_line(title, 200, at_word=True)
    if not facts:
        return one_line(body[0].text, 200, at_word=True) if body else "Untitled article"
    lede = one_line(facts[0].statement).rstrip(".")
    if len(lede.split()) <= HEADLINE_WORDS:
        return one_line(lede, 200, at_word=True)
    for mark in _CLAUSE_MARK.finditer(lede):
        if 6 <= len(lede[: mark.start()].split()) <= HEADLINE_WORDS:
            return one_line(lede[: mark.start()] + " …", 200)
    return one_line(" ".join(lede.split()[:HEADLINE_WORDS]) + " …", 200)


def _summary(facts: Sequence[KeyFact], ranked: list[Span]) -> str:
    """The bottom line in two or three sentences: the first key facts, until no single fact
    makes up more than SUMMARY_SHARE of it (so it is more than the first fact again)."""
    if not facts:
        return one_line(ranked[0].text, 800, at_word=True) if ranked else "No summary."
    chosen = [one_line(facts[0].statement)]
    bags = [set(content_words(f.statement)) for f in facts]
    for fact in facts[1:SUMMARY_SENTENCES]:
        said = set(content_words(" ".join(chosen)))
        if said and max(len(said & bag) for bag in bags) <= SUMMARY_SHARE * len(said):
            break
        candidate = [*chosen, one_line(fact.statement)]
        if len(" ".join(candidate)) > 800:
            break
        chosen = candidate
    return one_line(" ".join(chosen), 800, at_word=True)
