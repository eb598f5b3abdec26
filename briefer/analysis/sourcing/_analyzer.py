"""Rules 1 and 4: the attributions of each sentence, and the claims that rest on one source."""

from __future__ import annotations

import re
from bisect import bisect_left

from briefer.analysis.rules import enabled
from briefer.analysis.sourcing._lexicon import (
    _AMBIGUOUS_VERBS,
    _ANON_MARKER,
    _CLAUSE_OPENERS,
    _DOCUMENTS,
    _INSTITUTION_NOUNS,
    _INVERTIBLE,
    _LEAD_STRIP,
    _NAME_CONNECTORS,
    _NOT_BEFORE_REDUCED,
    _NOT_NAME_START,
    _NOT_ONE_VOICE,
    _NUMBER_WORDS,
    _PHRASAL_VERBS,
    _PRONOUNS,
    _REJECT_BEFORE_VERB,
    _RELATIVES,
    _SINGULAR_UNNAMED_OK,
    _SKIP_BEFORE_VERB,
    _UNATTRIBUTED,
    _VERB,
    _VERBISH,
)
from briefer.analysis.sourcing._phrases import _NP, _PhraseReader
from briefer.analysis.sourcing._tokens import (
    _LEFT_BOUNDARY,
    _PUNCT_BOUNDARY,
    _TOKEN,
    _last,
    _strip,
    _Tok,
    _tokens,
)
from briefer.analysis.sourcing.model import (
    UNATTRIBUTED,
    Attribution,
    SingleSourceClaim,
    SourceKind,
)
from briefer.analysis.words import FINDING_VERBS, NEWS_COPY_VERBS, STRONG_SPEECH_VERBS, singular
from briefer.text import Span, finditer_any_case

# "maintain" with a noun phrase for its object keeps something; it says something before
# "that", a quotation or a comma ("maintained that", "he maintained.").
_KEEPS = re.compile(
    r"maintain(?:s|ed)?\s+(?:a|an|the|its|his|her|their|our|some|strong|close)\b", re.IGNORECASE
)


# A time between a subject and its verb: "Mark Esper on Wednesday accused".
_TIME_BEFORE_VERB = re.compile(
    r"\s(?:on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|yesterday|today|"
    r"last\s+(?:week|month|year|night)|this\s+(?:week|month|year))\s*"
)


# A person referred back to by age, as news copy does: "the 56-year-old".
_AGE_EPITHET = re.compile(r"[Tt]he \d{1,3}-year-old")

# Credits without a verb of saying: "in a NASA statement", "via the Calder Ledger",
# "Provided by European Space Agency" (a press release's credit line).
_NAME_RUN = r"(?:the\s+)?[A-Z][\w.&'’-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w.&'’-]*){0,4}"
_CREDIT_PHRASES = (
    re.compile(
        r"\b(?P<how>in\s+an?)\s+(?P<name>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,3})\s+"
        r"(?:statement|press\s+release|news\s+release|filing|report)\b"
    ),
    re.compile(r"\b(?P<how>via)\s+(?P<name>" + _NAME_RUN + r")"),
    re.compile(r"^(?P<how>Provided\s+by)\s+(?P<name>" + _NAME_RUN + r")", re.MULTILINE),
)

# The credit line under an embedded post: a dash, the account's display name, its handle.
_POST_CREDIT = re.compile(r"[—–]\s*(?P<name>[^\s@()—–][^\n@()—–]{0,60}?)\s*\(@\w{1,30}\)")

# The words after a verb that tell whether it attributes: a form more often a noun needs its
# clause after it ("estimates that", "reports the"); "declined" needs what was declined
# ("declined to comment", not "declined 3%"); "added" of a thing ("added 3 points") and a
# participle ("cited by", "suspected of moving crude") attribute nothing.
_CLAUSE_AFTER_AMBIGUOUS = re.compile(
    r"\s+(?:that|the|a|an|it|he|she|they|there|its|his|her|their|\d|\$)\b"
)
_DECLINED_WHAT = re.compile(r"\s+(?:to\b|comment|requests?\b|an?\s+(?:request|interview))")
_ADDED_A_THING = re.compile(r"\s+(?:\d|\$|to\b|a\b|an\b|more\b|new\b|another\b)")
_BY_AN_AGENT = re.compile(r"\s+by\b")
_OF_A_DEED = re.compile(r"\s+of\b")


