"""The offline engine: a deterministic brief from rules alone, no model, no network.

* **Key facts** are whole sentences of the article, ranked by position (the lead matters
  most), specificity (numbers, dates, named stakeholders) and centrality (words shared with the
  headline and with the article's most frequent content words). Each fact's evidence is the
  sentence itself, so it always verifies; its attribution comes from the sourcing analysis, or
  is "the reporter" when the sentence has none.
* **Stakeholders** come from `briefer.text.entities`; role from a title or an appositive next to
  the first mention; stance from what they are quoted saying, or their declining to comment.
* **Open questions** come from what the article signals it does not know: declined comment,
  hedged numbers, unverified claims, anonymous sourcing, stated uncertainty.
* **Sourcing caveats** come straight from `briefer.verify.sourcing`, each with its evidence span.

The same text always gives the same brief, byte for byte.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Literal

from briefer._version import __version__
from briefer.engines import EngineResult, EngineSetup
from briefer.engines.estimate import Plan
from briefer.engines.merge import merge_briefs
from briefer.inputs.article import Article
from briefer.schema import (
    Brief,
    CaveatKind,
    KeyFact,
    Notice,
    OpenQuestion,
    SourcingCaveat,
    Stakeholder,
    StakeholderKind,
    Usage,
)
from briefer.text import Span, one_line, sentence_bounds, sentences
from briefer.text.chunking import chunk_article
from briefer.text.entities import Entity, find_stakeholders
from briefer.text.lexicon import (
    MONTH_ABBREVIATIONS,
    MONTHS,
    WEEKDAYS,
    alternation,
    content_words,
    lexicon,
)
from briefer.text.tokens import TokenCounter
from briefer.text.untrusted import find_suspicious
from briefer.verify.sourcing import Attribution, SourceKind, SourcingProfile, analyze_sourcing

if TYPE_CHECKING:
    from briefer.schema.comparison import Comparison
    from briefer.verify.coverage import Compared

MAX_FACTS = 7
MIN_FACTS = 3
MAX_STAKEHOLDERS = 12
MAX_QUESTIONS = 6
MAX_CAVEATS = 12
REPORTER = "the reporter"

_NUMBER = re.compile(r"\d[\d,.]*%?|\b(?:million|billion|trillion|thousand|hundred|percent)\b")
_DATE = re.compile(
    rf"\b(?:{alternation(WEEKDAYS + MONTHS + MONTH_ABBREVIATIONS)}|"
    r"yesterday|today|tomorrow|next (?:week|month|year))(?!\w)"
)
_UNCERTAIN = re.compile(
    r"\b(?:unclear|not clear|remains? to be seen|(?:is|are|was|were) not known|unknown|"
    r"has not been (?:disclosed|decided|announced)|have not been (?:disclosed|decided)|"
    r"did not say (?:how|when|whether|why|which|what|who)|it is not yet)\b",
    re.IGNORECASE,
)


# Past this size (estimated tokens) an article is briefed in parts and the parts merged, so
# that a long-read's facts come from all of it, not only from its opening.
CHUNK_TOKENS = 6000


class OfflineEngine:
    """Brief articles deterministically, with no model and no network."""

    name = "offline"
    origin: Literal["rules", "model"] = "rules"
    model: str | None = None
    prompt_id = f"offline@{__version__}"
    counter = TokenCounter("estimate")
    on_rate_limit: Callable[[float], None] | None = None  # nothing to wait for

    @classmethod
    def create(cls, setup: EngineSetup) -> OfflineEngine:
        """The engine, from a Briefer's setup (it needs none of it)."""
        return cls()

    def brief(self, article: Article) -> EngineResult:
        """Brief one article (in parts, merged, when it is long)."""
        profile = analyze_sourcing(article.text)
        if self.counter.count(article.text) <= CHUNK_TOKENS:
            return EngineResult(
                brief=brief_offline(article, profile),
                usage=Usage(cost_usd=0.0),
                model=None,
                prompt=None,
                profile=profile,
            )
        chunks = chunk_article(article.text, CHUNK_TOKENS, self.counter)
        parts = [
            brief_offline(Article(text=c.text, source=article.source, title=article.title))
            for c in chunks
        ]
        notice = Notice(
            code="chunked",
            message=f"a long article: briefed in {len(chunks)} parts, then merged",
        )
        return EngineResult(
            brief=merge_briefs(parts),
            usage=Usage(chunks=len(chunks), cost_usd=0.0),
            model=None,
            prompt=None,
            notices=[notice],
            profile=profile,
        )

    async def abrief(
        self, article: Article, *, gate: AbstractAsyncContextManager[None] | None = None
    ) -> EngineResult:
        """Brief one article (CPU-bound and fast, so it simply runs; no requests to gate)."""
        return self.brief(article)

    def compare(self, items: list[Compared]) -> Comparison:
        """Compare coverage by rules (`briefer.engines.offline.compare`)."""
        from briefer.engines.offline.compare import compare_offline

        return compare_offline(items)

    def estimate(self, article: Article, *, truncated: bool) -> Plan:
        """The offline engine sends nothing and costs nothing."""
        tokens = self.counter.count(article.text)
        chunks = (
            1
            if tokens <= CHUNK_TOKENS
            else len(chunk_article(article.text, CHUNK_TOKENS, self.counter))
        )
        return Plan(
            engine=self.name,
            model=None,
            price_entry=None,
            exact_counts=False,
            context_tokens=None,
            output_budget=None,
            chunks=chunks,
            requests=0,
            input_tokens=tokens,
            expected_output_tokens=0,
            cost_usd=0.0,
            truncated=truncated,
        )

    def close(self) -> None:
        """Nothing to close."""

    async def aclose(self) -> None:
        """Nothing to close."""


