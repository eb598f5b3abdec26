"""Stakeholders with their role (a title or appositive the article gives) and stance."""

from __future__ import annotations

import bisect
import re
from functools import cache

from briefer.analysis.parties import Entity
from briefer.analysis.rules import enabled
from briefer.analysis.sourcing import Attribution, SourceKind, SourcingProfile
from briefer.engines.offline.facts import _who
from briefer.schema import (
    NOT_STATED,
    Stakeholder,
    StakeholderKind,
)
from briefer.text import Span, one_line
from briefer.text.lexicon import MONTHS, WEEKDAYS, alternation, lexicon

MAX_STAKEHOLDERS = 15  # the schema's limit; the filters keep the tail clean
# ", the CEO of X,", ", Columbus Police Department spokesman.": after the name (and a "Jr."),
# up to the next comma or full stop; a capital letter inside an abbreviation ("U.S.") is not
# the end. `_role_phrase` then decides whether it is a role.
_APPOSITIVE = re.compile(
    r"\.?\s*,\s+((?:the|a|an|who|whose|which|its|his|her|their|"
    r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,2}['’]s?|[A-Za-z])"
    r"(?:[^,;.()]|(?<=\b[A-Z])\.)+?)(?:[,;]|(?<!\b[A-Z])\.)"
)


def _stakeholders(
    text: str, entities: list[Entity], profile: SourcingProfile, body: list[Span]
) -> list[Stakeholder]:
    out = []
    sources = _sources(profile)
    for entity in entities:
        role = _role(text, entity)
        out.append(
            Stakeholder(
                name=one_line(entity.name, 120, at_word=True),
                kind=_kind_by_role(entity, role),
                role=one_line(role, 200, at_word=True),
                stance=one_line(_stance(text, entity, profile, sources), 300, at_word=True),
            )
        )
    return out


def _kind_by_role(entity: Entity, role: str) -> StakeholderKind:
    """A one-word name the article gives a person's title ("Lee, the leader of the Democratic
    Party") is a person, whatever the name alone suggested. A function a firm can have too
    ("SoftBank, its largest investor", "an owner") is no sign of a person."""
    if entity.kind is StakeholderKind.PERSON or len(entity.name.split()) != 1:
        return entity.kind
    if not enabled("stakeholders.title-makes-person"):
        return entity.kind
    head = _ROLE_CUT.split(role, maxsplit=1)[0].split()
    if head and head[-1].lower().strip(",.") in lexicon().person_titles:
        return StakeholderKind.PERSON
    return entity.kind


MAX_ROLE_WORDS = 8
# An appositive that names a role starts like a noun phrase: "the CEO of X", "a China scholar",
# "Tessaly's chief executive", "its parent". A clause ("who indulged in ...", "which owns ...")
# says what someone did, which is a claim, not a role.
_ROLE_START = re.compile(
    r"^(?:the|a|an|another|one\s+of\s+the|its|his|her|their|[A-Z][\w.&-]*(?:\s+[A-Z][\w.&-]*)*['’]s)\s+\S",
)
_CLAUSE_WORD = re.compile(
    r"\b(?:who|whom|whose|which|that|is|are|was|were|has|have|had|will|would|said|says|"
    r"told|did|does|do|can|could)\b"
)


def _role(text: str, entity: Entity) -> str:
    """The role the article gives: an appositive noun phrase or a title; else not stated.

    "Derek Scissors, a China scholar at AEI," gives "a China scholar at AEI"; "port director
    Helen Marsh" gives "port director". Nothing else is guessed: a verb phrase after the name
    or the words around it are not a role.
    """
    for start, end in sorted(entity.mentions)[:3]:
        match = _APPOSITIVE.match(text, end)
        if not match:
            continue
        if entity.kind is not StakeholderKind.PERSON and _after_preposition(text, start):
            continue  # "the reign of X at Fox News, one of the most storied runs": the reign's
        role = _role_phrase(one_line(match.group(1)).strip())
        if role:
            return role
    if entity.title:
        # "senior executive VP Tom Berg": the words before the title belong to it.
        before = _role_before(text, min(entity.mentions)[0])
        return before if before and before.endswith(entity.title) else entity.title
    if entity.kind is StakeholderKind.PERSON:
        for start, _ in sorted(entity.mentions)[:3]:
            role = _role_before(text, start)
            if role:
                return role
    return NOT_STATED


