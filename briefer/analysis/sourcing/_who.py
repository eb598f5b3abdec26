"""Rules 1 and 2: deciding who a source is. Its kind, the full name a surname or titled
name refers back to, and whom a pronoun, an epithet ("the 56-year-old") or a bare title
("the president") stands for."""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cached_property

from briefer.analysis.rules import enabled
from briefer.analysis.sourcing._classify import _Classifier
from briefer.analysis.sourcing._lexicon import (
    _BODY_DOCUMENTS,
    _DOCUMENTS,
    _INSTITUTION_NOUNS,
    _LEAD_STRIP,
    _NOT_NAME_START,
    _PRONOUNS,
    _REFERRING,
    _lexicon,
)
from briefer.analysis.sourcing._phrases import _NP
from briefer.analysis.sourcing._tokens import _CAP_RUN, _opens_sentence, _Tok, _tokens
from briefer.analysis.sourcing.model import Attribution, SourceKind
from briefer.analysis.words import singular
from briefer.text import Span

# A person referred back to by age, as news copy does: "the 56-year-old".
_AGE_EPITHET = re.compile(r"[Tt]he \d{1,3}-year-old")
# A possessive before a body's noun: "NASA's office" (beside the determiners of `_REFERRING`).
_POSSESSIVE_NAME = re.compile(r"[A-Z][\w.&-]*['’]s")


def _body_referred_back(source: str) -> str | None:
    """Whether a source is a body, or its document, referred back to by a definite phrase
    ("the company", "the prosecutor's office", "its statement", "the report"): news copy
    writes "the" for a body it has named, so the phrase hides no one (rule
    "sourcing.body-referred-back"). A group of people ("the doctors", "the staff member")
    is not a body, and an indefinite phrase ("a company spokesperson") hides who spoke.
    Returns the body's noun ("company"), or None."""
    if not enabled("sourcing.body-referred-back"):
        return None
    words = source.split()
    if len(words) < 2 or (
        words[0].lower() not in _REFERRING and not _POSSESSIVE_NAME.fullmatch(words[0])
    ):
        return None
    head = singular(words[-1].lower().strip(",.'’"))
    bodies = (_INSTITUTION_NOUNS, _DOCUMENTS, _BODY_DOCUMENTS, _lexicon().org_words)
    return head if any(head in nouns for nouns in bodies) else None


