"""Rule-based sourcing analysis: who asserts what in an article, and how firmly.

`analyze_sourcing(text)` returns a `SourcingProfile`. Every span in it is an offset pair
into the original text, so `text[start:end]` quotes it back verbatim. No models, no network:
word lists come from `briefer/data/entities.toml` plus the small sets in this module.

Rules, in the order they are applied:

1. **Attributions.** Each sentence (from `briefer.text.sentences`) is searched for an
   attribution verb in any tense ("said", "told", "according to", "declined", "estimated",
   ...). A verb inside a quotation is ignored. The source is then read off the words around it:

   - `according to X`: X is the noun phrase after it, up to the end of the clause;
   - `X said`, `X has told`: X is the noun phrase that ends just before the verb (after
     auxiliaries and adverbs such as "has", "also"), from the previous clause boundary
     (comma, quote, dash, or a word like "that", "but", "while"). A trailing run of
     capitalised words wins over the words before it ("a package Mayor Denise Albright said");
   - `X, who asked not to be named, said` and `X, head of Y, said`: the comma-delimited
     insert is skipped; an insert that explains anonymity is kept in the source of an
     unnamed source, while a named source keeps just the name;
   - `..., said X` and `"...," said X` (inversion): X is the noun phrase after the verb;
   - `X, which estimated` and `X who said`: the relative pronoun refers back to X;
   - `X declined to name it but said`: an elided subject is the previous source of the same
     sentence, when no comma comes between;
   - `he/she/they/it said`: a pronoun is resolved to the most recent fitting source in the
     same or the previous two sentences (for "he" and "she", also to a named person who is
     the subject of one of those sentences). A pronoun that cannot be resolved, or would
     resolve to an anonymous source, is skipped: pronouns are never counted as anonymous.

2. **Kinds.** A source is ANONYMOUS when its head noun is "person", "people", "source",
   "witness", "insider", ... ("one of the people", "two people briefed on the plans") or it
   carries an anonymity phrase ("who asked not to be named", "familiar with the matter").
   A capitalised head that is not a common word is a name: a person when a title precedes
   it ("Mayor", "Secretary of State", "his brother"), when it has two to four capitalised
   words, or when it is the surname (or given name) of a person named earlier in the
   article; otherwise an organisation (a company, government or organisation word, a known
   country or capital, a leading "the", or an unknown single word such as "Reuters").
   Everything else ("officials", "police", "a European diplomat", "a court filing", "the
   company", "a Republican") is an UNNAMED_INSTITUTION.

3. **Findings.** Regular expressions find declined comment ("declined to comment", "did not
   respond to a request for comment", "without providing more specifics"), hedged numbers
   ("more than 4,000", "roughly one in five", "millions of dollars", "between 2,500 and
   3,000") and explicit doubt ("could not be independently verified", "disputed").

4. **Single-source claims.** A sentence whose only source is one singular unnamed voice
   ("one of the people said", "a person who ...", "a European diplomat said") is a
   single-source claim. Documents ("a court filing"), spokespeople, organisations referred
   back to ("the group said") and bare refusals ("declined to comment") are not. When every
   attribution in the article comes from one named source, each attributed sentence is
   flagged too, with the reason "the article relies on one source".

Everything runs in time linear in the text: each regular expression is compiled once and
every look-around is bounded by the sentence, which `briefer.text` caps in length.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

from briefer.text import Span, sentences

__all__ = [
    "Attribution",
    "Finding",
    "FindingKind",
    "SingleSourceClaim",
    "SourceKind",
    "SourcingProfile",
    "analyze_sourcing",
]


class SourceKind(StrEnum):
    """Who stands behind an attribution."""

    NAMED_PERSON = "named_person"  # "Lars Henningsen", "Mayor Denise Albright", "Albright"
    NAMED_ORGANIZATION = "named_organization"  # "the Westbrook Transit Authority", "the Kremlin"
    ANONYMOUS = "anonymous"  # "people familiar with the matter", "one of the people"
    UNNAMED_INSTITUTION = "unnamed_institution"  # "Western officials", "police", "a court filing"


class FindingKind(StrEnum):
    """What a finding flags."""

    DECLINED_COMMENT = "declined_comment"  # "declined to comment", "did not say which"
    HEDGED_NUMBER = "hedged_number"  # "more than 10,000", "millions of dollars"
    UNVERIFIED = "unverified"  # "could not be independently verified", "disputed"


@dataclass(frozen=True)
class Attribution:
    """One attribution: who (`source`) asserts the sentence it sits in, and with which verb.

    `text[start:end]` is the whole attribution phrase ("the people said", "according to people
    familiar with the matter"); `source == text[source_start:source_end]`. For a pronoun or
    a surname, `refers_to` is the fuller source it was resolved to ("Denise Albright").
    """

    start: int
    end: int
    source: str
    source_start: int
    source_end: int
    verb: str
    kind: SourceKind
    sentence_start: int
    sentence_end: int
    refers_to: str | None = None


@dataclass(frozen=True)
class Finding:
    """A flagged phrase: `text == article[start:end]`."""

    kind: FindingKind
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class SingleSourceClaim:
    """A sentence (claim) that rests on one source, and why it is flagged."""

    sentence_start: int
    sentence_end: int
    source: str
    reason: str


@dataclass(frozen=True)
class SourcingProfile:
    """Everything `analyze_sourcing` found in one article."""

    attributions: tuple[Attribution, ...]
    declined: tuple[Finding, ...]
    hedged: tuple[Finding, ...]
    unverified: tuple[Finding, ...]
    single_source: tuple[SingleSourceClaim, ...]

    @property
    def total(self) -> int:
        """Return the number of attributions."""
        return len(self.attributions)

    @property
    def counts(self) -> dict[str, int]:
        """Return the number of attributions of each `SourceKind` (every kind present)."""
        out = {kind.value: 0 for kind in SourceKind}
        for attribution in self.attributions:
            out[attribution.kind.value] += 1
        return out

    @property
    def named_count(self) -> int:
        """Return the number of attributions to a named person or organisation."""
        counts = self.counts
        return counts[SourceKind.NAMED_PERSON] + counts[SourceKind.NAMED_ORGANIZATION]

    @property
    def anonymous_share(self) -> float:
        """Return the share of attributions whose kind is ANONYMOUS (0.0 when there are none)."""
        return self._share(SourceKind.ANONYMOUS)

    @property
    def unnamed_share(self) -> float:
        """Return the share of attributions to an UNNAMED_INSTITUTION (0.0 when none)."""
        return self._share(SourceKind.UNNAMED_INSTITUTION)

    def _share(self, kind: SourceKind) -> float:
        return self.counts[kind] / self.total if self.total else 0.0


# --- word lists ---------------------------------------------------------------------------


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_STRONG_VERBS = _wordset(
    """said says say told tells tell added adds declined declines wrote writes explained
    explains insisted insists testified testifies acknowledged acknowledges stated"""
)
_WEAK_VERBS = _wordset(
    """states announced announces confirmed confirms estimated estimates argued argues warned
    warns reported reports noted notes claimed claims alleged alleges predicted predicts cited
    cites disclosed discloses cautioned cautions denied denies"""
)
# Forms that are more often nouns: they count only before "that", a determiner or a pronoun.
_AMBIGUOUS_VERBS = _wordset("states reports notes claims estimates cites denies")
# Verbs that may come before their subject: '"...," said the official'.
_INVERTIBLE = _wordset(
    """said says added adds wrote writes explained noted insisted warned argued acknowledged
    stated claimed cautioned"""
)
_ALL_VERBS = sorted(_STRONG_VERBS | _WEAK_VERBS, key=len, reverse=True)
_VERB = re.compile(r"\b(?:(?P<acc>[Aa]ccording to)|(?P<verb>" + "|".join(_ALL_VERBS) + r"))\b")

# Between a subject and its verb: "the people have also said".
_SKIP_BEFORE_VERB = _wordset(
    """has have had also later earlier previously repeatedly publicly privately separately
    further then recently once first now already still often long initially subsequently
    allegedly reportedly will would may might has've"""
)
# Right before a verb, these make it passive, infinitive or negated: no attribution.
_REJECT_BEFORE_VERB = _wordset(
    "was were is are be been being not to never do does did can't cannot n't get got"
)
_PRONOUNS = _wordset("he she they it")
_OTHER_PRONOUNS = _wordset("i we you me us him them this these those there what")
_DETERMINERS = _wordset(
    """the a an its their his her our my your this that these those another other some many
    several most all both each any few every no such"""
)
_NUMBER_WORDS = _wordset(
    """one two three four five six seven eight nine ten eleven twelve dozen dozens hundreds
    thousands"""
)
_QUANTIFIERS = _NUMBER_WORDS | _wordset("some many several most all both each any few none")
_LEAD_STRIP = _wordset(
    """and but so then yet or while whereas though although because since when after before if
    as once which who whom that where whether until unless than also"""
)
_PREPOSITIONS = _wordset(
    """of for from at in on with to by about among between into under over near across
    against within without behind beyond during via per"""
)
_RELATIVES = _wordset("who whom whose which that")
_INDEFINITE = _wordset("a an another one")
_CLAUSE_OPENERS = _wordset(
    """and but or so yet while whereas because although though if since when as after before
    until unless"""
)
# Capitalised words that open a sentence without being part of a name ("After", "On Monday").
_OPENERS = (
    _LEAD_STRIP
    | _PREPOSITIONS
    | _wordset(
        """monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
        meanwhile however still even only now last next earlier later in asked perhaps maybe
        indeed instead finally first there here yes thus"""
    )
)
# Words that end the core of a noun phrase ("people | familiar with the matter").
_CUT_WORDS = (
    _PREPOSITIONS
    | _RELATIVES
    | _wordset("""familiar briefed close knowledgeable involved speaking and or granted""")
)
_VERBISH = (
    _wordset(
        """is was were are be been being am has have had will would can could should may might
    must do does did not no said says told tells declined"""
    )
    | _STRONG_VERBS
    | _WEAK_VERBS
)

