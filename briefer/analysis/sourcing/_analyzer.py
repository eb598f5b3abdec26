"""Rules 1 and 4: the attributions of each sentence, and the claims that rest on one source.

`_Analyzer` walks the article: the source of each verb of saying is found by `_sources`, who
it is decided by `_who`, and the attributions no verb makes come from `_unsaid`.
"""

from __future__ import annotations

import re

from briefer.analysis.rules import enabled
from briefer.analysis.sourcing._lexicon import (
    _DOCUMENTS,
    _INSTITUTION_NOUNS,
    _NOT_ONE_VOICE,
    _NUMBER_WORDS,
    _PHRASAL_VERBS,
    _REFERRING,
    _SINGULAR_UNNAMED_OK,
    _VERB,
)
from briefer.analysis.sourcing._phrases import _NP
from briefer.analysis.sourcing._sources import _SourceFinder
from briefer.analysis.sourcing._tokens import _tokens
from briefer.analysis.sourcing._unsaid import _Unsaid
from briefer.analysis.sourcing.model import Attribution, SingleSourceClaim, SourceKind
from briefer.analysis.words import FINDING_VERBS, NEWS_COPY_VERBS, singular
from briefer.text import Span

# "maintain" with a noun phrase for its object keeps something; it says something before
# "that", a quotation or a comma ("maintained that", "he maintained.").
_KEEPS = re.compile(
    r"maintain(?:s|ed)?\s+(?:a|an|the|its|his|her|their|our|some|strong|close)\b", re.IGNORECASE
)


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


class _Analyzer(_SourceFinder, _Unsaid):
    """Find the attributions of one article and the claims that rest on a single source."""

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
        if first in _REFERRING and (head in self.lex.org_words or head in _INSTITUTION_NOUNS):
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
