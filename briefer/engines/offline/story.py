"""The story brief: one brief for a story several outlets tell, built from their comparison.

Deterministic and model-free, so it serves every engine (and is what a model's story brief
falls back to):

* **Headline**: the outlet's headline that shares the most words with the facts the outlets
  agree on (the first outlet's on a tie, or when they agree on nothing).
* **Differ**: the comparison's conflicts, all of them (the comparer keeps only values that
  cannot both be true). A sentence quoted in a conflict is not shown again below.
* **Agreed**: the facts two or more outlets report, those every outlet reports first, in the
  order of the first outlet's article; at most `MAX_AGREED`. Each fact once, with one checked
  quote per outlet (the comparison's).
* **Only one**: what only one outlet reports, taken in turn from each outlet (each outlet's
  most important first, as the comparer ranks them), at most `MAX_ONLY_ONE_EACH` an outlet
  and `MAX_ONLY_ONE` in all; how many more there are is kept.
* **Who is involved**: the stakeholders any outlet's brief names, those more outlets name
  first; at most `MAX_STAKEHOLDERS`.
* **Sourcing**: per outlet, its attributions (named, anonymous, unnamed institutions), comment
  declined, and the news outlets it attributes claims to ("cites Reuters"; "relies on" when
  they hold half its attributions or more).
"""

from __future__ import annotations

from collections import Counter

from briefer.analysis.sourcing import analyze_sourcing
from briefer.analysis.words import is_news_outlet
from briefer.engines import Engine, StoryWriter
from briefer.errors import BrieferError
from briefer.schema.comparison import Comparison, SharedFact, SourcingSide
from briefer.schema.story import OutletSourcing, StoryBrief
from briefer.text import one_line
from briefer.text.lexicon import content_words
from briefer.verify.coverage import Compared

MAX_AGREED = 6
MAX_ONLY_ONE_EACH = 2
MAX_ONLY_ONE = 4
MAX_STAKEHOLDERS = 8
MAX_CITED = 3
RELIES_ON = 0.5  # share of an outlet's attributions that go to other outlets


def story_offline(comparison: Comparison, items: list[Compared]) -> StoryBrief:
    """One brief for the story `items` tell, from their comparison."""
    # A sentence an outlet is quoted by in a conflict is shown there, not again.
    in_conflict = {(q.source, q.text) for c in comparison.conflicts for q in c.quotes}

    def shown_elsewhere(fact: SharedFact) -> bool:
        return any((q.source, q.text) in in_conflict for q in fact.quotes)

    partial = sorted(comparison.partial, key=lambda f: -len(f.sources))
    agreed = [f for f in [*comparison.agreed, *partial] if not shown_elsewhere(f)][:MAX_AGREED]
    unique = [f for f in comparison.unique if not shown_elsewhere(f)]
    only_one = _in_turn(unique)
    return StoryBrief(
        created_at=comparison.created_at,
        engine=comparison.engine,
        model=comparison.model,
        prompt=None,
        headline=_headline(items, agreed),
        sources=comparison.sources,
        agreed=agreed,
        differ=comparison.conflicts,
        only_one=only_one,
        only_one_more=len(unique) - len(only_one),
        stakeholders=comparison.stakeholders[:MAX_STAKEHOLDERS],
        sourcing=outlets_sourcing(comparison, items),
        usage=comparison.usage,
        warnings=comparison.warnings,
    )


def outlets_sourcing(comparison: Comparison, items: list[Compared]) -> list[OutletSourcing]:
    """How each outlet sources the story (whichever engine compared them)."""
    return [
        _outlet_sourcing(side, item, comparison.sources[side.source].label)
        for side, item in zip(comparison.sourcing, items, strict=True)
    ]


def _headline(items: list[Compared], agreed: list[SharedFact]) -> str:
    """The outlet headline closest to what the outlets agree on."""
    agreed_words = Counter(w.lower() for f in agreed for w in content_words(f.statement))
    best, best_score = items[0].envelope.brief.headline, 0
    for item in items:
        headline = item.envelope.brief.headline
        score = sum(agreed_words[w.lower()] > 0 for w in set(content_words(headline)))
        if score > best_score:
            best, best_score = headline, score
    return best


def _in_turn(unique: list[SharedFact]) -> list[SharedFact]:
    """Facts only one outlet reports: each outlet's first, then each one's second, ..."""
    by_source: dict[int, list[SharedFact]] = {}
    for fact in unique:
        by_source.setdefault(fact.sources[0], []).append(fact)
    out: list[SharedFact] = []
    for depth in range(MAX_ONLY_ONE_EACH):
        for source in sorted(by_source):
            facts = by_source[source]
            if depth < len(facts) and len(out) < MAX_ONLY_ONE:
                out.append(facts[depth])
    return out


def _outlet_sourcing(side: SourcingSide, item: Compared, own_label: str) -> OutletSourcing:
    """How one outlet sources the story, counted and said in a line."""
    cited: Counter[str] = Counter()
    for attribution in analyze_sourcing(item.text).attributions:
        name = (attribution.refers_to or attribution.source).removeprefix("the ").strip()
        if is_news_outlet(name) and name.lower() != own_label.lower():
            cited[name] += 1
    cites = [name for name, _ in cited.most_common(MAX_CITED)]
    return OutletSourcing(source=side.source, line=_line(side, cited), cites=cites, counts=side)


def _line(side: SourcingSide, cited: Counter[str]) -> str:
    """ "7 attributions: 5 named, 2 anonymous; comment declined once; cites Reuters"."""
    if not side.attributions:
        parts = ["no attributions"]
    else:
        kinds = [
            f"{side.named} named" if side.named else "",
            f"{side.anonymous} anonymous" if side.anonymous else "",
            _count(side.unnamed_institution, "unnamed institution"),
        ]
        said = ", ".join(k for k in kinds if k)
        parts = [f"{_count(side.attributions, 'attribution')}" + (f": {said}" if said else "")]
    if side.declined_comment:
        times = "once" if side.declined_comment == 1 else f"{side.declined_comment} times"
        parts.append(f"comment declined {times}")
    if cited:
        names = ", ".join(name for name, _ in cited.most_common(MAX_CITED))
        relies = side.attributions and sum(cited.values()) >= RELIES_ON * side.attributions
        parts.append(("relies on " if relies else "cites ") + names)
    return "; ".join(parts)


def _count(n: int, noun: str) -> str:
    return "" if not n else f"1 {noun}" if n == 1 else f"{n} {noun}s"


def story_of(engine: Engine, items: list[Compared], *, strict: bool = False) -> StoryBrief:
    """The story brief of compared articles: the engine's own when it writes one (the LLM
    engine's story request), else built from the engine's comparison. When the engine's
    request fails, the offline story brief stands in, with a warning saying why. In strict
    mode, what the engine quoted that is not in its own outlet's article is dropped."""
    if isinstance(engine, StoryWriter):
        what, write = "story request", engine.story
        instead = "this story brief is the offline engine's"
    else:
        what, instead = "comparison", "the offline comparer's"

        def write(items: list[Compared]) -> StoryBrief:
            return story_offline(engine.compare(items), items)

    try:
        story = write(items)
    except BrieferError as exc:
        from briefer.engines.offline.compare import compare_offline

        story = story_offline(compare_offline(items), items)
        why = one_line(str(exc), 200, at_word=True)
        note = f"the {engine.name} {what} failed ({why}); {instead}"
        return story.model_copy(update={"warnings": [note, *story.warnings]})
    if strict:
        from briefer.verify.coverage import verified_only

        story = verified_only(story)
    return story