# Head nouns of anonymous sources.
_ANON_HEADS = _wordset(
    """person people persons source sources witness witnesses insider insiders individual
    individuals someone somebody acquaintance acquaintances confidant confidants"""
)
# Phrases that make any source anonymous.
_ANON_MARKER = re.compile(
    r"not to be (?:named|identified|quoted)|condition of anonymity|requested anonymity|"
    r"declined to be (?:named|identified)|refused to be (?:named|identified)|"
    r"(?:speaking|spoke) (?:anonymously|on background)|not authori[sz]ed to|"
    r"would not be (?:named|identified)|without being (?:named|identified)|"
    r"\bunnamed\b|\banonymous\b|familiar with|briefed on|with (?:direct )?knowledge of|"
    r"knowledgeable about|close to the (?:talks|matter|negotiations|discussions|deliberations)"
)
# Nouns that name an unnamed speaker or document; required after the weaker verbs.
_SPEAKER_NOUNS = _wordset(
    """official diplomat spokesperson spokesman spokeswoman representative analyst expert
    researcher scientist economist investigator prosecutor lawyer attorney police officer
    authority authorities government ministry department agency company firm group coalition
    union association county city council court filing report study statement document data
    survey lawsuit complaint indictment memo letter record resident executive aide adviser
    advisor author observer critic lawmaker legislator administration office bureau military
    army navy campaign party board committee commission regulator embassy nation country team
    organizer organiser activist employer employee worker doctor nurse teacher staff member
    leader chief director head manager trader banker investor shareholder relative family
    neighbor neighbour colleague assessment poll release website newspaper broadcaster
    intelligence service prosecution defense defence judge jury panel study paper review
    audit figure estimate count tally minister ministry capital authorities officials
    analysts experts police woman man women men girl boy mother father wife husband brother
    sister son daughter friend guard soldier student patient victim survivor owner colleague
    producer anchor host reporter journalist editor model assistant consultant strategist
    partner founder ally supporter opponent rival customer client user engineer inspector
    planner accountant physician surgeon pilot farmer miner specialist physicist
    epidemiologist historian scholar academic professor"""
)
# Words that, like titles, put a person's name after them ("his brother Robert").
_KIN = _wordset(
    """brother sister wife husband son daughter mother father uncle aunt cousin nephew niece
    grandson granddaughter widow widower fiancé fiancée girlfriend boyfriend"""
)
_SINGULAR_UNNAMED_OK = _wordset("police staff data intelligence")
# Unnamed sources that are documents, institutions or official spokespeople: their word is
# not one unnamed person's, so a claim resting on them alone is not flagged as single-source.
_NOT_ONE_VOICE = _wordset(
    """filing report study statement document data survey lawsuit complaint indictment memo
    letter record assessment poll release website paper review audit figure estimate count
    tally spokesperson spokesman spokeswoman government ministry department agency company
    firm group coalition union county city council court administration office bureau
    military army navy campaign party board committee commission regulator embassy nation
    country team service newspaper broadcaster"""
)
# Organisation nouns that, after "the", refer back to an organisation named earlier.
_INSTITUTION_NOUNS = _wordset(
    """company firm group coalition union county city council agency ministry government
    department office board committee commission campaign party team administration league
    association alliance organization organisation bureau court authority state country
    nation bank fund institute university"""
)

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"

