"""The morning digest: many articles briefed at once, grouped into stories, nothing lost.

* Inputs are texts, files, URLs or `Article`s (`briefer.inputs`); a folder has already been
  replaced by its article files. An input that cannot be read becomes a failed item with its
  reason: never silently dropped.
* Articles are briefed concurrently on one event loop, `concurrency` requests at a time. A
  429 halves the concurrency (never below 1) and it grows back by one with each success once
  the Retry-After wait has passed (additive increase, multiplicative decrease).
* Started articles finish first: every request of an article waits with the article's
  position in the digest, and a free slot goes to the earliest article waiting. So the
  follow-ups of articles already started (a re-ask after invalid output, a repair of missing
  quotes, the merge of a long article's parts) go before the first requests of new articles,
  and briefs finish steadily from the start rather than all at the end.
* With a store, finished briefs are stored as they finish, so an interrupted digest loses
  nothing and a re-run briefs only what is missing.
* An article that failed in a way that passes by itself (a server error, a dropped
  connection, a time-out or a rate limit that outlasted the retries) is tried once more in a
  final round, after all the others, before it is reported failed.
* The result is a `briefer.digest.Digest`: its items, grouped into stories.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from briefer.digest import Digest, DigestItem
from briefer.engines.pacing import AdaptiveLimiter, IdleRunner, Urgency
from briefer.errors import BrieferError, RateLimitError, ServiceError
from briefer.inputs import (
    URL,
    CommandLine,
    Input,
    LoadOptions,
    label,
    load_article,
    waits_on_io,
)
from briefer.inputs.article import Article
from briefer.io.store import Stored
from briefer.text import one_line

__all__ = [
    "Digest",
    "DigestInput",
    "DigestItem",
    "LoadsItself",
    "Progress",
    "adigest",
    "load_input",
]


PER_HOST = 2  # pages fetched from one site at a time: a digest never hammers a site


@runtime_checkable
class LoadsItself(Protocol):
    """An input that knows how to become an article (a feed entry: `briefer.digest.feeds`)."""

    @property
    def host(self) -> str | None:
        """The host it is fetched from, if any (requests are limited per host)."""
        ...

    def load(self, options: LoadOptions | None = None) -> Article:
        """Read or fetch it into an article."""
        ...


DigestInput = Input | LoadsItself


class Briefs(Protocol):
    """What the digest needs of a `briefer.Briefer`."""

    async def abrief_stored(
        self,
        article: Article,
        *,
        gate: AbstractAsyncContextManager[None] | None = None,
        runner: IdleRunner | None = None,
    ) -> Stored: ...

    def on_rate_limit(self, listener: Callable[[float], None] | None) -> None: ...

    async def aclose(self) -> None: ...


@dataclass
class Progress:
    """Counts for a progress display, updated as items finish (a display may read them from
    another thread at any time)."""

    total: int
    done: int = 0
    failed: int = 0
    cached: int = 0
    tokens: int = 0  # of the briefs made by this run (stored ones cost nothing again)
    cost_usd: float | None = None  # likewise; None until a priced brief is made
    started: float = field(default_factory=time.monotonic)
    limiter: AdaptiveLimiter | None = field(default=None, repr=False)
    # The items finished so far, in the order they finished: what an interrupted digest has.
    finished: list[DigestItem] = field(default_factory=list, repr=False)

    @property
    def in_flight(self) -> int:
        """Requests on their way to the model right now."""
        return self.limiter.active if self.limiter is not None else 0

    def so_far(self) -> Digest:
        """A digest of the items finished so far, each once (an item tried again in the final
        round finishes twice), in the order they first finished."""
        return Digest(list({id(i): i for i in self.finished}.values()))


async def adigest(
    inputs: Sequence[DigestInput],
    briefer: Briefs,
    *,
    concurrency: int = 8,
    load_options: LoadOptions | None = None,
    on_update: Callable[[Progress, DigestItem], None] | None = None,
    progress: Progress | None = None,
    per_host: int = PER_HOST,
    on_done: Callable[[int, DigestItem], None] | None = None,
) -> Digest:
    """Brief every input; failures become failed items, never exceptions.

    `progress` (optional) is kept up to date as items finish, for a display to read. At most
    `per_host` pages are fetched from one host at a time. `on_done` (optional) is told each
    item as it finishes, with its input's position (e.g. to note it in the store at once).
    """
    limiter = AdaptiveLimiter(concurrency)
    runner = IdleRunner()
    briefer.on_rate_limit(limiter.throttle)
    progress = progress if progress is not None else Progress(total=len(inputs))
    progress.limiter = limiter
    items = [DigestItem(_label(given)) for given in inputs]
    hosts: dict[str, asyncio.Semaphore] = {}

    async def _load(given: DigestInput) -> Article:
        host = _host(given)
        if host is not None:  # a page on the network: a thread, and a few per host at once
            async with hosts.setdefault(host, asyncio.Semaphore(per_host)):
                return await asyncio.to_thread(load_input, given, load_options)
        if not isinstance(given, LoadsItself) and waits_on_io(given):  # a pipe
            return await asyncio.to_thread(load_input, given, load_options)
        return await runner.submit(lambda: load_input(given, load_options), Urgency.LOAD)

    async def one(position: int, given: DigestInput) -> None:
        item = items[position]
        try:
            article = await _load(given)
            gate = limiter.gate(position)  # its requests wait with its position
            stored = await briefer.abrief_stored(article, gate=gate, runner=runner)
            item.envelope, item.brief_id, item.cached = stored.envelope, stored.id, stored.cached
            item.text = article.text
        except BrieferError as exc:
            message = one_line(str(exc))
            item.error = message.removeprefix(f"{item.source}: ")  # the source is listed anyway
            item.failure = exc
        except Exception as exc:  # one article's bug must not stop the others
            item.error = f"internal error ({type(exc).__name__}: {exc})"
        if on_done is not None:
            on_done(position, item)
        progress.finished.append(item)
        progress.done += 1
        progress.failed += not item.ok
        progress.cached += item.cached
        if item.envelope is not None and not item.cached:
            usage = item.envelope.usage
            progress.tokens += usage.total_tokens
            if usage.cost_usd is not None:
                progress.cost_usd = (progress.cost_usd or 0.0) + usage.cost_usd
        if on_update is not None:
            on_update(progress, item)

    try:
        await asyncio.gather(*(one(position, given) for position, given in enumerate(inputs)))
        # A final round, after the others, for what failed in a way that passes by itself.
        again = [n for n, item in enumerate(items) if _transient(item.failure)]
        progress.done -= len(again)
        progress.failed -= len(again)
        for n in again:
            items[n].error, items[n].failure = None, None
        await asyncio.gather(*(one(n, inputs[n]) for n in again))
    finally:
        briefer.on_rate_limit(None)
        await runner.aclose()
        await briefer.aclose()
    return Digest(items)


def _transient(failure: BrieferError | None) -> bool:
    """Whether a failure may pass by itself, so the article is tried again in a final round:
    a server error, a dropped connection or a time-out after the retries, or a rate limit
    that outlasted them (never a refusal, a bad request, bad input or a missing quota)."""
    return isinstance(failure, (ServiceError, RateLimitError))


def load_input(given: DigestInput, options: LoadOptions | None = None) -> Article:
    """Read, fetch or load one input of a digest into an article."""
    if isinstance(given, LoadsItself):
        return given.load(options)
    return load_article(given, options)


def _label(given: DigestInput) -> str:
    return str(given) if isinstance(given, LoadsItself) else label(given)


def _host(given: DigestInput) -> str | None:
    """The host a page input is fetched from; None for anything else."""
    if isinstance(given, LoadsItself):
        return given.host
    address = given.value if isinstance(given, URL) else str(given)
    if isinstance(given, URL | CommandLine) and address.startswith(("http://", "https://")):
        return urlsplit(address).hostname
    return None
