"""Rule 1 without a verb of saying: the claims an article makes on nobody's named word
("reportedly", agentless passives), sources credited by a phrase ("in a NASA statement",
"via the Calder Ledger") and the credit lines of embedded posts."""

from __future__ import annotations

import re
from bisect import bisect_left

from briefer.analysis.sourcing._lexicon import _NOT_BEFORE_REDUCED, _UNATTRIBUTED
from briefer.analysis.sourcing._who import _Resolver
from briefer.analysis.sourcing.model import UNATTRIBUTED, Attribution, SourceKind
from briefer.text import Span, finditer_any_case

# Credits without a verb of saying: "in a NASA statement", "via the Calder Ledger",
# "Provided by European Space Agency" (a press release's credit line). Each comes with words
# every match of it holds: a sentence without them is not scanned.
_NAME_RUN = r"(?:the\s+)?[A-Z][\w.&'’-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w.&'’-]*){0,4}"
_CREDIT_PHRASES = (
    (
        re.compile(
            r"\b(?P<how>in\s+an?)\s+(?P<name>[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,3})\s+"
            r"(?:statement|press\s+release|news\s+release|filing|report)\b"
        ),
        ("statement", "release", "filing", "report"),
    ),
    (re.compile(r"\b(?P<how>via)\s+(?P<name>" + _NAME_RUN + r")"), ("via",)),
    (
        re.compile(r"^(?P<how>Provided\s+by)\s+(?P<name>" + _NAME_RUN + r")", re.MULTILINE),
        ("Provided",),
    ),
)

# The credit line under an embedded post: a dash, the account's display name, its handle.
_POST_CREDIT = re.compile(r"[—–]\s*(?P<name>[^\s@()—–][^\n@()—–]{0,60}?)\s*\(@\w{1,30}\)")


class _Unsaid(_Resolver):
    """Find the attributions of one article that no verb of saying makes."""

    _unattributed_all: list[re.Match[str]] | None = None
    _unattributed_starts: list[int]

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
        matches = [
            m
            for pattern, words in _CREDIT_PHRASES
            if any(word in sent.text for word in words)
            for m in pattern.finditer(self.text, sent.start, sent.end)
        ]
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
