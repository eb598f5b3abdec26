"""Score briefs against an editor's labels (`briefer eval`).

A label file (`NAME.labels.json`, format in the README) says how a careful editor reads one
article: its key facts with verbatim quotes, its stakeholders, every anonymous attribution,
named sources, role references to named people, declined comment and hedged numbers.

Every metric is a ratio of counts (`Ratio`), so totals over many articles weigh each labelled
item once (micro-averaged). The rules:

* **Key-fact recall**: a labelled fact is found when one brief fact's evidence holds more than
  half of the content words and numbers of the label's quote.
* **Stakeholders**: a brief stakeholder matches a labelled one when their normalised names are
  equal (aliases count; titles in front and "the" left out, so "President Trump" is "Trump";
  a country is its government, so "Afghanistan" is "the Afghan government"),
  or one name's words hold the other's and both end in the same word ("Yoon" ~ "Yoon Suk
  Yeol" does not, "employees" ~ "former employees" does); recall, precision, and recall of
  the stakeholders the editor marked central.
* **Role quality**: the share of brief roles that are empty ("not stated"), or a phrase of the
  article of at most eight words that names a title or function (a title from the lexicon, or a
  word the editor's role for that stakeholder also uses).
* **Anonymous-source recall (in the brief)**: a labelled anonymous phrase counts when a caveat
  about anonymous, unnamed or single sources shows it: its evidence, or a span its detail
  quotes, stands in the article overlapping the phrase.
* **False-anonymous rate**: the share of labelled role references to named people ("the
  president said", "he told reporters") that the sourcing analysis calls anonymous.
* **Named-source recall**: labelled named-source phrases that an attribution to a named person
  or organisation overlaps.
* **Declined-comment recall**, **hedged-number precision and recall**: labelled spans against
  the envelope's `sourcing` spans (overlap).
* **Length**: words of the brief as Markdown over words of the article, a word being a run
  without spaces that holds a letter or a digit, so table pipes, dashes and check marks do not
  count (reported for every article; the target applies to articles over 400 words).
* **Grounded**: the share of the brief's quotes found in the article (`verification`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefer.analysis.sourcing import SourceKind, SourcingProfile
from briefer.errors import BrieferError, InputError
from briefer.schema import NOT_STATED, REPORTER, CaveatKind, Envelope, KeyFact
from briefer.text import one_line, words
from briefer.text.lexicon import STOP_WORDS, lexicon

if TYPE_CHECKING:
    from briefer.core import Briefer

LONG_ARTICLE_WORDS = 400
MAX_ROLE_WORDS = 8
MAX_LABEL_BYTES = 2_000_000

# --- the label format ------------------------------------------------------------------------


class _Labels(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LabelledFact(_Labels):
    """A fact an editor expects in the brief, with the quote that supports it."""

    fact: str
    quote: str
    attribution: str = ""


class LabelledStakeholder(_Labels):
    """A stakeholder an editor expects, with the other names the article uses."""

    name: str
    aliases: list[str] = Field(default_factory=list)
    kind: str = ""
    role: str = ""
    central: bool = False


class NamedSource(_Labels):
    """An identified source and a span of the article where it is cited."""

    name: str
    phrase: str


class Labels(_Labels):
    """An editor's labels for one article (README: "Labels for `briefer eval`")."""

    article: str
    key_facts: list[LabelledFact] = Field(default_factory=list)
    stakeholders: list[LabelledStakeholder] = Field(default_factory=list)
    anonymous_source_phrases: list[str] = Field(default_factory=list)
    named_sources: list[NamedSource] = Field(default_factory=list)
    role_references_to_named: list[str] = Field(default_factory=list)
    declined_comment: list[str] = Field(default_factory=list)
    hedged_numbers: list[str] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    kind_of_piece: str = ""
    notes: str = ""


def load_labels(path: Path) -> Labels:
    """Read one label file; a file that is not one is an `InputError` saying why."""
    try:
        if path.stat().st_size > MAX_LABEL_BYTES:
            raise InputError(f"{path}: larger than {MAX_LABEL_BYTES:,} bytes; not a label file")
        return Labels.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"]) or "the file"
        raise InputError(
            f"{path}: not a label file ({where}: {problem['msg']})",
            fix="see the label format in the README",
        ) from None


def label_files(given: Iterable[Path]) -> list[Path]:
    """The label files named, a folder standing for its `*.labels.json` files, sorted."""
    out: list[Path] = []
    for path in given:
        if path.is_dir():
            found = sorted(path.glob("*.labels.json"))
            if not found:
                raise InputError(f"{path}: holds no *.labels.json files")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return out