# The words before a name that give its role: capitalised modifiers (an organisation, a
# nationality, an owner: "State Department", "Palestinian", "Carlineo's"), lower-case ones
# ("chief", "high school math"), then a title or function noun, or abbreviated titles ("Gov.",
# "Lt. Col."); a comma may stand between ("Carlineo's attorney, Sonya Zoghlin").
_NOT_MODIFIER = (
    r"(?:the|a|an|and|or|but|in|on|at|for|with|from|by|as|to|of|then|when|after|before|while|"
    r"if|last|next|this|that|said|says|told|asked|her|his|him|their|them|its|it|"
    rf"{alternation(tuple(w.lower() for w in WEEKDAYS + MONTHS))})\b"
)
# Lower-case words before a role that are verbs taking it as object ("as did senior VP X",
# "hired deputy Y"), not part of it.
_NOT_LOWER_MODIFIER = (
    r"(?:did|does|do|is|was|are|were|be|been|has|have|had|will|would|can|could|should|met|"
    rf"(?!retired\b)[a-z]+ed\b|{_NOT_MODIFIER})"
)


@cache
def _role_before_pattern() -> re.Pattern[str]:
    lex = lexicon()
    short = sorted(
        (t for t in lex.person_titles | lex.function_nouns if " " not in t and len(t) <= 5),
        key=len,
        reverse=True,
    )
    abbreviation = "(?:" + "|".join(t.capitalize() for t in short) + r")\."
    return re.compile(
        r"(?<![\w'’.-])(?P<role>(?:former[ \t]+)?"
        rf"(?:(?:(?!(?i:{_NOT_MODIFIER}))[A-Z][\w-]*(?:['’]s?)?|\d{{1,3}}(?:st|nd|rd|th)|&)"
        r"[ \t]+){0,4}"
        rf"(?:(?:(?!{_NOT_LOWER_MODIFIER})[a-z][\w'’-]*[ \t]+){{0,3}}?"
        r"(?P<title>[a-z][a-z-]*[a-z]|[A-Z]{2,4}(?![\w'’]))"
        rf"|(?P<abbreviated>(?:{abbreviation}[ \t]+){{0,2}}{abbreviation})))"
        r",?[ \t]+$"
    )


_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})  # forms of address, not roles


def _role_before(text: str, start: int) -> str | None:
    """The role written just before a person's name, or None."""
    match = _role_before_pattern().search(text, max(start - 80, 0), start)
    if not match:
        return None
    lex = lexicon()
    title = match.group("title") or match.group("abbreviated")
    last = title.split()[-1].lower().rstrip(".")
    if last in _HONORIFICS or last not in lex.person_titles | lex.function_nouns:
        return None
    return one_line(match.group("role"))


def _role_phrase(phrase: str) -> str | None:
    """The appositive as a role, shortened at a preposition to at most eight words; or None.

    It must read as a noun phrase (a determiner or a title first, or a title in it) and hold
    no clause: "head of maritime risk at the Oslo-based brokerage Nordvik Marine" gives "head
    of maritime risk"; "who indulged in self-dealing" gives nothing.
    """
    # "a doctor at Chaoyang Hospital where the patients were treated": the clause is not the
    # role, what comes before it is.
    phrase = _RELATIVE.split(phrase, maxsplit=1)[0].strip()
    if not phrase or _CLAUSE_WORD.search(phrase):
        return None
    words = phrase.split()
    titles = lexicon().person_titles
    titled = any(w.lower().strip(",.") in titles for w in words)
    if not (_ROLE_START.match(phrase) or titled) or words[-1].lower().endswith("ing"):
        return None
    while len(words) > MAX_ROLE_WORDS:
        cut = max(
            (i for i, w in enumerate(words[: MAX_ROLE_WORDS + 1]) if w in _ROLE_CUTS and i > 1),
            default=None,
        )
        if cut is None:
            return None
        words = words[:cut]
    return " ".join(words) if len(words) >= 2 or titled else None


