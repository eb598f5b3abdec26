"""Open questions: only what the article itself says it does not know.

* "It is unclear how the virus spread", "did not say when the pier would reopen", "was not
  known whether": the clause the article leaves open becomes the question, in direct word
  order when it has an auxiliary to move ("When would the pier reopen?").
* "The cause of the crash is under investigation", "did not reveal the crash location": a
  fact about the story that is unknown or kept back ("What is the cause of the crash?").
* A party that declined to comment or did not respond: what is its response?
* A claim the article calls unverified: can it be confirmed?

Nothing else: no question is made from a number, a time, an age or a date, and none from a
template about the article in general (sourcing concerns are the caveats' job).
"""

from __future__ import annotations

import re

from briefer.analysis.sourcing import SourcingProfile
from briefer.schema import OpenQuestion
from briefer.text import Span, one_line, sentence_bounds

MAX_QUESTIONS = 4
MAX_SUBJECT_WORDS = 6
MAX_POINTER_WORDS = 10  # "That account could not be verified" names no claim of its own
MAX_WH_PHRASE = 4  # words after the question word before the subject ("how large of a payload")
# What the article does not know, and the clause it leaves open ("how the virus spread").
_OPEN = re.compile(
    r"\b(?:(?:it\s+)?(?:is|was|remains?|remained|are|were)\s+(?:still\s+)?(?:unclear|not\s+(?:yet\s+)?"
    r"(?:clear|known))|(?:it\s+is\s+)?unknown|did\s+not\s+(?:say|disclose|specify|explain)|"
    r"(?:has|have|had)\s+not\s+(?:yet\s+)?(?:said|disclosed|specified|explained|decided)|"
    r"would\s+not\s+say|declined\s+to\s+(?:say|specify|disclose))\s+"
    r"(?P<clause>(?P<wh>whether|how|why|when|where|who|what|which|if)\b[^.;:!?]{3,160})",
    re.IGNORECASE,
)
# Nouns that name a fact about something: its cause, who it is, how many, where.
_ATTRIBUTE = (
    r"(?:cause|causes|identity|identities|motive|number|names?|extent|scope|value|amount|cost|"
    r"reason|source|origin|timing|location|whereabouts|nature|condition|fate)"
)
# "The cause of the crash is under investigation", "the identity of the victim has not been
# released", "the motive remains unclear": a thing the story names and does not know.
_UNKNOWN_ATTRIBUTE = re.compile(
    r"(?:^|(?<=[\s,;“\"‘']))(?P<what>[Tt]he\s+(?:exact\s+|precise\s+)?"
    rf"{_ATTRIBUTE}(?:\s+of\s+[^.,;:!?]{{1,80}}?)?)\s+"
    r"(?P<verb>is|are|was|were|remains?|remained|has|have)\s+(?:still\s+)?(?:not\s+(?:yet\s+)?"
    r"(?:been\s+)?(?:known|clear|released|disclosed|determined|confirmed|identified)|unknown|"
    r"unclear|under\s+investigation|being\s+investigated|yet\s+to\s+be\s+(?:determined|known|"
    r"released|disclosed))\b"
)
# "did not reveal the crash location", "was withholding the names of those killed", "would
# not disclose the actual number": a fact about the story someone kept back.
_WITHHELD_ATTRIBUTE = re.compile(
    r"\b(?:did\s+not|didn['’]t|would\s+not|declined\s+to|refused\s+to|(?:is|was|were|are)\s+"
    r"withholding|withheld)\s+(?:(?:reveal|disclose|release|give|provide|identify|specify)\s+)?"
    rf"(?P<what>(?:the|its|their|his|her)\s+(?:[a-z]+\s+){{0,2}}?{_ATTRIBUTE}\b"
    r"(?:\s+of\s+[^.,;:!?()]{1,60}?)?)(?=\s*(?:[.,;:!?()]|and\b|but\b|until\b|because\b|$))"
)
# The verb of "What ... ?" for the verb the article used: "were not disclosed" -> "were".
_TENSE = {"was": "was", "were": "were", "are": "are", "have": "are"}
_GENERIC = frozenset("actual exact precise full total final official real true new".split())
# A refusal to answer the press, not a detail withheld ("did not say when he will return").
_RESPONSE = re.compile(
    r"comment|respond|reached|return(?:ed)?\s+(?:\w+\s+){0,2}(?:calls?|messages?|e-?mails?|"
    r"requests?|inquiries)",
    re.IGNORECASE,
)


