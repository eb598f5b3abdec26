"""Render a morning digest: Markdown, JSON, HTML."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape
from typing import TYPE_CHECKING, Any

from briefer.renderers.brief import (
    _brief_html,
    _page,
    age,
    html_list,
    render_markdown,
    same_headline,
    usage_line,
)
from briefer.renderers.story import differ_words, render_story_markdown, story_html
from briefer.schema import SCHEMA_VERSION, Envelope, Usage
from briefer.schema.story import StoryBrief
from briefer.text import counted, one_line, sentences

if TYPE_CHECKING:
    from briefer.digest import Digest, DigestItem

ANONYMOUS_DOMINATES = 0.5  # share of anonymous attributions that earns a sourcing flag


def anonymous_dominates(envelope: Envelope) -> bool:
    """True when most of the article's attributions are anonymous."""
    return envelope.sourcing.anonymous_share >= ANONYMOUS_DOMINATES


@dataclass(frozen=True)
class StoryLine:
    """One story of the digest's index, for every renderer to format its own way."""

    number: int  # from 1
    headline: str
    sources: list[str]  # outlets, hosts or file names: never a server's path
    summary: str | None  # one line on what happened, when it adds to the headline
    published: str | None  # "published 2026-11-28 (2 days old)"
    anonymous: bool  # anonymous sourcing dominates one of its briefs
    follow_up: Any = None  # a `briefer.digest.followup.FollowUp` when earlier briefs exist
    story: StoryBrief | None = None  # the story brief, when several outlets tell the story

    @property
    def anchor(self) -> str:
        return f"story-{self.number}"

    def meta(self) -> str:
        """What follows the headline: sources, date and the sourcing flag."""
        parts = [", ".join(self.sources)]
        if self.story is not None:
            parts[0] = f"{len(self.sources)} outlets: {parts[0]}"
            parts.append(differ_words(self.story))
        if self.follow_up is not None:
            parts.insert(0, f"follow-up of {self.follow_up.earlier[0].when}")
        if self.published:
            parts.append(self.published)
        if self.anonymous:
            parts.append("⚠ anonymous sourcing dominates")
        return " · ".join(parts)


def story_lines(digest: Digest) -> list[StoryLine]:
    """The index of a digest: one line per story, numbered from 1."""
    lines = []
    for n, group in enumerate(digest.stories(), 1):
        envelopes = [i.envelope for i in group if i.envelope is not None]
        lead = envelopes[0]
        published = None
        if lead.article.published:
            when = lead.article.published
            day = when[:10] if _ISO_DATE.match(when) else when  # the date, not the second
            published = f"published {day}{age(when, digest.created_at)}"
        story = digest.story_briefs.get(n)
        lines.append(
            StoryLine(
                number=n,
                headline=one_line(story.headline if story else lead.brief.headline),
                sources=list(dict.fromkeys(e.article.label for e in envelopes)),
                summary=_one_line_summary(lead),
                published=published,
                anonymous=any(anonymous_dominates(e) for e in envelopes),
                follow_up=digest.follow_ups.get(n),
                story=story,
            )
        )
    return lines


def outlet_line(item: DigestItem) -> str:
    """One outlet's brief in a line: "Reuters: its headline (brief 12)"."""
    assert item.envelope is not None
    stored = f" (brief {item.brief_id})" if item.brief_id is not None else ""
    return f"{item.envelope.article.label}: {one_line(item.envelope.brief.headline)}{stored}"


def changed_lines(follow: Any) -> list[str]:
    """What changed since the earlier briefs, as plain lines (each renderer marks them up)."""
    earlier = follow.earlier[0]
    lines = [f"Since {earlier.when} ({earlier.label}: {earlier.headline}):"]
    for c in follow.changed:
        lines.append(
            f"changed: {c.topic}: {c.before} ({c.before_when}) → {c.now} ({c.now_when}); "
            f"then “{c.before_quote}”, now “{c.now_quote}”"
        )
    lines += [f"new: {fact}" for fact in follow.new_facts]
    if follow.new_parties:
        lines.append("newly named: " + ", ".join(follow.new_parties))
    if follow.anonymous_now != follow.anonymous_before:
        lines.append(
            f"anonymous attributions: {follow.anonymous_before} then, {follow.anonymous_now} now"
        )
    if len(lines) == 1:
        lines.append("nothing new found in the text: the same facts, numbers and parties")
    return lines


_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
MAX_SUMMARY_CHARS = 160  # two lines on a desktop, four on a phone


