"""Rule 3: findings. Declined comment, hedged numbers and explicit doubt, found by pattern."""

from __future__ import annotations

import re

from briefer.analysis.sourcing._tokens import _strip
from briefer.analysis.sourcing.model import Finding, FindingKind
from briefer.text import finditer_any_case
from briefer.text.lexicon import MONTHS, alternation

_MONTHS = alternation(MONTHS)

_CLAUSE_END = re.compile(r"[,;:.!?()“”\"—–]|\s(?:but|and|while|saying|because|although)\s")
# Each pattern below opens with a look-ahead for the first letters of its alternatives: the
# scan passes over every other character at once instead of trying each alternative there.
_DECLINED = re.compile(
    r"\b(?=[acdghinoprtuw])(?:"
    r"declined\s+(?:(?:later|again|repeatedly|also)\s+)?(?:to\s+(?:comment|say|state|name|"
    r"identify|provide|give|discuss|elaborate|specify|"
    r"disclose|confirm|answer|respond|be\s+interviewed|release|reveal|offer|explain|detail)"
    r"|comment|requests?\s+for\s+comment|an?\s+(?:request|interview))"
    r"|refused\s+to\s+(?:comment|say|name|identify|provide|give|discuss|elaborate|specify|"
    r"disclose|confirm|answer|respond|reveal|explain)"
    r"|(?:did|does|do|would|will|could)\s+not\s+(?:immediately\s+)?return\s+(?:\w+\s+){0,2}"
    r"(?:calls?|messages?|e-?mails?|requests?)"
    r"|(?:did|does|do|would|will|could)\s+not\s+(?:immediately\s+)?(?:respond|reply|"
    r"comment|say|specify|elaborate|disclose|identify|name|address|answer|explain|confirm|"
    r"reveal|give\s+(?:a|an|the|any)|offer\s+(?:a|an|any)\s+(?:response|comment|answer|"
    r"explanation)|provide\s+(?:details|specifics|further|any|more)|detail)"
    r"|(?:didn['’]t|doesn['’]t|don['’]t|wouldn['’]t|won['’]t|couldn['’]t)\s+(?:immediately\s+)?"
    r"(?:respond|reply|comment|say|specify|elaborate|disclose|identify|name|address|answer|"
    r"explain|reveal|give\s+(?:a|an|the|any))"
    r"|(?:gave|offered|provided)\s+no\s+(?:details|explanation|timeline|comment|reason)"
    r"|(?:is|was|are|were)\s+withholding\s+(?:the\s+)?(?:names?|identit(?:y|ies)|details)"
    r"|(?:there\s+was\s+)?no\s+immediate\s+comment"
    r"|could\s+not\s+(?:immediately\s+)?be\s+reached"
    r"|(?:was|were)\s+not\s+(?:immediately\s+)?(?:available|reachable)\s+for\s+comment"
    r"|without\s+(?:providing|giving|offering)\s+(?:more\s+|further\s+|any\s+|additional\s+)?"
    r"(?:specifics|details|information|detail)"
    r"|avoided\s+(?:a|the)\s+question"
    # Details kept back, whoever keeps them: "no details were provided", "the price wasn't
    # announced" (not "not announced until Friday": that is when), "an undisclosed sum".
    r"|no\s+(?:details|specifics|explanation|timeline|reason)\s+(?:was|were|has\s+been|"
    r"have\s+been)\s+(?:given|provided|offered|released)"
    r"|(?:was|were|has|have)(?:\s+not|n['’]t)\s+(?:been\s+)?(?:announced|disclosed|released|"
    r"made\s+public)(?!\s+until)"
    r"|undisclosed|unspecified"
    r"|no\s+comment"
    r")\b",
    re.IGNORECASE,
)
_UNVERIFIED = re.compile(
    r"\b(?=[acdhinuw])(?:"
    r"(?:could|can)(?:not|\s+not|'t|’t)\s+(?:be\s+)?(?:immediately\s+|independently\s+)*"
    r"(?:be\s+)?(?:verified|confirmed|corroborated)"
    r"|(?:has|have|had)\s+not\s+been\s+(?:independently\s+)?(?:verified|confirmed|corroborated)"
    r"|(?:was|were|is|are)\s+not\s+(?:independently\s+)?(?:verified|confirmed|corroborated)"
    r"|unable\s+to\s+(?:independently\s+)?(?:verify|confirm|corroborate)"
    r"|not\s+(?:been\s+)?independently\s+(?:verified|confirmed|corroborated)"
    r"|unverified|unconfirmed|uncorroborated|unsubstantiated"
    # "disputed" of a claim: its predicate ("the figure is disputed"), with its disputer
    # ("disputed by the league"), or before a claim ("a disputed count"). Not a place ("the
    # disputed city") nor someone disputing ("Volker disputed the notion"): that is a denial.
    r"|(?:(?<=\bis )|(?<=\bwas )|(?<=\bare )|(?<=\bwere )|(?<=\bbeen )|(?<=\bremains )"
    r"|(?<=\bwidely )|(?<=\bhotly ))disputed"
    r"|disputed(?=,?\s+by\b)"
    r"|disputed(?=\s+(?:claims?|figures?|numbers?|counts?|tolls?|estimates?|accounts?|reports?|"
    r"allegations?|statistics|data|results?|versions?|tallies|tally)\b)"
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
    r"|half|twice"
)
_HEDGED = re.compile(
    r"\b(?=[abcdefhijlmnorstuw\d$€£])(?:"
    r"between\s+(?P<lo>" + _QTY + r")\s+and\s+(?P<hi>" + _QTY + r")"
    r"|(?:tens|hundreds)\s+of\s+(?:thousands|millions|billions)(?:\s+of\s+[\w-]+)?"
    r"|(?:dozens|scores|hundreds|thousands|millions|billions|trillions)\s+of\s+"
    # an adjective takes its noun along: "millions of coastal residents", not "... of coastal"
    r"(?:[a-z]+(?:al|ic|ous|ive|ful|less|ian|ese|ish|ary|ory|ern)\s+)?[\w-]+"
    # "several" counts only a measure or people: "several tons", "several hundred", "several
    # people died"; not "several types", "several charges", "several top officials".
    r"|(?:several|a\s+few)\s+(?:(?:hundred|thousand|million|billion|dozen)(?:\s+[\w-]+)?|"
    r"(?:tons|tonnes|pounds|kilograms|kilos|litres|liters|gallons|barrels|miles|kilometres|"
    r"kilometers|acres|hectares|feet|metres|meters|dollars|people|persons|residents|workers|"
    r"employees|civilians|soldiers|troops|children|patients|families|homes|buildings)\b)"
    r"|(?:(?:more|fewer|less)\s+than|up\s+to|at\s+(?:least|most)|as\s+(?:many|much|few|little|"
    r"high|low)\s+as|about|around|roughly|nearly|almost|approximately|close\s+to|upwards\s+of|"
    r"in\s+excess\s+of|(?:well|just)\s+(?:over|under|above|below|short\s+of)|an\s+estimated|"
    r"estimated(?:\s+that)?|an\s+average\s+of|closer\s+to)\s+(?:" + _QTY + r")"
    # A range of percentages is an estimate ("0.6% to 0.7%"); "from 23% to 35%" is a change.
    r"|(?<!from\s)(?<!\d)\d+(?:\.\d+)?\s*%\s*(?:to|-|–)\s*\d+(?:\.\d+)?\s*%"
    r"|(?:some|over|under)\s+[$€£]?\d[\d,]*(?:\.\d+)?(?:\s*(?:%|percent|million|billion))?"
    r"|(?:[$€£]\s?)?\d[\d,]*(?:\.\d+)?(?:\s*(?:million|billion|thousand))?\s+or\s+(?:more|so)"
    r")(?!\w)",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:19|20)\d\d")
