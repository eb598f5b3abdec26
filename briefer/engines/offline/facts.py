"""Key facts, headline and summary: the article's own sentences, ranked."""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from briefer.analysis.parties import Entity
from briefer.analysis.rules import enabled
from briefer.analysis.sourcing import UNATTRIBUTED, Attribution, quotations
from briefer.engines.offline.claims import CheckedClaim, claim_statement
from briefer.engines.offline.quoted import whole_quotations
from briefer.schema import QUOTED, REPORTER, KeyFact
from briefer.text import QUOTE_MARK, Span, one_line
from briefer.text.furniture import without_inline
from briefer.text.lexicon import (
    MONTH_ABBREVIATIONS,
    MONTHS,
    WEEKDAYS,
    alternation,
    content_words,
)

MAX_FACTS = 8
MIN_FACTS = 2  # a text of 100-150 words (a brief item, a wire snap) is two facts
FACTS_PER_ROOT_SENTENCE = 2.2  # 8 sentences: 6 facts; 11: 7; the bounds above and below
WORDS_PER_FACT = 60  # and never more facts than one per this many words: a brief is shorter
# The inverted pyramid: a news story states its news in its first sentences, so the first
# sentences that state something (not a question, a quotation or a scene-setting hook) lead
# the ranking, in the article's order; the rest are ranked by what they hold.
LEDE_SENTENCES = 3
LEDE_WINDOW = 12  # a lede is found among the first sentences, or not at all
POSITION_DECAY = 0.12  # how fast a sentence's weight falls with its place in the article
# News states a whole fact in a long sentence (who did what, when, how much); short sentences
# are more often transitions, colour or a quote's fragment.
LONG_SENTENCE = 25  # words
LONG_BONUS = 0.3
SHORT_SENTENCE = 12  # words
SHORT_FACTOR = 0.7
# Past this, a "sentence" is most often captions or clauses run together without a full stop,
# and too long to read as one fact.
RUN_ON = 50  # words
RUN_ON_FACTOR = 0.6
NAMED_SOURCE_BONUS = 0.3  # a claim someone makes by name
MAX_RANKED = 2 * MAX_FACTS  # sentences ranked in full: twice what a brief takes
NUMBER_WEIGHT = 0.12  # each figure (up to three) makes a sentence more specific
NAME_WEIGHT = 0.1  # each named stakeholder (up to three)
# A paragraph's first sentence states its point; the ones after it explain, quote or add
# colour (editors pick them less often: 0.21-0.26 against 0.30-0.37 on our labels).
PARAGRAPH_BODY_FACTOR = 0.9
# What happens next is news: editors pick a sentence that says what will happen at twice the
# rate of others (0.50 / 0.55 against 0.22 / 0.28 past the lede on our two label sets).
WHAT_NEXT_BONUS = 0.2
NEAR_DUPLICATE = 0.4  # share of a sentence's words already in a better one

_OPENING_QUOTES = "\"“‘'"  # a sentence opening with one of these opens a quotation
# A figure. The look-ahead for the first characters of its forms lets the scan pass over other
# characters at once.
_NUMBER = re.compile(
    r"(?=[\dbhmpt])(?:\d[\d,.]*%?|\b(?:million|billion|trillion|thousand|hundred|percent)\b)"
)
# A year: a date, not an amount. Editors pick sentences with figures more often than others,
# but a year adds least (our two label sets: 0.27 / 0.39 with a year, against 0.40 / 0.71 with
# a percentage and 0.42 / 0.50 with money).
_YEAR = re.compile(r"(?:19|20)\d\d")
# What will happen: the future, a plan, an expectation, a next date.
_WHAT_NEXT = re.compile(
    r"\b(?:will|plans? to|expected to)\b"
    r"|\bnext (?:week|month|year|season|spring|summer|autumn|fall|winter|steps?)\b"
)
_DATE = re.compile(
    rf"\b(?:{alternation(WEEKDAYS + MONTHS + MONTH_ABBREVIATIONS)}|"
    r"yesterday|today|tomorrow|next (?:week|month|year))(?!\w)"
)


def _body_start(text: str, title: str | None) -> int:
    if not title:
        return 0
    at = text.find(title)
    if at < 0 or text[:at].strip():
        return 0
    return at + len(title)


