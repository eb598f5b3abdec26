"""What a digest produced: its items (a brief, or why it failed) and their grouping into stories.

Two briefs report the same story when they share named stakeholders (countries do not count:
too many stories share them) and key terms (the most frequent words of five letters or more in
headline, summary and key facts, not counting the words of the shared names): `SHARED_STAKEHOLDERS`
names and `SHARED_TERMS` terms, or one name fewer for one term more, or one name more and
no term (outlets word the same story differently but name the same people); or when they
share more than `SHARED_TERMS + 1` key terms with a Jaccard overlap of at least
`TERM_OVERLAP`; or when they share the digest's rare words: the cosine of their word
weights (each word of headline, summary, key facts and stakeholder names weighted by how few
of the digest's briefs use it) is at least `DISTINCTIVE_SIMILARITY` (outlets telling one
story with different people quoted); or when they quote the same words (a quotation of
`QUOTED_WORDS` words or more in headline or key facts, compared without case or punctuation:
a slogan, a statement) and share a name and a key term. The same company in two different
events shares a few stakeholders but few terms, and stays apart. Groups are the connected sets
of that relation, in the order their first article was given.

Grouping does not compare every pair of briefs (that made a digest of thousands of entries
quadratic): only pairs that could meet the rule are compared, found through indexes of names,
terms and words (`_linked_groups`), and a pair already in one group is not compared at all.
The groups are the same as comparing every pair would give.

Results only: renderers import this module, never the runner (`briefer.digest.runner`).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import chain, pairwise, repeat
from operator import mul
from typing import Any

from briefer.errors import BrieferError
from briefer.schema import Envelope
from briefer.text import counted, one_line
from briefer.text.lexicon import content_words, lexicon
from briefer.text.similarity import Groups, connected_groups

SHARED_STAKEHOLDERS = 3
SHARED_TERMS = 3
TERM_OVERLAP = 0.25
DISTINCTIVE_SIMILARITY = 0.25
QUOTED_WORDS = 3


@dataclass
class DigestItem:
    """One input of a digest: its brief, or why it failed."""

    source: str
    envelope: Envelope | None = None
    brief_id: int | None = None
    cached: bool = False
    error: str | None = None
    failure: BrieferError | None = field(default=None, repr=False, compare=False)
    text: str | None = field(default=None, repr=False, compare=False)  # the article's text
    kind: str = "article"  # or "feed": a feed that could not be read

    @property
    def ok(self) -> bool:
        return self.envelope is not None


@dataclass
class Digest:
    """The result of a digest run."""

    items: list[DigestItem]
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Story number (from 1) -> what changed since its earlier briefs (a
    # `briefer.digest.followup.FollowUp`), for the stories that are follow-ups.
    follow_ups: dict[int, Any] = field(default_factory=dict)
    feed_summary: str | None = None  # what reading the feeds gave, when there were feeds
    # Story number (from 1) -> the `briefer.schema.story.StoryBrief` of a story that several
    # outlets tell (`briefer.digest.stories`).
    story_briefs: dict[int, Any] = field(default_factory=dict)
    held_back: int = 0  # feed entries over the per-feed or per-digest cap, left for later
    _stories: tuple[tuple[int, ...], list[list[DigestItem]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def failed(self) -> list[DigestItem]:
        return [i for i in self.items if not i.ok]

    @property
    def briefed(self) -> list[DigestItem]:
        return [i for i in self.items if i.ok]

    @property
    def nothing_new(self) -> bool:
        """Whether the digest is of feeds alone and they had nothing new: no entry to brief
        and no feed that failed (so there is nothing to write or send)."""
        return self.feed_summary is not None and not self.items

    def failures_line(self) -> str:
        """ "2 of 12 articles failed, 1 feed failed": articles and feeds counted apart ("" when
        nothing failed)."""
        articles = [i for i in self.items if i.kind != "feed"]
        feeds = [i for i in self.failed if i.kind == "feed"]
        parts = []
        if failed := [i for i in articles if not i.ok]:
            parts.append(f"{len(failed)} of {counted(len(articles), 'article')} failed")
        if feeds:
            parts.append(f"{counted(len(feeds), 'feed')} failed")
        return ", ".join(parts)

    def fallback_line(self) -> str | None:
        """One line saying the offline engine stood in for the LLM, how often and why (the
        first reason given); None when it never did."""
        notes = [
            w.message
            for i in self.briefed
            if i.envelope is not None
            for w in i.envelope.warnings
            if w.code == "fallback_offline"
        ]
        if not notes:
            return None
        return (
            f"the offline engine briefed {len(notes)} of {counted(len(self.items), 'article')}: "
            f"{notes[0]}"
        )

    def worded(self, word: Callable[[BrieferError], str]) -> Digest:
        """A copy whose failures give as their reason their error as `word` words it (a
        caller's own names for the settings a fix names), on one line and without the source
        the item names already; the items without an error to word are shared."""
        items = [
            replace(i, error=one_line(word(i.failure)).removeprefix(f"{i.source}: "))
            if not i.ok and i.failure is not None
            else i
            for i in self.items
        ]
        return replace(self, items=items)

    def stories(self) -> list[list[DigestItem]]:
        """The briefed items grouped by story (the rule is in the module docstring); worked
        out once for the same briefed items, however often renderers ask."""
        briefed = self.briefed
        key = tuple(id(i.envelope) for i in briefed)
        if self._stories is None or self._stories[0] != key:
            groups = group_stories([i.envelope for i in briefed if i.envelope is not None])
            self._stories = (key, [[briefed[i] for i in group] for group in groups])
        return [list(group) for group in self._stories[1]]


def _rare_word_weights(envelopes: list[Envelope]) -> list[dict[str, float]]:
    """Each brief's words weighted by frequency in it and rarity across the digest
    (`_word_weights` of the words of headline, summary, key facts and stakeholder names)."""
    bags = []
    for envelope in envelopes:
        brief = envelope.brief
        parts = [
            brief.headline,
            brief.summary,
            *(f.evidence for f in brief.key_facts),
            *(s.name for s in brief.stakeholders),
        ]
        bags.append(Counter(content_words(" ".join(parts))))
    return _word_weights(bags)


def _word_weights(bags: list[Counter[str]]) -> list[dict[str, float]]:
    """Each bag's words weighted by frequency in it and rarity across the bags (log-scaled
    counts times log(1 + bags / bags using the word)), scaled to length 1."""
    used_by = Counter(word for bag in bags for word in bag)
    out = []
    for bag in bags:
        weights = {
            word: (1 + math.log(count)) * math.log(1 + len(bags) / used_by[word])
            for word, count in bag.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        out.append({word: w / norm for word, w in weights.items()})
    return out


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(b) < len(a):
        a, b = b, a
    # sum(weight * b.get(word, 0.0) for word, weight in a.items()), without a Python loop.
    return float(sum(map(mul, a.values(), map(b.get, a, repeat(0.0)))))


def _terms(envelope: Envelope) -> set[str]:
    brief = envelope.brief
    text = " ".join([brief.headline, brief.summary, *(f.statement for f in brief.key_facts)])
    counts = Counter(content_words(text, min_letters=5))
    return {w for w, _ in counts.most_common(15)}


def _names(envelope: Envelope) -> set[str]:
    countries = {c.lower() for c in lexicon().country_of.values()}
    names = (
        re.sub(r"^the\s+", "", s.name.lower()).strip()
        for s in envelope.brief.stakeholders
        if s.kind.value != "group"
    )
    return {n for n in names if n not in countries}


# A quotation: in double marks, or in single marks that open after a space or a mark and
# close before one (so "We’re" inside it is not its end).
_QUOTATION = re.compile(
    r"[“\"]([^”\"]{3,160})[”\"]|(?<![\w’'])[‘']((?:[^’']|[’'](?=\w)){3,160})[’'](?!\w)"
)


def _quotations(envelope: Envelope) -> set[str]:
    """The quotations of a brief's headline and key facts, without case or punctuation."""
    brief = envelope.brief
    text = " ".join([brief.headline, *(f.evidence for f in brief.key_facts)])
    out = set()
    for match in _QUOTATION.finditer(text):
        quoted = (match.group(1) or match.group(2)).lower().replace("’", "'")
        words = re.findall(r"[\w']+", quoted)
        if len(words) >= QUOTED_WORDS:
            out.add(" ".join(words))
    return out


