"""Fit long articles into a token budget: split into chunks, or cut after a sentence.

Chunks are slices of the original text (`text[start:end]`), so every quote taken from a chunk
is a quote of the article. Breaks fall between paragraphs where possible, else between
sentences, never inside one; each chunk after the first repeats the last sentence of the one
before, so a fact that straddles the break is seen whole once.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefer.errors import ConfigError
from briefer.text import Span, paragraphs, sentences
from briefer.text.tokens import TokenCounter

MIN_BUDGET = 200  # tokens: below this even one long sentence may not fit
OVERLAP_SENTENCES = 1


@dataclass(frozen=True)
class Chunk:
    """One piece of the article: `text == article[start:end]`."""

    start: int
    end: int
    text: str
    tokens: int


def chunk_article(text: str, budget: int, counter: TokenCounter) -> list[Chunk]:
    """Split `text` into chunks of at most `budget` tokens each."""
    if budget < MIN_BUDGET:
        raise ConfigError(
            f"only {budget} tokens are left for the article in each request",
            fix="raise {context_tokens} or lower {max_output_tokens}",
        )
    groups = _sentences_by_paragraph(text)
    sizes = {s.start: counter.count(s.text) + 1 for group in groups for s in group}
    chunks: list[list[Span]] = []
    current: list[Span] = []
    used = 0
    fresh = 0  # sentences in `current` that are not overlap

    def flush() -> None:
        nonlocal current, used, fresh
        chunks.append(current)
        current = current[-OVERLAP_SENTENCES:] if OVERLAP_SENTENCES else []
        used = sum(sizes[s.start] for s in current)
        fresh = 0

    for group in groups:
        group_size = sum(sizes[s.start] for s in group)
        if fresh and used + group_size > budget:
            flush()  # break between paragraphs
        for span in group:
            if fresh and used + sizes[span.start] > budget:
                flush()  # a paragraph too long for one chunk: break between sentences
            while current and not fresh and used + sizes[span.start] > budget:
                used -= sizes[current.pop(0).start]  # drop overlap that does not fit
            current.append(span)
            used += sizes[span.start]
            fresh += 1
    if fresh or not chunks:
        chunks.append(current)
    out = []
    for spans in chunks:
        if not spans:
            continue
        start, end = spans[0].start, spans[-1].end
        out.append(Chunk(start, end, text[start:end], counter.count(text[start:end])))
    return out


def truncate_article(text: str, max_tokens: int, counter: TokenCounter) -> Span | None:
    """The longest opening of `text` that ends a sentence and fits `max_tokens`.

    Returns None when the whole text fits. The span's `text` is the kept opening.
    """
    if counter.count(text) <= max_tokens:
        return None
    end = 0
    used = 0
    for span in sentences(text):
        used += counter.count(text[end : span.end]) if end else counter.count(text[: span.end])
        if used > max_tokens:
            break
        end = span.end
    if end == 0:
        raise ConfigError(
            f"an input limit of {max_tokens} tokens is smaller than the article's first sentence",
            fix="raise {max_input_tokens}",
        )
    return Span(0, end, text[:end])


def _sentences_by_paragraph(text: str) -> list[list[Span]]:
    all_sentences = sentences(text)
    groups: list[list[Span]] = []
    i = 0
    for para in paragraphs(text):
        group = []
        while i < len(all_sentences) and all_sentences[i].start < para.end:
            group.append(all_sentences[i])
            i += 1
        if group:
            groups.append(group)
    if i < len(all_sentences):
        groups.append(all_sentences[i:])
    return groups
