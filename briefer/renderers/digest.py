"""Render a morning digest: Markdown, JSON, HTML."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING

from briefer.renderers.brief import _brief_html, _page, age, render_markdown
from briefer.schema import SCHEMA_VERSION, Envelope

if TYPE_CHECKING:
    from briefer.digest import Digest, DigestItem

ANONYMOUS_DOMINATES = 0.5  # share of anonymous attributions that earns a sourcing flag


def anonymous_dominates(envelope: Envelope) -> bool:
    """True when most of the article's attributions are anonymous."""
    return envelope.sourcing.anonymous_share >= ANONYMOUS_DOMINATES


def _story_line(group: list[DigestItem], now: datetime) -> str:
    lead = group[0].envelope
    assert lead is not None
    sources = [i.envelope.article.site_name or i.source for i in group if i.envelope]
    line = f"**{lead.brief.headline}** — {', '.join(sources)}"
    if lead.article.published:
        line += f" · published {lead.article.published}{age(lead.article.published, now)}"
    if any(i.envelope and anonymous_dominates(i.envelope) for i in group):
        line += " · ⚠ anonymous sourcing dominates"
    return line


def _counts(digest: Digest) -> str:
    cached = sum(i.cached for i in digest.items)
    return (
        f"{len(digest.items)} articles · {len(digest.stories())} stories · "
        f"{cached} from the store · {len(digest.failed)} failed"
    )


def render_digest_markdown(digest: Digest) -> str:
    """The morning brief: one line per story, then every brief, then what failed."""
    stories = digest.stories()
    out = [f"# Morning brief · {digest.created_at.date().isoformat()}", "", _counts(digest), ""]
    out += [f"{n}. {_story_line(group, digest.created_at)}" for n, group in enumerate(stories, 1)]
    for n, group in enumerate(stories, 1):
        out += ["", "---", "", f"## {n}. {group[0].envelope.brief.headline}"]  # type: ignore[union-attr]
        if len(group) > 1:
            out += ["", f"*{len(group)} sources on this story.*"]
        for item in group:
            assert item.envelope is not None
            body = render_markdown(item.envelope)
            out += [
                "",
                "\n".join(
                    ("##" + line) if line.startswith("#") else line for line in body.splitlines()
                ),
            ]
    if digest.failed:
        out += ["", "---", "", "## Failed", ""]
        out += [f"- `{i.source}`: {i.error}" for i in digest.failed]
    return "\n".join(out) + "\n"


def render_digest_json(digest: Digest) -> str:
    """The digest as JSON: counts, stories (indices into items), and every item."""
    items = digest.items
    index = {id(item): n for n, item in enumerate(items)}
    data = {
        "schema_version": SCHEMA_VERSION,
        "kind": "digest",
        "created_at": digest.created_at.isoformat(),
        "counts": {
            "articles": len(items),
            "briefed": len(digest.briefed),
            "cached": sum(i.cached for i in items),
            "failed": len(digest.failed),
        },
        "stories": [
            {
                "headline": group[0].envelope.brief.headline if group[0].envelope else None,
                "items": [index[id(i)] for i in group],
                "anonymous_sourcing_dominates": any(
                    i.envelope is not None and anonymous_dominates(i.envelope) for i in group
                ),
            }
            for group in digest.stories()
        ],
        "items": [
            {
                "source": i.source,
                "status": "failed" if not i.ok else "cached" if i.cached else "briefed",
                "brief_id": i.brief_id,
                "error": i.error,
                "envelope": i.envelope.model_dump(mode="json") if i.envelope else None,
            }
            for i in items
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_digest_html(digest: Digest) -> str:
    """The digest as one self-contained HTML page."""
    stories = digest.stories()
    out = [
        f"<h1>Morning brief · {escape(digest.created_at.date().isoformat())}</h1>",
        f'<p class="meta">{escape(_counts(digest))}</p>',
        "<ol>",
    ]
    for group in stories:
        line = _story_line(group, digest.created_at).replace("**", "")
        flag = "⚠" in line
        out.append(f"<li{' class=flag' if flag else ''}>{escape(line)}</li>")
    out.append("</ol>")
    for group in stories:
        for item in group:
            assert item.envelope is not None
            out.append(f'<section class="brief">{_brief_html(item.envelope, level=2)}</section>')
    if digest.failed:
        out += ["<h2>Failed</h2>", "<ul>"]
        out += [
            f"<li><code>{escape(i.source)}</code>: {escape(i.error or '')}</li>"
            for i in digest.failed
        ]
        out.append("</ul>")
    return _page("Morning brief", "\n".join(out))
