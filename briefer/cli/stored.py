"""The commands that read the store: history, show, story."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from briefer.cli.common import Db, FormatOption, Output, command, emit, open_store
from briefer.cli.root import app
from briefer.errors import UsageError


@command(app)
def history(
    limit: Annotated[
        int, typer.Option(metavar="N", min=1, max=1_000_000, help="List at most N briefs.")
    ] = 50,
    since: Annotated[
        str | None,
        typer.Option(metavar="WHEN", help="Only briefs made since: 24h, 2d, 90m or a date."),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option(
            "--search",
            "-s",
            metavar="TEXT",
            help="Only briefs whose title, source or headline holds TEXT (any case).",
        ),
    ] = None,
    fmt: Annotated[
        Literal["table", "json", "jsonl"],
        typer.Option("--format", "-f", help="A table for people, or JSON for scripts."),
    ] = "table",
    db: Db = None,
) -> None:
    """List stored briefs, newest first, with their tokens and cost.

    \b
    Examples:
      briefer history --since 24h
      briefer history --search sanctions --format jsonl | jq .id
    """
    from briefer.renderers.history import render_history
    from briefer.settings import parse_since

    after = parse_since(since) if since is not None else None
    rows = open_store(db).history(limit, since=after, search=search)
    rendered = render_history(rows, fmt, filtered=bool(since or search))
    if rendered:
        typer.echo(rendered)


@command(app)
def show(
    brief_id: Annotated[str, typer.Argument(metavar="ID", help="The id `briefer history` shows.")],
    fmt: FormatOption = "markdown",
    output: Output = None,
    db: Db = None,
) -> None:
    """Print a stored brief.

    \b
    Examples:
      briefer show 42
      briefer show 42 --format slack
    """
    from briefer.renderers import render

    if not brief_id.isdigit():
        raise UsageError(f"{brief_id!r} is not a brief id; `briefer history` lists them")
    emit(render(open_store(db).show(int(brief_id)), fmt), output)


@command(app)
def story(
    brief_id: Annotated[
        str, typer.Argument(metavar="ID", help="A stored brief's id (briefer history).")
    ],
    db: Db = None,
) -> None:
    """Print a brief's story: its story brief and its timeline.

    The story brief merges the outlets' briefs of the story's newest day, when several
    outlets told it then; the timeline lists each stored brief, its date and outlet, and
    what it added to the briefs before it.

    \b
    Example:
      briefer story 42
    """
    from briefer.digest.followup import latest_story_brief, story_timeline
    from briefer.renderers.story import render_story_markdown

    if not brief_id.isdigit():
        raise UsageError(f"{brief_id!r} is not a brief id; `briefer history` lists them")
    store = open_store(db)
    timeline = story_timeline(store, int(brief_id))
    if (story_brief := latest_story_brief(store, int(brief_id))) is not None:
        typer.echo(render_story_markdown(story_brief))
        typer.echo("## Timeline\n")
    for n, entry in enumerate(timeline, 1):
        b = entry.brief
        typer.echo(f"{n}. {b.when}  [{b.id}]  {b.label}: {b.headline}")
        lead = "reported" if n == 1 else "added"
        for fact in entry.added:
            typer.echo(f"     {lead}: {fact}")
        if n > 1 and not entry.added:
            typer.echo("     added nothing the earlier briefs did not say")
