"""The command that makes one brief: brief."""

from __future__ import annotations

from typing import Annotated

import typer

from briefer.cli.common import (
    DEFAULTS,
    DryRun,
    EngineOptions,
    FormatOption,
    Output,
    command,
    emit,
)
from briefer.cli.root import app


@command(app, engine_options=True)
def brief(
    article: Annotated[
        str,
        typer.Argument(
            metavar="ARTICLE",
            help="A text or HTML file, '-' for standard input, or an http(s) URL.",
        ),
    ],
    fmt: FormatOption = "markdown",
    output: Output = None,
    dry_run: DryRun = False,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Brief one news article (stored, and reused when the store has it).

    \b
    Examples:
      briefer brief article.txt
      briefer brief https://example.org/news/story --format json -o brief.json
      curl -s https://example.org/story | briefer brief -
      briefer brief article.txt --dry-run       tokens and cost; sends nothing
    """
    from briefer.inputs import CommandLine, load_article
    from briefer.renderers import render

    setup = options.setup(no_cache=dry_run, planning=dry_run)
    loaded = load_article(CommandLine(article), setup.load)
    setup.announce()
    if dry_run:
        emit(setup.briefer.estimate(loaded).render(), output)
        return
    emit(render(setup.briefer.brief(loaded), fmt), output)
