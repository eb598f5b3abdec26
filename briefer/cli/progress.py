"""Run a digest from the command line, with a progress bar on stderr when it is a terminal."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TYPE_CHECKING

from briefer.digest.runner import Digest, DigestItem, Progress, adigest

if TYPE_CHECKING:
    from briefer.core import Briefer
    from briefer.inputs import Input, LoadOptions


def run_digest(
    sources: list[Input],
    briefer: Briefer,
    *,
    concurrency: int,
    load: LoadOptions,
    quiet: bool = False,
) -> Digest:
    """Brief `sources`; show progress unless quiet or stderr is not a terminal."""
    if quiet or not sys.stderr.isatty():
        return asyncio.run(adigest(sources, briefer, concurrency=concurrency, load_options=load))
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    with Bar(
        TextColumn("digest"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("digest", total=len(sources), status="")

        def update(progress: Progress, item: DigestItem) -> None:
            elapsed = time.monotonic() - progress.started
            bar.update(
                task,
                completed=progress.done,
                status=(
                    f"failed {progress.failed} · cached {progress.cached} · "
                    f"{elapsed:.0f}s · {progress.tokens:,} tokens"
                ),
            )

        return asyncio.run(
            adigest(sources, briefer, concurrency=concurrency, load_options=load, on_update=update)
        )
