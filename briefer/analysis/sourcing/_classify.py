"""Telling what kind of source a noun phrase is (rule 2): anonymous, a named person or
organisation, or an unnamed institution, with the key that names it."""

from __future__ import annotations

import re

from briefer.analysis.rules import enabled
from briefer.analysis.sourcing._article import _Article
from briefer.analysis.sourcing._lexicon import (
    _ANON_HEADS,
    _ANON_MARKER,
    _CUT_WORDS,
    _DETERMINERS,
    _DOCUMENTS,
    _INDEFINITE,
    _INSTITUTION_NOUNS,
    _MARKET_VOICES,
    _NAME_CONNECTORS,
    _OF_WHOM,
    _PAIRED_BODIES,
    _PEOPLE_NOUNS,
    _PUBLISHED,
    _QUANTIFIERS,
    _SPEAKER_NOUNS,
    _SPOKES_NOUNS,
    _VOICE_NOUNS,
)
from briefer.analysis.sourcing._tokens import _Tok, _tokens
from briefer.analysis.sourcing.model import SourceKind
from briefer.analysis.words import singular
from briefer.text.lexicon import lexicon

# A comma, a few words of title, and a person's name that closes the clause.
_APPOSITIVE_NAME = re.compile(
    r",[ \t]+(?:[\w'’.-]+[ \t]+){0,6}?"
    r"(?P<name>[A-Z][a-z][\w'’-]*(?:[ \t]+[A-Z][a-z][\w'’-]*){1,2})[ \t]*(?:[.;]|,[ \t]+(?![a-z]))"
)


# "a", "one", "another prominent" right before a one-word capitalised source: a member of a
# group ("one prominent Republican"), not a name.
_UNNAMED_BEFORE = re.compile(
    r"\b(?:a|an|one|another|some|several|two|three)\s+(?:[a-z][\w-]*\s+){0,2}$", re.IGNORECASE
)


class _Classifier(_Article):
    """Classify the source phrases of one article by their words and the names it mentions."""

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


# Two parties the story has just named, referred back to: "both men", "the two", "the pair".
_PAIR = re.compile(
    r"(?i:both(?:\s+of\s+them|\s+(?P<what>\w+))?|the\s+two(?:\s+(?P<two>\w+))?|the\s+pair"
    r"|the\s+couple)"
)
