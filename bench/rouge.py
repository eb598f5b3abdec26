"""Key-fact selection against editors' highlights: ROUGE of the offline engine versus Lead-3.

    pip install '.[bench]'
    python bench/rouge.py [FOLDER] [--order rank|article] [--per-article FILE.json]

FOLDER holds `<id>.txt` (an article) and `<id>.ref` (its outlet's highlights, one a line);
the default is ../shared/cnndm (CNN/DailyMail test articles, read at run time, never copied).

What is scored, per article, with Google's `rouge-score` (F1, Porter stemmer):
* Lead-3: the article's first three sentences, as split by `briefer.text.sentences`.
* Facts: the brief's key-fact statements in rank order (or in article order with
  `--order article`), cut to the same number of words as that article's Lead-3, so that saying
  more earns nothing.
Both are split into sentences by the same splitter, one a line, for ROUGE-Lsum.

Reported: the mean of each system, the mean paired difference (facts - Lead-3) with a 95 %
bootstrap interval (10,000 resamples, fixed seed), the share of articles where the facts win,
lose and tie, the words per brief (key facts, and the whole Markdown brief) and the briefs per
second.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "cnndm"
METRICS = ("rouge1", "rouge2", "rougeLsum")
LABELS = {"rouge1": "R1", "rouge2": "R2", "rougeLsum": "RLsum"}
RESAMPLES = 10_000


@dataclass
class Scored:
    """One article's scores: Lead-3's and the facts', per metric (F1 x 100)."""

    name: str
    lead: dict[str, float]
    facts: dict[str, float]
    fact_words: int
    markdown_words: int


def lead3(text: str) -> list[str]:
    """The first three sentences, by the splitter the engine uses."""
    from briefer.text import sentences

    return [s.text for s in sentences(text)[:3]]


def cut_to_words(lines: list[str], budget: int) -> list[str]:
    """`lines` kept in order until `budget` words, the last one cut at a word."""
    out: list[str] = []
    left = budget
    for line in lines:
        words = line.split()
        if left <= 0:
            break
        out.append(" ".join(words[:left]))
        left -= len(words)
    return out


def as_lsum(lines: list[str]) -> str:
    """Lines re-split into sentences, one a line (what ROUGE-Lsum expects)."""
    from briefer.text import sentences

    return "\n".join(s.text for line in lines for s in sentences(line))


def paired_interval(diffs: list[float], seed: int = 1) -> tuple[float, float]:
    """A 95 % percentile bootstrap interval of the mean of `diffs`."""
    rng = random.Random(seed)
    n = len(diffs)
    means = sorted(sum(rng.choices(diffs, k=n)) / n for _ in range(RESAMPLES))
    return means[int(0.025 * RESAMPLES)], means[int(0.975 * RESAMPLES) - 1]


def score_folder(folder: Path, order: str) -> tuple[list[Scored], float]:
    """Score every article in `folder`; also return the seconds spent briefing."""
    from rouge_score import rouge_scorer

    from briefer import Briefer, article_from_text, render_markdown

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    briefer = Briefer(engine="offline")  # no store: every article briefed afresh
    out: list[Scored] = []
    briefing = 0.0
    for path in sorted(folder.glob("*.txt")):
        ref_path = path.with_suffix(".ref")
        if not ref_path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        reference = "\n".join(line.strip() for line in ref_path.read_text().splitlines() if line)
        article = article_from_text(text, source=path.name)
        t0 = time.perf_counter()
        envelope = briefer.brief(article)
        briefing += time.perf_counter() - t0
        lead = lead3(article.text)
        budget = sum(len(s.split()) for s in lead)
        brief = envelope.brief
        facts = brief.key_facts
        if order == "article":
            facts = sorted(facts, key=lambda f: article.text.find(f.evidence))
        picked = cut_to_words([f.statement for f in facts], budget)
        lead_scores = scorer.score(reference, as_lsum(lead))
        fact_scores = scorer.score(reference, as_lsum(picked))
        markdown = render_markdown(envelope)
        out.append(
            Scored(
                name=path.stem,
                lead={m: 100 * lead_scores[m].fmeasure for m in METRICS},
                facts={m: 100 * fact_scores[m].fmeasure for m in METRICS},
                fact_words=sum(len(f.statement.split()) for f in brief.key_facts),
                markdown_words=len(markdown.split()),
            )
        )
    return out, briefing


def report(scored: list[Scored], briefing: float, folder: Path, order: str) -> str:
    """The Markdown table the README quotes."""
    n = len(scored)
    lines = [
        f"{n} articles from {folder}, key facts in {order} order, cut to Lead-3's words",
        "",
        "| metric | Lead-3 | key facts | difference | 95% interval | facts win / lose / tie |",
        "|---|---|---|---|---|---|",
    ]
    for metric in METRICS:
        diffs = [s.facts[metric] - s.lead[metric] for s in scored]
        low, high = paired_interval(diffs)
        wins = sum(d > 0 for d in diffs) / n
        losses = sum(d < 0 for d in diffs) / n
        lead_mean = statistics.fmean(s.lead[metric] for s in scored)
        facts_mean = statistics.fmean(s.facts[metric] for s in scored)
        lines.append(
            f"| {LABELS[metric]} | {lead_mean:.2f} | {facts_mean:.2f} | "
            f"{statistics.fmean(diffs):+.2f} | {low:+.2f} to {high:+.2f} | "
            f"{wins:.0%} / {losses:.0%} / {1 - wins - losses:.0%} |"
        )
    lines += [
        "",
        f"words per brief: key facts {statistics.fmean(s.fact_words for s in scored):.0f}, "
        f"Markdown {statistics.fmean(s.markdown_words for s in scored):.0f}",
        f"speed: {n / briefing:.0f} briefs/s (offline engine, one core, briefing and verifying)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--order", choices=["rank", "article"], default="rank")
    parser.add_argument("--per-article", type=Path, help="also write each article's scores")
    args = parser.parse_args()
    try:
        import rouge_score  # noqa: F401
    except ImportError:
        sys.exit("bench/rouge.py needs rouge-score: pip install '.[bench]'")
    if not args.folder.is_dir():
        sys.exit(
            f"{args.folder}: no such folder (the CNN/DailyMail articles live in ../shared/cnndm)"
        )
    scored, briefing = score_folder(args.folder, args.order)
    if not scored:
        sys.exit(f"{args.folder}: no <id>.txt with an <id>.ref beside it")
    print(report(scored, briefing, args.folder, args.order))
    if args.per_article:
        args.per_article.write_text(
            json.dumps([s.__dict__ for s in scored], indent=1), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