def brief_offline(article: Article, profile: SourcingProfile | None = None) -> Brief:
    """Build a brief of `article` from rules alone (`profile`: its sourcing, if known)."""
    text = article.text
    body_start = _body_start(text, article.title)
    all_sentences = sentences(text)
    worded = [s for s in all_sentences if any(ch.isalnum() for ch in s.text)] or all_sentences
    body = [s for s in worded if s.start >= body_start] or worded
    # Never carry text that tries to instruct a model into the brief.
    suspicious = [(f.start, f.end) for f in find_suspicious(text) if f.code != "hidden_text"]
    body = [s for s in body if not any(a < s.end and s.start < b for a, b in suspicious)] or body
    profile = profile or analyze_sourcing(text)
    entities = find_stakeholders(
        text, body_start=body_start, cited=[a.source for a in profile.attributions]
    )
    by_sentence = _attributions_by_sentence(profile.attributions)
    ranked = _rank(text, body, entities, article.title)
    facts = _key_facts(ranked, len(body), by_sentence)
    return Brief(
        headline=_headline(article.title, body),
        summary=_summary(ranked),
        key_facts=facts,
        stakeholders=_stakeholders(text, entities[:MAX_STAKEHOLDERS], profile, body),
        open_questions=_open_questions(text, profile, body)[:MAX_QUESTIONS],
        sourcing_caveats=_caveats(text, profile),
    )


# --- facts ----------------------------------------------------------------------------------


def _body_start(text: str, title: str | None) -> int:
    if not title:
        return 0
    at = text.find(title)
    if at < 0 or text[:at].strip():
        return 0
    return at + len(title)


def _rank(text: str, body: list[Span], entities: list[Entity], title: str | None) -> list[Span]:
    freq = Counter(w for s in body for w in content_words(s.text))
    top = {w for w, _ in freq.most_common(12)}
    title_words = set(content_words(title or ""))
    mention_starts = sorted(start for e in entities for start, _ in e.mentions)

    def score(index: int, span: Span) -> float:
        words = set(content_words(span.text))
        n_words = len(span.text.split())
        position = 1.0 / (1.0 + 0.12 * index)
        numbers = min(len(_NUMBER.findall(span.text)), 3) * 0.12
        dates = 0.1 if _DATE.search(span.text) else 0.0
        lo = bisect.bisect_left(mention_starts, span.start)
        hi = bisect.bisect_left(mention_starts, span.end)
        names = min(hi - lo, 3) * 0.1
        central = 0.0
        if words:
            central = 0.5 * len(words & title_words) / max(len(title_words), 1)
            central += 0.3 * len(words & top) / len(top or {""})
        value = position + numbers + dates + names + central
        if n_words < 6:
            value *= 0.4
        if span.text.endswith("?"):
            value *= 0.5
        if span.text[:1] in "\"“‘'":
            value *= 0.8  # a quote is colour more often than news
        return value

    scored = sorted(
        ((score(i, s), s) for i, s in enumerate(body)), key=lambda p: (-p[0], p[1].start)
    )
    ranked: list[Span] = []
    seen: list[set[str]] = []
    for _, span in scored:
        words = set(content_words(span.text))
        if any(len(words & other) > 0.7 * max(len(words), 1) for other in seen):
            continue  # near-duplicate of a better-ranked sentence
        ranked.append(span)
        seen.append(words)
    return ranked