_ROLE_CUTS = frozenset("at in for with from of on to".split())
_ROLE_CUT = re.compile(rf"\s+(?:{alternation(tuple(sorted(_ROLE_CUTS)))})\s+")
_RELATIVE = re.compile(r"\s+(?:where|who|whom|whose|which|that)\s")


# A name after one of these is an object or part of a longer phrase ("cooperation between X and
# Y could ..."): not the subject of what follows.
_NOT_SUBJECT = frozenset(
    "between and or of with to for from by against on in at over about among into than "
    "like via toward towards".split()
)


def _after_preposition(text: str, start: int) -> bool:
    previous = re.search(r"([\w'’-]+)\W*$", text[max(start - 30, 0) : start])
    return bool(previous and previous.group(1).lower() in _NOT_SUBJECT)


_ON_RECORD = (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION)
# Between an actor and its verb: "'s spokesperson", "spokesman", "officials at the": a few words
# with no comma, period or clause word, so the actor is the one that declines.
_ACTOR_GAP = re.compile(r"(?:['’]s)?(?:\s+(?!(?:and|or|but|that|which|who)\b)[\w'’-]+){0,3}\s+")


def _sources(profile: SourcingProfile) -> list[tuple[str, Attribution]]:
    """Who each attribution names, lower-cased (`facts._who`), once for all stakeholders."""
    return [(_who(a).lower(), a) for a in profile.attributions]


def _stance(
    text: str, entity: Entity, profile: SourcingProfile, sources: list[tuple[str, Attribution]]
) -> str:
    """How the stakeholder speaks in the article, in a few words; only what the text shows.

    "declined to comment" (its own words) when the stakeholder is the one refusing ("A
    ministry spokesman declined to ..."), not when it is merely near; "quoted on the record"
    (with how often) when it makes claims by name; "through a spokesperson"; else not stated.
    An unnamed source merely naming it ("an assessment of a nation in the G7") is not its word.
    """
    keys = {entity.name.lower(), *(a.lower() for a in entity.aliases)}
    ends = sorted(end for _, end in entity.mentions)
    starts = sorted(start for start, _ in entity.mentions)
    for finding in profile.declined:
        # Only the nearest mention before the refusal can be its actor: a few words, no comma.
        nearest = bisect.bisect_right(ends, finding.start) - 1
        if nearest >= 0 and _ACTOR_GAP.fullmatch(text, ends[nearest], finding.start):
            return _refusal(finding.text)
        # Or the one it names after "from": "There was no immediate comment from Assange".
        first = bisect.bisect_left(starts, finding.start)
        if not enabled("stakeholders.no-comment-from"):
            continue
        for start in starts[first : bisect.bisect_left(starts, finding.end + 12)]:
            actor = _FROM_ACTOR.search(text, finding.start, start)
            if actor is not None:
                said = text[finding.start : actor.start() + len("comment")]
                return _refusal(re.sub(r"^there\s+(?:was|were|is)\s+", "", said, flags=re.I))
    on_record = spokesperson = 0
    for source, attribution in sources:
        if not any(k in source for k in keys):
            continue
        if _SPOKESPERSON.search(source):  # "a State Department spokesperson" speaks for it
            spokesperson += 1
        elif attribution.kind in _ON_RECORD:
            on_record += 1
    if on_record:
        return "quoted on the record" + (f" ({on_record} times)" if on_record > 1 else "")
    if spokesperson:
        return "speaks through a spokesperson"
    return NOT_STATED


_FROM_ACTOR = re.compile(r"\bcomment\s+(?:from|by)\s+(?:the\s+)?$")

# Where a refusal's own words end and what it was about begins: "avoided a question | about
# potential pressure ... when asked Thursday", "declined to provide specifics | on how ...".
_REFUSAL_TAIL = re.compile(r"\s+(?:about|on|over|regarding|when|while|after|as|because)\b|,")


def _refusal(text: str) -> str:
    """The refusal in a few words: its verb phrase, without what it was about."""
    words = one_line(text)
    cut = next((m.start() for m in _REFUSAL_TAIL.finditer(words) if m.start() > 8), None)
    return one_line(words[:cut] if cut else words, 80, at_word=True)


_SPOKESPERSON = re.compile(r"\b(?:spokes(?:person|man|woman)|representative|press office)\b")