@dataclass(frozen=True)
class _StoryTraits:
    """What the story rule compares of one brief."""

    names: frozenset[str]  # named stakeholders, not countries
    terms: frozenset[str]  # key terms
    weights: dict[str, float]  # words weighted by rarity, length 1


def _same_story(a: _StoryTraits, b: _StoryTraits) -> bool:
    """Whether two briefs report the same story (the rule of the module docstring)."""
    both = a.names & b.names
    name_words = {w for name in both for w in name.split()}
    shared_terms = len(a.terms & b.terms - name_words)
    all_terms = len(a.terms & b.terms)
    overlap = all_terms / max(len(a.terms | b.terms), 1)
    return (
        len(both) >= SHARED_STAKEHOLDERS + 1
        or (len(both) >= SHARED_STAKEHOLDERS and shared_terms >= SHARED_TERMS)
        or (len(both) >= SHARED_STAKEHOLDERS - 1 and shared_terms >= SHARED_TERMS + 1)
        or (all_terms > SHARED_TERMS + 1 and overlap >= TERM_OVERLAP)
        or _cosine(a.weights, b.weights) >= DISTINCTIVE_SIMILARITY
    )


def group_stories(envelopes: list[Envelope]) -> list[list[int]]:
    """Group briefs that report the same story; return lists of indices."""
    terms = [_terms(e) for e in envelopes]
    names = [_names(e) for e in envelopes]
    weights = _rare_word_weights(envelopes)
    traits = [
        _StoryTraits(frozenset(n), frozenset(t), w)
        for n, t, w in zip(names, terms, weights, strict=True)
    ]
    groups = _linked_groups(traits)
    quoted = _quoted_links([_quotations(e) for e in envelopes], names, terms)
    if not quoted:
        return groups
    chained = (pair for group in groups for pair in pairwise(group))
    return connected_groups(len(envelopes), chain(chained, quoted))


