"""Two briefs of one article side by side: what each has that the other lacks."""

from __future__ import annotations

from briefer.schema import Envelope
from briefer.schema.comparison import BriefDiff
from briefer.text import one_line
from briefer.text.lexicon import stems


def diff_briefs(first: Envelope, second: Envelope, labels: tuple[str, str]) -> BriefDiff:
    """Compare two briefs of the same article: what each has that the other lacks."""

    def same(a: str, b: str) -> bool:
        sa, sb = stems(a), stems(b)
        shared = len(sa & sb)
        return shared >= 3 and shared / max(min(len(sa), len(sb)), 1) >= 0.5

    facts_a = [f"{f.statement} “{f.evidence}”" for f in first.brief.key_facts]
    facts_b = [f"{f.statement} “{f.evidence}”" for f in second.brief.key_facts]
    both = [a for a in facts_a if any(same(a, b) for b in facts_b)]
    only_a = [a for a in facts_a if a not in both]
    only_b = [b for b in facts_b if not any(same(a, b) for a in facts_a)]

    def names(envelope: Envelope) -> dict[str, str]:
        return {s.name.lower(): s.name for s in envelope.brief.stakeholders}

    na, nb = names(first), names(second)

    def caveats(envelope: Envelope) -> dict[tuple[str, str], str]:
        return {
            (c.kind.value, one_line(c.evidence).lower()): f"{c.kind.value}: {c.detail}"
            for c in envelope.brief.sourcing_caveats
        }

    ca, cb = caveats(first), caveats(second)
    return BriefDiff(
        labels=labels,
        facts_only_in=(only_a, only_b),
        facts_in_both=both,
        stakeholders_only_in=(
            [na[k] for k in na if k not in nb],
            [nb[k] for k in nb if k not in na],
        ),
        caveats_only_in=([ca[k] for k in ca if k not in cb], [cb[k] for k in cb if k not in ca]),
        grounded_ratio=(first.verification.grounded_ratio, second.verification.grounded_ratio),
    )
