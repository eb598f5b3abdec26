"""The story brief of each story several outlets tell in a digest.

Built by the offline comparer from the outlets' briefs and texts, whatever engine made the
briefs: deterministic, no request, and every quote checked against its own outlet's article.
A story whose brief cannot be built keeps its outlets' full briefs in the digest (nothing is
lost; the renderers show them in full).

A story brief compares at most `MAX_OUTLETS` outlets, the first the digest was given, and says
so: comparing is quadratic in the outlets, and a reader weighs a handful of accounts, not
hundreds. Every outlet's own line still follows the story brief.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefer.engines.offline.compare import compare_offline
from briefer.engines.offline.story import story_offline
from briefer.verify.coverage import Compared

MAX_OUTLETS = 8

if TYPE_CHECKING:
    from briefer.digest import Digest
    from briefer.schema.story import StoryBrief


def story_briefs(digest: Digest) -> dict[int, StoryBrief]:
    """The story brief of each story of `digest` told by two or more outlets, by number."""
    out: dict[int, StoryBrief] = {}
    for number, group in enumerate(digest.stories(), 1):
        items = [
            Compared(item.envelope, item.text)
            for item in group
            if item.envelope is not None and item.text is not None
        ]
        if len(items) < 2 or len(items) < len(group):
            continue  # one outlet's story is its brief; without every text, no merge
        compared = items[:MAX_OUTLETS]
        try:
            story = story_offline(compare_offline(compared), compared)
        except Exception:  # a failed merge leaves the full briefs in place
            continue
        if len(items) > len(compared):
            note = (
                f"compares the first {len(compared)} of {len(items)} outlets; "
                "each outlet's own brief follows"
            )
            story = story.model_copy(update={"warnings": [note, *story.warnings]})
        out[number] = story
    return out