def _key_facts(
    ranked: list[Span], n_body: int, by_sentence: dict[int, list[Attribution]]
) -> list[KeyFact]:
    wanted = max(MIN_FACTS, min(MAX_FACTS, round(n_body / 4)))
    facts = []
    for span in ranked[:wanted]:
        attributions = by_sentence.get(span.start, [])
        facts.append(
            KeyFact(
                statement=_statement(span, attributions),
                evidence=span.text,
                attribution=_who(attributions[0]) if attributions else REPORTER,
            )
        )
    return facts


_LEADING_ACCORDING = re.compile(r"^according to [^,]{1,160},\s*", re.IGNORECASE)


def _statement(span: Span, attributions: list[Attribution]) -> str:
    """The sentence without its attribution clause, as a plain statement."""
    sentence = span.text
    for attribution in attributions:
        rel_start = attribution.start - span.start
        # A trailing ", the people said." or ", port director Helen Marsh said." is dropped.
        comma = sentence.rfind(", ", 0, rel_start + 1)
        if comma > 0 and len(sentence[comma:rel_start].split()) <= 4:
            tail = sentence[attribution.end - span.start :].strip()
            if len(tail) <= 2 or (tail.startswith(",") and comma > len(sentence) * 0.4):
                sentence = sentence[:comma]
                break
    sentence = _LEADING_ACCORDING.sub("", sentence).strip()
    if sentence[:1] in '"“‘' and attributions:
        sentence = f"{_who(attributions[0])}: {sentence}"
    sentence = sentence[:1].upper() + sentence[1:]
    if sentence and sentence[-1] not in '.!?"”’':
        sentence += "."
    return one_line(sentence, 400, at_word=True)


_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|whom|whose|which)\b.*$", re.DOTALL)


def _who(attribution: Attribution) -> str:
    """Who asserts it: the source as written, or the name a pronoun or surname stands for.

    A relative clause is left out: "the people, who asked not to be identified" is "the
    people" (the sourcing caveats say what the clause said).
    """
    who = attribution.refers_to or attribution.source
    return _RELATIVE_CLAUSE.sub("", who).strip() or who


def _attributions_by_sentence(attributions: Iterable[Attribution]) -> dict[int, list[Attribution]]:
    out: dict[int, list[Attribution]] = {}
    for attribution in attributions:
        out.setdefault(attribution.sentence_start, []).append(attribution)
    return out


def _headline(title: str | None, body: list[Span]) -> str:
    if title:
        return one_line(title, 200, at_word=True)
    return one_line(body[0].text, 200, at_word=True) if body else "Untitled article"


def _summary(ranked: list[Span]) -> str:
    chosen = sorted(ranked[:3], key=lambda s: s.start)
    summary = " ".join(s.text for s in chosen)
    while len(summary) > 800 and len(chosen) > 1:
        chosen = chosen[:-1]
        summary = " ".join(s.text for s in chosen)
    return one_line(summary, 800, at_word=True)


# --- stakeholders ---------------------------------------------------------------------------

_APPOSITIVE = re.compile(
    r"\s*,\s+((?:the|a|an|who|whose|which|its|his|her|their|[A-Z][\w-]*['’]s|[a-z])"
    r"[^,;.()]{2,150}?)[,;.]"
)


def _stakeholders(
    text: str, entities: list[Entity], profile: SourcingProfile, body: list[Span]
) -> list[Stakeholder]:
    out = []
    for entity in entities:
        out.append(
            Stakeholder(
                name=one_line(entity.name, 120, at_word=True),
                kind=entity.kind,
                role=one_line(_role(text, entity), 200, at_word=True),
                stance=one_line(_stance(text, entity, profile), 300, at_word=True),
            )
        )
    return out


_VERB_LIKE = re.compile(
    r"^(?:has|have|had|is|are|was|were|will|would|could|can|may|did|does|said|says|told|"
    r"declined|denied|announced|agreed|voted|plans?|wants?|urged|warned|filed|ruled|"
    r"[a-z]+ed|"
    # A word ending in -s is a verb ("owns", "leads") unless a verb follows it: then it was a
    # plural noun ("employees were told", "officials wondering", "advisers would like").
    r"[a-z]+s(?!\s+(?:were|are|have|had|would|will|could|can|may|might|should|must|do|did|"
    r"say|said|told|think|believe|expect|fear|hope|want|warn|argue|see|saw|agree|"
    r"and|or|of|who|which|that|[a-z]+ing|[a-z]+ed)\b))\b"
)


