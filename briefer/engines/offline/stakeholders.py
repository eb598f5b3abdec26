"""Stakeholders with their role (a title or appositive the article gives) and stance."""

from __future__ import annotations

import bisect
import re

from briefer.engines.offline.facts import _who
from briefer.schema import (
    Stakeholder,
    StakeholderKind,
)
from briefer.text import Span, one_line, sentence_bounds
from briefer.text.entities import Entity
from briefer.text.lexicon import (
    lexicon,
)
from briefer.verify.sourcing import SourceKind, SourcingProfile

MAX_STAKEHOLDERS = 12
_APPOSITIVE = re.compile(
    r"\s*,\s+((?:the|a|an|who|whose|which|its|his|her|their|[A-Z][\w-]*['’]s|[a-z])"
    r"[^,;.()]{2,150}?)[,;.]"
)


def _stakeholders(
    text: str, entities: list[Entity], profile: SourcingProfile, body: list[Span]
) -> list[Stakeholder]:
    out = []
    for entity in entities:
        out.append(
            Stakeholder(
                name=one_line(entity.name, 120, at_word=True),
                kind=entity.kind,
                role=one_line(_role(text, entity), 200, at_word=True),
                stance=one_line(_stance(text, entity, profile), 300, at_word=True),
            )
        )
    return out


_VERB_LIKE = re.compile(
    r"^(?:has|have|had|is|are|was|were|will|would|could|can|may|did|does|said|says|told|"
    r"declined|denied|announced|agreed|voted|plans?|wants?|urged|warned|filed|ruled|"
    r"[a-z]+ed|"
    # A word ending in -s is a verb ("owns", "leads") unless a verb follows it: then it was a
    # plural noun ("employees were told", "officials wondering", "advisers would like").
    r"[a-z]+s(?!\s+(?:were|are|have|had|would|will|could|can|may|might|should|must|do|did|"
    r"say|said|told|think|believe|expect|fear|hope|want|warn|argue|see|saw|agree|"
    r"and|or|of|who|which|that|[a-z]+ing|[a-z]+ed)\b))\b"
)


_NOT_APPOSITIVE = frozenset(
    "according said says told and but or while as saying arguing adding in on at for "
    "with from to by after before since if when where than so".split()
)


def _role(text: str, entity: Entity) -> str:
    for start, end in entity.mentions[:3]:
        match = _APPOSITIVE.match(text, end)
        if not match:
            continue
        first = match.group(1).split()[0]
        if first in _NOT_APPOSITIVE or first.endswith("ing"):  # ", injecting drama into ..."
            continue
        if entity.kind is not StakeholderKind.PERSON and _after_preposition(text, start):
            continue  # "the reign of X at Fox News, one of the most storied runs": the reign's
        role = re.sub(r"^(?:who|which) ", "", match.group(1)).strip()
        if any(ch.isalnum() for ch in role):
            return role
    if entity.title:
        return entity.title
    start, end = min(entity.mentions)
    before = _LOWER_TITLE.search(text, max(start - 60, 0), start)
    if before and before.group(2).lower() in lexicon().person_titles:
        return before.group(1)
    for mention_start, mention_end in sorted(entity.mentions)[:3]:
        action = _action(text, mention_start, mention_end)
        if action:
            return action
    return f"appears in: “{_window(text, start, end)}”"


# A name after one of these is an object or part of a longer phrase ("cooperation between X and
# Y could ..."), so the verb that follows is not its own.
_NOT_SUBJECT = frozenset(
    "between and or of with to for from by against on in at over about among into than "
    "like via toward towards".split()
)


_NAME_GOES_ON = re.compile(r"[ \t]*[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,2}")


def _after_preposition(text: str, start: int) -> bool:
    previous = re.search(r"([\w'’-]+)\W*$", text[max(start - 30, 0) : start])
    return bool(previous and previous.group(1).lower() in _NOT_SUBJECT)


def _action(text: str, start: int, end: int) -> str | None:
    """What the mention does, when it is the subject of the verb right after it."""
    if _after_preposition(text, start):
        return None
    stop = min(sentence_bounds(text, start, end)[1], end + 160)
    follow = re.match(r"\s+((?:(?:\d[\d,.]*\d|[\w$][\w'’$-]*)\s*){3,12})", text[end:stop])
    if follow and _VERB_LIKE.match(follow.group(1)):
        phrase = follow.group(1).strip()
        # Do not stop inside a name: "... between Russia and North" goes on to "Korea".
        rest = _NAME_GOES_ON.match(text, end + follow.end(1))
        if phrase.split()[-1][:1].isupper() and rest and rest.end() <= stop:
            phrase += " " + rest.group().strip()
        return phrase
    return None


_LOWER_TITLE = re.compile(
    # "employment attorney", "the company's chief executive": up to three words before a
    # title, none of them a pronoun or preposition ("introduced her to employment attorney").
    r"(?<![\w'’-])((?:(?!(?:her|his|him|their|them|its|it|to|of|the|a|an|and|or|by|for|with|"
    r"from|in|on|at|as|said|says|told)\b)[a-z][\w'’-]*\s+){0,3}?([a-z]+))\s+$"
)


def _window(text: str, start: int, end: int, words: int = 7) -> str:
    """A few words either side of a mention, within its sentence."""
    left, right = sentence_bounds(text, start, end)
    before = re.findall(r"\S+\s*", text[left:start])
    after = re.findall(r"\s*\S+", text[end:right])
    prefix = "…" if len(before) > words else ""
    suffix = "…" if len(after) > words else ""
    window = "".join(before[-words:]) + text[start:end] + "".join(after[:words])
    return prefix + one_line(window) + suffix


_ON_RECORD = (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION)
# Between an actor and its verb: "'s spokesperson", "spokesman", "officials at the": a few words
# with no comma, period or clause word, so the actor is the one that declines.
_ACTOR_GAP = re.compile(r"(?:['’]s)?(?:\s+(?!(?:and|or|but|that|which|who)\b)[\w'’-]+){0,3}\s+")


def _stance(text: str, entity: Entity, profile: SourcingProfile) -> str:
    """What the stakeholder says, or what it would not say; only when the text shows it.

    A refusal counts when the stakeholder is the one refusing ("A ministry spokesman
    declined to ..."), not when it is merely near ("The person declined to say how Moscow
    ..."). A claim counts when the stakeholder makes it on the record, by name, or through
    its spokesperson; not when an unnamed source merely names it ("an assessment of a nation
    in the Group of Seven").
    """
    keys = {entity.name.lower(), *(a.lower() for a in entity.aliases)}
    ends = sorted(end for _, end in entity.mentions)
    for finding in profile.declined:
        # Only the nearest mention before the refusal can be its actor: a few words, no comma.
        nearest = bisect.bisect_right(ends, finding.start) - 1
        if nearest >= 0 and _ACTOR_GAP.fullmatch(text, ends[nearest], finding.start):
            return f"not stated: {finding.text}"
    for attribution in profile.attributions:
        source = _who(attribution).lower()
        if not any(k in source for k in keys):
            continue
        claim = one_line(
            text[attribution.sentence_start : attribution.sentence_end], 240, at_word=True
        )
        if attribution.kind in _ON_RECORD:
            return f"on the record: {claim}"
        if _SPOKESPERSON.search(source):  # "a State Department spokesperson" speaks for it
            return f"through a spokesperson: {claim}"
    return "not stated in the article"


_SPOKESPERSON = re.compile(r"\b(?:spokes(?:person|man|woman)|representative|press office)\b")