def _says_here(verb: str, after: str) -> bool:
    """Tell from the words `after` a verb of saying whether it attributes anything here."""
    if verb in _AMBIGUOUS_VERBS and not _CLAUSE_AFTER_AMBIGUOUS.match(after):
        return False  # "the council's estimates show": a noun
    if verb in ("declined", "declines") and not _DECLINED_WHAT.match(after):
        return False  # "shares declined 3%"
    if verb in ("added", "adds") and _ADDED_A_THING.match(after):
        return False  # "the team added 3 points"
    if _BY_AN_AGENT.match(after):  # "cited by", "reported by": a participle
        return False
    # "tankers suspected of moving crude": a participle, nobody speaks
    return not (verb in ("suspected", "accused") and _OF_A_DEED.match(after))


# The longest source found in news is a name with its description, under twenty words ("A
# spokesperson who did not wish to be named because of agency policy"); a longer one is a
# clause read as a source ("The A The B The C ... said"), not someone's word.
MAX_SOURCE_WORDS = 20


def _is_a_source(verb: str, source: str) -> bool:
    """Tell whether `source`, read for `verb`, can be someone's word: a verb of finding needs
    a document ("a 2018 analysis found", not "police found a body"), and a source longer than
    `MAX_SOURCE_WORDS` is a clause read as one."""
    if verb in FINDING_VERBS and (
        not enabled("sourcing.finding-verbs") or not _DOCUMENTS & set(source.lower().split())
    ):
        return False
    return len(source.split()) <= MAX_SOURCE_WORDS


