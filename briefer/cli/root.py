"""The `briefer` command group: its name, help, the root options and the batch subgroup."""

from __future__ import annotations

from typing import Annotated

import typer

from briefer import __version__
from briefer.cli.batch import batch_app
from briefer.cli.common import CONTEXT

app = typer.Typer(
    name="briefer",
    help="Structured, verifiable briefs of news articles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
app.add_typer(batch_app, name="batch")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Structured, verifiable briefs of news articles.

    \b
    Examples:
      briefer brief article.txt                 a brief in Markdown (offline with no key)
      briefer digest ~/news/today/ -o brief.md  a morning brief of many articles
      briefer compare a.txt b.html              how outlets cover one story
      briefer brief -h                          every option of a command
    """