_NOT_APPOSITIVE = frozenset(
    "according said says told and but or while as saying arguing adding in on at for "
    "with from to by after before since if when where than so".split()
)


def _role(text: str, entity: Entity) -> str:
    for start, end in entity.mentions[:3]:
        match = _APPOSITIVE.match(text, end)
        if not match:
            continue
        first = match.group(1).split()[0]
        if first in _NOT_APPOSITIVE or first.endswith("ing"):  # ", injecting drama into ..."
            continue
        if entity.kind is not StakeholderKind.PERSON and _after_preposition(text, start):
            continue  # "the reign of X at Fox News, one of the most storied runs": the reign's
        role = re.sub(r"^(?:who|which) ", "", match.group(1)).strip()
        if any(ch.isalnum() for ch in role):
            return role
    if entity.title:
        return entity.title
    start, end = min(entity.mentions)
    before = _LOWER_TITLE.search(text, max(start - 60, 0), start)
    if before and before.group(2).lower() in lexicon().person_titles:
        return before.group(1)
    for mention_start, mention_end in sorted(entity.mentions)[:3]:
        action = _action(text, mention_start, mention_end)
        if action:
            return action
    return f"appears in: “{_window(text, start, end)}”"


# A name after one of these is an object or part of a longer phrase ("cooperation between X and
# Y could ..."), so the verb that follows is not its own.
_NOT_SUBJECT = frozenset(
    "between and or of with to for from by against on in at over about among into than "
    "like via toward towards".split()
)


_NAME_GOES_ON = re.compile(r"[ \t]*[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,2}")


def _after_preposition(text: str, start: int) -> bool:
    previous = re.search(r"([\w'’-]+)\W*$", text[max(start - 30, 0) : start])
    return bool(previous and previous.group(1).lower() in _NOT_SUBJECT)


def _action(text: str, start: int, end: int) -> str | None:
    """What the mention does, when it is the subject of the verb right after it."""
    if _after_preposition(text, start):
        return None
    stop = min(sentence_bounds(text, start, end)[1], end + 160)
    follow = re.match(r"\s+((?:(?:\d[\d,.]*\d|[\w$][\w'’$-]*)\s*){3,12})", text[end:stop])
    if follow and _VERB_LIKE.match(follow.group(1)):
        phrase = follow.group(1).strip()
        # Do not stop inside a name: "... between Russia and North" goes on to "Korea".
        rest = _NAME_GOES_ON.match(text, end + follow.end(1))
        if phrase.split()[-1][:1].isupper() and rest and rest.end() <= stop:
            phrase += " " + rest.group().strip()
        return phrase
    return None


_LOWER_TITLE = re.compile(
    # "employment attorney", "the company's chief executive": up to three words before a
    # title, none of them a pronoun or preposition ("introduced her to employment attorney").
    r"(?<![\w'’-])((?:(?!(?:her|his|him|their|them|its|it|to|of|the|a|an|and|or|by|for|with|"
    r"from|in|on|at|as|said|says|told)\b)[a-z][\w'’-]*\s+){0,3}?([a-z]+))\s+$"
)


def _window(text: str, start: int, end: int, words: int = 7) -> str:
    """A few words either side of a mention, within its sentence."""
    left, right = sentence_bounds(text, start, end)
    before = re.findall(r"\S+\s*", text[left:start])
    after = re.findall(r"\s*\S+", text[end:right])
    prefix = "…" if len(before) > words else ""
    suffix = "…" if len(after) > words else ""
    window = "".join(before[-words:]) + text[start:end] + "".join(after[:words])
    return prefix + one_line(window) + suffix


_ON_RECORD = (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION)
# Between an actor and its verb: "'s spokesperson", "spokesman", "officials at the": a few words
# with no comma, period or clause word, so the actor is the one that declines.
_ACTOR_GAP = re.compile(r"(?:['’]s)?(?:\s+(?!(?:and|or|but|that|which|who)\b)[\w'’-]+){0,3}\s+")