# --- findings -----------------------------------------------------------------------------

_CLAUSE_END = re.compile(r"[,;:.!?()“”\"—–]|\s(?:but|and|while|saying|because|although)\s")
_DECLINED = re.compile(
    r"\b(?:"
    r"declined\s+(?:to\s+(?:comment|say|name|identify|provide|give|discuss|elaborate|specify|"
    r"disclose|confirm|answer|respond|be\s+interviewed|release|reveal|offer|explain|detail)"
    r"|comment|requests?\s+for\s+comment|an?\s+(?:request|interview))"
    r"|refused\s+to\s+(?:comment|say|name|identify|provide|give|discuss|elaborate|specify|"
    r"disclose|confirm|answer|respond|reveal|explain)"
    r"|(?:did|does|do|would|will|could)\s+not\s+(?:immediately\s+)?return\s+(?:\w+\s+){0,2}"
    r"(?:calls?|messages?|e-?mails?|requests?)"
    r"|(?:did|does|do|would|will|could)\s+not\s+(?:immediately\s+)?(?:respond|reply|"
    r"comment|say|specify|elaborate|disclose|identify|name|address|answer|explain|confirm|"
    r"provide\s+(?:details|specifics|further)|detail)"
    r"|(?:didn't|doesn't|don't|wouldn't|won't|couldn't)\s+(?:immediately\s+)?(?:respond|reply|"
    r"comment|say|specify|elaborate|disclose|identify|name|address|answer|explain)"
    r"|could\s+not\s+(?:immediately\s+)?be\s+reached"
    r"|(?:was|were)\s+not\s+(?:immediately\s+)?(?:available|reachable)\s+for\s+comment"
    r"|without\s+(?:providing|giving|offering)\s+(?:more\s+|further\s+|any\s+|additional\s+)?"
    r"(?:specifics|details|information|detail)"
    r"|avoided\s+(?:a|the)\s+question"
    r"|no\s+comment"
    r")\b",
    re.IGNORECASE,
)
_UNVERIFIED = re.compile(
    r"\b(?:"
    r"(?:could|can)(?:not|\s+not|'t|’t)\s+(?:be\s+)?(?:immediately\s+|independently\s+)*"
    r"(?:be\s+)?(?:verified|confirmed|corroborated)"
    r"|(?:has|have|had)\s+not\s+been\s+(?:independently\s+)?(?:verified|confirmed|corroborated)"
    r"|(?:was|were|is|are)\s+not\s+(?:independently\s+)?(?:verified|confirmed|corroborated)"
    r"|unable\s+to\s+(?:independently\s+)?(?:verify|confirm|corroborate)"
    r"|not\s+(?:been\s+)?independently\s+(?:verified|confirmed|corroborated)"
    r"|unverified|unconfirmed|uncorroborated|unsubstantiated|disputed"
    r"|no\s+evidence\s+(?:was|were|has\s+been|had\s+been|is)\s+(?:provided|presented|offered|"
    r"given|produced)"
    r"|without\s+(?:providing|offering|giving|presenting)\s+(?:any\s+)?evidence"
    r"|(?:did|does)\s+not\s+(?:provide|offer|present)\s+(?:any\s+)?evidence"
    r")\b",
    re.IGNORECASE,
)
_NUM_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"forty|fifty|sixty|seventy|eighty|ninety|hundred)"
)
_QTY = (
    r"(?:[$€£]\s?)?\d[\d,]*(?:\.\d+)?(?:\s*(?:%|percent|per\s+cent|million|billion|trillion|"
    r"thousand|hundred))?"
    r"|(?:two|three|four)[\s-]+(?:thirds|quarters|fifths)"
    r"|" + _NUM_WORD + r"(?:[\s-]+(?:dozen|hundred|thousand|million|billion))?"
    r"(?:\s+in\s+(?:" + _NUM_WORD + r"|\d+))?(?:\s*(?:%|percent))?"
    r"|(?:a|one)[\s-]+(?:dozen|hundred|thousand|million|billion|half|third|quarter|fifth|tenth|"
    r"decade|century|year|month|week|day)"
    r"|half"
)
_HEDGED = re.compile(
    r"\b(?:"
    r"between\s+(?P<lo>" + _QTY + r")\s+and\s+(?P<hi>" + _QTY + r")"
    r"|(?:tens|hundreds)\s+of\s+(?:thousands|millions|billions)(?:\s+of\s+[\w-]+)?"
    r"|(?:dozens|scores|hundreds|thousands|millions|billions|trillions)\s+of\s+[\w-]+"
    r"|(?:several|a\s+handful\s+of)\s+(?:(?:hundred|thousand|million|billion|dozen)\s+)?"
    r"(?!of\b|other\b|others\b)[\w-]+"
    r"|as\s+(?:early|late|soon)\s+as\s+(?:" + _MONTHS + r"|next\s+\w+|this\s+\w+|\d[\d,]*)"
    r"|(?:(?:more|fewer|less)\s+than|up\s+to|at\s+(?:least|most)|as\s+(?:many|much|few|little|"
    r"high|low)\s+as|about|around|roughly|nearly|almost|approximately|close\s+to|upwards\s+of|"
    r"in\s+excess\s+of|(?:well|just)\s+(?:over|under|above|below)|an\s+estimated|"
    r"estimated|an\s+average\s+of)\s+(?:" + _QTY + r")"
    r"|(?:some|over|under)\s+[$€£]?\d[\d,]*(?:\.\d+)?(?:\s*(?:%|percent|million|billion))?"
    r"|(?:[$€£]\s?)?\d[\d,]*(?:\.\d+)?(?:\s*(?:million|billion|thousand))?\s+or\s+(?:more|so)"
    r")(?!\w)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_TRAILING_YEAR = re.compile(r"(?<![\d,.$€£])(?:19|20)\d\d$")

# --- text helpers -------------------------------------------------------------------------

_TOKEN = re.compile(r"[\w$€£%&][\w$€£%&'’.\-]*")
_LEFT_BOUNDARY = re.compile(
    r"(?<!\d),|,(?!\d)|[;:()\[\]“”\"]|[—–]|\s-\s|\b(?:that|which|who|whom|but|and|or|while|whereas|though|"
    r"although|because|since|when|after|before|if|as|so|than|until|unless|where|whether|once)\b"
)
_PUNCT_BOUNDARY = re.compile(r"(?<!\d),|,(?!\d)|[;:()\[\]“”\"]|[—–]|\s-\s")
_RIGHT_END = re.compile(r"(?<!\d),|,(?!\d)|[;:()\[\]“”\"?!]|[—–]|\s-\s")
_QUOTE = re.compile(r"“[^“”\n]*”|\"[^\"\n]*\"")
_CAP_RUN = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w'’.&-]*(?:[ \t\xa0]+[A-ZÀ-ÖØ-Þ][\w'’.&-]*)*")
_LOWER_WORD = re.compile(r"\b[a-z][a-z'’-]*\b")
_NAME_CONNECTORS = _wordset("of for the and & de del du van von der al bin la le")
_KEEP_DOT = _wordset("co. inc. corp. ltd. jr. sr. u.s. u.k. u.n. e.u. bros.")