# Words (lower case) that every match of `_OPEN`, `_UNKNOWN_ATTRIBUTE` and
# `_WITHHELD_ATTRIBUTE` holds: "not", "unclear", "unknown", "declined", "didn't", "refused",
# "withholding", "withheld", "under investigation", "yet to be".
_OPEN_HINTS = ("not", "uncl", "unkn", "decl", "didn", "refused", "withh", "investigat", "yet")


def _may_leave_open(sentence: str) -> bool:
    """Whether the sentence holds a word the patterns of what is left open need (a quick test
    that spares running them over most sentences)."""
    lower = sentence.lower()
    return any(hint in lower for hint in _OPEN_HINTS)


def _open_questions(text: str, profile: SourcingProfile, body: list[Span]) -> list[OpenQuestion]:
    questions: list[OpenQuestion] = []
    seen: set[str] = set()

    def add(question: str, why: str) -> None:
        key = question.lower()
        if key not in seen and len(questions) < MAX_QUESTIONS:
            seen.add(key)
            questions.append(
                OpenQuestion(
                    question=one_line(question, 300, at_word=True),
                    why_it_matters=one_line(why, 300, at_word=True),
                )
            )

    candidates = [span for span in body if _may_leave_open(span.text)]
    for span in candidates:
        for match in _OPEN.finditer(span.text):
            add(
                _as_question(one_line(match.group("clause")).rstrip(" ,")),
                f"The article leaves it open: “{one_line(match.group(0), 200, at_word=True)}”.",
            )
    for span in candidates:
        for match in _UNKNOWN_ATTRIBUTE.finditer(span.text):
            tense = _TENSE.get(match.group("verb").lower(), "is")
            what = one_line(match.group("what"))
            add(
                f"What {tense} {what[:1].lower()}{what[1:]}?",
                f"The article leaves it open: “{one_line(match.group(0), 200, at_word=True)}”.",
            )
    for span in candidates:
        for match in _WITHHELD_ATTRIBUTE.finditer(span.text):
            what = re.sub(r"^(?:its|their|his|her)\s+", "the ", one_line(match.group("what")))
            head = what.split(" of ")[0].split()
            if " of " not in what and all(w in _GENERIC for w in head[1:-1]):
                continue  # "the actual number": of what, the question could not say
            plural = head[-1].endswith("s") and not head[-1].endswith("ss")
            kept = one_line(match.group(0), 200, at_word=True)
            add(
                f"What {'are' if plural else 'is'} {what}?",
                f"The article says it was kept back: “{kept}”.",
            )
    for finding in profile.declined:
        if not _RESPONSE.search(finding.text):
            continue
        subject = _subject_before(text, finding.start)
        if subject is None:
            continue
        add(
            f"What is the response of {subject}?",
            f"The article records no answer (“{one_line(finding.text, 120, at_word=True)}”), "
            "so it gives one side.",
        )
    for finding in profile.unverified[:2]:
        clause = _clause_around(text, finding.start, finding.end)
        add(
            f"Can this be confirmed independently: “{one_line(clause, 180, at_word=True)}”?",
            "The article itself says the claim is not verified.",
        )
    return questions


# An auxiliary or modal verb: in an embedded question it follows the subject ("when the pier
# would reopen"), in a direct one it comes first ("when would the pier reopen?").
_AUXILIARY = frozenset(
    "would could will can should might may must is was are were has had have".split()
)
_PERFECT = frozenset({"has", "had", "have"})  # auxiliaries only before a participle
# Where a subject noun phrase starts, reading back from its verb: a determiner or pronoun.
_SUBJECT_START = frozenset(
    "the a an this that these those his her its their our my your some any each every no "
    "he she it they we i you anyone anybody someone somebody everyone nobody".split()
)
_WH = frozenset("whether if how why when where who what which".split())
_PREPOSITIONS = frozenset("of for in at on from with".split())