def _stance(text: str, entity: Entity, profile: SourcingProfile) -> str:
    """What the stakeholder says, or what it would not say; only when the text shows it.

    A refusal counts when the stakeholder is the one refusing ("A ministry spokesman
    declined to ..."), not when it is merely near ("The person declined to say how Moscow
    ..."). A claim counts when the stakeholder makes it on the record, by name, or through
    its spokesperson; not when an unnamed source merely names it ("an assessment of a nation
    in the Group of Seven").
    """
    keys = {entity.name.lower(), *(a.lower() for a in entity.aliases)}
    ends = sorted(end for _, end in entity.mentions)
    for finding in profile.declined:
        # Only the nearest mention before the refusal can be its actor: a few words, no comma.
        nearest = bisect.bisect_right(ends, finding.start) - 1
        if nearest >= 0 and _ACTOR_GAP.fullmatch(text, ends[nearest], finding.start):
            return f"not stated: {finding.text}"
    for attribution in profile.attributions:
        source = _who(attribution).lower()
        if not any(k in source for k in keys):
            continue
        claim = one_line(
            text[attribution.sentence_start : attribution.sentence_end], 240, at_word=True
        )
        if attribution.kind in _ON_RECORD:
            return f"on the record: {claim}"
        if _SPOKESPERSON.search(source):  # "a State Department spokesperson" speaks for it
            return f"through a spokesperson: {claim}"
    return "not stated in the article"


_SPOKESPERSON = re.compile(r"\b(?:spokes(?:person|man|woman)|representative|press office)\b")


# --- open questions -------------------------------------------------------------------------


def _open_questions(text: str, profile: SourcingProfile, body: list[Span]) -> list[OpenQuestion]:
    questions: list[OpenQuestion] = []
    seen: set[str] = set()

    def add(question: str, why: str) -> None:
        key = question.lower()
        if key not in seen:
            seen.add(key)
            questions.append(
                OpenQuestion(
                    question=one_line(question, 300, at_word=True),
                    why_it_matters=one_line(why, 300, at_word=True),
                )
            )

    total = len(profile.attributions)
    anonymous = sum(1 for a in profile.attributions if a.kind is SourceKind.ANONYMOUS)
    if anonymous >= 2 and anonymous / max(total, 1) >= 0.3:
        add(
            "Who are the unnamed sources, and what do they stand to gain?",
            f"{anonymous} of {total} attributions in the article are anonymous, "
            "so their interests cannot be weighed.",
        )
    for finding in profile.declined[:2]:
        clause = _clause_around(text, finding.start, finding.end)
        if re.search(r"comment|respond|reached", finding.text, re.IGNORECASE):
            subject = _subject_before(text, finding.start) or "the party concerned"
            add(
                f"What is the response of {subject}?",
                f"The article records no answer (“{one_line(clause, 160, at_word=True)}”), "
                "so it gives one side.",
            )
        else:
            add(
                f"What are the details withheld in “{one_line(clause, 180, at_word=True)}”?",
                "A source chose not to give them; the claim cannot be checked without them.",
            )
    for finding in profile.unverified[:2]:
        clause = _clause_around(text, finding.start, finding.end)
        add(
            f"Can this be confirmed independently: “{one_line(clause, 180, at_word=True)}”?",
            "The article itself says the claim is not verified.",
        )
    hedged = sorted(profile.hedged, key=lambda f: (not any(c.isdigit() for c in f.text), f.start))
    for finding in hedged[:2]:
        add(
            f"What is the exact figure behind “{one_line(finding.text, 120, at_word=True)}”, "
            "and who counted it?",
            "A hedged or vague number cannot be checked or compared across reports.",
        )
    for span in body:
        if _UNCERTAIN.search(span.text):
            add(
                f"What is still unknown here: “{one_line(span.text, 200, at_word=True)}”?",
                "The article flags this as unresolved.",
            )
    return questions


def _clause_around(text: str, start: int, end: int) -> str:
    left, right = sentence_bounds(text, start, end)
    return one_line(text[left:right]).strip(" .")


def _subject_before(text: str, start: int) -> str | None:
    left = sentence_bounds(text, start)[0]
    subject = one_line(text[left:start]).strip(" ,")
    if not subject or len(subject) > 100:
        return None
    return subject[:1].lower() + subject[1:] if subject[:4] in ("The ", "A sp", "An ") else subject


# --- caveats --------------------------------------------------------------------------------

_CAVEAT_ORDER = {
    CaveatKind.ANONYMOUS_SOURCE: 0,
    CaveatKind.UNNAMED_INSTITUTION: 1,
    CaveatKind.SINGLE_SOURCE: 2,
    CaveatKind.DECLINED_COMMENT: 3,
    CaveatKind.UNVERIFIED_NUMBER: 4,
}


