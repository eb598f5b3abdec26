"""What is new since the last brief: follow-up stories and a story's timeline.

A story of today's digest is a *follow-up* when the store holds briefs of the same story from
before (the digest's own story rule, `group_stories`, run over today's briefs and the stored
ones of the last `WINDOW`) of other texts: the same text briefed again, with `--refresh` or
another engine, is not a later report of itself. What changed is found by comparing the newest
earlier briefs with today's with the offline comparer, deterministic and free whatever engine
wrote the briefs:

* new facts: facts today's brief reports that no earlier brief does;
* changed numbers: the same quantity given differently ("40,000 litres" then "65,000
  litres"), each with its quote and date;
* new parties: people and bodies today's brief names that no earlier one did; and how many
  attributions are anonymous, then and now.

`story_timeline` gives every stored brief of one story in order, each with what it added;
`latest_story_brief` merges the outlets' briefs of its newest day into one story brief.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from briefer.digest import Digest, group_stories
from briefer.engines.offline.compare import compare_offline
from briefer.engines.offline.story import story_offline
from briefer.io.store import Store
from briefer.schema import Envelope
from briefer.schema.comparison import Comparison
from briefer.schema.story import StoryBrief
from briefer.text import one_line
from briefer.verify.coverage import Compared

WINDOW = timedelta(days=14)
EARLIER_COMPARED = 3  # the newest earlier briefs a follow-up is compared with
MAX_LISTED = 5


@dataclass(frozen=True)
class Earlier:
    """An earlier brief of the story."""

    id: int
    when: str  # the article's date, else the brief's
    label: str  # the outlet
    headline: str


@dataclass(frozen=True)
class ChangedNumber:
    """One quantity given differently now than before."""

    topic: str
    before: str
    before_quote: str
    before_when: str
    now: str
    now_quote: str
    now_when: str


@dataclass
class FollowUp:
    """What changed in a story since its earlier briefs."""

    earlier: list[Earlier]
    new_facts: list[str] = field(default_factory=list)
    changed: list[ChangedNumber] = field(default_factory=list)
    new_parties: list[str] = field(default_factory=list)
    anonymous_before: int = 0
    anonymous_now: int = 0


def find_follow_ups(
    digest: Digest, store: Store, *, now: datetime | None = None
) -> dict[int, FollowUp]:
    """Follow-ups among the digest's stories, by story number (from 1)."""
    stories = digest.stories()
    mine = {i.brief_id for group in stories for i in group if i.brief_id is not None}
    ours = [i for group in stories for i in group if i.envelope is not None]
    if not ours:
        return {}
    start = min(i.envelope.created_at for i in ours if i.envelope is not None)
    since = (now or start) - WINDOW
    # The same text briefed again (--refresh, another engine) is not a later report of it.
    texts = {i.envelope.article.sha256 for i in ours if i.envelope is not None}
    stored = [
        (i, e)
        for i, e in store.recent(since=since, before=start)
        if i not in mine and e.article.sha256 not in texts
    ]
    if not stored:
        return {}
    envelopes = [i.envelope for i in ours if i.envelope is not None]
    groups = group_stories([*envelopes, *(e for _, e in stored)])
    story_of = {id(item.envelope): n for n, group in enumerate(stories, 1) for item in group}
    out: dict[int, FollowUp] = {}
    for group in groups:
        numbers = {story_of[id(envelopes[i])] for i in group if i < len(envelopes)}
        older = sorted(
            (stored[i - len(envelopes)] for i in group if i >= len(envelopes)),
            key=lambda pair: pair[1].created_at,
        )  # oldest first
        if len(numbers) != 1 or not older:
            continue  # no earlier brief, or an earlier brief bridging two of today's stories
        (number,) = numbers
        lead = next(i for i in stories[number - 1] if i.envelope is not None)
        if lead.brief_id is None:
            continue  # not stored: its text is not at hand
        follow = _what_changed(store, older[-EARLIER_COMPARED:], lead.brief_id, lead.envelope)
        if follow is not None:
            out[number] = follow
    return out


def _what_changed(
    store: Store, older: list[tuple[int, Envelope]], brief_id: int, envelope: Envelope | None
) -> FollowUp | None:
    """Compare the earlier briefs (oldest first) with the brief `brief_id`."""
    texts = [store.article_text(i) for i, _ in older]
    now_text = store.article_text(brief_id)
    if envelope is None or now_text is None or any(t is None for t in texts):
        return None
    items = [Compared(e, t or "") for (_, e), t in zip(older, texts, strict=True)]
    items.append(Compared(envelope, now_text))
    comparison = compare_offline(items)
    follow = FollowUp(earlier=[_earlier(i, e) for i, e in reversed(older)])  # newest first
    follow.new_facts, follow.changed, follow.new_parties = _changes(comparison, items)
    follow.anonymous_before = comparison.sourcing[-2].anonymous  # the latest earlier brief
    follow.anonymous_now = comparison.sourcing[-1].anonymous
    return follow