def _rank(
    text: str,
    body: list[Span],
    entities: list[Entity],
    title: str | None,
    on_record: frozenset[int] = frozenset(),
) -> list[Span]:
    """The body's sentences, most newsworthy first, near-duplicates left out.

    `on_record` are the starts of sentences attributed to a named source.
    """
    words_of = [content_words(s.text) for s in body]
    freq = Counter(w for words in words_of for w in words)
    top = {w for w, _ in freq.most_common(12)}
    if enabled("facts.mid-quotation"):  # no fragment of a quotation is a fact on its own
        body, words_of = whole_quotations(text, body, words_of)
    bags = [set(words) for words in words_of]
    title_words = set(content_words(title or ""))
    mention_starts = sorted(start for e in entities for start, _ in e.mentions)

    run_on = enabled("facts.run-on")
    inside = _inside_paragraphs(text, body) if enabled("facts.paragraph-opening") else set()
    what_next = enabled("facts.what-next")
    reader_address = enabled("facts.reader-address")
    years_are_dates = enabled("facts.years-are-dates")

    def score(index: int, span: Span) -> float:
        words = bags[index]
        n_words = len(span.text.split())
        position = 1.0 / (1.0 + POSITION_DECAY * index)
        lo = bisect.bisect_left(mention_starts, span.start)
        hi = bisect.bisect_left(mention_starts, span.end)
        names = min(hi - lo, 3) * NAME_WEIGHT
        central = 0.0
        if words:
            central = 0.5 * len(words & title_words) / max(len(title_words), 1)
            central += 0.3 * len(words & top) / len(top or {""})
        value = position + _specifics(span.text, years_are_dates) + names + central
        if span.start in on_record:
            value += NAMED_SOURCE_BONUS
        if n_words > LONG_SENTENCE:
            value += LONG_BONUS
        if n_words < SHORT_SENTENCE:
            value *= SHORT_FACTOR
        if n_words < 6:
            value *= 0.4
        if n_words > RUN_ON and run_on:
            value *= RUN_ON_FACTOR
        if span.text.endswith("?"):
            value *= 0.5
        if reader_address and _addresses_reader(span.text):
            value *= 0.5  # the reporter speaking to the reader: a hook or a service line
        if span.text[:1] in _OPENING_QUOTES:
            value *= 0.8  # a quote is colour more often than news
        if span.start in inside:
            value *= PARAGRAPH_BODY_FACTOR
        if what_next and _WHAT_NEXT.search(span.text):
            value += WHAT_NEXT_BONUS
        return value

    lede = _lede(body, bags)
    scored = [(math.inf, i, body[i]) for i in lede] + sorted(
        ((score(i, s), i, s) for i, s in enumerate(body) if i not in lede),
        key=lambda p: (-p[0], p[2].start),
    )
    return _distinct(scored, bags)


def _specifics(sentence: str, years_are_dates: bool) -> float:
    """What a sentence's figures (up to three) and a date add to its rank."""
    figures = _NUMBER.findall(sentence)
    if years_are_dates:
        figures = [f for f in figures if not _YEAR.fullmatch(f.rstrip(",."))]
    return min(len(figures), 3) * NUMBER_WEIGHT + (0.1 if _DATE.search(sentence) else 0.0)


def _distinct(scored: list[tuple[float, int, Span]], bags: Sequence[set[str]]) -> list[Span]:
    """The best-scored sentences, at most MAX_RANKED, leaving out links and near-duplicates
    of better ones."""
    ranked: list[Span] = []
    seen: list[set[str]] = []
    for _, index, span in scored:
        if len(ranked) >= MAX_RANKED:
            break  # more than any brief takes; keeps long articles linear
        if _embeds(span.text):
            continue  # an embedded post or a link: page furniture, not the story's facts
        words = bags[index]
        if any(len(words & other) > NEAR_DUPLICATE * max(len(words), 1) for other in seen):
            continue  # near-duplicate of a better-ranked sentence
        ranked.append(span)
        seen.append(words)
    return ranked or [span for _, _, span in scored[:1]]  # a body of links still has a fact


def _inside_paragraphs(text: str, body: Sequence[Span]) -> set[int]:
    """The starts of the sentences that do not open a paragraph; none when the text has no
    paragraphs (one line, as some copies of an article come)."""
    inside = set()
    for sentence in body:
        before = sentence.start - 1
        while before >= 0 and text[before] in " \t":
            before -= 1
        if before >= 0 and text[before] != "\n":
            inside.add(sentence.start)
    return inside if len(inside) < len(body) - 1 else set()


# The reporter speaking to the reader: "you" in lower case, or opening the sentence ("You may
# want to ..."); a capitalised "You" inside a sentence is a title's ("Ten Things I Hate About
# You"), and "your" is as often the generic one of news ("means your house is worth more").
# Only the words before any quotation count: a quotation's "you" is its speaker's.
_YOU = re.compile(r"\b(?:you|yourself)\b|^You\b")
_QUOTATION_OPENS = re.compile(r"[\"“‘]|(?<!\w)'")