def _one_line_summary(envelope: Envelope) -> str | None:
    """The brief's summary, or its first key fact, cut to a line; None when it only says the
    headline again."""
    brief = envelope.brief
    text = brief.summary or (brief.key_facts[0].statement if brief.key_facts else "")
    first = sentences(text)
    line = one_line(first[0].text if first else text, MAX_SUMMARY_CHARS, at_word=True)
    if not line or same_headline(line, brief.headline):
        return None
    return line


def _counts(digest: Digest) -> str:
    cached = sum(i.cached for i in digest.items)
    articles = [i for i in digest.items if i.kind != "feed"]
    feeds = len(digest.items) - len(articles)
    line = (
        f"{counted(len(articles), 'article')} · "
        f"{counted(len(digest.stories()), 'story', 'stories')} · "
        f"{cached} from the store · {sum(not i.ok for i in articles)} failed"
        + (f" · {counted(feeds, 'feed')} failed" if feeds else "")
    )
    made = [i.envelope.usage for i in digest.items if i.envelope is not None and not i.cached]
    if cost := usage_line(Usage.total(made)):
        line += f" · this run: {cost}"
    return line


def _feeds_line(summary: str) -> str:
    """What reading the feeds gave ("feeds: 3 entries to brief, ..."), as a sentence."""
    return summary[:1].upper() + summary[1:] + "."


def render_digest_markdown(digest: Digest) -> str:
    """The morning brief: an index of stories, then every brief by story, then what failed."""
    stories = digest.stories()
    lines = story_lines(digest)
    out = [f"# Morning brief · {digest.created_at.date().isoformat()}", "", _counts(digest), ""]
    if digest.feed_summary:
        out += [_feeds_line(digest.feed_summary), ""]
    for line in lines:
        out.append(f"{line.number}. **{line.headline}** — {line.meta()}")
        if line.summary:
            out.append(f"   {line.summary}")
    for line, group in zip(lines, stories, strict=True):
        out += ["", "---", "", f"## {line.number}. {line.headline}"]
        if line.follow_up is not None:
            head, *rest = changed_lines(line.follow_up)
            out += ["", f"**What changed.** {head}", ""] + [f"- {r}" for r in rest]
        if line.story is not None:
            out += ["", *render_story_markdown(line.story, level=2).splitlines()[2:]]
            out += ["", "**Each outlet's brief** (all of it in the JSON digest):", ""]
            out += [f"- {outlet_line(item)}" for item in group]
            continue
        if len(group) > 1:
            out += ["", f"*{len(group)} sources on this story.*"]
        for item in group:
            assert item.envelope is not None
            body = render_markdown(item.envelope).splitlines()
            title = f"### {item.envelope.article.label}: {item.envelope.brief.headline}"
            # One source: the story's heading is its headline. Several: each says whose it is.
            body = body[1:] if len(group) == 1 else [title, *body[1:]]
            out += ["", "\n".join(("##" + s) if s.startswith("## ") else s for s in body)]
    if digest.failed:
        out += ["", "---", "", "## Failed", ""]
        out += [f"- `{i.source}`: {i.error}" for i in digest.failed]
    return "\n".join(out) + "\n"