def _changes(
    comparison: Comparison, items: list[Compared]
) -> tuple[list[str], list[ChangedNumber], list[str]]:
    new = len(items) - 1
    facts = [
        one_line(f.statement, 240, at_word=True)
        for f in [*comparison.partial, *comparison.unique]
        if f.sources == [new]
    ][:MAX_LISTED]
    changed = []
    for conflict in comparison.conflicts:
        if conflict.kind != "quantity" or new not in conflict.values:
            continue
        earlier = [s for s in sorted(conflict.values, reverse=True) if s != new]
        if not earlier or conflict.values[earlier[0]] == conflict.values[new]:
            continue
        quotes = {q.source: q.text for q in conflict.quotes}
        then = earlier[0]
        changed.append(
            ChangedNumber(
                topic=conflict.topic,
                before=conflict.values[then],
                before_quote=one_line(quotes.get(then, ""), 240, at_word=True),
                before_when=_when(items[then].envelope),
                now=conflict.values[new],
                now_quote=one_line(quotes.get(new, ""), 240, at_word=True),
                now_when=_when(items[new].envelope),
            )
        )
    parties = [s.name for s in comparison.stakeholders if s.sources == [new]][:MAX_LISTED]
    return facts, changed[:MAX_LISTED], parties


def _when(envelope: Envelope) -> str:
    return (envelope.article.published or envelope.created_at.date().isoformat())[:10]


def _earlier(brief_id: int, envelope: Envelope) -> Earlier:
    return Earlier(brief_id, _when(envelope), envelope.article.label, envelope.brief.headline)


@dataclass(frozen=True)
class TimelineEntry:
    """One brief of a story, and what it added to the briefs before it."""

    brief: Earlier
    added: list[str]


def _story_of(store: Store, brief_id: int) -> list[tuple[int, Envelope]]:
    """The stored briefs of the story brief `brief_id` belongs to, oldest first."""
    envelope = store.show(brief_id)
    around = envelope.created_at
    stored = store.recent(since=around - WINDOW, before=around + WINDOW, limit=500)
    if all(i != brief_id for i, _ in stored):
        stored.append((brief_id, envelope))
    at = next(n for n, (i, _) in enumerate(stored) if i == brief_id)
    group = next(g for g in group_stories([e for _, e in stored]) if at in g)
    story = sorted((stored[n] for n in group), key=lambda pair: pair[1].created_at)
    # One entry per text (a text briefed again with --refresh or another engine is one
    # report): the brief asked for stands for its text, the first brief for any other.
    asked = envelope.article.sha256
    seen: set[str] = set()
    out = []
    for i, e in story:
        text = e.article.sha256
        if text in seen or (text == asked and i != brief_id):
            continue
        seen.add(text)
        out.append((i, e))
    return out


def latest_story_brief(store: Store, brief_id: int) -> StoryBrief | None:
    """The story brief of the story's newest day: its outlets' newest briefs of that day
    merged (`briefer.engines.offline.story`); None when only one outlet told it that day."""
    story = _story_of(store, brief_id)
    day = story[-1][1].created_at.date()
    newest: dict[str, tuple[int, Envelope]] = {}
    for i, e in story:
        if e.created_at.date() == day:
            newest[e.article.label] = (i, e)  # oldest first: the outlet's newest wins
    items = []
    for i, e in newest.values():
        text = store.article_text(i)
        if text is not None:
            items.append(Compared(e, text))
    if len(items) < 2:
        return None
    return story_offline(compare_offline(items), items)


def story_timeline(store: Store, brief_id: int) -> list[TimelineEntry]:
    """Every stored brief of the story brief `brief_id` belongs to, oldest first."""
    story = _story_of(store, brief_id)
    timeline = []
    for n, (i, e) in enumerate(story):
        added: list[str] = []
        if n:
            change = _what_changed(store, story[:n][-EARLIER_COMPARED:], i, e)
            added = change.new_facts if change is not None else []
        else:
            added = [one_line(f.statement, 240, at_word=True) for f in e.brief.key_facts][:3]
        timeline.append(TimelineEntry(_earlier(i, e), added))
    return timeline