def _addresses_reader(sentence: str) -> bool:
    """Whether the sentence speaks to the reader (a hook or a service line, not news)."""
    if "you" not in sentence.lower():
        return False
    opens = _QUOTATION_OPENS.search(sentence)
    return _YOU.search(sentence, 0, opens.start() if opens else len(sentence)) is not None


def _lede(body: Sequence[Span], bags: Sequence[set[str]]) -> list[int]:
    """The indices of the lede: the first LEDE_SENTENCES sentences among the first
    LEDE_WINDOW that state news, none a near-duplicate of another."""
    lede: list[int] = []
    for i, sentence in enumerate(body[:LEDE_WINDOW] if enabled("facts.lede") else []):
        if len(lede) == LEDE_SENTENCES:
            break
        if _states_news(sentence.text) and not any(
            len(bags[i] & bags[j]) > NEAR_DUPLICATE * max(len(bags[i]), 1) for j in lede
        ):
            lede.append(i)
    return lede


_SPECIFIC = re.compile(r"\s[A-Z]|\d")
LEDE_WORDS = 9  # a sentence this long states something; a shorter one needs a name or figure
LEDE_MIN_WORDS = 6


def _states_news(sentence: str) -> bool:
    """Whether a sentence can open a brief: a statement in the reporter's voice, not a
    question, a quotation, a link, a list's colon, words to the reader or a short hook ("No
    wonder.")."""
    if sentence.endswith(("?", ":")) or sentence[:1] in _OPENING_QUOTES or _embeds(sentence):
        return False
    if enabled("facts.reader-address") and _addresses_reader(sentence):
        return False  # a hook: "In case you live in the city, chances are ..."
    n_words = len(sentence.split())
    return n_words >= LEDE_WORDS or (n_words >= LEDE_MIN_WORDS and bool(_SPECIFIC.search(sentence)))


def _key_facts(
    ranked: list[Span],
    body: Sequence[Span],
    by_sentence: dict[int, list[Attribution]],
    claims: Sequence[CheckedClaim] = (),
) -> list[KeyFact]:
    facts = []
    n_words = sum(len(s.text.split()) for s in body)
    starts = [s.start for s in body]
    for span in ranked[: _fact_count(len(body), n_words)]:
        attributions = by_sentence.get(span.start, [])
        statement = _statement(span, attributions)
        first, last = sentence_of(body, starts, span.start), sentence_of(body, starts, span.end - 1)
        if last is not None and last != first:  # a whole quotation
            statement, attributions = _whole_quotation(span, first, last, by_sentence)
        # A fact-check's claim is the allegation it checks, not the reporter's word.
        claim = next((c for c in claims if c.start <= span.start < c.end), None)
        facts.append(
            KeyFact(
                statement=claim_statement(claim, span.text) if claim else statement,
                evidence=span.text,
                attribution=REPORTER if claim else _asserted_by(span, attributions),
            )
        )
    return facts


def _whole_quotation(
    span: Span, first: int | None, last: int, by_sentence: dict[int, list[Attribution]]
) -> tuple[str, list[Attribution]]:
    """The statement of a quotation of several sentences and who asserts it: its last
    sentence's speaker, else the one who brings it in ('Ines Alder: "...', not "I've said"
    within it); only an attribution within the quotation is cut from the statement."""
    attributions = by_sentence.get(last, [])
    lead = [
        a
        for a in (by_sentence.get(first, []) if first is not None else [])
        if a.end <= span.start or a.start >= span.end
    ]
    if not attributions and (first == span.start or len(lead) == 1):
        attributions = lead
    within = [a for a in attributions if span.start <= a.start and a.end <= span.end]
    statement = _statement(span, within)
    if attributions and not within and statement[:1] in _OPENING_QUOTES:
        statement = f"{_who(attributions[0])}: {statement}"
    return statement, attributions


# An embedded social post ("pic.twitter.com/…", "— Name (@handle) May 3, 2019") or a bare link.
_EMBED = re.compile(r"pic\.twitter\.com/|https?://|\bwww\.|\(@\w{2,}\)")
# Text every match of `_EMBED` holds: looking for it first spares most sentences the pattern.
_EMBED_HINTS = ("pic.twitter.com/", "://", "www.", "(@")