def _quoted_links(
    quoted: list[set[str]], names: list[set[str]], terms: list[set[str]]
) -> list[tuple[int, int]]:
    """The pairs of briefs that quote the same words and share a name and a key term (the
    quotation rule of the module docstring); only briefs sharing a quotation are compared."""
    by_quotation: dict[str, list[int]] = {}
    for i, quotations in enumerate(quoted):
        for quotation in quotations:
            by_quotation.setdefault(quotation, []).append(i)
    return [
        (a, b)
        for briefs in by_quotation.values()
        for n, a in enumerate(briefs)
        for b in briefs[n + 1 :]
        if names[a] & names[b] and terms[a] & terms[b]
    ]


# What a pair must share to have a chance under `_same_story` (a test checks the grouping
# against comparing every pair): names for the rules on names, key terms for the rule on
# terms alone, words for the similarity.
_MIN_NAMES = SHARED_STAKEHOLDERS - 1
_MIN_TERMS = SHARED_TERMS + 2
_SIMILARITY_MARGIN = 1e-9  # rounding in `_cosine` never lets a pair through unseen


_BIG_GROUP = 64  # a group this large, and an eighth of the briefs so far, is indexed apart
_TRIED_FIRST = 4  # briefs of the big group tried first, by each of a brief's names and words


