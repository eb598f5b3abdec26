"""Rule 1: finding the source of one verb of saying, the noun phrase around it: the subject
before it (over auxiliaries, adverbs, asides and inserts), the phrase after "according to"
or an inverted verb, the antecedent of a relative pronoun, or an elided subject."""

from __future__ import annotations

import re

from briefer.analysis.rules import enabled
from briefer.analysis.sourcing._lexicon import (
    _AMBIGUOUS_VERBS,
    _ANON_MARKER,
    _CLAUSE_OPENERS,
    _DETERMINERS,
    _INVERTIBLE,
    _LEAD_STRIP,
    _NAME_CONNECTORS,
    _NUMBER_WORDS,
    _PARTICIPLES,
    _REJECT_BEFORE_VERB,
    _RELATIVES,
    _SKIP_BEFORE_VERB,
    _VERBISH,
)
from briefer.analysis.sourcing._phrases import _NP, _PhraseReader
from briefer.analysis.sourcing._tokens import (
    _LEFT_BOUNDARY,
    _PUNCT_BOUNDARY,
    _TOKEN,
    _last,
    _strip,
    _tokens,
)
from briefer.analysis.sourcing.model import SourceKind
from briefer.analysis.words import STRONG_SPEECH_VERBS
from briefer.text import QUOTE_MARK, Span

# A time between a subject and its verb: "Mark Esper on Wednesday accused".
_TIME_BEFORE_VERB = re.compile(
    r"\s(?:on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|yesterday|today|"
    r"last\s+(?:week|month|year|night)|this\s+(?:week|month|year))\s*"
)


# A role after a name: ", a planetary scientist at ...", ", president of ...".
_APPOSITIVE_OPENING = re.compile(r",\s+(?:(?:a|an)\s|(?P<title>[a-z]+)\s+of\s)")
MAX_APPOSITIVE_WORDS = 30


# The words after a verb of saying that tell whether it attributes anything there: (the verbs,
# None for any; the words; whether they must follow the verb, or must not).
_WORDS_AFTER: tuple[tuple[frozenset[str] | None, re.Pattern[str], bool], ...] = (
    # A form more often a noun needs its clause after it: "estimates that", "reports the";
    # not "the council's estimates show".
    (
        _AMBIGUOUS_VERBS,
        re.compile(r"\s+(?:that|the|a|an|it|he|she|they|there|its|his|her|their|\d|\$)\b"),
        True,
    ),
    # "declined" needs what was declined: "declined to comment", not "shares declined 3%".
    (
        frozenset({"declined", "declines"}),
        re.compile(r"\s+(?:to\b|comment|requests?\b|an?\s+(?:request|interview))"),
        True,
    ),
    # Testifying is an act; what was said needs its clause: "testified that ...", "testified
    # about a meeting", "testified: '...'", not "testified before the House committee".
    (
        frozenset({"testified", "testifies", "testify"}),
        re.compile(r"(?=[^.]{0,40}?\bthat\b)|\s*[:,\"“]|\s+about\b"),
        True,
    ),
    # "added" of a thing attributes nothing: "the team added 3 points", "added five birdies".
    (
        frozenset({"added", "adds"}),
        re.compile(
            r"\s+(?:\d|\$|to\b|a\b|an\b|more\b|new\b|another\b|"
            rf"(?:{'|'.join(sorted(_NUMBER_WORDS))})\b)",
            re.IGNORECASE,
        ),
        False,
    ),
    # A participle: "cited by", "reported by".
    (None, re.compile(r"\s+by\b"), False),
    # A participle, nobody speaks: "tankers suspected of moving crude".
    (frozenset({"suspected", "accused"}), re.compile(r"\s+of\b"), False),
)


def _says_here(verb: str, after: str) -> bool:
    """Tell from the words `after` a verb of saying whether it attributes anything here."""
    return all(
        (pattern.match(after) is not None) is needed
        for verbs, pattern, needed in _WORDS_AFTER
        if verbs is None or verb in verbs
    )


