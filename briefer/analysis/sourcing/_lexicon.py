"""Word lists of the sourcing analysis: the grammar sets below, over the shared lexicon.

Speech verbs and prepositions come from `briefer.analysis.words`, the entity lists
(`entities.toml`) from `briefer.text.lexicon`; what is here is the sourcing analysis's own
grammar: which words end a noun phrase, which nouns name an unnamed speaker, which phrases make a
source anonymous. The word lists are data, in `words.toml` beside this module (read once; its
comments say what each list is for and which rule reads it); the patterns that encode grammar
are here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from briefer.analysis.words import (
    PREPOSITIONS,
    SPEECH_VERBS,
    SUBJECT_PRONOUNS,
    singular,
    word_lists,
)
from briefer.text.lexicon import alternation, lexicon

_WORDS = word_lists(Path(__file__).with_name("words.toml"))

# --- verbs of saying and the words around them ------------------------------------------------

_AMBIGUOUS_VERBS = _WORDS["ambiguous_verbs"]
_INVERTIBLE = _WORDS["invertible_verbs"]
_PHRASAL_VERBS = _WORDS["phrasal_verbs"]  # part of the rule "sourcing.news-verbs"
_SKIP_BEFORE_VERB = _WORDS["skip_before_verb"]
_REJECT_BEFORE_VERB = _WORDS["reject_before_verb"]
_NOT_BEFORE_REDUCED = _WORDS["not_before_reduced"]
_DOCUMENTS = _WORDS["documents"]
_PARTICIPLES = _WORDS["participles"]  # the rule "sourcing.participle"
_VERB = re.compile(
    r"\b(?:(?P<acc>[Aa]ccording to)|(?P<verb>"
    + alternation(SPEECH_VERBS | _PHRASAL_VERBS | _PARTICIPLES)
    + r"))\b"
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

# --- the words of a noun phrase -----------------------------------------------------------------

_PREPOSITIONS = PREPOSITIONS
_PRONOUNS = _WORDS["pronouns"]
_SUBJECT_PRONOUNS = SUBJECT_PRONOUNS  # the pronouns above, and "i", "we", "you"
_OTHER_PRONOUNS = _WORDS["other_pronouns"]
_DETERMINERS = _WORDS["determiners"]
_NUMBER_WORDS = _WORDS["number_words"]
_QUANTIFIERS = _NUMBER_WORDS | _WORDS["quantifiers"]
_LEAD_STRIP = _WORDS["lead_strip"]
_RELATIVES = _WORDS["relatives"]
_INDEFINITE = _WORDS["indefinite"]
_CLAUSE_OPENERS = _WORDS["clause_openers"]
_OPENERS = _LEAD_STRIP | _PREPOSITIONS | _WORDS["sentence_openers"]
_CUT_WORDS = _PREPOSITIONS | _RELATIVES | _WORDS["cut_words"]
_VERBISH = _WORDS["verbish"] | SPEECH_VERBS
_PHRASE_GOES_ON_AFTER = _PREPOSITIONS | _DETERMINERS | _QUANTIFIERS | _WORDS["phrase_goes_on_after"]
_AUXILIARIES = _WORDS["auxiliaries"]
_NAME_CONNECTORS = _WORDS["name_connectors"]
_KEEP_DOT = _WORDS["keep_dot"]
_NOT_NAME_START = _WORDS["not_name_start"]

# --- nouns of speakers and documents --------------------------------------------------------------

_ANON_HEADS = _WORDS["anonymous_heads"]
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
_SPEAKER_NOUNS = _WORDS["speaker_nouns"]
_PEOPLE_NOUNS = _WORDS["people_nouns"]  # the rule "sourcing.people-groups"
_MARKET_VOICES = _WORDS["market_voices"]  # the rule "sourcing.market-voice"
_VOICE_NOUNS = _WORDS["voice_nouns"]
_OF_WHOM = _WORDS["of_whom"]
_PUBLISHED = _WORDS["published"]  # the rule "sourcing.published-in"
_SPOKES_NOUNS = _WORDS["spokes_nouns"]
_KIN = _WORDS["kin"]
_PAIRED_BODIES = _WORDS["paired_bodies"]  # the rule "sourcing.both-named"
_INSTITUTION_NOUNS = _WORDS["institution_nouns"]
_BODY_DOCUMENTS = _WORDS["body_documents"]
# Determiners by which news copy refers back to a body it has named: "the group said".
_REFERRING = frozenset({"the", "its", "their", "his", "her"})
_SINGULAR_UNNAMED_OK = _WORDS["singular_unnamed_ok"]
_NOT_ONE_VOICE = _WORDS["not_one_voice"]


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
