"""Word lists of the sourcing analysis: the grammar sets below, over the shared lexicon.

Speech verbs come from `briefer.analysis.words`, the entity lists (`entities.toml`) from
`briefer.text.lexicon`; what is here is the sourcing analysis's own grammar: which words end a
noun phrase, which nouns name an unnamed speaker, which phrases make a source anonymous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from briefer.analysis.words import PREPOSITIONS, SPEECH_VERBS, singular
from briefer.text.lexicon import alternation, lexicon, wordset

# --- word lists ---------------------------------------------------------------------------


# Forms that are more often nouns: they count only before "that", a determiner or a pronoun.
_AMBIGUOUS_VERBS = wordset("states reports notes claims estimates cites denies")
# Verbs that may come before their subject: '"...," said the official'.
_INVERTIBLE = wordset(
    """said says say added adds wrote writes explained explains noted notes insisted insists
    warned warns argued argues acknowledged stated claimed cautioned recounted recalled recalls
    asserted stressed conceded complained commented comments remarked observed replied
    continued reports"""
)
# A claim the article makes without saying whose it is: "reportedly", or a passive verb of
# saying or judging with no agent ("were accused of", "was widely seen as", "is believed to").
_UNATTRIBUTED = re.compile(
    r"\breportedly\b|"
    r"\b(?:is|are|was|were|being|has been|have been|had been|['’]s been)\s+"
    r"(?:(?:widely|also|long|often|generally|previously|reportedly|now)\s+)?"
    r"(?:accused|seen|portrayed|described|viewed|regarded|considered|believed|thought|"
    r"rumou?red|alleged|said|reported|understood|expected|predicted|linked|suspected|tipped|"
    r"touted)\s+(?:of|as|to)\b|"
    # Reports no one is named for: "amid reports that", "there were reports that".
    r"\b(?:amid|with|after|following|despite|denied|dismissed|there\s+(?:are|were|have\s+been))"
    r"\s+(?:(?:media|press|news|local|unconfirmed|earlier)\s+)?reports\s+that\b|"
    # A rumour or report with no one behind it: "has been rumoured since 2017".
    r"\b(?:has|have|had)\s+been\s+(?:widely\s+)?(?:rumou?red|speculated)\b|"
    # A reduced relative clause: "features thought to represent exposed ice" (not after a
    # pronoun: "he thought to ask" is his own thought; `_NOT_BEFORE_REDUCED` says which).
    r"\b(?P<reduced>(?:(?:widely|long|generally)\s+)?(?:thought|believed|rumou?red)\s+to)\b|"
    # Concern voiced by nobody in particular: "many have voiced concerns", "others had raised".
    r"\b(?:many|others|some|critics)\s+(?:have\s+|had\s+)?(?:voiced|raised|expressed)\s+"
    r"(?:concerns?|doubts?|fears?|questions?)\b",
    re.IGNORECASE,
)
# Phrasal verbs of saying: "Pankaj Pandey, head of research, pointed out that ...".
_PHRASAL_VERBS = frozenset(  # part of the rule "sourcing.news-verbs"
    {
        "pointed out", "points out", "point out", "pointed it out", "pointed to", "points to",
        "took to social media", "took to Twitter", "took to Facebook", "took to Instagram",
        "are of the view", "is of the view", "are of the opinion", "is of the opinion",
    }
)  # fmt: skip
# Verbs of finding count only for a document: "a 2018 analysis found", "research shows";
# "police found a body" is what happened, not what someone says.
_DOCUMENTS = wordset(
    """study studies analysis analyses research report reports survey surveys poll polls data
    review audit paper papers findings investigation inquiry probe test tests trial trials"""
)
# Words before "thought to" that make it someone's own thought, or a passive read above.
_NOT_BEFORE_REDUCED = wordset("he she they i we you who is was are were been")
_VERB = re.compile(
    r"\b(?:(?P<acc>[Aa]ccording to)|(?P<verb>"
    + alternation(SPEECH_VERBS | _PHRASAL_VERBS)
    + r"))\b"
)

# Between a subject and its verb: "the people have also said".
_SKIP_BEFORE_VERB = wordset(
    """has have had also later earlier previously repeatedly publicly privately separately
    further then recently once first now already still often long initially subsequently
    allegedly reportedly will would may might has've"""
)
# Right before a verb, these make it passive, infinitive or negated: no attribution.
_REJECT_BEFORE_VERB = wordset(
    "was were is are be been being not to never do does did can't cannot n't get got"
)
_PRONOUNS = wordset("he she they it")
_OTHER_PRONOUNS = wordset("i we you me us him them this these those there what")
_DETERMINERS = wordset(
    """the a an its their his her our my your this that these those another other some many
    several most all both each any few every no such whole"""
)
_NUMBER_WORDS = wordset(
    """one two three four five six seven eight nine ten eleven twelve dozen dozens hundreds
    thousands"""
)
_QUANTIFIERS = _NUMBER_WORDS | wordset("some many several most all both each any few none lot lots")
_LEAD_STRIP = wordset(
    """and but so then yet or while whereas though although because since when after before if
    as once which who whom that where whether until unless than also"""
)
_PREPOSITIONS = PREPOSITIONS
_RELATIVES = wordset("who whom whose which that")
_INDEFINITE = wordset("a an another one")
_CLAUSE_OPENERS = wordset(
    """and but or so yet while whereas because although though if since when as after before
    until unless"""
)
# Capitalised words that open a sentence without being part of a name ("After", "On Monday").
_OPENERS = (
    _LEAD_STRIP
    | _PREPOSITIONS
    | wordset(
        """monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
        meanwhile however still even only now last next earlier later in asked perhaps maybe
        indeed instead finally first there here yes thus"""
    )
)
# Words that end the core of a noun phrase ("people | familiar with the matter").
_CUT_WORDS = (
    _PREPOSITIONS
    | _RELATIVES
    | wordset("""familiar briefed close knowledgeable involved speaking and or granted""")
)
_VERBISH = (
    wordset(
        """is was were are be been being am has have had will would can could should may might
    must do does did not no said says told tells declined"""
    )
    | SPEECH_VERBS
)