class _SourceFinder(_PhraseReader):
    """Find the source phrase of each verb of saying in one article."""

    def source_for(
        self, sent: Span, match: re.Match[str], previous: tuple[_NP, int] | None = None
    ) -> tuple[_NP, str] | None:
        """Find the source of one attribution verb, or None when there is none.

        `previous` is the source of the last attribution earlier in the same sentence and where
        that attribution ends: an elided subject refers to it when no comma comes between
        ("The person declined to name it but said ...").
        """
        if match.group("acc"):
            return self._according_to(sent, match)
        verb = match.group("verb")
        if verb in _PARTICIPLES:
            return self._participle(sent, match, previous)
        after = self.text[match.end() : min(match.end() + 40, sent.end)]
        if not _says_here(verb, after):
            return None
        p = self._subject_end(sent, match.start())
        if p is None:
            return None
        boundary = _last(_LEFT_BOUNDARY, self.text, sent.start, p)
        seg_start = boundary.end() if boundary else sent.start
        if self.text[seg_start:p].strip():
            np = self._subject(sent, p, boundary, strong=verb in STRONG_SPEECH_VERBS)
            return (np, verb) if np else None
        # Nothing between the boundary and the verb.
        return self._source_after_boundary(sent, match, p, boundary, previous)

    def _participle(
        self, sent: Span, match: re.Match[str], previous: tuple[_NP, int] | None
    ) -> tuple[_NP, str] | None:
        """Read the source of ", saying ...": whoever spoke earlier in the sentence ("X said
        ..., adding that"), else the named person or body the sentence opens with ("Sheldon
        Richardson weighed in on Monday, saying that ..."); none without the comma."""
        verb = match.group("verb")
        if not enabled("sourcing.participle") or not self.text[: match.start()].endswith(", "):
            return None
        if previous is not None:
            earlier, _ = previous
            return _NP(earlier.start, earlier.end, earlier.start, match.end()), verb
        subject = self._opening_name(sent, match.start())
        if subject is None:
            return None
        return _NP(subject.start, subject.end, subject.start, match.end()), verb

    def _opening_name(self, sent: Span, before: int) -> _NP | None:
        """The name a sentence opens with, as the subject of its verb: a run of capitalised
        words up to a comma or a lower-case word, a person's or a body's name."""
        toks = _tokens(self.text, sent.start, before)
        while toks and toks[0].word in _LEAD_STRIP:
            toks = toks[1:]
        run = []
        for tok in toks:
            if (not tok.cap and tok.word not in self.lex.titles) or tok.possessive:
                break  # a lower-case title belongs to the name: "Harbour pilot Ines Alder"
            run.append(tok)
            if self.text[tok.end : tok.end + 1] == ",":
                break
        while run and run[0].word in _DETERMINERS:
            run = run[1:]  # "The Calder Marine", "The harbour": the name, if one follows
        if not run or len(run) > 6 or len(run) == len(toks) or self._is_common(run[-1]):
            return None
        if len(run) == 1 and not self._known_name(run[0].word):
            return None  # one capitalised word the article never names in full
        kind = self._name_kind(run, has_the=False)
        if kind not in (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION):
            return None
        return _NP(run[0].start, run[-1].end, run[0].start, run[-1].end)

    def _according_to(self, sent: Span, match: re.Match[str]) -> tuple[_NP, str] | None:
        """Read the source of "according to X": the noun phrase after it."""
        np = self.right_np(match.end(), sent.end, inverted=False)
        if np is None:
            return None
        return _NP(np.start, np.end, match.start(), np.phrase_end), "according to"

    def _subject_end(self, sent: Span, verb_start: int) -> int | None:
        """Find where the subject of the verb at `verb_start` ends: before the auxiliaries,
        adverbs, times and asides between them ("the people have also said", "Mark Esper on
        Wednesday accused"). None when a word before the verb makes it passive, infinitive or
        negated ("was said", "to say", "did not say"): then nobody attributes anything.
        """
        text = self.text
        asides = enabled("sourcing.parenthesis-before-verb")
        p = verb_start
        while True:
            word_end = p
            while word_end > sent.start and text[word_end - 1].isspace():
                word_end -= 1
            if asides:
                opening = self._aside_before(sent, word_end)
                if opening is not None:
                    p = opening  # "Home Depot (ticker: HD) reported": the aside is skipped
                    continue
            word_start = word_end
            while word_start > sent.start and (
                text[word_start - 1].isalnum() or text[word_start - 1] in "'’"
            ):
                word_start -= 1
            word = text[word_start:word_end].lower()
            if not word:
                return p
            if word in _REJECT_BEFORE_VERB or word.endswith(("n't", "n’t")):
                return None
            lower_case = text[word_start].islower()
            if lower_case and (
                word in _SKIP_BEFORE_VERB or (word.endswith("ly") and word != "only")
            ):
                p = word_start
                continue
            when = _last(_TIME_BEFORE_VERB, text, max(sent.start, p - 30), p)
            if when is not None and when.end() == p:  # "Mark Esper on Wednesday accused"
                p = when.start()
                continue
            return p

    def _aside_before(self, sent: Span, word_end: int) -> int | None:
        """Find the opening of a parenthesis that closes at `word_end`, within 40 characters."""
        text = self.text
        opening = text.rfind("(", max(sent.start, word_end - 40), word_end)
        if word_end > sent.start and text[word_end - 1] == ")" and opening > sent.start:
            return opening
        return None

    def _subject(
        self, sent: Span, p: int, boundary: re.Match[str] | None, *, strong: bool
    ) -> _NP | None:
        """Read the subject that ends at `p`, after the clause boundary before it (if any)."""
        text = self.text
        seg_start = boundary.end() if boundary else sent.start
        bword = boundary.group().strip() if boundary else ""
        if bword in _RELATIVES and boundary is not None:
            first = _TOKEN.search(text, seg_start, p)
            if first and self._verbish(first.group()):
                # "officials that asked not to be named said": reach back over the clause.
                outer = _last(_PUNCT_BOUNDARY, text, sent.start, boundary.start())
                return self.left_np(outer.end() if outer else sent.start, p, strong=strong)
        if bword in ("and", "or") and boundary is not None:
            outer = _last(_LEFT_BOUNDARY, text, sent.start, boundary.start())
            toks = _tokens(text, outer.end() if outer else sent.start, p)
            whole = self._whole_np(toks, strong=strong) if toks else None
            if whole is not None and not any(t.word in _VERBISH for t in toks):
                return whole  # "the mayor and the governor said"
        np = self.left_np(seg_start, p, strong=strong, subject=True)
        if np is None:
            np = self._over_relative_clause(sent, p, strong=strong)
        return np

    def _source_after_boundary(
        self,
        sent: Span,
        match: re.Match[str],
        p: int,
        boundary: re.Match[str] | None,
        previous: tuple[_NP, int] | None,
    ) -> tuple[_NP, str] | None:
        """Find the source of a verb right after a clause boundary, or opening the sentence:
        an elided subject ("... but said"), a relative pronoun ("X, which estimated"), an
        insert between commas ("X, an analyst at Y, said") or an inversion ('"...," said X').
        """
        text = self.text
        verb = match.group("verb")
        bword = boundary.group().strip() if boundary else ""
        if bword in ("and", "but") and previous is not None and boundary is not None:
            earlier, earlier_end = previous
            if "," not in text[earlier_end : boundary.start()]:
                return _NP(earlier.start, earlier.end, earlier.start, match.end()), verb
            return None
        if bword in _RELATIVES and boundary is not None:
            return self._antecedent(sent, boundary.start(), verb=verb)
        if bword == "," and boundary is not None:
            found = None
            if enabled("sourcing.role-with-commas"):
                found = self._long_appositive(sent, boundary.start(), p, verb=verb)
            found = found or self._insert(sent, boundary.start(), p, verb=verb)
            if found is not None:
                return found
        if verb in _INVERTIBLE and (boundary is None or bword in {",", "”", '"', "—", "–", ":"}):
            np = self.right_np(match.end(), sent.end, inverted=True)
            if np is not None:
                return _NP(np.start, np.end, match.start(), np.phrase_end, inverted=True), verb
        return None

    def _over_relative_clause(self, sent: Span, p: int, *, strong: bool) -> _NP | None:
        """The subject of a verb after a relative clause with no comma in it.

        "A spokesperson who did not wish to be named because of agency policy said": the
        clause may hold words that look like boundaries ("because"), so reach back to the
        nearest "who" or "that" (at most 16 words away) and read the subject before it.
        """
        text = self.text
        window = text[sent.start : p]
        rel = None
        for m in re.finditer(r"\b(?:who|that)\b", window):
            rel = m
        if (
            rel is None
            or len(window[rel.end() :].split()) > 16
            or re.search(r"[,;:—–]", window[rel.end() :])
        ):
            return None
        rel_start = sent.start + rel.start()
        first = _TOKEN.search(text, sent.start + rel.end(), p)
        if first is None or not self._verbish(first.group()):
            return None
        outer = _last(_PUNCT_BOUNDARY, text, sent.start, rel_start)
        np = self.left_np(outer.end() if outer else sent.start, rel_start, strong=strong)
        if np is None:
            return None
        end = np.end
        if _ANON_MARKER.search(text, rel_start, p):  # the clause is what makes it anonymous
            end = len(text[:p].rstrip())
        return _NP(np.start, end, np.start, p)

    @staticmethod
    def _verbish(word: str) -> bool:
        low = word.lower()
        return low in _VERBISH or (low.endswith("ed") and len(low) > 4) or low == "spoke"

    def _antecedent(self, sent: Span, rel_start: int, *, verb: str) -> tuple[_NP, str] | None:
        """Resolve "X, which estimated" / "X who said" to X."""
        text = self.text
        end = rel_start
        while end > sent.start and text[end - 1] in " ,":
            end -= 1
        boundary = _last(_LEFT_BOUNDARY, text, sent.start, end)
        seg_start = boundary.end() if boundary else sent.start
        np = self.left_np(seg_start, end, strong=True)
        if np is None:
            return None
        head_tok = _tokens(text, np.start, np.end)
        if boundary is not None and boundary.group() == "," and head_tok and not head_tok[-1].cap:
            # "Ilona Petrescu, a 34-year-old nurse who said": the name, not the description.
            prev = _last(_LEFT_BOUNDARY, text, sent.start, boundary.start())
            named = self.left_np(prev.end() if prev else sent.start, boundary.start(), strong=True)
            if named is not None:
                toks = _tokens(text, named.start, named.end)
                if (
                    toks
                    and toks[-1].cap
                    and self.classify(named.start, named.end)[0]
                    in (
                        SourceKind.NAMED_PERSON,
                        SourceKind.NAMED_ORGANIZATION,
                    )
                ):
                    return _NP(named.start, named.end, named.start, rel_start), verb
        return _NP(np.start, np.end, np.start, np.end), verb

    def _long_appositive(
        self, sent: Span, comma: int, p: int, *, verb: str
    ) -> tuple[_NP, str] | None:
        """Resolve "X, a scientist at A in Greenbelt, Maryland, and B in Washington, D.C.,
        said" and "X, president of A, a Seattle design agency, said" to X: a role that opens
        with "a", "an" or a title and holds commas of its own (a place and its state, a second
        employer, what the employer is), with no verb in it, describes the name before it,
        and that name is the speaker."""
        text = self.text
        for opener in reversed(list(_APPOSITIVE_OPENING.finditer(text, sent.start, comma))):
            if opener.group("title") and opener.group("title").lower() not in self.lex.titles:
                continue
            if "," not in text[opener.end() : comma]:
                continue  # one without commas: `_insert` reads it
            toks = _tokens(text, opener.end(), comma)
            if (
                len(toks) > MAX_APPOSITIVE_WORDS
                or QUOTE_MARK.search(text, opener.end(), comma)
                or any(t.word in _VERBISH or t.word in _RELATIVES for t in toks)
            ):
                return None
            head = self._head_before(sent, opener.start())
            if (
                head is not None
                and self._speaker_like(head.start, head.end)
                and self._ends_in_a_name(head)
            ):
                return _NP(head.start, head.end, head.start, p), verb
        return None

    def _head_before(self, sent: Span, at: int) -> _NP | None:
        """The noun phrase that ends at `at`, after the clause boundary before it."""
        boundary = _last(_LEFT_BOUNDARY, self.text, sent.start, at)
        return self.left_np(boundary.end() if boundary else sent.start, at, strong=True)

    def _ends_in_a_name(self, np: _NP) -> bool:
        """Whether a noun phrase ends in a name ("Lars Henningsen"), not a common word."""
        last = _tokens(self.text, np.start, np.end)[-1]
        return last.cap and not self._is_common(last)

    def _insert(self, sent: Span, comma: int, p: int, *, verb: str) -> tuple[_NP, str] | None:
        """Resolve "X, an analyst at Y, said" to X (keeping an anonymity insert in X)."""
        text = self.text
        opener = _last(_PUNCT_BOUNDARY, text, sent.start, comma)
        if opener is None or opener.group().strip() not in {",", "—", "–", "("}:
            return None
        insert_start, insert_end = _strip(text, opener.end(), comma)
        insert_toks = _tokens(text, insert_start, insert_end)
        if not insert_toks or insert_toks[0].word in _CLAUSE_OPENERS:
            return None
        rel = next((i for i, t in enumerate(insert_toks) if t.word in _RELATIVES), None)
        if any(t.word in _VERBISH for t in insert_toks[:rel]):
            return None  # "..., and believe X could happen, said": a clause, not an insert
        head = self._head_before(sent, opener.start())
        if head is None:
            return None
        if not self._speaker_like(head.start, head.end):
            # "Israeli settlers, who form part of his constituency, said", "The German automaker,
            # which has focused on electric cars, says": a relative clause
            # between commas describes whoever comes before it.
            if insert_toks[0].word in ("who", "whose", "which") and verb in STRONG_SPEECH_VERBS:
                return _NP(head.start, head.end, head.start, p), verb
            return None
        head_named = self._ends_in_a_name(head)
        insert_name = (
            len(insert_toks) <= 6
            and all(t.cap or t.word in _NAME_CONNECTORS for t in insert_toks)
            and insert_toks[-1].cap
        )
        if not head_named and insert_name:
            # "Tessaly's chief executive, Raymond Achebe, said": the name is the source.
            return _NP(insert_start, insert_end, head.start, p), verb
        if not head_named and _ANON_MARKER.search(text, insert_start, insert_end):
            return _NP(head.start, insert_end, head.start, p), verb
        return _NP(head.start, head.end, head.start, p), verb