def _linked_groups(traits: list[_StoryTraits]) -> list[list[int]]:
    """The connected groups of `_same_story`, comparing only pairs that could meet it.

    Each brief is compared with the earlier ones not in its group yet that share with it:

    * `_MIN_NAMES` names or more (every rule on names needs as many), or
    * two or more of their rarest key terms (all but the `_MIN_TERMS - 2` most common in the
      digest: two briefs sharing `_MIN_TERMS` terms share at least two of those), or
    * a word, when what the two briefs weigh from that word on could reach
      `DISTINCTIVE_SIMILARITY`. With the words of every brief in one order, the rarest
      first, the similarity of two briefs is at most the product of the lengths of their
      vectors from the first word they share on (Cauchy-Schwarz); so a pair that reaches it
      is found at that word. Common words come last, where little weight is left: they bring
      few candidates.

    One story can take most of a digest (a feed of near-identical entries). Once a group is
    that big, the briefs outside it are also indexed apart; a brief is first tried against a
    few of the big group's likeliest members, and once in it, looks for candidates only
    among the briefs outside it.

    On news, a brief meets a few dozen candidates where comparing every pair would meet all
    the digest. `_same_story` is always given the earlier brief first, as comparing every
    pair in order does (`_cosine` sums in the order of its first argument's words).
    """
    groups = Groups(len(traits))
    term_count = Counter(term for t in traits for term in t.terms)
    word_count = Counter(word for t in traits for word in t.weights)
    tails = [_tails(t.weights, word_count) for t in traits]
    everyone = _Index.of(tails)  # every brief's words; names and terms as briefs come
    outside: _Index | None = None  # the briefs so far outside the big group
    big: int | None = None  # a brief of the big group, once there is one
    names: list[list[str]] = []
    terms: list[list[str]] = []
    earlier: set[int] = set()
    members: dict[int, set[int]] = {}  # a group's root -> its briefs (of the earlier ones)
    for i, trait in enumerate(traits):
        names.append(sorted(trait.names) if len(trait.names) >= _MIN_NAMES else [])
        rarest = sorted(trait.terms, key=lambda term: (term_count[term], term))
        terms.append(rarest[: len(rarest) - _MIN_TERMS + 2] if len(rarest) >= _MIN_TERMS else [])
        mine = {i}  # the briefs of i's group
        compared: set[int] = set()
        if big is not None:  # the big group's likeliest members first
            likely = everyone.likely(names[i], terms[i], tails[i])
            for j in sorted(likely & members[groups.root(big)]):
                compared.add(j)
                if _same_story(traits[j], trait):
                    mine = _join(groups, members, mine, j, i)
                    break
        if big is not None and outside is not None and groups.root(i) == groups.root(big):
            candidates = outside.candidates(names[i], terms[i], tails[i])
        else:
            candidates = everyone.candidates(names[i], terms[i], tails[i]) & earlier
        candidates -= mine
        candidates -= compared
        while candidates:  # in any order: the groups come out the same
            j = candidates.pop()
            if _same_story(traits[j], trait):
                mine = _join(groups, members, mine, j, i)
                candidates -= mine  # the rest of that group: linked to i now
        members[groups.root(i)] = mine
        earlier.add(i)
        everyone.add_words_known(i, names[i], terms[i])
        biggest = groups.root(big) if big is not None else None
        overtaken = biggest is None or (
            groups.root(i) != biggest and len(mine) > 2 * len(members[biggest])
        )
        if len(mine) >= _BIG_GROUP and 8 * len(mine) >= len(earlier) and overtaken:
            big = i  # a new big group: the briefs outside it are indexed apart
            outside = _Index()
            for k in sorted(earlier - mine):
                outside.add(k, names[k], terms[k], tails[k])
        elif outside is not None and groups.root(i) != biggest:
            outside.add(i, names[i], terms[i], tails[i])
    return groups.groups()