class _Analyzer(_PhraseReader):
    """Find the attributions of one article and the claims that rest on a single source."""

    _unattributed_all: list[re.Match[str]] | None = None
    _unattributed_starts: list[int]

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
            found = self._insert(sent, boundary.start(), p, verb=verb)
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
        head_boundary = _last(_LEFT_BOUNDARY, text, sent.start, opener.start())
        head = self.left_np(
            head_boundary.end() if head_boundary else sent.start, opener.start(), strong=True
        )
        if head is None:
            return None
        if not self._speaker_like(head.start, head.end):
            # "Israeli settlers, who form part of his constituency, said": a relative clause
            # between commas describes whoever comes before it.
            if insert_toks[0].word in ("who", "whose") and verb in STRONG_SPEECH_VERBS:
                return _NP(head.start, head.end, head.start, p), verb
            return None
        head_toks = _tokens(text, head.start, head.end)
        head_named = head_toks[-1].cap and not self._is_common(head_toks[-1])
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

    # -- the whole article

    def attributions(self) -> list[Attribution]:
        """Find the article's attributions, sentence by sentence: to a verb of saying, then
        the unattributed claims, embedded posts and credits of each sentence."""
        out: list[Attribution] = []
        recent: list[tuple[int, Attribution]] = []  # (sentence index, attribution)
        unattributed = enabled("sourcing.unattributed")
        post_credit = enabled("sourcing.post-credit")
        credits = enabled("sourcing.credit-phrases")
        for index, sent in enumerate(self.sentences):
            out.extend(self._said(index, sent, recent))
            if unattributed:
                out.extend(self._unattributed(sent, out))
            if post_credit:
                out.extend(self._embedded_posts(sent))
            if credits:
                out.extend(self._credits(sent, out))
            while recent and recent[0][0] < index - 2:
                recent.pop(0)
            if len(recent) > 50:
                del recent[:-50]
        return out

    def _said(
        self, index: int, sent: Span, recent: list[tuple[int, Attribution]]
    ) -> list[Attribution]:
        """Find the attributions of the sentence's verbs of saying, left to right.

        Each one found joins `recent` (sentence index, attribution), where a later pronoun
        looks for whom it stands for. A verb in a quotation or in the source just read is
        none.
        """
        text = self.text
        news_verbs = enabled("sourcing.news-verbs")
        found: list[Attribution] = []
        covered = sent.start
        previous: tuple[_NP, int] | None = None
        for match in _VERB.finditer(text, sent.start, sent.end):
            if match.start() < covered or self.in_quote(match.start()):
                continue
            if _KEEPS.match(text, match.start()):
                continue  # "maintained a lead": kept, not said
            verb_word = match.group("verb") or ""
            if not news_verbs and (verb_word in NEWS_COPY_VERBS or verb_word in _PHRASAL_VERBS):
                continue
            read = self._attribution(index, sent, match, previous, recent)
            if read is None:
                continue
            np, attribution = read
            found.append(attribution)
            recent.append((index, attribution))
            previous = (np, attribution.end)
            covered = max(covered, np.end if np.inverted else match.end())
        return found

    def _attribution(
        self,
        index: int,
        sent: Span,
        match: re.Match[str],
        previous: tuple[_NP, int] | None,
        recent: list[tuple[int, Attribution]],
    ) -> tuple[_NP, Attribution] | None:
        """Read the attribution of one verb of saying: its source, and who that is."""
        found = self.source_for(sent, match, previous)
        if found is None:
            return None
        np, verb = found
        if np.end <= np.start:
            return None
        source = self.text[np.start : np.end]
        if not _is_a_source(verb, source):
            return None
        who = self._who(source, np, index, recent)
        if who is None:
            return None
        kind, refers_to = who
        attribution = Attribution(
            start=min(np.phrase_start, np.start, match.start()),
            end=max(np.phrase_end, np.end, match.end()),
            source=source,
            source_start=np.start,
            source_end=np.end,
            verb=verb,
            kind=kind,
            sentence_start=sent.start,
            sentence_end=sent.end,
            refers_to=refers_to,
        )
        return np, attribution

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
        return kind, None

    def _unattributed_matches(self, sent: Span) -> list[re.Match[str]]:
        """The matches of `_UNATTRIBUTED` in `sent`, from one pass over the whole text (the
        pattern runs case-blind, which is faster on the lower-cased text)."""
        if self._unattributed_all is None:
            self._unattributed_all = list(finditer_any_case(_UNATTRIBUTED, self.text))
            self._unattributed_starts = [m.start() for m in self._unattributed_all]
        lo = bisect_left(self._unattributed_starts, sent.start)
        hi = bisect_left(self._unattributed_starts, sent.end)
        return [m for m in self._unattributed_all[lo:hi] if m.end() <= sent.end]

    def _unattributed(self, sent: Span, found: list[Attribution]) -> list[Attribution]:
        """Claims the sentence makes on nobody's named word: "reportedly", agentless passives.

        A passive with its agent ("was described by the mayor as") is not one, nor is a phrase
        inside a quotation or one an attribution already covers.
        """
        text = self.text
        out = []
        for match in self._unattributed_matches(sent):
            start, end = match.span()
            if match.group("reduced"):
                before = text[max(sent.start, start - 12) : start].split()
                if before and before[-1].lower() in _NOT_BEFORE_REDUCED:
                    continue
            if self.in_quote(start) or any(a.start < end and start < a.end for a in found):
                continue

            rest = text[end : min(end + 80, sent.end)]
            if not match.group().lower().startswith("reportedly") and re.search(
                r"\bby\s+(?:the\s+|a\s+|an\s+)?[A-Za-z]", rest.split(",")[0]
            ):
                continue  # the agent is named after all
            out.append(
                Attribution(
                    start=start,
                    end=end,
                    source=match.group(),
                    source_start=start,
                    source_end=end,
                    verb=match.group().split()[-2] if " " in match.group() else "reportedly",
                    kind=SourceKind.ANONYMOUS,
                    sentence_start=sent.start,
                    sentence_end=sent.end,
                    refers_to=UNATTRIBUTED,
                )
            )
        return out

    def _credits(self, sent: Span, found: list[Attribution]) -> list[Attribution]:
        """A source credited without a verb of saying: "in a NASA statement", "via the
        Calder Ledger", "Provided by European Space Agency". Only a named one counts."""
        out = []
        matches = [m for p in _CREDIT_PHRASES for m in p.finditer(self.text, sent.start, sent.end)]
        for match in matches:
            start, end = match.span("name")
            while end > start and self.text[end - 1] in ".,":
                end -= 1  # "via the Calder Ledger.": the sentence's stop is not the name's
            if any(a.source_start < end and start < a.source_end for a in found):
                continue
            kind, _ = self.classify(start, end)
            if kind not in (SourceKind.NAMED_ORGANIZATION, SourceKind.NAMED_PERSON):
                continue
            out.append(
                Attribution(
                    start=match.start(),
                    end=match.end(),
                    source=self.text[start:end],
                    source_start=start,
                    source_end=end,
                    verb=match.group("how").split()[0].lower(),
                    kind=kind,
                    sentence_start=sent.start,
                    sentence_end=sent.end,
                    refers_to=self._full_name(start, end)
                    if kind is SourceKind.NAMED_PERSON
                    else None,
                )
            )
        return out

    def _embedded_posts(self, sent: Span) -> list[Attribution]:
        """The credit line of an embedded social post names who posted it: "— Ines Alder
        (@inesalder) November 18, 2019" (the name as the account shows it)."""
        out = []
        for match in _POST_CREDIT.finditer(self.text, sent.start, sent.end):
            name_start, name_end = match.span("name")
            out.append(
                Attribution(
                    start=match.start(),
                    end=match.end(),
                    source=match.group("name"),
                    source_start=name_start,
                    source_end=name_end,
                    verb="posted",
                    kind=SourceKind.NAMED_PERSON,
                    sentence_start=sent.start,
                    sentence_end=sent.end,
                    refers_to=match.group("name"),
                )
            )
        return out

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

    def single_source(self, attributions: list[Attribution]) -> list[SingleSourceClaim]:
        by_sentence: dict[tuple[int, int], list[Attribution]] = {}
        for attribution in attributions:
            key = (attribution.sentence_start, attribution.sentence_end)
            by_sentence.setdefault(key, []).append(attribution)
        out: list[SingleSourceClaim] = []
        for (s_start, s_end), group in by_sentence.items():
            keys = {self._key(a) for a in group}
            only = group[0]
            if len(keys) != 1 or only.kind not in (
                SourceKind.ANONYMOUS,
                SourceKind.UNNAMED_INSTITUTION,
            ):
                continue
            if all(a.verb in ("declined", "declines") for a in group):
                continue  # declining to comment asserts nothing
            if only.refers_to is None and self._singular_source(only):
                what = "anonymous" if only.kind is SourceKind.ANONYMOUS else "unnamed"
                out.append(SingleSourceClaim(s_start, s_end, only.source, f"one {what} source"))
        flagged = {(c.sentence_start, c.sentence_end) for c in out}
        distinct = {self._key(a) for a in attributions}
        named = all(
            a.kind in (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION) for a in attributions
        )
        if attributions and len(distinct) == 1 and named:
            for (s_start, s_end), group in by_sentence.items():
                if (s_start, s_end) not in flagged:
                    source = group[0].refers_to or group[0].source
                    out.append(
                        SingleSourceClaim(
                            s_start, s_end, source, "the article relies on one source"
                        )
                    )
        out.sort(key=lambda c: c.sentence_start)
        return out

    def _key(self, attribution: Attribution) -> str:
        name = attribution.refers_to or attribution.source
        if attribution.kind is SourceKind.NAMED_PERSON:
            return "person:" + name.split()[-1].lower().removesuffix("'s").removesuffix("’s")
        if attribution.kind is SourceKind.NAMED_ORGANIZATION:
            return "org:" + name.lower().removeprefix("the ")
        return attribution.kind.value + ":" + name.lower()

    def _singular_source(self, attribution: Attribution) -> bool:
        toks = _tokens(self.text, attribution.source_start, attribution.source_end)
        if not toks:
            return False
        first = toks[0].word
        head = self._core(toks)[-1].word
        if first in ("the", "its", "their", "his", "her") and (
            head in self.lex.org_words or head in _INSTITUTION_NOUNS
        ):
            return False  # "the group said": a named organisation, referred back to
        if first == "one" and len(toks) > 1 and toks[1].word == "of":
            return True  # "one of the people"
        if first.isdigit() or (first in _NUMBER_WORDS and first != "one"):
            return False
        if first in ("some", "many", "several", "most", "all", "both", "few"):
            return False
        if head in _SINGULAR_UNNAMED_OK or head == "people":
            return False
        if attribution.kind is SourceKind.UNNAMED_INSTITUTION and (
            head in _NOT_ONE_VOICE or head in self.lex.org_words
        ):
            return False  # a document, an office or a spokesperson is not one person's word
        return singular(head) == head


def _plural(source: str) -> bool:
    """Whether a source phrase names several ("the officials", "two people")."""
    head = source.split()[-1].lower().rstrip(".,") if source.split() else ""
    return head in ("people", "police", "staff") or (head.endswith("s") and not head.endswith("ss"))
