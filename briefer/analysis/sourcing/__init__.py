"""Rule-based sourcing analysis: who asserts what in an article, and how firmly.

`analyze_sourcing(text)` returns a `SourcingProfile`. Every span in it is an offset pair
into the original text, so `text[start:end]` quotes it back verbatim. No models, no network:
word lists come from `briefer/analysis/entities.toml`, `briefer/analysis/words.toml` (speech
verbs, prepositions) and `words.toml` beside this module (the grammar's own lists, loaded by
`briefer.analysis.sourcing._lexicon`).

Rules, in the order they are applied:

1. **Attributions.** Each sentence (from `briefer.text.sentences`) is searched for an
   attribution verb in any tense ("said", "told", "according to", "declined", "estimated",
   ...). A verb inside a quotation is ignored. The source is then read off the words around it:

   - `according to X`: X is the noun phrase after it, up to the end of the clause, or, with
     no comma after it, up to where the claim's own words begin ("according to the
     researchers | a plantation would ...": a determiner or pronoun after a noun, an
     auxiliary, a relative pronoun);
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
   - a source of more than twenty words is a clause read as one, not a source: skipped.

2. **Kinds.** A source is ANONYMOUS when its head noun is "person", "people", "source",
   "witness", "insider", ... ("one of the people", "two people briefed on the plans") or it
   carries an anonymity phrase ("who asked not to be named", "familiar with the matter").
   A capitalised head that is not a common word is a name: a person when a title precedes
   it ("Mayor", "Secretary of State", "his brother"), when it has two to four capitalised
   words, or when it is the surname (or given name) of a person named earlier in the
   article; otherwise an organisation (a company, government or organisation word, a known
   country or capital, a leading "the", or an unknown single word such as "Reuters").
   A body or its document referred back to by "the", "its" or a possessive ("the company
   said", "its statement said", "the prosecutor's office said") is a NAMED_ORGANIZATION
   once the article has named anyone before it: news copy writes "the" for a body it has
   named. Everything else ("officials", "police", "a European diplomat", "a court filing",
   "the doctors", "a Republican") is an UNNAMED_INSTITUTION.

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

from briefer.analysis.rules import enabled
from briefer.analysis.sourcing._analyzer import _Analyzer
from briefer.analysis.sourcing._findings import (
    _DECLINED,
    _HEDGED,
    _UNVERIFIED,
    _UNVERIFIED_HINT,
    _findings,
)
from briefer.analysis.sourcing._lexicon import _MARKET_VOICES
from briefer.analysis.sourcing._tokens import _QUOTE
from briefer.analysis.sourcing.model import (
    UNATTRIBUTED,
    Attribution,
    Finding,
    FindingKind,
    SingleSourceClaim,
    SourceKind,
    SourcingProfile,
)

__all__ = [
    "UNATTRIBUTED",
    "Attribution",
    "Finding",
    "FindingKind",
    "SingleSourceClaim",
    "SourceKind",
    "SourcingProfile",
    "analyze_sourcing",
    "is_market_voice",
    "quotations",
]


def is_market_voice(name: str) -> bool:
    """Whether a source's name is the market speaking for unnamed analysts ("Wall Street",
    "the Street"; the rule "sourcing.market-voice")."""
    return " ".join(name.lower().split()).removeprefix("the ") in _MARKET_VOICES


def analyze_sourcing(text: str) -> SourcingProfile:
    """Find the attributions, declined comment, hedged numbers and unverified claims in `text`."""
    analyzer = _Analyzer(text)
    attributions = analyzer.attributions()
    return SourcingProfile(
        attributions=tuple(attributions),
        declined=tuple(
            _findings(text, _DECLINED, FindingKind.DECLINED_COMMENT, extend=True)
            if enabled("findings.declined")
            else ()
        ),
        hedged=tuple(
            _findings(text, _HEDGED, FindingKind.HEDGED_NUMBER, extend=False)
            if enabled("findings.hedged")
            else ()
        ),
        unverified=tuple(
            _findings(
                text, _UNVERIFIED, FindingKind.UNVERIFIED, extend=False, hint=_UNVERIFIED_HINT
            )
            if enabled("findings.unverified")
            else ()
        ),
        single_source=tuple(analyzer.single_source(attributions)),
    )


def quotations(text: str) -> list[tuple[int, int]]:
    """The spans of the direct quotations in `text` (“…” or "…", within a paragraph)."""
    return [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