def _caveats(text: str, profile: SourcingProfile) -> list[SourcingCaveat]:
    caveats: list[SourcingCaveat] = []
    total = len(profile.attributions)
    for kind, source_kind, label in (
        (CaveatKind.ANONYMOUS_SOURCE, SourceKind.ANONYMOUS, "to anonymous sources"),
        (CaveatKind.UNNAMED_INSTITUTION, SourceKind.UNNAMED_INSTITUTION, "to unnamed institutions"),
    ):
        matching = [a for a in profile.attributions if a.kind is source_kind]
        introduced = [a for a in matching if not a.refers_back] or matching
        for i, (source, group) in enumerate(_group_by_source(introduced)[:3]):
            detail = f"Attributed to {source}"
            if i == 0:
                detail += f"; {len(matching)} of {total} attributions in the article go {label}"
            caveats.append(
                SourcingCaveat(
                    kind=kind,
                    detail=one_line(detail + ".", 400, at_word=True),
                    evidence=_evidence(text, group[0].start, group[0].end),
                )
            )
    seen_claims: set[tuple[str, str]] = set()
    for claim in profile.single_source:
        if (claim.source, claim.reason) in seen_claims or len(seen_claims) >= 2:
            continue
        seen_claims.add((claim.source, claim.reason))
        caveats.append(
            SourcingCaveat(
                kind=CaveatKind.SINGLE_SOURCE,
                detail=one_line(
                    f"Rests on a single source ({claim.source}): {claim.reason}.", 400, at_word=True
                ),
                evidence=_evidence(text, claim.sentence_start, claim.sentence_end),
            )
        )
    for finding in profile.declined[:3]:
        caveats.append(
            SourcingCaveat(
                kind=CaveatKind.DECLINED_COMMENT,
                detail=one_line(
                    f"Comment declined or details withheld: “{finding.text}”.", 400, at_word=True
                ),
                evidence=_evidence(text, finding.start, finding.end, widen=True),
            )
        )
    for finding in profile.unverified[:2]:
        clause = _clause_around(text, finding.start, finding.end)
        caveats.append(
            SourcingCaveat(
                kind=CaveatKind.UNVERIFIED_NUMBER
                if _NUMBER.search(clause)
                else CaveatKind.SINGLE_SOURCE,
                detail="The article says this is unverified or disputed.",
                evidence=_evidence(text, finding.start, finding.end, widen=True),
            )
        )
    for finding in profile.hedged[:3]:
        caveats.append(
            SourcingCaveat(
                kind=CaveatKind.UNVERIFIED_NUMBER,
                detail=one_line(
                    f"A hedged or vague quantity: “{finding.text}”.", 400, at_word=True
                ),
                evidence=_evidence(text, finding.start, finding.end, widen=True),
            )
        )
    return _round_robin(caveats, MAX_CAVEATS)


def _round_robin(caveats: list[SourcingCaveat], limit: int) -> list[SourcingCaveat]:
    """Keep every kind represented when there are more caveats than room."""
    by_kind: dict[CaveatKind, list[SourcingCaveat]] = {}
    for caveat in caveats:
        by_kind.setdefault(caveat.kind, []).append(caveat)
    chosen: list[SourcingCaveat] = []
    depth = 0
    while len(chosen) < min(limit, len(caveats)):
        for group in by_kind.values():
            if depth < len(group) and len(chosen) < limit:
                chosen.append(group[depth])
        depth += 1
    return sorted(chosen, key=lambda c: (_CAVEAT_ORDER.get(c.kind, 9), caveats.index(c)))


def _group_by_source(attributions: list[Attribution]) -> list[tuple[str, list[Attribution]]]:
    groups: dict[str, list[Attribution]] = {}
    names: dict[str, str] = {}
    for attribution in attributions:
        key = attribution.source.lower()
        groups.setdefault(key, []).append(attribution)
        names.setdefault(key, attribution.source)
    return sorted(
        ((names[k], g) for k, g in groups.items()), key=lambda p: (-len(p[1]), p[1][0].start)
    )


def _evidence(text: str, start: int, end: int, *, widen: bool = False) -> str:
    """A verbatim span for a caveat: the finding, widened to its clause when asked."""
    if widen:
        left, right = sentence_bounds(text, start, end)
        while left < start and text[left] in ' \n"“':
            left += 1
        if right - left <= 600:
            start, end = left, right
    span = text[start:end].strip()
    return span if len(span) <= 600 else span[:600].rsplit(" ", 1)[0]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"
