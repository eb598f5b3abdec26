"""Reading noun phrases and telling what kind of source they are (rule 2).

`_PhraseReader` holds one article: its text, sentences, quotations and the names it mentions.
It reads the noun phrase before or after an attribution verb and classifies it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from briefer.analysis.rules import enabled
from briefer.analysis.sourcing._lexicon import (
    _AMBIGUOUS_VERBS,
    _ANON_HEADS,
    _ANON_MARKER,
    _AUXILIARIES,
    _CUT_WORDS,
    _DETERMINERS,
    _DOCUMENTS,
    _INDEFINITE,
    _INSTITUTION_NOUNS,
    _LEAD_STRIP,
    _MARKET_VOICES,
    _NAME_CONNECTORS,
    _OF_WHOM,
    _OPENERS,
    _OTHER_PRONOUNS,
    _PAIRED_BODIES,
    _PEOPLE_NOUNS,
    _PHRASE_GOES_ON_AFTER,
    _PREPOSITIONS,
    _PRONOUNS,
    _PUBLISHED,
    _QUANTIFIERS,
    _RELATIVES,
    _SPEAKER_NOUNS,
    _SPOKES_NOUNS,
    _SUBJECT_PRONOUNS,
    _VERBISH,
    _VOICE_NOUNS,
    _lexicon,
)
from briefer.analysis.sourcing._tokens import (
    _CAP_RUN,
    _LOWER_WORD,
    _QUOTE,
    _RIGHT_END,
    _ends_sentence,
    _name_text,
    _opens_sentence,
    _strip,
    _Tok,
    _tokens,
)
from briefer.analysis.sourcing.model import SourceKind
from briefer.analysis.words import singular
from briefer.text import sentences
from briefer.text.lexicon import lexicon

# A comma, a few words of title, and a person's name that closes the clause.
_APPOSITIVE_NAME = re.compile(
    r",[ \t]+(?:[\w'’.-]+[ \t]+){0,6}?"
    r"(?P<name>[A-Z][a-z][\w'’-]*(?:[ \t]+[A-Z][a-z][\w'’-]*){1,2})[ \t]*(?:[.;]|,[ \t]+(?![a-z]))"
)


@dataclass(frozen=True, slots=True)
class _NP:
    """A candidate source: [start, end), and the extent of the whole phrase."""

    start: int
    end: int
    phrase_start: int
    phrase_end: int
    inverted: bool = False


# "a", "one", "another prominent" right before a one-word capitalised source: a member of a
# group ("one prominent Republican"), not a name.
_UNNAMED_BEFORE = re.compile(
    r"\b(?:a|an|one|another|some|several|two|three)\s+(?:[a-z][\w-]*\s+){0,2}$", re.IGNORECASE
)


class _PhraseReader:
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
        self._index_names()

    # -- names seen anywhere in the article

    def _index_names(self) -> None:
        text = self.text
        first_line = text.lstrip().split("\n", 1)[0].strip()
        body = 0  # a Title-Case headline would read as names: skip it
        if first_line and len(first_line) <= 200 and first_line[-1] not in '.!?"”':
            body = text.find(first_line) + len(first_line)
        for match in _CAP_RUN.finditer(text, body):
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
        if not toks or len(toks) > 6:
            return
        if (
            len(toks) == 2
            and toks[0].word in self.lex.titles
            and _opens_sentence(self.text, toks[0].start)
        ):
            return  # "Major WeWork investors": a title only by its capital letter
        kind = self._name_kind(toks, has_the=False, lookup=False)
        if kind is SourceKind.NAMED_PERSON and len(toks) > 1:
            name = toks[self._name_tail(toks) :]
            if name:
                full = " ".join(_name_text(t) for t in name)
                self.surnames.setdefault(toks[-1].word, full)
                if len(name) > 1:
                    self.given.setdefault(name[0].word, full)
        elif kind is SourceKind.NAMED_ORGANIZATION and len(toks) > 1:
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
            or any(w in lex.org_words for w in words)
            or any(p in joined for p in lex.org_phrases)
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

    def _is_common(self, tok: _Tok) -> bool:
        word = tok.word
        bare = tok.text.rstrip(".,;:'’s")
        if len(bare) >= 2 and bare.isalpha() and bare.isupper():
            return False  # an acronym ("WHO", "NATO") names something
        if word in self.surnames or word in self.given or word in self.org_first:
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

    # -- classifying a source phrase

    def classify(self, start: int, end: int) -> tuple[SourceKind, str]:
        """Return the kind of the source text[start:end] and a key naming it.

        The first of these that applies decides: anonymous by its words, the market speaking
        for unnamed analysts, two parties just named, a person named after a description, one
        member of a group, a body's proper name, a name, an institution of a named state, a
        voice or document of a name; else an unnamed institution.
        """
        toks = _tokens(self.text, start, end)
        phrase = self.text[start:end]
        if not toks:
            return SourceKind.UNNAMED_INSTITUTION, phrase.lower()
        core = self._core(toks)
        head = core[-1]
        return (
            self._anonymous_or_named_after(phrase, head, end)
            or self._market_voice(phrase)
            or self._both_named(phrase)
            or self._described(toks)
            or self._one_of_a_group(toks, core, phrase, start)
            or self._body_by_proper_name(toks, core)
            or self._named(toks, core, phrase)
            or self._of_a_named_state(toks, head, phrase)
            or self._speaks_for_a_name(toks, head, end)
            or (SourceKind.UNNAMED_INSTITUTION, phrase.lower())
        )

    def _anonymous_or_named_after(
        self, phrase: str, head: _Tok, end: int
    ) -> tuple[SourceKind, str] | None:
        """Classify a source its words make anonymous ("a person familiar with the matter",
        "one of the people"), unless the article names the person right after it."""
        if _ANON_MARKER.search(phrase):
            return SourceKind.ANONYMOUS, phrase.lower()
        person = self._named_in_apposition(end)
        if person is not None:  # "another witness, former adviser Fiona Hill"
            return SourceKind.NAMED_PERSON, person
        if head.word in _ANON_HEADS:
            return SourceKind.ANONYMOUS, phrase.lower()
        return None

    def _market_voice(self, phrase: str) -> tuple[SourceKind, str] | None:
        """Classify the market speaking ("Wall Street predicted", "according to the Street")
        as the unnamed analysts it stands for (the rule "sourcing.market-voice")."""
        name = " ".join(phrase.lower().split()).removeprefix("the ")
        if name in _MARKET_VOICES and enabled("sourcing.market-voice"):
            return SourceKind.UNNAMED_INSTITUTION, name
        return None

    def _both_named(self, phrase: str) -> tuple[SourceKind, str] | None:
        """Classify two parties the story has just named ("both men claimed", "the two
        countries said") as two people or two bodies (the rule "sourcing.both-named")."""
        pair = _PAIR.fullmatch(phrase.strip())
        if pair is None or not enabled("sourcing.both-named"):
            return None
        bodies = (pair.group("what") or "").lower() in _PAIRED_BODIES
        kind = SourceKind.NAMED_ORGANIZATION if bodies else SourceKind.NAMED_PERSON
        return kind, phrase.lower()

    def _described(self, toks: list[_Tok]) -> tuple[SourceKind, str] | None:
        """Classify a person named after a description of them ("lead researcher and NASA
        scientist Lucas Paganini"; the rule "sourcing.described-person")."""
        if not enabled("sourcing.described-person"):
            return None
        described = self._described_person(toks)
        return None if described is None else (SourceKind.NAMED_PERSON, described)

    def _one_of_a_group(
        self, toks: list[_Tok], core: list[_Tok], phrase: str, start: int
    ) -> tuple[SourceKind, str] | None:
        """Classify one member of a group named by a capitalised word ("one prominent
        Republican", "a Democrat") as unnamed: the word says what the source is, not who."""
        if not core[-1].cap or len(core) != 1:
            return None
        if toks[0].word in _INDEFINITE or _UNNAMED_BEFORE.search(
            self.text, max(start - 40, 0), start
        ):
            return SourceKind.UNNAMED_INSTITUTION, phrase.lower()
        return None

    def _body_by_proper_name(
        self, toks: list[_Tok], core: list[_Tok]
    ) -> tuple[SourceKind, str] | None:
        """Classify a body's proper name ("the Department of Energy", "Bank of Calder") as an
        organisation, keyed by its capitalised words."""
        if not self._proper_of_name(toks, core):
            return None
        return SourceKind.NAMED_ORGANIZATION, " ".join(t.word for t in toks if t.cap)

    def _named(
        self, toks: list[_Tok], core: list[_Tok], phrase: str
    ) -> tuple[SourceKind, str] | None:
        """Classify a source whose head is a capitalised word, not a common noun: a person,
        keyed by the surname, or an organisation, keyed by its name."""
        head = core[-1]
        if not head.cap or (len(core) == 1 and self._is_common(head)):
            return None
        run = self._name_run(toks, head)
        if not run:  # only connectors were capitalised ("The ... said"): no name here
            return SourceKind.UNNAMED_INSTITUTION, phrase.lower()
        if len(run) == 1 and self._is_common(run[0]):
            return SourceKind.UNNAMED_INSTITUTION, phrase.lower()
        at = toks.index(run[0])
        has_the = any(t.word == "the" for t in toks[:at])
        kind = self._name_kind(run, has_the=has_the)
        if at > 0 and not toks[at - 1].cap and toks[at - 1].word in self.lex.titles:
            kind = SourceKind.NAMED_PERSON  # "port director Helen Marsh", "brother Robert"
        if kind is SourceKind.NAMED_PERSON:
            return kind, run[-1].word
        return kind, " ".join(t.word for t in run)

    def _name_run(self, toks: list[_Tok], head: _Tok) -> list[_Tok]:
        """Return the capitalised words around `head` that make one name, without the
        connectors ("of", "the") that lead into it."""
        at = toks.index(head)
        run = [head]
        i = at - 1
        while i >= 0 and (toks[i].cap or toks[i].word in _NAME_CONNECTORS):
            run.insert(0, toks[i])
            i -= 1
        # "Secretary [of State Mike Pompeo]": the name goes on past the core's cut.
        tail: list[_Tok] = []
        for tok in toks[at + 1 :]:
            if not (tok.cap or tok.word in _NAME_CONNECTORS):
                break
            tail.append(tok)
            if tok.cap:
                run.extend(tail)
                tail = []
        while run and run[0].word in _NAME_CONNECTORS:
            has_the = run[0].word == "the"
            run = run[1:]
            if has_the:
                break
        return run

    def _proper_of_name(self, toks: list[_Tok], core: list[_Tok]) -> bool:
        """Whether the phrase is a body's proper name of the form "Department of Energy": a
        capitalised common noun, "of", and capitalised words to the end."""
        if not enabled("sourcing.proper-of-name"):
            return False
        if len(core) != 1 or not core[0].cap or not self._is_common(core[0]):
            return False
        at = toks.index(core[0])
        rest = toks[at + 1 :]
        return (
            len(rest) >= 2
            and rest[0].word == "of"
            and rest[1].cap
            and all(t.cap or t.word in _NAME_CONNECTORS for t in rest[1:])
        )

    def _describes_a_person(self, word: str) -> bool:
        """Whether `word`, right before a name, says what a person is: a title or function
        ("director", "author") or an agent noun of a field ("geologist", "historian")."""
        return (
            word in self.lex.titles
            or word in self.lex.functions
            or word.endswith(("ist", "ian"))
            or word.endswith("-author")
        )

    def _described_person(self, toks: list[_Tok]) -> str | None:
        """The key of the person a phrase names last, after a lower-case description of
        them: "lead researcher and NASA planetary scientist Lucas Paganini", "study co-author
        Michael Malaska". News puts the name last; the description may hold "and" or a
        body's name, which would otherwise cut the phrase short."""
        run: list[_Tok] = []
        for tok in reversed(toks):
            if not tok.cap:
                break
            run.insert(0, tok)
        if len(run) < 2 or len(run) == len(toks):
            return None
        before = toks[-len(run) - 1].word
        if not self._describes_a_person(before):
            return None  # "the journal Harbour Science", "analysts at Nordvik Marine"
        for size in (2, 3):  # the name itself: the last two or three capitalised words
            name = run[-size:]
            if (
                len(name) == size
                and self._name_kind(name, has_the=False) is SourceKind.NAMED_PERSON
            ):
                return name[-1].word
        return None

    def _named_in_apposition(self, end: int) -> str | None:
        """The key of a person the article names right after a description of them: "said
        another witness in the probe, former White House adviser Fiona Hill." A description
        so followed by a name is not anonymous."""
        match = _APPOSITIVE_NAME.match(self.text, end)
        if match is None:
            return None
        toks = _tokens(self.text, match.start("name"), match.end("name"))
        if self._name_kind(toks, has_the=False) is not SourceKind.NAMED_PERSON:
            return None
        return toks[-1].word

    def _speaks_for_a_name(
        self, toks: list[_Tok], head: _Tok, end: int
    ) -> tuple[SourceKind, str] | None:
        """A voice or a document of someone the phrase names: "a spokesperson for the British
        Foreign Office", "a report from Kotak Institutional Equities", "a survey by Penelope
        Abernathy", "China's ambassador to Britain Liu Xiaming" (the name closes the phrase).
        A spokesperson speaks officially for the body named, which is on the record; one who
        asks not to be named is anonymous (decided before this is asked)."""
        at = toks.index(head)
        rest = toks[at + 1 :]
        if head.word in _SPOKES_NOUNS and at > 0 and toks[at - 1].cap:
            # "a State Department spokesperson", "a Kremlin spokesman": the body is named.
            run = [toks[at - 1]]
            for tok in reversed(toks[: at - 1]):
                if not tok.cap:
                    break
                run.insert(0, tok)
            if self._name_kind(run, has_the=False) is SourceKind.NAMED_ORGANIZATION:
                return SourceKind.NAMED_ORGANIZATION, " ".join(t.word for t in run)
        if len(rest) < 2 or head.cap:
            return None
        titled = head.word in self.lex.titles
        voice = head.word in _VOICE_NOUNS or singular(head.word) in _VOICE_NOUNS
        published = enabled("sourcing.published-in") and len(rest) >= 3
        if voice and published and rest[0].word in _PUBLISHED and rest[1].word in _OF_WHOM:
            rest = rest[1:]  # "a paper published in the journal ...", "a report issued by ..."
        if rest[0].word in _OF_WHOM and (voice or titled):
            kind, key = self.classify(rest[1].start, end)
        elif titled and rest[0].word == "to" and len(rest) >= 4 and all(t.cap for t in rest[-2:]):
            kind, key = SourceKind.NAMED_PERSON, rest[-1].word  # the title's holder, named
        else:
            return None
        if kind in (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION):
            return kind, key
        return None

    def _of_a_named_state(
        self, toks: list[_Tok], head: _Tok, phrase: str
    ) -> tuple[SourceKind, str] | None:
        """Classify an institution of a named country or body as an organisation: "China's
        commerce ministry", "the French foreign ministry", "Beijing's health authority". One
        body, identified by the article."""
        if head.word not in _INSTITUTION_NOUNS and singular(head.word) not in _INSTITUTION_NOUNS:
            return None
        before = toks[: toks.index(head)]
        demonyms = lexicon().demonym_of
        if any(
            t.cap and (t.possessive or t.word in demonyms or t.word in self.lex.places)
            for t in before
        ):
            return SourceKind.NAMED_ORGANIZATION, phrase.lower()
        return None

    def _core(self, toks: list[_Tok]) -> list[_Tok]:
        """Return the words of a noun phrase up to its head ("one of [the people]")."""
        i = 0
        while True:
            while i < len(toks) - 1 and toks[i].word in _DETERMINERS:
                i += 1
            if (
                i < len(toks) - 2
                and (toks[i].word in _QUANTIFIERS or toks[i].word.isdigit())
                and toks[i + 1].word == "of"
            ):
                i += 2
                continue
            break
        core: list[_Tok] = []
        for j in range(i, len(toks)):
            tok = toks[j]
            if core and not tok.cap and tok.word in _CUT_WORDS:
                break
            if (
                core
                and not tok.cap
                and tok.word.endswith("ed")
                and "-" not in tok.word
                and core[-1].word not in _DETERMINERS
            ):
                break
            core.append(tok)
        return core or toks[i : i + 1] or toks[-1:]

    def _speaker_like(self, start: int, end: int) -> bool:
        """Return whether a phrase looks like someone who can speak or a document."""
        toks = _tokens(self.text, start, end)
        if not toks:
            return False
        core = self._core(toks)
        head = core[-1]
        if _ANON_MARKER.search(self.text, start, end):
            return True
        if self._proper_of_name(toks, core):  # "the Department of Energy", "Bank of Calder"
            return True
        if head.cap and not (len(core) == 1 and self._is_common(head)):
            return True
        word = head.word
        return (
            word in _ANON_HEADS
            or word in _SPEAKER_NOUNS
            or singular(word) in _SPEAKER_NOUNS
            or word in _DOCUMENTS  # "a 2018 analysis of the data found"
            or (
                enabled("sourcing.people-groups")
                # "astrobiologists regard", "historians say", "the mayor's defenders took to"
                and (word.endswith(("ists", "ians")) or singular(word) in _PEOPLE_NOUNS)
            )
            or word in self.lex.titles  # "China's ambassador to Britain"
        )

    # -- finding the source of one verb

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


# Two parties the story has just named, referred back to: "both men", "the two", "the pair".
_PAIR = re.compile(
    r"(?i:both(?:\s+of\s+them|\s+(?P<what>\w+))?|the\s+two(?:\s+(?P<two>\w+))?|the\s+pair"
    r"|the\s+couple)"
)
