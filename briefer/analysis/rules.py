"""The named rules of the offline analysis, each of which can be switched off.

A rule is a pattern of news writing the analysis relies on, named here with an example of
the text it handles. The code that applies it asks `enabled(name)` first, so that
`briefer eval --ablate` can switch each rule off in turn and measure what it earns on
labelled articles: a rule that costs more than it gains goes.

Adding a rule: give it a row in `RULES` (a name, what it handles), guard the code that
applies it with a call to `enabled` with its name, add a test with an article written for
it, and run `briefer eval LABELS --ablate` to see what it changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One rule: its name (area.rule) and an example of the writing it handles."""

    name: str
    handles: str


RULES: tuple[Rule, ...] = (
    # key facts
    Rule("facts.furniture", "captions, video prompts, credits and datelines cut from sentences"),
    Rule("facts.lede", "the first three sentences that state news lead the key facts"),
    Rule("facts.paragraph-opening", "a sentence inside a paragraph ranks below one opening it"),
    Rule("facts.what-next", "what will happen (will, plans to, next week) ranks higher"),
    Rule("facts.reader-address", 'a sentence speaking to the reader ("you") never leads'),
    Rule("facts.checked-claim", "a fact-check's Claim line is the claim checked, with its rating"),
    Rule("facts.years-are-dates", 'a year ("in 2016") is not a figure that makes a fact specific'),
    Rule("facts.run-on", "a 'sentence' past 50 words ranks lower"),
    Rule("facts.mid-quotation", '"Ice is rare. But water is," she said. (the whole quote)'),
    Rule("facts.resumed-quotation", '"...," Alder said. "It drives innovation." (Alder\'s)'),
    # attribution
    Rule("sourcing.news-verbs", "commented, remarked, replied, quipped, pointed out ..."),
    Rule("sourcing.finding-verbs", "a 2018 analysis found ...; research shows ..."),
    Rule("sourcing.post-credit", "— Ines Alder (@inesalder) November 18, 2019"),
    Rule("sourcing.unattributed", "reportedly; is believed to; was linked to; thought to be"),
    Rule("sourcing.described-person", "lead author and NASA scientist Lucas Paganini said"),
    Rule("sourcing.proper-of-name", "the Department of Energy said (a named body)"),
    Rule("sourcing.participle", "Ann Lee weighed in on Monday, saying that ... (Ann Lee)"),
    Rule("sourcing.role-with-commas", "Ann Lee, a scientist at X in Y, Md., and Z, said (Ann Lee)"),
    Rule("sourcing.age-epithet", "the 56-year-old said (the person named before)"),
    Rule("sourcing.body-referred-back", "the company said; its statement says (named before)"),
    Rule("sourcing.published-in", "a paper published in the journal Nature Astronomy"),
    Rule("sourcing.noun-after-preposition", "according to reports (a noun, not a verb)"),
    Rule("sourcing.those-group", "those familiar with the talks said"),
    Rule("sourcing.people-groups", "some of the mayor's defenders took to ...; historians say"),
    Rule("sourcing.both-named", "both men claimed; the two said (the parties just named)"),
    Rule("sourcing.market-voice", "Wall Street predicted $2.52 a share (unnamed analysts)"),
    Rule("sourcing.parenthesis-before-verb", "Home Depot (ticker: HD) reported ..."),
    Rule("sourcing.credit-phrases", "in a NASA statement; via the Calder Ledger; Provided by ESA"),
    # findings
    Rule("findings.declined", "declined to comment; the price wasn't announced"),
    Rule("findings.hedged", "more than 10,000; 0.6% to 0.7%; dozens of"),
    Rule("findings.unverified", "could not be independently verified"),
    # stakeholders
    Rule("stakeholders.no-comment-from", "there was no immediate comment from Assange"),
    Rule("stakeholders.person-needs-a-sign", "Blue Horizon will fly (no title, given name, age)"),
    Rule("stakeholders.person-ends-before-and", "Myles Garrett and Pittsburgh → two names"),
    Rule("stakeholders.person-ends-before-of", "Rosaly Lopes of NASA; Ann Lee for Ada Bishop"),
    Rule("stakeholders.calendar-words", "Mrs May (a surname); the EPA on March 20 (a date)"),
    Rule("stakeholders.time-zone", "kick-off at 15:00 BST; 3pm GMT (a time zone, no party)"),
    Rule("stakeholders.score", "Ipswich Town 0, Derby County 3 (a score, not a name's number)"),
    Rule("stakeholders.of-adjective", "Thousands of Ethiopian troops (no name: an adjective)"),
    Rule("stakeholders.says-he", "Evans said he would stay (a surname alone: a person)"),
    Rule("stakeholders.name-starts-at-given-name", "Frontrunners Donald Trump → Donald Trump"),
    Rule("stakeholders.nationality-before-name", "Australian Timothy Weeks → Timothy Weeks"),
    Rule("stakeholders.place-before-name", "ambassador to Britain Liu Xiaoming → Liu Xiaoming"),
    Rule("stakeholders.title-makes-person", "Lee, the leader of the party (a person, not a firm)"),
    Rule("stakeholders.listed-fields", "the Ministry of Trade, Industry and Energy (one body)"),
    Rule("stakeholders.owned-body", "NASA's Goddard Space Flight Center → NASA and the centre"),
    Rule("stakeholders.press", "the Pittsburgh Post-Gazette reported (the press, not a party)"),
    Rule("stakeholders.press-credit", "Emily Feng reports for NPR (a reporter, not a party)"),
    Rule("stakeholders.the-thing", "the Nasdaq Composite fell (only after 'the': a thing)"),
    Rule("stakeholders.setting-in-list", "in Chile, Peru and Bolivia; Munich, Germany (settings)"),
    Rule("stakeholders.never-acts", "he told lawmakers; freed 11 prisoners (never acts)"),
)
NAMES = frozenset(rule.name for rule in RULES)

_OFF: ContextVar[frozenset[str]] = ContextVar("briefer_rules_off", default=frozenset())


def enabled(name: str) -> bool:
    """Whether the rule `name` applies (every rule does, unless switched off)."""
    return name not in _OFF.get()


@contextmanager
def switched_off(*names: str) -> Iterator[None]:
    """Switch the named rules off within the block (this thread or task only)."""
    unknown = sorted(set(names) - NAMES)
    if unknown:
        raise ValueError(f"no such rule: {', '.join(unknown)}")
    token = _OFF.set(_OFF.get() | frozenset(names))
    try:
        yield
    finally:
        _OFF.reset(token)