class _Resolver(_Classifier):
    """Tell who each source of one article is."""

    def _who(
        self, source: str, np: _NP, index: int, recent: list[tuple[int, Attribution]]
    ) -> tuple[SourceKind, str | None] | None:
        """Tell the kind of a source and the full name it refers to, if any; None for a
        pronoun that stands for no one cited before (pronouns are never anonymous)."""
        lower = source.lower()
        if lower in _PRONOUNS:
            return self._resolve_pronoun(lower, index, recent)
        if enabled("sourcing.age-epithet") and _AGE_EPITHET.fullmatch(source):
            # "The 56-year-old said" names the person as "he" would.
            return self._resolve_pronoun("he", index, recent)
        kind, _ = self.classify(np.start, np.end)
        if kind is SourceKind.NAMED_PERSON:
            return kind, self._full_name(np.start, np.end)
        if (titled := self._titled_earlier(source, np.start)) is not None:
            return SourceKind.NAMED_PERSON, titled  # "the president": the one named so before
        if kind is SourceKind.UNNAMED_INSTITUTION and (named := self._named_with(source)):
            return SourceKind.NAMED_PERSON, named  # "China's ambassador to Britain Liu Xiaming"
        if (
            kind is SourceKind.UNNAMED_INSTITUTION
            and (body := _body_referred_back(source))
            and self._names_before(np.start)
            and not self._introduced_unnamed(body, np.start)
        ):
            return SourceKind.NAMED_ORGANIZATION, None  # "the company said": named before
        return kind, None

    def _names_before(self, before: int) -> bool:
        """Whether the article names anyone or anything before this point."""
        return self._first_named < before

    @cached_property
    def _first_named(self) -> int:
        """Where the article first names anyone or anything: a run of two capitalised words
        or more, or one inside a sentence ("... said Brisa Ports ..."); its length if nowhere."""
        for match in _CAP_RUN.finditer(self.text):
            if " " in match.group().strip() or not _opens_sentence(self.text, match.start()):
                return match.start()
        return len(self.text)

    def _introduced_unnamed(self, body: str, before: int) -> bool:
        """Whether the article brought the body in without its name before this point ("a
        group of employees said ... The group said"): then "the group" is that one, unnamed."""
        if body not in self.introduced:  # looked once per article and noun: linear
            found = re.search(
                rf"\b(?:an?|one|another)\s+(?:[\w-]+\s+){{0,2}}?{re.escape(body)}s?\b",
                self.text,
                re.IGNORECASE,
            )
            self.introduced[body] = found.start() if found else len(self.text)
        return self.introduced[body] < before

    def _titled_earlier(self, source: str, before: int) -> str | None:
        """The person "the president" stands for: the last one the article named with that title
        ("President Dana Reyes") before this point. None when it named nobody so."""
        words = source.lower().split()
        if len(words) != 2 or words[0] != "the" or words[1] not in self.lex.titles:
            return None
        named = self._titled_names(words[1])
        i = bisect_left(named, (before,)) - 1  # the last one named before this point
        return named[i][1] if i >= 0 else None

    def _named_with(self, source: str) -> str | None:
        """The person a role phrase stands for when the article joins the same phrase to a
        name anywhere, before or after this point: "China's ambassador to Britain Liu Xiaming"
        or "Liu Xiaming, China's ambassador to Britain". Only for a phrase of three words or
        more ending in a title; None otherwise."""
        role = re.sub(r"^(?:the|a|an)\s+", "", source.strip(), flags=re.IGNORECASE)
        words = role.split()
        if len(words) < 3 or not any(w.lower().strip(",.") in self.lex.titles for w in words):
            return None
        name = r"(?<![\w'’.-])((?:[A-Z]\.\s+|[A-Z][\w'’-]+\s+){1,2}[A-Z][\w'’-]+)"
        phrase = re.escape(role).replace(r"\ ", r"\s+")
        after = re.search(rf"(?<![\w'’]){phrase}\s+{name}", self.text)
        if after and after.group(1).split()[0].lower() not in _NOT_NAME_START:
            return after.group(1)
        before = re.search(rf"{name},\s+(?:(?i:the|a|an)\s+)?{phrase}\b", self.text)
        return before.group(1) if before else None

    def _titled_names(self, title: str) -> list[tuple[int, str]]:
        """Where the article names someone with `title` in front ("President Dana Reyes")."""
        cache = self.titled
        if title not in cache:
            pattern = re.compile(
                rf"\b(?i:{re.escape(title)})\s+((?:[A-Z][\w'’.-]*\s+){{0,2}}[A-Z][\w'’-]+)"
            )
            cache[title] = [
                (m.start(), m.group(1))
                for m in pattern.finditer(self.text)
                if m.group(0)[:1].isupper()  # "President Dana Reyes", not "the president"
            ]
        return cache[title]

    def _full_name(self, start: int, end: int) -> str | None:
        """Return the full name a surname or a titled name refers back to, if known."""
        toks = _tokens(self.text, start, end)
        name = toks[self._name_tail(toks) :]
        if not name:
            return None
        if len(name) == 1:
            word = name[0].word
            full = self.surnames.get(word) or self.given.get(word)
        else:
            full = " ".join(t.text for t in name)
        if not full or " " not in full or full == self.text[start:end]:
            return None
        return full

    def _resolve_pronoun(
        self, pronoun: str, index: int, recent: list[tuple[int, Attribution]]
    ) -> tuple[SourceKind, str] | None:
        """Resolve he/she/it/they to an earlier source, never to an anonymous one.

        "he"/"she" is the person a sentence since the last cited person opens with, if any
        ("Volker said ... Morrison was the third witness ... He said": Morrison), else that
        cited person.
        """
        if pronoun in ("he", "she"):
            since = next(
                (i for i, a in reversed(recent) if a.kind is SourceKind.NAMED_PERSON), None
            )
            if since is not None and since >= index - 2:
                for back in range(index - 1, since, -1):
                    subject = self._subject_person(self.sentences[back])
                    if subject is not None:
                        return SourceKind.NAMED_PERSON, subject
        for sent_index, earlier in reversed(recent):
            if sent_index < index - 2:
                break
            name = earlier.refers_to or earlier.source
            if pronoun in ("he", "she"):
                if earlier.kind is SourceKind.NAMED_PERSON:
                    return earlier.kind, name
                if earlier.kind is SourceKind.ANONYMOUS:
                    return None
                continue
            if pronoun == "it":
                if earlier.kind in (SourceKind.NAMED_ORGANIZATION, SourceKind.UNNAMED_INSTITUTION):
                    return earlier.kind, name
                continue
            if earlier.kind is SourceKind.ANONYMOUS:
                return None
            # "they": a body, or several people ("the officials"); never one person.
            if earlier.kind is SourceKind.NAMED_ORGANIZATION or _plural(earlier.source):
                return earlier.kind, name
            return None
        if pronoun in ("he", "she"):
            for back in range(index, max(index - 3, -1), -1):
                subject = self._subject_person(self.sentences[back])
                if subject is not None:
                    return SourceKind.NAMED_PERSON, subject
        return None

    def _subject_person(self, sent: Span) -> str | None:
        """Return the named person a sentence opens with, if any."""
        toks = _tokens(self.text, sent.start, min(sent.end, sent.start + 120))
        while toks and (toks[0].word in _LEAD_STRIP or toks[0].word in self.lex.common):
            toks = toks[1:]
        run: list[_Tok] = []
        for tok in toks:
            if not tok.cap:
                break
            run.append(tok)
            if tok.possessive:
                return None
        if not run or len(run) > 5:
            return None
        if self._name_kind(run, has_the=False) is not SourceKind.NAMED_PERSON:
            return None
        return self.surnames.get(run[-1].word, " ".join(t.text for t in run))


def _plural(source: str) -> bool:
    """Whether a source phrase names several ("the officials", "two people")."""
    head = source.split()[-1].lower().rstrip(".,") if source.split() else ""
    return head in ("people", "police", "staff") or (head.endswith("s") and not head.endswith("ss"))
