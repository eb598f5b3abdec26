"""Open questions: what the article signals it does not know."""

from __future__ import annotations

import re

from briefer.schema import (
    OpenQuestion,
)
from briefer.text import Span, one_line, sentence_bounds
from briefer.verify.sourcing import SourceKind, SourcingProfile

MAX_QUESTIONS = 6
_UNCERTAIN = re.compile(
    r"\b(?:unclear|not clear|remains? to be seen|(?:is|are|was|were) not known|unknown|"
    r"has not been (?:disclosed|decided|announced)|have not been (?:disclosed|decided)|"
    r"did not say (?:how|when|whether|why|which|what|who)|it is not yet)\b",
    re.IGNORECASE,
)


def _open_questions(text: str, profile: SourcingProfile, body: list[Span]) -> list[OpenQuestion]:
    questions: list[OpenQuestion] = []
    seen: set[str] = set()

    def add(question: str, why: str) -> None:
        key = question.lower()
        if key not in seen:
            seen.add(key)
            questions.append(
                OpenQuestion(
                    question=one_line(question, 300, at_word=True),
                    why_it_matters=one_line(why, 300, at_word=True),
                )
            )

    total = len(profile.attributions)
    anonymous = sum(1 for a in profile.attributions if a.kind is SourceKind.ANONYMOUS)
    if anonymous >= 2 and anonymous / max(total, 1) >= 0.3:
        add(
            "Who are the unnamed sources, and what do they stand to gain?",
            f"{anonymous} of {total} attributions in the article are anonymous, "
            "so their interests cannot be weighed.",
        )
    for finding in profile.declined[:2]:
        clause = _clause_around(text, finding.start, finding.end)
        if re.search(r"comment|respond|reached", finding.text, re.IGNORECASE):
            subject = _subject_before(text, finding.start) or "the party concerned"
            add(
                f"What is the response of {subject}?",
                f"The article records no answer (“{one_line(clause, 160, at_word=True)}”), "
                "so it gives one side.",
            )
        else:
            add(
                f"What are the details withheld in “{one_line(clause, 180, at_word=True)}”?",
                "A source chose not to give them; the claim cannot be checked without them.",
            )
    for finding in profile.unverified[:2]:
        clause = _clause_around(text, finding.start, finding.end)
        add(
            f"Can this be confirmed independently: “{one_line(clause, 180, at_word=True)}”?",
            "The article itself says the claim is not verified.",
        )
    hedged = sorted(profile.hedged, key=lambda f: (not any(c.isdigit() for c in f.text), f.start))
    for finding in hedged[:2]:
        add(
            f"What is the exact figure behind “{one_line(finding.text, 120, at_word=True)}”, "
            "and who counted it?",
            "A hedged or vague number cannot be checked or compared across reports.",
        )
    for span in body:
        if _UNCERTAIN.search(span.text):
            add(
                f"What is still unknown here: “{one_line(span.text, 200, at_word=True)}”?",
                "The article flags this as unresolved.",
            )
    return questions


def _clause_around(text: str, start: int, end: int) -> str:
    left, right = sentence_bounds(text, start, end)
    return one_line(text[left:right]).strip(" .")


def _subject_before(text: str, start: int) -> str | None:
    left = sentence_bounds(text, start)[0]
    subject = one_line(text[left:start]).strip(" ,")
    if not subject or len(subject) > 100:
        return None
    return subject[:1].lower() + subject[1:] if subject[:4] in ("The ", "A sp", "An ") else subject