def render_digest_json(digest: Digest) -> str:
    """The digest as JSON: counts, stories (indices into items, and the story brief of a story
    several outlets tell), and every item."""
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
        "feeds": (
            {"summary": digest.feed_summary, "held_back": digest.held_back}
            if digest.feed_summary is not None
            else None
        ),
        "stories": [
            {
                "headline": group[0].envelope.brief.headline if group[0].envelope else None,
                "items": [index[id(i)] for i in group],
                "anonymous_sourcing_dominates": any(
                    i.envelope is not None and anonymous_dominates(i.envelope) for i in group
                ),
                "follow_up": (
                    dataclasses.asdict(digest.follow_ups[n]) if n in digest.follow_ups else None
                ),
                "story_brief": (
                    digest.story_briefs[n].model_dump(mode="json")
                    if n in digest.story_briefs
                    else None
                ),
            }
            for n, group in enumerate(digest.stories(), 1)
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
    """The digest as one self-contained HTML page; the index links to each story."""
    return _page("Morning brief", _digest_html(digest, fold=True))


# Styles written on the elements, which mail clients keep (many drop a <style> block).
_MAIL_STYLES = {
    "h1": "font-size:22px;margin:0 0 4px",
    "h2": "font-size:18px;margin:24px 0 4px;border-top:1px solid #ddd;padding-top:12px",
    "h3": "font-size:16px;margin:16px 0 4px",
    "h4": "font-size:15px;margin:12px 0 4px",
    "blockquote": "margin:4px 0 4px 12px;padding-left:8px;border-left:3px solid #ccc;color:#444",
    "table": "border-collapse:collapse",
    "td": "border:1px solid #ddd;padding:4px;vertical-align:top;text-align:left",
    "th": "border:1px solid #ddd;padding:4px;text-align:left;background:#f4f4f4",
    "p": "margin:6px 0",
}
_MAIL_TAG = re.compile(r"<(h1|h2|h3|h4|blockquote|table|td|th|p)(?=[\s>])")


def render_digest_mail(digest: Digest, sender: str, to: list[str]) -> EmailMessage:
    """The digest as one email: the Markdown as plain text, and HTML made for mail clients
    (no scripts, no remote assets, no `<details>`: each outlet's brief is shown open; the
    styles mail clients keep written on the elements themselves)."""
    stories = len(digest.stories())
    message = EmailMessage()
    message["Subject"] = (
        f"Morning brief · {digest.created_at.date().isoformat()} · "
        f"{stories} {'story' if stories == 1 else 'stories'}"
    )
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(render_digest_markdown(digest))
    message.add_alternative(render_digest_mail_html(digest), subtype="html")
    return message


def render_digest_mail_html(digest: Digest) -> str:
    """The digest as HTML for mail clients: no scripts, no remote assets, no <details> (each
    outlet's brief shown open), and every style written on its element."""
    body = _MAIL_TAG.sub(
        lambda m: f'<{m.group(1)} style="{_MAIL_STYLES[m.group(1)]}"', _digest_html(digest, False)
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Morning brief</title></head>"
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.45;'
        'color:#222;max-width:720px;margin:0 auto;padding:12px">\n'
        f"{body}\n</body></html>\n"
    )


def _digest_html(digest: Digest, fold: bool) -> str:
    """The digest's HTML body; with `fold`, each outlet's brief of a story with a story brief
    is folded in <details> (without, it is shown under its own heading)."""
    stories = digest.stories()
    lines = story_lines(digest)
    out = [
        f"<h1>Morning brief · {escape(digest.created_at.date().isoformat())}</h1>",
        f'<p class="meta">{escape(_counts(digest))}</p>',
        *(
            [f'<p class="meta">{escape(_feeds_line(digest.feed_summary))}</p>']
            if digest.feed_summary
            else []
        ),
        '<ol class="stories">',
    ]
    for line in lines:
        flag = ' class="flag"' if line.anonymous else ""
        summary = f'<span class="summary">{escape(line.summary)}</span>' if line.summary else ""
        out.append(
            f'<li{flag}><a href="#{line.anchor}"><strong>{escape(line.headline)}</strong></a>'
            f" — {escape(line.meta())}{summary}</li>"
        )
    out.append("</ol>")
    for line, group in zip(lines, stories, strict=True):
        out.append(f'<section class="story" id="{line.anchor}">')
        if line.follow_up is not None:
            head, *rest = changed_lines(line.follow_up)
            out.append(f'<div class="changed"><p><strong>What changed.</strong> {escape(head)}</p>')
            out += ["<ul>", *(f"<li>{escape(r)}</li>" for r in rest), "</ul></div>"]
        if line.story is not None:
            story = story_html(line.story, level=2).split("\n", 1)[1]  # its own heading
            out += [f"<h2>{line.number}. {escape(line.headline)}</h2>", story]
            for item in group:
                assert item.envelope is not None
                brief = _brief_html(item.envelope, level=3 if fold else 4)
                out.append(
                    f'<details class="brief"><summary>{escape(outlet_line(item))}</summary>'
                    f"{brief}</details>"
                    if fold
                    else f'<section class="brief"><h3>{escape(outlet_line(item))}</h3>'
                    f"{brief}</section>"
                )
            out.append("</section>")
            continue
        if len(group) > 1:
            out.append(f"<h2>{line.number}. {escape(line.headline)}</h2>")
            out.append(f'<p class="meta">{len(group)} sources on this story.</p>')
        for item in group:
            assert item.envelope is not None
            brief = _brief_html(item.envelope, level=2 if len(group) == 1 else 3)
            out.append(f'<section class="brief">{brief}</section>')
        out.append("</section>")
    if digest.failed:
        out.append("<h2>Failed</h2>")
        out += html_list(
            f"<code>{escape(i.source)}</code>: {escape(i.error or '')}" for i in digest.failed
        )
    return "\n".join(out)