@dataclass(frozen=True, slots=True)
class _Tok:
    start: int
    end: int
    text: str

    @property
    def word(self) -> str:
        """Return the lower-case word without a trailing period or possessive."""
        word = self.text.lower()
        if word.endswith(".") and word not in _KEEP_DOT:
            word = word.rstrip(".")
        for suffix in ("'s", "’s"):
            if word.endswith(suffix):
                word = word[: -len(suffix)]
        return word.rstrip("'’")

    @property
    def cap(self) -> bool:
        """Return whether the token starts with a capital letter."""
        return self.text[0].isupper()

    @property
    def possessive(self) -> bool:
        """Return whether the token ends in 's."""
        return self.text.endswith(("'s", "’s"))


def _tokens(text: str, start: int, end: int) -> list[_Tok]:
    return [_Tok(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]


def _last(pattern: re.Pattern[str], text: str, start: int, end: int) -> re.Match[str] | None:
    found = None
    for match in pattern.finditer(text, start, end):
        found = match
    return found


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim spaces and punctuation (but not an abbreviation's period) off both ends."""
    while start < end and (text[start].isspace() or text[start] in ",;:.—–-\"“”'‘’()"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-\"“”'‘’()?!"):
        end -= 1
    if end > start and text[end - 1] == ".":
        word_start = text.rfind(" ", start, end) + 1
        if text[max(word_start, start) : end].lower() not in _KEEP_DOT:
            end -= 1
            while end > start and text[end - 1].isspace():
                end -= 1
    return start, end


def _name_text(tok: _Tok) -> str:
    """Return a name word as written, without a possessive or a sentence's period."""
    text = tok.text.removesuffix("'s").removesuffix("’s")
    return text[:-1] if _ends_sentence(tok) else text


def _ends_sentence(tok: _Tok) -> bool:
    """Return whether a capitalised token ends with a sentence's period, not an abbreviation's."""
    text = tok.text
    if not text.endswith("."):
        return False
    word = text[:-1]
    return len(word) > 3 and "." not in word and text.lower() not in _KEEP_DOT


def _opens_sentence(text: str, pos: int) -> bool:
    """Return whether pos starts a sentence (only spaces and quotes since the last stop)."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\"“‘'(":
        i -= 1
    return i < 0 or text[i] in ".!?\n"


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


# --- the lexicon from entities.toml -------------------------------------------------------


@dataclass(frozen=True)
class _Lexicon:
    titles: frozenset[str]
    org_words: frozenset[str]
    org_phrases: tuple[str, ...]
    places: frozenset[str]
    common: frozenset[str]
    not_names: frozenset[str]


@cache
def _lexicon() -> _Lexicon:
    """Load the shared word lists once."""
    raw = tomllib.loads(
        resources.files("briefer").joinpath("data", "entities.toml").read_text(encoding="utf-8")
    )
    org_all = [*raw["company_suffixes"], *raw["government_words"], *raw["organization_words"]]
    places = {alias.lower() for row in raw["countries"] for alias in row}
    places |= {p.removeprefix("the ") for p in places}
    common = set(raw["not_entities"]) | set(raw["group_words"]) | _SPEAKER_NOUNS | _ANON_HEADS
    common |= {_singular(w) for w in common}
    return _Lexicon(
        titles=frozenset(t for t in raw["person_titles"] if " " not in t)
        | frozenset(w for t in raw["person_titles"] for w in t.split() if " " in t)
        | _KIN,
        org_words=frozenset(w.rstrip(".") for w in org_all if " " not in w),
        org_phrases=tuple(w for w in org_all if " " in w),
        places=frozenset(places),
        common=frozenset(common),
        not_names=frozenset(raw["not_entities"]) | _VERBISH | _OTHER_PRONOUNS,
    )


# --- the analysis -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _NP:
    """A candidate source: [start, end), and the extent of the whole phrase."""

    start: int
    end: int
    phrase_start: int
    phrase_end: int
    inverted: bool = False


class _Analyzer:
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
        if word in self.surnames or word in self.given or word in self.org_first:
            return False
        if word in self.lex.places:
            return False
        common = self.lex.common
        return (
            word in common
            or _singular(word) in common
            or word in self.lower_words
            or word in _PRONOUNS
        )

    # -- quotations

    def in_quote(self, pos: int) -> bool:
        i = bisect_right(self.quote_starts, pos) - 1
        return i >= 0 and self.quote_starts[i] < pos < self.quote_ends[i]

    # -- classifying a source phrase

    def classify(self, start: int, end: int) -> tuple[SourceKind, str]:
        """Return the kind of the source text[start:end] and a key naming it."""
        text = self.text
        toks = _tokens(text, start, end)
        phrase = text[start:end]
        if not toks:
            return SourceKind.UNNAMED_INSTITUTION, phrase.lower()
        core = self._core(toks)
        head = core[-1]
        if _ANON_MARKER.search(phrase) or head.word in _ANON_HEADS:
            return SourceKind.ANONYMOUS, phrase.lower()
        if len(core) == 1 and head.cap and toks[0].word in _INDEFINITE and not toks[0].cap:
            return SourceKind.UNNAMED_INSTITUTION, phrase.lower()  # "a Republican"
        if head.cap and not (len(core) == 1 and self._is_common(head)):
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
            has_the = any(t.word == "the" for t in toks[: toks.index(run[0])])
            if len(run) == 1 and self._is_common(run[0]):
                return SourceKind.UNNAMED_INSTITUTION, phrase.lower()
            kind = self._name_kind(run, has_the=has_the)
            at = toks.index(run[0])
            if at > 0 and not toks[at - 1].cap and toks[at - 1].word in self.lex.titles:
                kind = SourceKind.NAMED_PERSON  # "port director Helen Marsh", "brother Robert"
            if kind is SourceKind.NAMED_PERSON:
                return kind, run[-1].word
            return kind, " ".join(t.word for t in run)
        return SourceKind.UNNAMED_INSTITUTION, phrase.lower()

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
        if head.cap and not (len(core) == 1 and self._is_common(head)):
            return True
        word = head.word
        return word in _ANON_HEADS or word in _SPEAKER_NOUNS or _singular(word) in _SPEAKER_NOUNS

    # -- finding the source of one verb

    def left_np(self, seg_start: int, seg_end: int, *, strong: bool) -> _NP | None:
        """Read the noun phrase that ends at seg_end, within [seg_start, seg_end)."""
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
                if whole is not None:
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
        if len(core) > 8 or any(t.word in _VERBISH for t in core):
            return None
        rel = next((i for i, t in enumerate(toks) if t.word in _RELATIVES), len(toks))
        if any(t.word in _VERBISH for t in toks[:rel]):
            return None
        if toks[0].word in _OTHER_PRONOUNS or toks[0].word in _PRONOUNS:
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
        if not toks or len(toks) > 30:
            return None
        if toks[0].word in _PRONOUNS or toks[0].word in _OTHER_PRONOUNS:
            return None
        core = self._core(toks)
        if any(t.word in _VERBISH for t in core):
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

    def source_for(
        self, sent: Span, match: re.Match[str], previous: tuple[_NP, int] | None = None
    ) -> tuple[_NP, str] | None:
        """Find the source of one attribution verb, or None when there is none.

        `previous` is the source of the last attribution earlier in the same sentence and where
        that attribution ends: an elided subject refers to it when no comma comes between
        ("The person declined to name it but said ...").
        """
        text = self.text
        if match.group("acc"):
            np = self.right_np(match.end(), sent.end, inverted=False)
            if np is None:
                return None
            return _NP(np.start, np.end, match.start(), np.phrase_end), "according to"
        verb = match.group("verb")
        strong = verb in _STRONG_VERBS
        after = text[match.end() : min(match.end() + 40, sent.end)]
        if verb in _AMBIGUOUS_VERBS and not re.match(
            r"\s+(?:that|the|a|an|it|he|she|they|there|its|his|her|their|\d|\$)\b", after
        ):
            return None
        if verb in ("declined", "declines") and not re.match(
            r"\s+(?:to\b|comment|requests?\b|an?\s+(?:request|interview))", after
        ):
            return None
        if verb in ("added", "adds") and re.match(
            r"\s+(?:\d|\$|to\b|a\b|an\b|more\b|new\b|another\b)", after
        ):
            return None
        if re.match(r"\s+by\b", after):  # "cited by", "reported by": a participle
            return None
        # Skip auxiliaries and adverbs before the verb.
        p = match.start()
        while True:
            word_end = p
            while word_end > sent.start and text[word_end - 1].isspace():
                word_end -= 1
            word_start = word_end
            while word_start > sent.start and (
                text[word_start - 1].isalnum() or text[word_start - 1] in "'’"
            ):
                word_start -= 1
            word = text[word_start:word_end].lower()
            if not word:
                break
            if word in _REJECT_BEFORE_VERB or word.endswith(("n't", "n’t")):
                return None
            lower_case = text[word_start].islower()
            if lower_case and (
                word in _SKIP_BEFORE_VERB or (word.endswith("ly") and word != "only")
            ):
                p = word_start
                continue
            break
        boundary = _last(_LEFT_BOUNDARY, text, sent.start, p)
        seg_start = boundary.end() if boundary else sent.start
        segment_empty = not text[seg_start:p].strip()
        bword = boundary.group().strip() if boundary else ""
        if not segment_empty:
            if bword in _RELATIVES and boundary is not None:
                first = _TOKEN.search(text, seg_start, p)
                if first and self._verbish(first.group()):
                    # "officials that asked not to be named said": reach back over the clause.
                    outer = _last(_PUNCT_BOUNDARY, text, sent.start, boundary.start())
                    np = self.left_np(outer.end() if outer else sent.start, p, strong=strong)
                    return (np, verb) if np else None
            if bword in ("and", "or") and boundary is not None:
                outer = _last(_LEFT_BOUNDARY, text, sent.start, boundary.start())
                toks = _tokens(text, outer.end() if outer else sent.start, p)
                whole = self._whole_np(toks, strong=strong) if toks else None
                if whole is not None and not any(t.word in _VERBISH for t in toks):
                    return whole, verb
            np = self.left_np(seg_start, p, strong=strong)
            return (np, verb) if np else None
        # Nothing between the boundary and the verb.
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
        if head is None or not self._speaker_like(head.start, head.end):
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
        text = self.text
        out: list[Attribution] = []
        recent: list[tuple[int, Attribution]] = []  # (sentence index, attribution)
        for index, sent in enumerate(self.sentences):
            covered = sent.start
            previous: tuple[_NP, int] | None = None
            for match in _VERB.finditer(text, sent.start, sent.end):
                if match.start() < covered or self.in_quote(match.start()):
                    continue
                found = self.source_for(sent, match, previous)
                if found is None:
                    continue
                np, verb = found
                if np.end <= np.start:
                    continue
                source = text[np.start : np.end]
                phrase_start = min(np.phrase_start, np.start, match.start())
                phrase_end = max(np.phrase_end, np.end, match.end())
                refers_to: str | None = None
                if source.lower() in _PRONOUNS:
                    resolved = self._resolve_pronoun(source.lower(), index, recent)
                    if resolved is None:
                        continue
                    kind, refers_to = resolved
                else:
                    kind, _ = self.classify(np.start, np.end)
                    if kind is SourceKind.NAMED_PERSON:
                        refers_to = self._full_name(np.start, np.end)
                attribution = Attribution(
                    start=phrase_start,
                    end=phrase_end,
                    source=source,
                    source_start=np.start,
                    source_end=np.end,
                    verb=verb,
                    kind=kind,
                    sentence_start=sent.start,
                    sentence_end=sent.end,
                    refers_to=refers_to,
                )
                out.append(attribution)
                recent.append((index, attribution))
                previous = (np, phrase_end)
                covered = max(covered, np.end if np.inverted else match.end())
            while recent and recent[0][0] < index - 2:
                recent.pop(0)
            if len(recent) > 50:
                del recent[:-50]
        return out

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
        """Resolve he/she/it/they to an earlier source, never to an anonymous one."""
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
            return earlier.kind, name
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

    # -- findings

    def findings(
        self, pattern: re.Pattern[str], kind: FindingKind, *, extend: bool
    ) -> list[Finding]:
        text = self.text
        out: list[Finding] = []
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            if kind is FindingKind.HEDGED_NUMBER and match.lastgroup in ("lo", "hi"):
                lo, hi = match.group("lo"), match.group("hi")
                if lo and hi and _YEAR.fullmatch(lo.strip()) and _YEAR.fullmatch(hi.strip()):
                    continue
            if kind is FindingKind.HEDGED_NUMBER and _TRAILING_YEAR.search(text, start, end):
                continue  # "around 2006": a date, not a quantity
            if extend:
                limit = min(len(text), end + 120)
                stop = _CLAUSE_END.search(text, end, limit)
                new_end = stop.start() if stop else text.rfind(" ", end, limit)
                if not stop and limit == len(text):
                    new_end = limit
                if new_end > end:
                    end = _strip(text, start, new_end)[1]
            out.append(Finding(kind, start, end, text[start:end]))
        return out

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
                out.append(
                    SingleSourceClaim(
                        s_start, s_end, only.source, f"its only attribution is one {what} source"
                    )
                )
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
        return _singular(head) == head


def analyze_sourcing(text: str) -> SourcingProfile:
    """Find the attributions, declined comment, hedged numbers and unverified claims in `text`."""
    analyzer = _Analyzer(text)
    attributions = analyzer.attributions()
    return SourcingProfile(
        attributions=tuple(attributions),
        declined=tuple(analyzer.findings(_DECLINED, FindingKind.DECLINED_COMMENT, extend=True)),
        hedged=tuple(analyzer.findings(_HEDGED, FindingKind.HEDGED_NUMBER, extend=False)),
        unverified=tuple(analyzer.findings(_UNVERIFIED, FindingKind.UNVERIFIED, extend=False)),
        single_source=tuple(analyzer.single_source(attributions)),
    )
