"""Per-article quality of the offline engine against fixtures/labels/*.json.

    python bench/eval_offline.py

Columns: stakeholder recall and precision (rules in briefer/evaluation.py), anonymous-source
recall, and how many facts, stakeholders, questions and caveats the brief has.
"""

from __future__ import annotations

from pathlib import Path

from briefer.engines.offline import brief_offline
from briefer.evaluation import ZERO, load_labels, span_recall, stakeholder_score
from briefer.inputs import load_article
from briefer.verify.sourcing import SourceKind, analyze_sourcing

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    header = (
        f"{'article':<20} {'stk R':>6} {'stk P':>6} {'anon R':>7} "
        f"{'facts':>5} {'stk':>4} {'q':>3} {'cav':>4}"
    )
    print(header)
    print("-" * len(header))
    stk_total, anon_total = ZERO, ZERO
    for path in sorted((ROOT / "fixtures" / "labels").glob("*.json")):
        labels = load_labels(path)
        article = load_article(ROOT / "fixtures" / "articles" / labels["article"])
        brief = brief_offline(article)
        stk = stakeholder_score([s.name for s in brief.stakeholders], labels)
        spans = [
            (a.start, a.end)
            for a in analyze_sourcing(article.text).attributions
            if a.kind is SourceKind.ANONYMOUS
        ]
        anon = span_recall(article.text, labels["anonymous_sources"], spans)
        stk_total, anon_total = stk_total + stk, anon_total + anon
        anon_r = f"{anon.recall:.2f}" if anon.labelled else "  -"
        print(
            f"{path.stem:<20} {stk.recall:6.2f} {stk.precision:6.2f} {anon_r:>7} "
            f"{len(brief.key_facts):5} {len(brief.stakeholders):4} "
            f"{len(brief.open_questions):3} {len(brief.sourcing_caveats):4}"
        )
    print("-" * len(header))
    print(
        f"{'ALL':<20} {stk_total.recall:6.2f} {stk_total.precision:6.2f} {anon_total.recall:7.2f}"
    )
    print("targets: stakeholder recall >= 0.80, precision >= 0.70; anonymous-source recall >= 0.90")


if __name__ == "__main__":
    main()
