"""`briefer batch ...`: brief many articles through OpenAI's Batch API or vLLM's run-batch."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefer.cli.common import (
    CONTEXT,
    BaseUrl,
    Db,
    DryRun,
    EngineOptions,
    Model,
    Setup,
    Urls,
    command,
    command_line_inputs,
    say,
)
from briefer.errors import UsageError

if TYPE_CHECKING:
    from briefer.digest.batch import Ingested
    from briefer.inputs import Input

batch_app = typer.Typer(
    short_help="Brief many articles through OpenAI's Batch API or vLLM's run-batch.",
    help="Brief many articles through OpenAI's Batch API or vLLM's run-batch.\n\n"
    "\b\nExample, OpenAI (half the price, within 24 hours):\n"
    "  briefer batch prepare ~/news/today/ -o requests.jsonl\n"
    "  briefer batch submit requests.jsonl\n"
    "  briefer batch status\n"
    "  briefer batch collect BATCH_ID",
    no_args_is_help=True,
    context_settings=CONTEXT,
)


def _batch_setup(
    db: Path | None,
    model: str | None,
    base_url: str | None,
    *,
    planning: bool = False,
    resolve: bool = False,
) -> Setup:
    """The Briefer of a batch command (`resolve`: settle the model and context now, for
    `prepare`; the others need neither, and vLLM's server need not be running for them)."""
    return EngineOptions(
        engine="openai", model=model, base_url=base_url, json_mode="schema", db=db
    ).setup(planning=planning, resolve=resolve)


@command(batch_app, name="prepare")
def batch_prepare(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="INPUTS",
            help="Files, folders, URLs, or '-': one path or URL a line on standard input.",
        ),
    ] = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE", help="The request file to write (JSONL)."),
    ] = Path("requests.jsonl"),
    urls: Urls = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Prepare again the requests that failed.")
    ] = False,
    dry_run: DryRun = False,
    model: Model = None,
    base_url: BaseUrl = None,
    db: Db = None,
) -> None:
    """Write a request file (one line per article or chunk); cached articles are skipped.

    \b
    Examples:
      briefer batch prepare ~/news/today/ -o requests.jsonl
      briefer batch prepare ~/news/today/ --dry-run     requests and cost; writes nothing
    """
    from briefer.digest import batch
    from briefer.engines.estimate import format_cost

    # Writing a request file sends nothing: no key is needed until `submit`.
    setup = _batch_setup(db, model, base_url, planning=True, resolve=True)
    sources: list[Input] = command_line_inputs(inputs or [], urls)
    if retry_failed:
        again = batch.retry_sources(setup.briefer)
        if not again and not sources:
            say("no batch request has failed: nothing to prepare again")
            return
        sources += again
    if not sources:
        raise UsageError("no articles given; name files, directories or URLs, or --retry-failed")
    setup.announce()
    target = output if not dry_run else Path(os.devnull)
    done = batch.prepare(sources, setup.briefer, target, load_options=setup.load)
    cost = batch.batch_cost(setup.briefer, done.input_tokens, done.requests)
    money = format_cost(cost)
    lines = [
        f"articles:        {done.articles} ({done.skipped_cached} already stored, skipped)",
        f"requests:        {done.requests}",
        f"input tokens:    {done.input_tokens:,}",
        f"estimated cost:  {money} at batch prices",
    ]
    if not dry_run:
        lines.append("files:           " + ", ".join(str(p) for p in done.files))
    typer.echo("\n".join(lines))
    for source, reason in done.failed:
        say(f"failed: {source}: {reason}")
    if done.failed:
        raise SystemExit(1)


@command(batch_app, name="submit")
def batch_submit(
    requests: Annotated[
        Path, typer.Argument(metavar="FILE", help="A request file from `batch prepare`.")
    ],
    db: Db = None,
) -> None:
    """Upload a request file and start a batch (24-hour window).

    \b
    Example:
      briefer batch submit requests.jsonl
    """
    from briefer.digest import batch

    if not requests.is_file():
        raise UsageError(f"{requests}: no such file; make one with `briefer batch prepare`")
    state = batch.submit(requests, _batch_setup(db, None, None).briefer)
    typer.echo(f"batch {state.id}: {state.status}")


@command(batch_app, name="status")
def batch_status(
    batch_id: Annotated[
        str | None, typer.Argument(metavar="BATCH_ID", help="A batch id (default: all known).")
    ] = None,
    db: Db = None,
) -> None:
    """Show how batches are doing.

    \b
    Example:
      briefer batch status
    """
    from briefer.digest import batch

    setup = _batch_setup(db, None, None)
    assert setup.briefer.store is not None
    ids = [batch_id] if batch_id else [row[0] for row in setup.briefer.store.batches()]
    if not ids:
        typer.echo("no batches submitted yet")
    for each in ids:
        state = batch.status(each, setup.briefer)
        typer.echo(
            f"{state.id}: {state.status}, {state.completed} of {state.total} done, "
            f"{state.failed} failed"
        )


@command(batch_app, name="collect")
def batch_collect(
    batch_id: Annotated[str, typer.Argument(metavar="BATCH_ID", help="The batch id.")],
    folder: Annotated[
        Path,
        typer.Option("--dir", metavar="FOLDER", help="Where to keep the downloaded files."),
    ] = Path("."),
    db: Db = None,
) -> None:
    """Download a finished batch, verify and store every brief, report failures.

    \b
    Example:
      briefer batch collect batch_abc123 --dir downloads/
    """
    from briefer.digest import batch

    state, done = batch.collect(batch_id, _batch_setup(db, None, None).briefer, folder)
    _report_ingest(done, f"batch {state.id} ({state.status})")


@command(batch_app, name="import")
def batch_import(
    results: Annotated[
        Path, typer.Argument(metavar="FILE", help="An output file of `vllm run-batch`.")
    ],
    db: Db = None,
) -> None:
    """Ingest a batch output file (vLLM's run-batch, or a downloaded OpenAI one).

    \b
    Example:
      briefer batch import results.jsonl
    """
    from briefer.digest import batch

    if not results.is_file():
        raise UsageError(f"{results}: no such file")
    # Reading a results file sends nothing: no key is needed.
    setup = _batch_setup(db, None, None, planning=True)
    done = batch.ingest(batch.read_output(results), setup.briefer)
    _report_ingest(done, str(results))


def _report_ingest(done: Ingested, what: str) -> None:
    typer.echo(
        f"{what}: {done.stored} briefs stored, {done.waiting_for_parts} parts waiting for the "
        f"rest of their article, {len(done.failed)} failed"
    )
    for custom_id, reason in done.failed:
        say(f"failed: {custom_id}: {reason}")
    if done.failed:
        say("prepare them again with `briefer batch prepare --retry-failed`")
        raise SystemExit(1)
