"""One article as the sourcing analysis reads it: its text, sentences and quotations, and
an index of the names it mentions anywhere (whose surname or given name stands for whom,
which capitalised words open an organisation's name), with how a run of names reads."""

from __future__ import annotations

from bisect import bisect_right

from briefer.analysis.sourcing._lexicon import _NAME_CONNECTORS, _OPENERS, _PRONOUNS, _lexicon
from briefer.analysis.sourcing._tokens import (
    _CAP_RUN,
    _LOWER_WORD,
    _QUOTE,
    _ends_sentence,
    _name_text,
    _opens_sentence,
    _Tok,
    _tokens,
)
from briefer.analysis.sourcing.model import SourceKind
from briefer.analysis.words import singular
from briefer.text import sentences


class _Article:
    """One article's text, its sentences, quotations and the names it mentions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lex = _lexicon()
        self.sentences = sentences(text)
        quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
        self.quote_starts = [q[0] for q in quotes]
        self.quote_ends = [q[1] for q in quotes]
        self.lower_words = frozenset(_LOWER_WORD.findall(text))
        self.surnames: dict[str, str] = {}  # last word of a person's name -> the full name
        self.given: dict[str, str] = {}  # first word of a person's name -> the full name
        self.org_first: set[str] = set()
        self.titled: dict[str, list[tuple[int, str]]] = {}  # title -> where it names whom
        self.introduced: dict[str, int] = {}  # body noun -> where "a <noun>" first brings it in
        self._index_names()

    # -- names seen anywhere in the article

    def _index_names(self) -> None:
        text = self.text
        first_line = text.lstrip().split("\n", 1)[0].strip()
        body = 0  # a Title-Case headline would read as names: skip it
        if first_line and len(first_line) <= 200 and first_line[-1] not in '.!?"”':
            body = text.find(first_line) + len(first_line)
        for match in _CAP_RUN.finditer(text, body):
            if len(match.group().split()) < 2:
                continue  # one word, one token: no name of two words to index
            chunk: list[_Tok] = []
            for tok in _tokens(self.text, match.start(), match.end()):
                chunk.append(tok)
                if _ends_sentence(tok):  # "Smith. Smith said": two sentences, not one name
                    self._index_name(chunk)
                    chunk = []
            self._index_name(chunk)

    def _index_name(self, toks: list[_Tok]) -> None:
        while toks and toks[0].word in _OPENERS:
            toks = toks[1:]
        if not 2 <= len(toks) <= 6:
            return  # only names of two words or more are indexed
        if all(t.text.isupper() for t in toks):
            return  # "NISSAN SENTRA": a heading in capitals, not how news writes a name
        if (
            len(toks) == 2
            and toks[0].word in self.lex.titles
            and _opens_sentence(self.text, toks[0].start)
        ):
            return  # "Major WeWork investors": a title only by its capital letter
        kind = self._name_kind(toks, has_the=False, lookup=False)
        if kind is SourceKind.NAMED_PERSON:
            name = toks[self._name_tail(toks) :]
            if name:
                full = " ".join(_name_text(t) for t in name)
                self.surnames.setdefault(toks[-1].word, full)
                if len(name) > 1:
                    self.given.setdefault(name[0].word, full)
        elif kind is SourceKind.NAMED_ORGANIZATION:
            first = toks[0].word
            if first not in self.lex.common and first not in self.lex.titles:
                self.org_first.add(first)

    def _name_tail(self, toks: list[_Tok]) -> int:
        """Return where the personal name at the end of toks starts ("Mayor [Jane Doe]")."""
        lex = self.lex
        tail = len(toks)
        while tail > 0 and len(toks) - tail < 3:
            tok = toks[tail - 1]
            word = tok.word
            if not tok.cap or word in lex.titles or word in lex.org_words:
                break
            if word in lex.places or word in _NAME_CONNECTORS:
                break
            tail -= 1
        return tail

    def _name_kind(self, toks: list[_Tok], *, has_the: bool, lookup: bool = True) -> SourceKind:
        """Tell a person's name from an organisation's."""
        lex = self.lex
        words = [t.word for t in toks]
        joined = " ".join(words)
        org = (
            has_the
            or not lex.org_words.isdisjoint(words)
            or (len(words) > 1 and any(p in joined for p in lex.org_phrases))  # phrases of 2+ words
            or joined in lex.places
            or any(w.isdigit() for w in words)
        )
        tail = self._name_tail(toks)
        # "Mayor Denise Albright", "Secretary of State Mike Pompeo"
        if (
            not has_the
            and 0 < tail < len(toks)
            and (
                words[tail - 1] in lex.titles
                or (tail >= 3 and words[tail - 2] == "of" and words[tail - 3] in lex.titles)
            )
        ):
            return SourceKind.NAMED_PERSON
        if org:
            return SourceKind.NAMED_ORGANIZATION
        if len(toks) == 1:
            word = words[0]
            if (
                lookup
                and word not in self.org_first
                and (word in self.surnames or word in self.given)
            ):
                return SourceKind.NAMED_PERSON
            return SourceKind.NAMED_ORGANIZATION
        if len(toks) <= 4 and all(
            t.cap and (t.word in lex.titles or t.word not in lex.not_names) for t in toks
        ):
            return SourceKind.NAMED_PERSON
        return SourceKind.NAMED_ORGANIZATION

    def _known_name(self, word: str) -> bool:
        """Whether the article names someone or a body with `word` in full somewhere."""
        return word in self.surnames or word in self.given or word in self.org_first

    def _is_common(self, tok: _Tok) -> bool:
        word = tok.word
        bare = tok.text.rstrip(".,;:'’s")
        if len(bare) >= 2 and bare.isalpha() and bare.isupper():
            return False  # an acronym ("WHO", "NATO") names something
        if self._known_name(word):
            return False
        if word in self.lex.places:
            return False
        common = self.lex.common
        return (
            word in common
            or singular(word) in common
            or word in self.lower_words
            or word in _PRONOUNS
        )

    # -- quotations

    def in_quote(self, pos: int) -> bool:
        i = bisect_right(self.quote_starts, pos) - 1
        return i >= 0 and self.quote_starts[i] < pos < self.quote_ends[i]