def _as_question(clause: str) -> str:
    """The embedded question as a direct one: "when the pier would reopen" -> "When would the
    pier reopen?", "whether anyone was hurt" -> "Was anyone hurt?".

    The subject is the noun phrase just before the first auxiliary (from a determiner, a
    pronoun or a name); the auxiliary moves in front of it. A clause without an auxiliary
    ("why the brake failed"), or whose subject is the question word's own phrase ("how many
    people were hurt"), keeps its order.
    """
    words = clause.split()
    wh = words[0].lower()
    at = next((i for i in range(1, len(words)) if _is_auxiliary(words, i)), None)
    start = _subject_start(words, at) if at is not None else None
    yes_no = wh in ("whether", "if")
    if at is None or start is None or (yes_no and start != 1):
        if wh == "if":
            clause = "whether" + clause[2:]
        return clause[:1].upper() + clause[1:] + "?"
    head = [words[at]] if yes_no else [*words[:start], words[at]]
    question = " ".join([*head, *words[start:at], *words[at + 1 :]])
    return question[:1].upper() + question[1:] + "?"


def _is_auxiliary(words: list[str], at: int) -> bool:
    word = words[at].lower()
    if word not in _AUXILIARY:
        return False
    following = words[at + 1].lower() if at + 1 < len(words) else ""
    return word not in _PERFECT or following == "been" or following.endswith(("ed", "en"))


def _subject_start(words: list[str], verb: int) -> int | None:
    """Where the subject of `verb` starts, reading back; None when it is not a plain noun
    phrase after the question word's own phrase (which is then the subject: "which of the
    companies would win"), or when it holds a comma."""
    found = None
    reading_on = False  # the phrase found follows a preposition: the subject starts earlier
    for i in range(verb - 1, 0, -1):
        word = words[i]
        lower = word.lower()
        if lower in _WH or word.endswith(","):
            break
        if lower in _SUBJECT_START or (word[:1].isupper() and words[i - 1].lower() in _WH):
            found = i
            reading_on = words[i - 1].lower() in _PREPOSITIONS
            if not reading_on:
                break
    if found is None or reading_on or any(w.endswith(",") for w in words[found:verb]):
        return None
    between = [w.lower() for w in words[1:found]]  # the question word's phrase: "how large of a"
    if len(between) > MAX_WH_PHRASE or "that" in between:
        return None
    return found


# A sentence that points back at the claim it doubts: "That account could not be verified."
_POINTS_BACK = re.compile(
    r"^(?:that|this|these|those|it|such|the\s+(?:claims?|accounts?|reports?|figures?|numbers?|"
    r"allegations?|statements?|videos?|footage|images?|photos?|assertions?))\b",
    re.IGNORECASE,
)


def _clause_around(text: str, start: int, end: int) -> str:
    """The claim called unverified: its sentence, or the one before when it points back."""
    left, right = sentence_bounds(text, start, end)
    sentence = one_line(text[left:right]).strip(" .")
    if _POINTS_BACK.match(sentence) and len(sentence.split()) <= MAX_POINTER_WORDS and left > 0:
        before_left, before_right = sentence_bounds(text, max(0, left - 2))
        before = one_line(text[before_left:before_right]).strip(" .")
        if before and before_right <= left:
            return before
    return sentence


_SPOKESPERSON = re.compile(
    r"^(?:an?|the)\s+(?:\w+\s+)?(?:spokes(?:man|woman|person)|representative|press officer)"
    r"\s+(?:for|of|at)\s+",
    re.IGNORECASE,
)


def _subject_before(text: str, start: int) -> str | None:
    """Who declined: the few words before the refusal in its sentence, when they name someone."""
    left = sentence_bounds(text, start)[0]
    subject = one_line(text[left:start]).strip(" ,")
    words = subject.split()
    if not words or len(words) > MAX_SUBJECT_WORDS or not any(w[:1].isupper() for w in words):
        return None
    if words[0].lower() in ("he", "she", "they", "it", "but", "and"):
        return None
    # The response of "a spokeswoman for Neumann" is Neumann's.
    subject = _SPOKESPERSON.sub("", subject)
    words = subject.split()
    if words[0].lower() in ("the", "a", "an", "both", "all", "some", "neither", "each"):
        return subject[:1].lower() + subject[1:]
    return subject