def _embeds(sentence: str) -> bool:
    """Whether a sentence holds an embedded post or a link (page furniture)."""
    return any(hint in sentence for hint in _EMBED_HINTS) and _EMBED.search(sentence) is not None


def _fact_count(n_sentences: int, n_words: int) -> int:
    """How many key facts a body gets: more as the article grows, but slower than it (a
    short article is mostly facts, a long one has many more sentences than key facts), never
    more than one per WORDS_PER_FACT words, within the bounds."""
    by_sentences = round(FACTS_PER_ROOT_SENTENCE * math.sqrt(n_sentences))
    return max(MIN_FACTS, min(MAX_FACTS, by_sentences, round(n_words / WORDS_PER_FACT)))


_LEADING_ACCORDING = re.compile(r"^according to [^,]{1,160},\s*", re.IGNORECASE)


def _statement(span: Span, attributions: list[Attribution]) -> str:
    """The sentence without its attribution clause, as a plain statement."""
    sentence = span.text
    for attribution in attributions:
        rel_start = attribution.start - span.start
        # "“We are open,” the mayor told reporters on Monday.": a quotation that opens the
        # sentence ends where its speaker comes in; the rest is who said it, to whom, where.
        if sentence[:1] in _OPENING_QUOTES and (
            closed := _quote_closed_before(sentence, rel_start)
        ):
            sentence = closed
            break
        # A trailing ", the people said." or ", port director Helen Marsh said." is dropped.
        comma = sentence.rfind(", ", 0, rel_start + 1)
        if comma > 0 and len(sentence[comma:rel_start].split()) <= 4:
            tail = sentence[attribution.end - span.start :].strip()
            if len(tail) <= 2 or (tail.startswith(",") and comma > len(sentence) * 0.4):
                sentence = sentence[:comma]
                break
    sentence = _LEADING_ACCORDING.sub("", without_inline(sentence)).strip()
    if sentence[:1] in '"“‘' and attributions:
        sentence = f"{_who(attributions[0])}: {sentence}"
    sentence = sentence[:1].upper() + sentence[1:]
    if sentence and sentence[-1] not in '.!?"”’' and sentence[-2:] not in (".'", "?'", "!'"):
        sentence += "."
    return one_line(sentence, 400, at_word=True)


# A quotation's end before its speaker: a comma, "?" or "!" and the closing mark.
_QUOTE_CLOSE = re.compile(r"([,?!])([\"”’'])\s+")


def _quote_closed_before(sentence: str, at: int) -> str | None:
    """The quotation that opens `sentence`, when it closes right before offset `at` (at most
    four words between: "..., said CEO Ines Alder"), its comma made a full stop; else None."""
    last = None
    for match in _QUOTE_CLOSE.finditer(sentence, 0, at + 1):
        last = match
    if last is None or len(sentence[last.end() : at].split()) > 4:
        return None
    stop = "." if last.group(1) == "," else last.group(1)
    return sentence[: last.start()] + stop + last.group(2)


_IN_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which)\s", re.IGNORECASE)
_OPENS_RELATIVE_CLAUSE = re.compile(
    r",\s+(?:(?:in|during|on|at|after|before)\s+)?(?:which|whom|where|when)\s+$", re.IGNORECASE
)


def _asserted_by(span: Span, attributions: list[Attribution]) -> str:
    """Who asserts the sentence: its attribution, unless that sits in a relative clause.

    "Assange, who denies the accusation, has avoided extradition": the denial is his, the
    sentence's claim the reporter's.
    """
    for attribution in attributions:
        phrase = span.text[attribution.start - span.start : attribution.end - span.start]
        # The speech verb inside a relative clause on the source ("Assange, who denies"); a
        # clause describing the source ("said the people, who asked not to be named") is
        # part of the source and leaves the claim theirs.
        if _verb_in_relative_clause(phrase) and not _IN_RELATIVE_CLAUSE.search(attribution.source):
            continue
        # "a phone call he made, in which he said ...": what was said in the call, not the
        # sentence's claim.
        if _OPENS_RELATIVE_CLAUSE.search(span.text, 0, attribution.start - span.start):
            continue
        if attribution.refers_to == UNATTRIBUTED:  # "reportedly", "is accused of"
            return f"{REPORTER} (no source named)"
        return one_line(_who(attribution), 160, at_word=True)  # the schema's limit
    # A quotation with no speaker found is not the reporter's word: '"We lost." (who?)'.
    return QUOTED if _is_quotation(span.text) else REPORTER