def article_path(label_file: Path, labels: Labels, folders: Iterable[Path] = ()) -> Path:
    """Where the labelled article is: in `folders`, beside the labels, or in ../corpus.

    The label names a file, never a path: a name with a folder in it is refused.
    """
    name = labels.article
    if not name or Path(name).name != name or name in {".", ".."}:
        raise InputError(f"{label_file}: article {name!r} is not a plain file name")
    here = label_file.parent
    for folder in [*folders, here, here.parent / "corpus", here.parent / "articles"]:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise InputError(
        f"{label_file}: article {name} not found beside the labels or in ../corpus",
        fix="give the folder that holds it with {articles}",
    )


# --- scores -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    """`hits` of `total`; None when there is nothing to count."""

    hits: float
    total: float

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.hits + other.hits, self.total + other.total)


# name -> (label, higher is better)
METRICS: dict[str, tuple[str, bool]] = {
    "key_fact_recall": ("key facts R", True),
    "attribution": ("who asserts", True),
    "stakeholder_recall": ("stakeholders R", True),
    "stakeholder_precision": ("stakeholders P", True),
    "central_recall": ("central R", True),
    "role_quality": ("roles", True),
    "anonymous_recall": ("anonymous R", True),
    "false_anonymous": ("false anon", False),
    "named_source_recall": ("named R", True),
    "declined_recall": ("declined R", True),
    "hedged_precision": ("hedged P", True),
    "hedged_recall": ("hedged R", True),
    "length": ("length", False),
    "grounded": ("grounded", True),
}


@dataclass
class ArticleScore:
    """The scores of one brief against its labels (or why it could not be briefed)."""

    name: str
    words: int = 0
    metrics: dict[str, Ratio] = field(default_factory=dict)
    error: str | None = None
    failure: BrieferError | None = None  # the error, for a caller to word in its own terms


