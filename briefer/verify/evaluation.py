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
* **Unnamed precision**: of the attributions the sourcing analysis calls anonymous or an
  unnamed institution, and the editor labelled either way, the share the editor labelled
  anonymous rather than a named source or a role reference to a named party ("the company
  said" after the company is named).
* **Named-source recall**: labelled named-source phrases that an attribution to a named person
  or organisation overlaps.
* **Declined-comment recall**, **hedged-number precision and recall**: labelled spans against
  the envelope's `sourcing` spans (overlap).
* **Length**: words of the brief as Markdown over words of the article, a word being a run
  without spaces that holds a letter or a digit, so table pipes, dashes and check marks do not
  count (reported for every article; the target applies to articles over 400 words).
* **Grounded**: the share of the brief's quotes found in the article (`verification`).

The label format and the scoring of one brief are in `briefer.verify.labels`; this module runs
them over many articles, switches rules off (`ablate`) and reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefer.errors import BrieferError, InputError
from briefer.text import one_line
from briefer.verify.labels import (
    LONG_ARTICLE_WORDS,
    ArticleScore,
    Ratio,
    _round,
    article_path,
    load_labels,
    score_brief,
)

if TYPE_CHECKING:
    from briefer.core import Briefer

# --- scores -----------------------------------------------------------------------------------


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
    "unnamed_precision": ("unnamed P", True),
    "named_source_recall": ("named R", True),
    "declined_recall": ("declined R", True),
    "hedged_precision": ("hedged P", True),
    "hedged_recall": ("hedged R", True),
    "length": ("length", False),
    "grounded": ("grounded", True),
}


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

    def worded(self, word: Callable[[BrieferError], str]) -> Report:
        """A copy whose articles that failed give their error as `word` words it (a caller's
        own names for the settings a fix names), on one line; the others are shared."""
        scores = [
            s if s.failure is None else replace(s, error=one_line(word(s.failure)))
            for s in self.articles
        ]
        return replace(self, articles=scores)

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
