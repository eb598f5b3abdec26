"""Run a digest from the command line, saying how it goes on stderr.

* On a terminal: one live line (rich) that ticks every second: done of total, failed, from the
  store, in flight, elapsed, an ETA once three articles are briefed (at the pace of the briefs
  made, not of those taken from the store), tokens and cost so far.
* Not a terminal, with `--progress`: a plain line every `PLAIN_EVERY_SECONDS` and one at the
  end, for logs and cron mail.
* `--quiet`, or not a terminal without `--progress`: nothing.

Ctrl-C stops the digest with one line: how many briefs were kept and the command that
briefs the rest (the store makes a re-run skip what is done).
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, Literal

from briefer.cli.common import say
from briefer.digest.runner import Digest, Progress

PLAIN_EVERY_SECONDS = 10.0
ETA_AFTER = 3  # articles done before the rate means anything

Display = Literal["live", "plain", "none"]


def display_for(*, quiet: bool, progress: bool, terminal: bool) -> Display:
    """Which display a digest gets: live on a terminal, plain lines when asked, else none."""
    if quiet:
        return "none"
    if terminal:
        return "live"
    return "plain" if progress else "none"


def status_line(p: Progress, now: float | None = None) -> str:
    """The digest so far, in one line."""
    now = time.monotonic() if now is None else now
    elapsed = now - p.started
    parts = [
        f"{p.done}/{p.total} done",
        f"{p.failed} failed",
        f"{p.cached} from the store",
        f"{p.in_flight} in flight",
        _clock(elapsed),
    ]
    briefed_now = p.done - p.cached
    if briefed_now >= ETA_AFTER and p.done < p.total:
        # A brief taken from the store costs next to nothing: the pace is the briefs made.
        rate = elapsed / briefed_now
        parts.append(f"about {_clock(rate * (p.total - p.done))} left")
    if p.tokens:
        cost = f" · ${p.cost_usd:.4f}" if p.cost_usd is not None else ""
        parts.append(f"{p.tokens:,} tokens{cost}")
    return " · ".join(parts)


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def run_digest(
    work: Callable[[Progress], Coroutine[Any, Any, Digest]],
    *,
    total: int,
    stored: bool,
    quiet: bool = False,
    progress: bool = False,
    on_interrupt: Callable[[Digest], None] | None = None,
) -> Digest:
    """Run a digest (`work`, given the counts to keep up to date), showing progress as
    `display_for` decides; Ctrl-C ends in one line (`stored`: finished briefs are kept), after
    `on_interrupt` is given a digest of the articles finished so far."""
    display = display_for(quiet=quiet, progress=progress, terminal=sys.stderr.isatty())
    state = Progress(total=total)
    stop = threading.Event()
    ticker: Any = None
    if display == "plain":
        ticker = threading.Thread(target=_plain_lines, args=(state, stop), daemon=True)
        ticker.start()
    try:
        if display == "live":
            return _run_live(work, state)
        return asyncio.run(work(state))
    except KeyboardInterrupt:
        kept = state.done - state.failed if stored else 0
        rest = state.total - kept
        again = "briefer " + shlex.join(sys.argv[1:])
        where = "kept in the store" if stored else "kept (no store)"
        say(f"interrupted: {kept} of {state.total} briefs {where}; {again} briefs the other {rest}")
        if on_interrupt is not None and state.finished:
            on_interrupt(state.so_far())
        raise SystemExit(130) from None
    finally:
        stop.set()
        if ticker is not None:
            ticker.join(timeout=1)
            say(status_line(state))


def _plain_lines(state: Progress, stop: threading.Event) -> None:
    while not stop.wait(PLAIN_EVERY_SECONDS):
        say(status_line(state))


def _run_live(work: Callable[[Progress], Coroutine[Any, Any, Digest]], state: Progress) -> Digest:
    from rich.console import Console
    from rich.live import Live
    from rich.text import Text

    class _Line:
        """Re-read the counts each time rich draws (once a second), so the clock ticks."""

        def __rich__(self) -> Text:
            return Text("digest · " + status_line(state))

    with Live(_Line(), console=Console(stderr=True), refresh_per_second=1, transient=False):
        return asyncio.run(work(state))