def _verb_in_relative_clause(phrase: str) -> bool:
    """Whether the verb ending an attribution `phrase` is the relative clause's: "Assange,
    who denies", not "Stephen Hale, who is standing in Truro, said" (the clause is closed)."""
    clauses = list(_IN_RELATIVE_CLAUSE.finditer(phrase))
    return bool(clauses) and "," not in phrase[clauses[-1].end() :]


def _is_quotation(sentence: str) -> bool:
    """Whether `sentence` is all quotation: it opens with a quotation mark that does not close
    before its end ('"We lost. ...', not '"Jacqui", who ...'), or closes a quotation opened
    in a sentence before it ('... on the balcony."')."""
    if sentence[:1] in _OPENING_QUOTES:
        closing = _CLOSING_MARK.search(sentence, 1)
        return closing is None or closing.end() >= len(sentence.rstrip()) - 1
    return bool(_CLOSES_QUOTATION.search(sentence.rstrip())) and not _OPEN_MARK.search(sentence)


_CLOSING_MARK = re.compile(r"[\"”](?=[\s,.;:!?]|$)")
_CLOSES_QUOTATION = re.compile(r"[.!?][\"”]$")
_OPEN_MARK = re.compile(r"(?:^|(?<=[\s(]))[\"“]")


_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|whom|whose|which)\b.*$", re.DOTALL)
# Where a named speaker said it, not who: "CEO Craig Menear [in the company's news release]",
# "Fadem [in a Tuesday research report]".
_WHERE_SAID = re.compile(
    r"(\b[A-Z][\w.'’-]*)\s+(?:in|at|on|during)\s+(?:a|an|the|his|her|its|their)\s.*$",
    re.DOTALL,
)


def _who(attribution: Attribution) -> str:
    """Who asserts it: the source as written, or the name a pronoun or surname stands for.

    A relative clause is left out: "the people, who asked not to be identified" is "the
    people" (the sourcing caveats say what the clause said); so is where a named speaker
    said it ("CEO Craig Menear in the company's news release" is "CEO Craig Menear").
    """
    who = attribution.refers_to or attribution.source
    return _WHERE_SAID.sub(r"\1", _RELATIVE_CLAUSE.sub("", who)).strip() or who


def _attributions_by_sentence(
    attributions: Iterable[Attribution], text: str, body: Sequence[Span]
) -> dict[int, list[Attribution]]:
    """The attributions of each sentence, by its start.

    A quotation of several sentences is the speaker's throughout: a sentence inside it with
    no attribution of its own takes the one after the closing mark ('"Markets run ahead.
    There are three indicators," said Sanjiv Bhasin').
    """
    out: dict[int, list[Attribution]] = {}
    starts = [s.start for s in body]  # in text order
    for attribution in attributions:
        at = sentence_of(body, starts, attribution.start)
        out.setdefault(attribution.sentence_start if at is None else at, []).append(attribution)
    quoted = quotations(text)
    for start, end in quoted:
        first, last = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        inside = body[first:last]
        closing = inside[-1] if inside else None
        if len(inside) < 2 or closing is None or not closing.start < end <= closing.end:
            continue
        after = [a for a in out.get(closing.start, []) if a.start >= end - 1]
        if not after:
            continue
        for sentence in inside:
            if sentence is not closing and not out.get(sentence.start):
                out[sentence.start] = after
    for start, end in quoted if enabled("facts.resumed-quotation") else []:
        _resumed_quotation(out, text, body, starts, start, end)
    return out


def _resumed_quotation(
    out: dict[int, list[Attribution]],
    text: str,
    body: Sequence[Span],
    starts: Sequence[int],
    start: int,
    end: int,
) -> None:
    """A quotation that opens right after its speaker's attributed quote is theirs too:
    '"We are joining the program," Ines Alder said. "It drives innovation."'"""
    first = bisect.bisect_right(starts, start) - 1
    if first < 1 or body[first].start != start:
        return  # the quotation does not open its sentence
    inside = [s for s in body[first:] if s.start < end]
    if any(out.get(s.start) for s in inside):
        return  # attributed within: the existing rules say whose it is
    before = body[first - 1]
    speaker = out.get(before.start)
    if not speaker or not QUOTE_MARK.search(before.text) or text[before.end : start].strip():
        return
    for sentence in inside:
        out[sentence.start] = speaker


def sentence_of(body: Sequence[Span], starts: Sequence[int], pos: int) -> int | None:
    """The start of the body sentence that holds offset `pos` (`starts`: the body's starts,
    in text order); None when it falls outside every sentence (in furniture, say)."""
    i = bisect.bisect_right(starts, pos) - 1
    return body[i].start if i >= 0 and pos < body[i].end else None
