"""Open questions: only what the article itself says it does not know.

* "It is unclear how the virus spread", "did not say when", "was not known whether": the
  clause the article leaves open becomes the question ("How the virus spread?").
* A party that declined to comment or did not respond: what is its response?
* A claim the article calls unverified: can it be confirmed?

Nothing else: no question is made from a number, a time, an age or a date, and none from a
template about the article in general (sourcing concerns are the caveats' job).
"""

from __future__ import annotations

import re

from briefer.schema import OpenQuestion
from briefer.text import Span, one_line, sentence_bounds
from briefer.verify.sourcing import SourcingProfile

MAX_QUESTIONS = 4
MAX_SUBJECT_WORDS = 6
# What the article does not know, and the clause it leaves open ("how the virus spread").
_OPEN = re.compile(
    r"\b(?:(?:it\s+)?(?:is|was|remains?|remained|are|were)\s+(?:still\s+)?(?:unclear|not\s+(?:yet\s+)?"
    r"(?:clear|known))|(?:it\s+is\s+)?unknown|did\s+not\s+(?:say|disclose|specify|explain)|"
    r"(?:has|have|had)\s+not\s+(?:yet\s+)?(?:said|disclosed|specified|explained|decided)|"
    r"would\s+not\s+say|declined\s+to\s+(?:say|specify|disclose))\s+"
    r"(?P<clause>(?P<wh>whether|how|why|when|where|who|what|which|if)\b[^.;:!?]{3,160})",
    re.IGNORECASE,
)
_RESPONSE = re.compile(r"comment|respond|reached|return", re.IGNORECASE)


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

    for span in body:
        for match in _OPEN.finditer(span.text):
            wh = match.group("wh")
            clause = one_line(match.group("clause")).rstrip(" ,")
            if wh.lower() == "if":
                clause = "whether" + clause[2:]
            add(
                clause[:1].upper() + clause[1:] + "?",
                f"The article leaves it open: “{one_line(match.group(0), 200, at_word=True)}”.",
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


def _clause_around(text: str, start: int, end: int) -> str:
    left, right = sentence_bounds(text, start, end)
    return one_line(text[left:right]).strip(" .")


def _subject_before(text: str, start: int) -> str | None:
    """Who declined: the few words before the refusal in its sentence, when they name someone."""
    left = sentence_bounds(text, start)[0]
    subject = one_line(text[left:start]).strip(" ,")
    words = subject.split()
    if not words or len(words) > MAX_SUBJECT_WORDS or not any(w[:1].isupper() for w in words):
        return None
    if words[0].lower() in ("he", "she", "they", "it", "but", "and"):
        return None
    if words[0].lower() in ("the", "a", "an", "both", "all", "some", "neither", "each"):
        return subject[:1].lower() + subject[1:]
    return subject