# What makes a hedged figure a time, not a quantity: a unit of time or a clock after it
# ("nearly two years", "up to 10 years in prison", "about 4:30 a.m.", "several more years"),
# or a span of time in it ("more than a decade", "nearly a year").
_TIME_AFTER = re.compile(
    r"(?::\d\d|\s*(?:(?!a\b|an\b|per\b|each\b|every\b)[\w-]+\s+)?"
    r"(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?|"
    r"decades?|centuries|century|times|a\.m\.|p\.m\.|o['’]clock)\b)",
    re.IGNORECASE,
)
_TIME_IN = re.compile(r"\b(?<!-)(?:decade|century|year|month|week|day)s?\b", re.IGNORECASE)
_TRAILING_YEAR = re.compile(r"(?<![\d,.$€£])(?:19|20)\d\d$")


# Words that every match of `_UNVERIFIED` holds, found much faster than the pattern itself.
_UNVERIFIED_HINT = re.compile(
    r"verif|confirm|corrobor|disput|evidence|unsubstantiated", re.IGNORECASE
)


def _findings(
    text: str,
    pattern: re.Pattern[str],
    kind: FindingKind,
    *,
    extend: bool,
    hint: re.Pattern[str] | None = None,
) -> list[Finding]:
    """Return the matches of `pattern` in `text`; `extend` runs each to the end of its clause;
    `hint` finds words every match holds, to skip a text that has none.

    The (lower-case) patterns, `hint` too, run on the lower-cased text when lower-casing keeps
    every offset.
    """
    out: list[Finding] = []
    if hint is not None and next(finditer_any_case(hint, text), None) is None:
        return out  # none of the words every match holds: no need to read further
    for match in finditer_any_case(pattern, text):
        start, end = match.start(), match.end()
        if kind is FindingKind.HEDGED_NUMBER and match.lastgroup in ("lo", "hi"):
            lo, hi = match.group("lo"), match.group("hi")
            if lo and hi and all(_YEAR.fullmatch(q.strip().rstrip(",")) for q in (lo, hi)):
                continue  # "between 2010 and 2015": dates
        if kind is FindingKind.HEDGED_NUMBER:
            while end > start and text[end - 1] in ",.":
                end -= 1
            share = text[end - 1] == "%" or text[start:end].lower().endswith("percent")
            if _TIME_IN.search(text, start, end) or (
                not share and _TIME_AFTER.match(text, end)  # "about 40% year to date" is no time
            ):
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
