"""Reading the noun phrase before or after an attribution verb: the candidate source.

`_PhraseReader` reads, in one article, the noun phrase that ends before a verb of saying
("the mayor said") or starts after one ("according to the mayor", "said the mayor").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from briefer.analysis.rules import enabled
from briefer.analysis.sourcing._classify import _Classifier
from briefer.analysis.sourcing._lexicon import (
    _AMBIGUOUS_VERBS,
    _ANON_MARKER,
    _AUXILIARIES,
    _DETERMINERS,
    _INDEFINITE,
    _LEAD_STRIP,
    _NAME_CONNECTORS,
    _OPENERS,
    _OTHER_PRONOUNS,
    _PHRASE_GOES_ON_AFTER,
    _PREPOSITIONS,
    _PRONOUNS,
    _QUANTIFIERS,
    _RELATIVES,
    _SUBJECT_PRONOUNS,
    _VERBISH,
)
from briefer.analysis.sourcing._tokens import _RIGHT_END, _strip, _Tok, _tokens


@dataclass(frozen=True, slots=True)
class _NP:
    """A candidate source: [start, end), and the extent of the whole phrase."""

    start: int
    end: int
    phrase_start: int
    phrase_end: int
    inverted: bool = False


class _PhraseReader(_Classifier):
    """Read the noun phrases around the verbs of saying of one article."""

    def left_np(
        self, seg_start: int, seg_end: int, *, strong: bool, subject: bool = False
    ) -> _NP | None:
        """Read the noun phrase that ends at seg_end, within [seg_start, seg_end).

        `subject`: the phrase is the subject of the verb right after it, so a name that is
        the object of a preposition ("China's ambassador to Britain warned") is not it alone.
        """
        text = self.text
        toks = _tokens(text, seg_start, seg_end)
        while toks and toks[0].word in _LEAD_STRIP:
            toks = toks[1:]
        if not toks:
            return None
        last = toks[-1]
        if last.possessive:
            return None
        if len(toks) == 1 and last.word in _PRONOUNS:
            return _NP(last.start, last.end, last.start, last.end)
        if last.word in _OTHER_PRONOUNS or last.word in _DETERMINERS:
            return None
        if last.cap and (len(toks) > 1 or not self._is_common(last)):
            run_start = len(toks) - 1
            while run_start > 0 and (
                toks[run_start - 1].cap
                or (toks[run_start - 1].word in _NAME_CONNECTORS and run_start - 1 > 0)
            ):
                run_start -= 1
            while run_start < len(toks) - 1 and (
                toks[run_start].word in _NAME_CONNECTORS
                or toks[run_start].word in _LEAD_STRIP
                or toks[run_start].word in _OPENERS
            ):
                run_start += 1
            before = run_start - 1
            if (
                before >= 0
                and run_start == len(toks) - 1
                and toks[before].word in _INDEFINITE
                and not toks[before].cap
            ):
                return self._whole_np(toks, strong=strong)  # "a Republican told"
            if before >= 0 and toks[before].word == "the":
                before -= 1
            if before >= 0 and toks[before].word in _PREPOSITIONS:
                whole = self._whole_np(toks, strong=strong)
                if whole is not None or subject:
                    return whole
            while before >= 0 and toks[before].word in self.lex.titles:
                before -= 1
            first = toks[before + 1]
            return _NP(first.start, last.end, first.start, last.end)
        return self._whole_np(toks, strong=strong)

    def _whole_np(self, toks: list[_Tok], *, strong: bool) -> _NP | None:
        """Accept all of toks as one noun phrase, if it looks like one."""
        while toks and toks[0].word in _LEAD_STRIP:
            toks = toks[1:]
        if toks and toks[0].word in _PREPOSITIONS:
            dets = [i for i, t in enumerate(toks) if t.word in _DETERMINERS]
            if not dets:
                return None
            toks = toks[dets[-1] :]
        if not toks or len(toks) > 25:
            return None
        core = self._core(toks)
        if len(core) > 8 or _verbish(core, after_preposition=False):
            return None
        rel = next((i for i, t in enumerate(toks) if t.word in _RELATIVES), len(toks))
        if any(t.word in _VERBISH for t in toks[:rel]):
            return None
        # "those" with words after it is a group ("those familiar with the talks", "those in
        # favour of a ban"); alone, it points back.
        group = toks[0].word == "those" and len(toks) > 1 and enabled("sourcing.those-group")
        if (toks[0].word in _OTHER_PRONOUNS or toks[0].word in _PRONOUNS) and not group:
            return None
        head = core[-1]
        if head.word in _DETERMINERS or head.word in _QUANTIFIERS or head.word.endswith("ly"):
            return None
        after = toks.index(head) + 1
        if (
            head.cap
            and after < len(toks)
            and not toks[after].cap
            and toks[after].word.endswith("ed")
        ):
            return None  # "New York published ...": a clause, not a noun phrase
        if head.possessive:
            return None
        start, end = toks[0].start, toks[-1].end
        if not strong and not self._speaker_like(start, end):
            return None
        return _NP(start, end, start, end)

    def _source_end(self, toks: list[_Tok]) -> int:
        """How many of `toks` (an "according to" source read up to a clause mark) are the
        source: up to where a new phrase or clause begins.

        A determiner or pronoun opens one after a noun ("the researchers | a plantation
        would"), not after a preposition or "and" ("a report by the ministry"); an auxiliary
        or a relative pronoun always does ("the ministry | which said"). Words that make the
        source anonymous keep it whole ("a person who asked not to be named", "people not
        authorized to speak"), as a comma-delimited clause would.
        """
        if _ANON_MARKER.search(self.text, toks[0].start, toks[-1].end):
            return len(toks)
        end = len(toks)
        for i in range(1, len(toks)):
            word, before = toks[i].word, toks[i - 1].word
            if word in _SUBJECT_PRONOUNS and before not in _PREPOSITIONS:
                end = i  # "officials and | it will be worked out"
                break
            if before in _PHRASE_GOES_ON_AFTER:
                continue
            if word in _DETERMINERS or word in _OTHER_PRONOUNS:
                end = i
                break
            if word in _RELATIVES or word in _AUXILIARIES:
                end = i
                break
        # The words that led on into the claim are not the source's ("patterns of work and").
        while end > 1 and toks[end - 1].word in _PHRASE_GOES_ON_AFTER and end < len(toks):
            end -= 1
        return end

    def right_np(self, start: int, sent_end: int, *, inverted: bool) -> _NP | None:
        """Read the noun phrase that starts at `start` and runs to the end of its clause."""
        text = self.text
        while start < sent_end and text[start].isspace():
            start += 1
        stop = _RIGHT_END.search(text, start, sent_end)
        end = stop.start() if stop else sent_end
        a, b = _strip(text, start, end)
        if b <= a:
            return None
        toks = _tokens(text, a, b)
        if not inverted and toks:
            # "according to the researchers a plantation would ...": with no comma after the
            # source, its noun phrase ends where the claim's words begin.
            run_on = self._source_end(toks)
            if run_on < len(toks):
                toks = toks[:run_on]
                a, b = _strip(text, a, toks[-1].end)
                stop = None
        if not toks or len(toks) > 30:
            return None
        if toks[0].word in _PRONOUNS or toks[0].word in _OTHER_PRONOUNS:
            return None
        core = self._core(toks)
        if _verbish(core, after_preposition=True):
            return None
        head = core[-1]
        named = head.cap and not (len(core) == 1 and self._is_common(head))
        if inverted and not (named or self._speaker_like(a, b)):
            return None
        if inverted and (toks[-1].possessive or (stop and stop.group() in '“"')):
            return None  # 'said Yoon's "unconstitutional..."': the start of what was said
        if toks[0].word in _PREPOSITIONS and not toks[0].cap:
            return None
        phrase_end = b
        # ", who asked not to be named": part of an unnamed source's description.
        if stop and text[stop.start()] == "," and not named:
            after = stop.end()
            follow = re.match(
                r"\s*(?:who|speaking|whose)\b", text[after : min(after + 12, sent_end)]
            )
            if follow:
                nxt = _RIGHT_END.search(text, after, sent_end)
                c, d = _strip(text, after, nxt.start() if nxt else sent_end)
                if d > c and _ANON_MARKER.search(text, c, d):
                    b = d
                    phrase_end = d
        return _NP(a, b, a, phrase_end, inverted=inverted)


def _verbish(core: list[_Tok], *, after_preposition: bool) -> bool:
    """Whether a verb sits in a noun phrase's core, so that it is a clause, not a source.

    A form that is as often a noun ("reports", "claims", "estimates") heads a noun phrase
    after a preposition ("according to reports") or after another word of the phrase
    ("local media reports"), and is no verb there.
    """
    nouns = enabled("sourcing.noun-after-preposition")
    for i, tok in enumerate(core):
        if tok.word not in _VERBISH:
            continue
        last = i == len(core) - 1
        noun = nouns and tok.word in _AMBIGUOUS_VERBS and last and (i > 0 or after_preposition)
        if not noun:
            return True
    return False