def _join(groups: Groups, members: dict[int, set[int]], mine: set[int], j: int, i: int) -> set[int]:
    """Link brief `i` (its group so far: `mine`) with the group of `j`; return the briefs of
    the group they make (the smaller set added to the larger)."""
    joined = members.pop(groups.root(j))
    groups.link(j, i)
    if len(joined) > len(mine):
        joined, mine = mine, joined
    mine |= joined
    return mine


class _Index:
    """Briefs by name, by rarer key term, and by word; each word's briefs in the order of the
    weight they have left from that word on, the most first."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[int]] = {}
        self.by_term: dict[str, list[int]] = {}
        self.lefts: dict[str, list[float]] = {}  # negated, so in ascending order
        self.holders: dict[str, list[int]] = {}

    @classmethod
    def of(cls, tails: list[dict[str, float]]) -> _Index:
        """An index of every brief's words (names and terms are added brief by brief)."""
        index = cls()
        by_word: dict[str, list[tuple[float, int]]] = {}
        for i, tail in enumerate(tails):
            for word, left in tail.items():
                by_word.setdefault(word, []).append((-left, i))
        for word, posting in by_word.items():
            posting.sort()
            index.lefts[word] = [left for left, _ in posting]
            index.holders[word] = [i for _, i in posting]
        return index

    def add_words_known(self, i: int, names: list[str], terms: list[str]) -> None:
        """Add a brief's names and terms (its words are in the index already)."""
        for name in names:
            self.by_name.setdefault(name, []).append(i)
        for term in terms:
            self.by_term.setdefault(term, []).append(i)

    def add(self, i: int, names: list[str], terms: list[str], tail: dict[str, float]) -> None:
        """Add a brief: its names, terms and words."""
        self.add_words_known(i, names, terms)
        for word, left in tail.items():
            lefts = self.lefts.setdefault(word, [])
            at = bisect_right(lefts, -left)
            lefts.insert(at, -left)
            self.holders.setdefault(word, []).insert(at, i)

    def candidates(self, names: list[str], terms: list[str], tail: dict[str, float]) -> set[int]:
        """The briefs sharing `_MIN_NAMES` of `names`, two of `terms`, or a word of `tail`
        with enough weight left from it on for the two to reach `DISTINCTIVE_SIMILARITY`."""
        found = _at_least(_MIN_NAMES, (self.by_name.get(name, ()) for name in names))
        found |= _at_least(2, (self.by_term.get(term, ()) for term in terms))
        reach = DISTINCTIVE_SIMILARITY - _SIMILARITY_MARGIN
        for word, left in tail.items():
            if left >= reach and word in self.lefts:  # those with reach / left from here on
                cut = bisect_right(self.lefts[word], -reach / left)
                found.update(self.holders[word][:cut])
        return found

    def likely(self, names: list[str], terms: list[str], tail: dict[str, float]) -> set[int]:
        """A few briefs likely to be of the same story: the latest `_TRIED_FIRST` of each
        name and term, and the `_TRIED_FIRST` with the most weight left at each word."""
        found: set[int] = set()
        for posting in chain(
            (self.by_name.get(name, []) for name in names),
            (self.by_term.get(term, []) for term in terms),
        ):
            found.update(posting[-_TRIED_FIRST:])
        for word in tail:
            found.update(self.holders.get(word, [])[:_TRIED_FIRST])
        return found


def _at_least(times: int, postings: Iterable[Iterable[int]]) -> set[int]:
    """The briefs found in at least `times` of `postings`."""
    counts = Counter(chain.from_iterable(postings))
    return {j for j, count in counts.items() if count >= times}


def _tails(weights: dict[str, float], word_count: Counter[str]) -> dict[str, float]:
    """For each word of a brief, the length of its vector from that word on, its words taken
    the rarest first (ties in alphabetical order)."""
    order = sorted(weights, key=lambda word: (word_count[word], word))
    tails = {}
    left = 0.0
    for word in reversed(order):
        left += weights[word] ** 2
        tails[word] = math.sqrt(left)
    return tails