@dataclass
class Report:
    """Every article's scores and their totals."""

    engine: str
    model: str | None
    articles: list[ArticleScore]

    def totals(self) -> dict[str, Ratio]:
        """Each metric summed over the articles (length: only articles over 400 words)."""
        out: dict[str, Ratio] = {}
        for score in self.articles:
            for name, ratio in score.metrics.items():
                if name == "length" and score.words <= LONG_ARTICLE_WORDS:
                    continue
                out[name] = out.get(name, Ratio(0, 0)) + ratio
        return out

    def to_json(self) -> dict[str, Any]:
        """The report as JSON data (what `--baseline` reads back)."""

        def values(metrics: dict[str, Ratio]) -> dict[str, float | None]:
            return {name: _round(r.value) for name, r in metrics.items()}

        return {
            "engine": self.engine,
            "model": self.model,
            "totals": values(self.totals()),
            "articles": [
                {"article": s.name, "words": s.words, "error": s.error, **values(s.metrics)}
                for s in self.articles
            ],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def evaluate(briefer: Briefer, label_paths: list[Path], *, articles: Iterable[Path] = ()) -> Report:
    """Brief every labelled article with `briefer` and score each brief; nothing is skipped.

    An article that cannot be read or briefed is listed with its reason.
    """
    from briefer.inputs import load_article

    folders = list(articles)
    scores = []
    for path in label_paths:
        name = path.name.removesuffix(".labels.json")
        try:
            labels = load_labels(path)
            article = load_article(article_path(path, labels, folders), briefer.load_options)
            envelope = briefer.brief(article)
        except BrieferError as exc:
            scores.append(ArticleScore(name, error=one_line(str(exc)), failure=exc))
            continue
        scores.append(score_brief(name, envelope, article.text, labels))
    return Report(briefer.engine.name, briefer.engine.model, scores)


@dataclass(frozen=True)
class Ablation:
    """What one rule earns: each metric's total with the rule on minus with it off, and how
    many articles its switching off changes."""

    rule: str
    handles: str
    changed: int
    deltas: dict[str, float]


def ablate(
    briefer: Briefer, label_paths: list[Path], *, articles: Iterable[Path] = ()
) -> list[Ablation]:
    """Evaluate once with every rule, then once per rule with that rule switched off.

    `briefer` must not read a store: a stored brief was made with every rule on.
    """
    from briefer.analysis.rules import RULES, switched_off

    if briefer.store is not None:
        raise ValueError("ablation needs a Briefer without a store")
    folders = list(articles)
    full = evaluate(briefer, label_paths, articles=folders)
    totals = full.totals()
    out = []
    for rule in RULES:
        with switched_off(rule.name):
            without = evaluate(briefer, label_paths, articles=folders)
        deltas = {}
        for name, ratio in without.totals().items():
            on, off = totals[name].value, ratio.value
            if on is not None and off is not None and round(on - off, 3):
                deltas[name] = on - off
        changed = sum(
            a.metrics != b.metrics for a, b in zip(full.articles, without.articles, strict=True)
        )
        out.append(Ablation(rule.name, rule.handles, changed, deltas))
    return out


def render_ablation(ablations: list[Ablation]) -> str:
    """The ablation as a Markdown table: per rule, what switching it off costs (+ is earned)."""
    names = [n for n in METRICS if any(n in a.deltas for a in ablations)]
    head = ["rule", "handles", "articles changed", *(METRICS[n][0] for n in names)]
    lines = [
        "What each rule earns: the metric with the rule on minus with it off "
        "(for false anon and length, lower is better).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for a in ablations:
        cells = [f"{a.deltas[n]:+.3f}" if n in a.deltas else "" for n in names]
        lines.append(f"| {a.rule} | {a.handles} | {a.changed} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def score_brief(name: str, envelope: Envelope, text: str, labels: Labels) -> ArticleScore:
    """Score one brief of `text` against its labels."""
    from briefer.analysis.sourcing import analyze_sourcing
    from briefer.renderers import render_markdown

    brief = envelope.brief
    profile = analyze_sourcing(text)
    words = count_words(text)
    metrics = {
        "key_fact_recall": _key_fact_recall(labels, [f.evidence for f in brief.key_facts]),
        "attribution": _attribution_agreement(labels, brief.key_facts),
        **stakeholder_scores(labels, [(s.name, s.role) for s in brief.stakeholders], text),
        "anonymous_recall": _anonymous_recall(labels, envelope, text),
        "false_anonymous": _false_anonymous(labels, profile, text),
        "named_source_recall": _named_recall(labels, profile, text),
        "declined_recall": _span_recall(
            text, labels.declined_comment, _spans(envelope.sourcing.declined_comment)
        ),
        "hedged_recall": _span_recall(
            text, labels.hedged_numbers, _spans(envelope.sourcing.hedged_numbers)
        ),
        "hedged_precision": _span_precision(
            text, labels.hedged_numbers, _spans(envelope.sourcing.hedged_numbers)
        ),
        "length": Ratio(count_words(render_markdown(envelope)), words),
        "grounded": Ratio(envelope.verification.grounded_ratio, 1),
    }
    return ArticleScore(name, words, metrics)


def count_words(text: str) -> int:
    """Words as a reader counts them (`briefer.text.words`, as an article's own count):
    Markdown's table pipes, dashes and check marks are not words; "U.S." and "$4.5m" are."""
    return len(words(text))


# --- the rules --------------------------------------------------------------------------------

_TOKEN = re.compile(r"\d[\d,.]*\d|\d|[^\W\d_][\w'’-]*")


def _tokens(text: str) -> set[str]:
    """Content words (three letters or more, stop words out) and numbers, lower case."""
    out = set()
    for token in _TOKEN.findall(text.lower().replace("’", "'")):
        token = token.rstrip("'").removesuffix("'s")
        if token[:1].isdigit() or (len(token) >= 3 and token not in STOP_WORDS):
            out.add(token)
    return out


def _key_fact_recall(labels: Labels, evidence: list[str]) -> Ratio:
    held = [_tokens(e) for e in evidence]
    found = 0
    for fact in labels.key_facts:
        want = _tokens(fact.quote)
        if want and any(len(want & have) > len(want) / 2 for have in held):
            found += 1
    return Ratio(found, len(labels.key_facts))


def _attribution_agreement(labels: Labels, facts: Sequence[KeyFact]) -> Ratio:
    """Of the editor's key facts the brief found, how many it credits to the same source.

    Both say the reporter (an editor's "the reporter (citing ...)" counts), or both name the
    source with a word in common ("the people" and "people familiar with the matter").
    """
    agreed = matched = 0
    for fact in labels.key_facts:
        want = _tokens(fact.quote)
        ours = next(
            (f for f in facts if want and len(want & _tokens(f.evidence)) > len(want) / 2), None
        )
        if ours is None:
            continue
        matched += 1
        theirs = fact.attribution.lower()
        if ours.attribution.lower().startswith(REPORTER):
            agreed += "reporter" in theirs
        else:
            agreed += bool(_source_words(ours.attribution) & _source_words(theirs))
    return Ratio(agreed, matched)


_NOT_SOURCE_WORDS = frozenset(
    "the and for with from reporter said says citing unnamed unspecified".split()
)


def _source_words(source: str) -> set[str]:
    """The words that say who a source is ("officials", "people", "Kennedy"), lower case."""
    found = re.findall(r"[^\W\d_][\w'’-]{2,}", source.lower())
    return {w.removesuffix("'s").removesuffix("’s") for w in found} - _NOT_SOURCE_WORDS


def _norm(name: str) -> str:
    name = name.lower().replace("’", "'")
    name = re.sub(r"^the\s+", "", name)
    name = re.sub(r"'s\b", "", name)
    return " ".join(re.findall(r"[\w&]+", name))


def _name_words(name: str) -> list[str]:
    """A name's words, without the titles in front of it ("President Trump" is "Trump")."""
    words = _norm(name).split()
    titles = lexicon().person_titles
    while len(words) > 1 and words[0] in titles:
        words = words[1:]
    return words


_GOVERNMENT = re.compile(r"^(?:the\s+)?(.+?)(?:['’]s)?\s+(?:government|administration)$", re.I)


def _country(name: str) -> str | None:
    """The country a name stands for as a government: "Afghanistan", "the Afghan government"."""
    lex = lexicon()
    key = name.lower().removeprefix("the ").strip()
    if key in lex.country_of:
        return lex.country_of[key]
    match = _GOVERNMENT.match(name.strip())
    if match:
        head = match.group(1).lower().removeprefix("the ")
        return lex.country_of.get(head) or lex.demonym_of.get(head)
    return None


def names_match(predicted: str, names: list[str]) -> bool:
    """Whether a brief's stakeholder name is one of a labelled stakeholder's names.

    A country stands for its government: "Afghanistan" is "the Afghan government".
    """
    country = _country(predicted)
    if country is not None and any(_country(name) == country for name in names):
        return True
    p_words = _name_words(predicted)
    for name in names:
        n_words = _name_words(name)
        if p_words == n_words:
            return True
        if not p_words or not n_words or p_words[-1] != n_words[-1]:
            continue
        # One name's words within the other's, the same last word: "former employees" is
        # "employees"; a bare surname is not a full name (it matches only as an alias).
        if (len(p_words) > 1 or predicted.islower()) and set(p_words) <= set(n_words):
            return True  # a bare common noun ("lawmakers") is "US lawmakers"; a surname is not
        if set(n_words) <= set(p_words):
            return True
    return False


def stakeholder_scores(
    labels: Labels, predicted: list[tuple[str, str]], text: str
) -> dict[str, Ratio]:
    groups = [[s.name, *s.aliases] for s in labels.stakeholders]
    matched = [any(names_match(p, names) for p, _ in predicted) for names in groups]
    correct = [
        next((i for i, names in enumerate(groups) if names_match(p, names)), None)
        for p, _ in predicted
    ]
    central = [m for m, s in zip(matched, labels.stakeholders, strict=True) if s.central]
    good_roles = sum(
        _good_role(role, labels.stakeholders[i].role if i is not None else "", text)
        for (_, role), i in zip(predicted, correct, strict=True)
    )
    return {
        "stakeholder_recall": Ratio(sum(matched), len(groups)),
        "stakeholder_precision": Ratio(sum(i is not None for i in correct), len(predicted)),
        "central_recall": Ratio(sum(central), len(central)),
        "role_quality": Ratio(good_roles, len(predicted)),
    }


def _good_role(role: str, editor_role: str, text: str) -> bool:
    role = one_line(role)
    if role.lower() in ("", NOT_STATED):
        return True
    words = role.split()
    if len(words) > MAX_ROLE_WORDS or _norm(role) not in _norm(text):
        return False
    titles = lexicon().person_titles
    lowered = {w.lower().strip(",.") for w in words}
    if lowered & titles or any(t in role.lower() for t in titles if " " in t):
        return True
    return bool(_tokens(role) & _tokens(editor_role))


def _locate(text: str, phrase: str) -> tuple[int, int] | None:
    at = text.find(phrase)
    if at < 0:
        squeezed = one_line(phrase)
        at = text.find(squeezed)
        phrase = squeezed
    return None if at < 0 else (at, at + len(phrase))


def _overlaps(span: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def _spans(refs: Iterable[Any]) -> list[tuple[int, int]]:
    return [(r.start, r.end) for r in refs]


def _span_recall(text: str, phrases: list[str], spans: list[tuple[int, int]]) -> Ratio:
    located = [s for s in (_locate(text, p) for p in phrases) if s is not None]
    return Ratio(sum(_overlaps(s, spans) for s in located), len(located))


def _span_precision(text: str, phrases: list[str], spans: list[tuple[int, int]]) -> Ratio:
    located = [s for s in (_locate(text, p) for p in phrases) if s is not None]
    return Ratio(sum(_overlaps(s, located) for s in spans), len(spans))


_ANONYMOUS_CAVEATS = (
    CaveatKind.ANONYMOUS_SOURCE,
    CaveatKind.UNNAMED_INSTITUTION,
    CaveatKind.SINGLE_SOURCE,
)


def _anonymous_recall(labels: Labels, envelope: Envelope, text: str) -> Ratio:
    caveats = [c for c in envelope.brief.sourcing_caveats if c.kind in _ANONYMOUS_CAVEATS]
    pieces = [c.evidence for c in caveats]
    pieces += [q for c in caveats for q in _QUOTED.findall(c.detail)]
    shown = [span for piece in pieces for span in _occurrences(text, piece)]
    found = total = 0
    for phrase in labels.anonymous_source_phrases:
        span = _locate(text, phrase)
        if span is None:
            continue
        total += 1
        found += _overlaps(span, shown)
    return Ratio(found, total)


_QUOTED = re.compile(r"“([^”]{3,})”")


def _occurrences(text: str, piece: str) -> list[tuple[int, int]]:
    """Every place `piece` stands in `text`, whatever whitespace separates its words."""
    words = piece.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def _false_anonymous(labels: Labels, profile: SourcingProfile, text: str) -> Ratio:
    anonymous = [(a.start, a.end) for a in profile.attributions if a.kind is SourceKind.ANONYMOUS]
    located = [s for s in (_locate(text, p) for p in labels.role_references_to_named) if s]
    return Ratio(sum(_overlaps(s, anonymous) for s in located), len(located))


def _named_recall(labels: Labels, profile: SourcingProfile, text: str) -> Ratio:
    named = [
        (a.start, a.end)
        for a in profile.attributions
        if a.kind in (SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION)
    ]
    return _span_recall(text, [n.phrase for n in labels.named_sources], named)


# --- the report for people --------------------------------------------------------------------


def render_report(report: Report, baseline: dict[str, Any] | None = None) -> str:
    """The per-article table and the totals in Markdown; with a baseline, the change."""
    names = list(METRICS)
    head = ["article", "words", *(METRICS[n][0] for n in names)]
    lines = [
        f"# Evaluation: {report.engine}" + (f" ({report.model})" if report.model else ""),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for score in report.articles:
        if score.error:
            lines.append(f"| {score.name} | failed: {score.error} |" + " |" * (len(head) - 2))
            continue
        cells = [_cell(score.metrics.get(n)) for n in names]
        lines.append(f"| {score.name} | {score.words:,} | " + " | ".join(cells) + " |")
    totals = report.totals()
    lines.append("| **all** | | " + " | ".join(_cell(totals.get(n)) for n in names) + " |")
    failed = sum(1 for s in report.articles if s.error)
    lines += ["", f"{len(report.articles)} articles, {failed} failed."]
    if baseline is not None:
        lines += ["", "Change from the baseline (totals):", ""]
        before = baseline.get("totals", {})
        for name in names:
            now, then = _round(totals[name].value) if name in totals else None, before.get(name)
            lines.append(f"- {METRICS[name][0]}: {_change(then, now, METRICS[name][1])}")
    return "\n".join(lines) + "\n"


def _cell(ratio: Ratio | None) -> str:
    value = None if ratio is None else ratio.value
    return "–" if value is None else f"{value:.2f}"


def _change(then: float | None, now: float | None, higher_is_better: bool) -> str:
    if then is None or now is None:
        return f"{_fmt(then)} → {_fmt(now)}"
    delta = now - then
    if abs(delta) < 0.0005:
        return f"{now:.3f} (unchanged)"
    better = (delta > 0) == higher_is_better
    return f"{then:.3f} → {now:.3f} ({delta:+.3f}, {'better' if better else 'worse'})"


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def read_baseline(path: Path) -> dict[str, Any]:
    """A report saved with `briefer eval --format json`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(f"{path}: not JSON; give a report saved with the JSON format") from None
    if not isinstance(data, dict) or not isinstance(data.get("totals"), dict):
        raise InputError(f"{path}: not an evaluation report (no totals)")
    return data