# Nouns that speak or write for someone named after "for", "from", "by", "of" or "at".
_VOICE_NOUNS = wordset(
    """spokesperson spokesman spokeswoman representative report survey study statement
    analysis filing poll release letter memo note review audit research website data paper
    article"""
)
_OF_WHOM = wordset("for from by of at in")
# How a document comes from its author or outlet: "a paper published in", "a report issued by".
_PUBLISHED = wordset("published issued released posted carried commissioned")
_SPOKES_NOUNS = wordset("spokesperson spokesman spokeswoman")
# Head nouns of anonymous sources.
_ANON_HEADS = wordset(
    """person people persons source sources witness witnesses insider insiders individual
    individuals someone somebody acquaintance acquaintances confidant confidants"""
)
# Phrases that make any source anonymous.
_ANON_MARKER = re.compile(
    r"not to be (?:named|identified|quoted)|condition of anonymity|requested anonymity|"
    r"declined to be (?:named|identified)|refused to be (?:named|identified)|"
    r"(?:speaking|spoke) (?:anonymously|on background)|not authori[sz]ed to|"
    r"would not be (?:named|identified)|without being (?:named|identified)|"
    r"did not (?:wish|want) to be (?:named|identified)|"
    r"\bunnamed\b|\banonymous\b|familiar with|briefed on|with (?:direct )?knowledge of|"
    r"knowledgeable about|close to the (?:talks|matter|negotiations|discussions|deliberations)"
)
# Nouns that name an unnamed speaker or document; required after the weaker verbs.
_SPEAKER_NOUNS = wordset(
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
_KIN = wordset(
    """brother sister wife husband son daughter mother father uncle aunt cousin nephew niece
    grandson granddaughter widow widower fiancé fiancée girlfriend boyfriend"""
)
_SINGULAR_UNNAMED_OK = wordset("police staff data intelligence")
# Unnamed sources that are documents, institutions or official spokespeople: their word is
# not one unnamed person's, so a claim resting on them alone is not flagged as single-source.
_NOT_ONE_VOICE = wordset(
    """filing report study statement document data survey lawsuit complaint indictment memo
    letter record assessment poll release website paper review audit figure estimate count
    tally spokesperson spokesman spokeswoman government ministry department agency company
    firm group coalition union county city council court administration office bureau
    military army navy campaign party board committee commission regulator embassy nation
    country team service newspaper broadcaster"""
)
# Organisation nouns that, after "the", refer back to an organisation named earlier.
_INSTITUTION_NOUNS = wordset(
    """company firm group coalition union county city council agency ministry government
    department office board committee commission campaign party team administration league
    association alliance organization organisation bureau court authority state country
    nation bank fund institute university"""
)
_NAME_CONNECTORS = wordset("of for the and & de del du van von der al bin la le")
_KEEP_DOT = wordset("co. inc. corp. ltd. jr. sr. u.s. u.k. u.n. e.u. bros.")


# --- the lexicon from entities.toml -------------------------------------------------------


@dataclass(frozen=True)
class _Lexicon:
    titles: frozenset[str]
    functions: frozenset[str]  # "official", "author": what a person does, before a name
    org_words: frozenset[str]
    org_phrases: tuple[str, ...]
    places: frozenset[str]
    common: frozenset[str]
    not_names: frozenset[str]


@cache
def _lexicon() -> _Lexicon:
    """Load the shared word lists once."""
    raw = lexicon()
    org_all = [*raw.company_suffixes, *raw.government_words, *raw.organization_words]
    places = set(raw.country_of)
    places |= {p.removeprefix("the ") for p in places}
    common = set(raw.not_entities) | set(raw.group_words) | _SPEAKER_NOUNS | _ANON_HEADS
    common |= _DOCUMENTS  # "Research shows ...": a capital at the start names nobody
    common |= {singular(w) for w in common}
    return _Lexicon(
        titles=frozenset(t for t in raw.person_titles if " " not in t)
        | frozenset(w for t in raw.person_titles for w in t.split() if " " in t)
        | _KIN,
        functions=frozenset(raw.function_nouns),
        org_words=frozenset(w.rstrip(".") for w in org_all if " " not in w),
        org_phrases=tuple(w for w in org_all if " " in w),
        places=frozenset(places),
        common=frozenset(common),
        not_names=raw.not_entities | _VERBISH | _OTHER_PRONOUNS,
    )
