"""The `briefer` command: parse options, call the library, render, map errors to exit codes.

Exit codes: 0 success; 1 the engine, the endpoint or the network failed (or, in a digest, an
article failed); 2 bad input or usage. Heavy modules (the engines, openai, trafilatura) are
imported inside commands so that `--help` is fast.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer

from briefer._version import __version__
from briefer.cli.batch import batch_app
from briefer.cli.common import (
    CONTEXT,
    DEFAULTS,
    Db,
    DryRun,
    EngineOptions,
    FormatOption,
    Output,
    Setup,
    command,
    command_line_inputs,
    emit,
    flag_for,
    say,
)
from briefer.errors import BrieferError, UsageError
from briefer.text import one_line
from briefer.text.redact import redact

if TYPE_CHECKING:
    from datetime import datetime

    from briefer.inputs import Input
    from briefer.inputs.article import Article
    from briefer.schema import Envelope
    from briefer.schema.comparison import BriefDiff
    from briefer.settings import Settings

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


# --- commands ------------------------------------------------------------------------------------


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


@command(app, engine_options=True)
def digest(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="INPUTS",
            help="Files, folders (their .txt, .md and .html files), URLs, or '-': one path "
            "or URL a line on standard input.",
        ),
    ] = None,
    urls: Annotated[
        Path | None,
        typer.Option("--urls", metavar="FILE", help="A file of URLs (or paths), one a line."),
    ] = None,
    fmt: FormatOption = "markdown",
    output: Output = None,
    concurrency: Annotated[
        int, typer.Option(metavar="N", help="Requests on their way at once.")
    ] = 8,
    allow_failures: Annotated[
        bool, typer.Option("--allow-failures", help="Exit 0 even when some articles failed.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    progress: Annotated[
        bool,
        typer.Option(
            "--progress",
            help="Progress lines on stderr even when it is not a terminal (logs, cron).",
        ),
    ] = False,
    feed: Annotated[
        list[str] | None,
        typer.Option(
            "--feed",
            metavar="URL|FILE",
            help="An RSS, Atom or JSON feed to brief the entries of (repeat for more).",
        ),
    ] = None,
    feeds: Annotated[
        Path | None,
        typer.Option(
            "--feeds",
            metavar="FILE",
            help="Feeds: one URL a line, or an OPML file exported by a feed reader.",
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            metavar="WHEN", help="Only feed entries published since: 24h, 2d, 90m or a date."
        ),
    ] = None,
    post_slack: Annotated[
        str | None,
        typer.Option(
            "--post-slack",
            metavar="WEBHOOK",
            help="Also post the digest to this Slack incoming webhook (never printed).",
            show_default=False,
        ),
    ] = None,
    dry_run: DryRun = False,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Brief many articles at once into one morning brief, grouped by story.

    \b
    Examples:
      briefer digest ~/news/today/ -o morning.md
      briefer digest --feeds subscriptions.opml --since 24h --format html -o morning.html
      briefer digest --urls links.txt --format html -o morning.html
      ls ~/news/*.html | briefer digest -
      briefer digest ~/news/today/ --dry-run    tokens and cost; sends nothing
    """
    from briefer.cli.progress import run_digest
    from briefer.settings import parse_since

    sources = command_line_inputs(inputs or [], urls)
    named_feeds = [*(feed or []), *(_feed_list(feeds) if feeds is not None else [])]
    if not sources and not named_feeds:
        raise UsageError(
            "no articles given; name files, directories or URLs, or use --urls or --feed"
        )
    after = parse_since(since) if since is not None else None
    setup = options.setup(no_cache=dry_run, planning=dry_run)
    setup.announce()
    briefer = setup.briefer
    if dry_run:
        emit(_digest_plan(sources, named_feeds, after, setup), output)
        return
    result = run_digest(
        lambda state: briefer.adigest(
            sources, feeds=named_feeds, since=after, concurrency=concurrency, progress=state
        ),
        total=len(sources),
        stored=briefer.store is not None,
        quiet=quiet,
        progress=progress,
    )
    if result.feed_summary:
        say(result.feed_summary)
    from briefer.renderers import render

    for item in result.failed:  # the fixes, in the command line's words
        if item.failure is not None:
            reason = one_line(item.failure.describe(flag_for))
            item.error = reason.removeprefix(f"{item.source}: ")
    emit(render(result, fmt), output)
    if post_slack:
        from briefer.digest.deliver import post_slack as deliver

        posted = deliver(post_slack, result, timeout=setup.load.fetch_timeout)
        say(f"posted the digest to Slack ({posted} message{'s' if posted != 1 else ''})")
    for item in result.failed:
        say(f"failed: {item.source}: {item.error}")
    if result.failed and not allow_failures:
        say(f"{len(result.failed)} of {len(result.items)} articles failed")
        raise SystemExit(1)


@command(app, engine_options=True)
def compare(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="INPUTS", help="Two or more articles: files, URLs or stored brief ids."
        ),
    ],
    briefs: Annotated[
        bool,
        typer.Option("--briefs", help="The inputs are two brief JSON files of one article."),
    ] = False,
    labels: Annotated[
        list[str] | None,
        typer.Option(
            "--label",
            metavar="NAME",
            help="Name a source (repeat, in the order of the inputs); default: the site's "
            "name, the address's host, or the file's name.",
        ),
    ] = None,
    fmt: FormatOption = "markdown",
    output: Output = None,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Compare how several articles cover one story (or two briefs of one article).

    \b
    Examples:
      briefer compare reuters.txt ap.html https://example.org/story
      briefer compare a.txt b.txt --label Reuters --label AP
      briefer compare 12 15                     two stored briefs' articles (briefer history)
      briefer compare --briefs monday.json tuesday.json
    """
    from briefer.renderers import render

    if briefs:
        emit(render(_diff_files(inputs), fmt), output)
        return
    if len(inputs) < 2:
        raise UsageError("compare needs at least two articles")
    names = labels or []
    if len(names) > len(inputs):
        raise UsageError(f"{len(names)} --label for {len(inputs)} articles; give one per article")
    setup = options.setup()
    articles = [_compared_article(given, setup, options.db) for given in inputs]
    articles = [
        dataclasses.replace(a, site_name=name) if name.strip() else a
        for a, name in zip(articles, [*names, *[""] * len(articles)], strict=False)
    ]
    setup.announce()
    emit(render(setup.briefer.compare(articles), fmt), output)


@command(app, name="eval", engine_options=True)
def evaluate(
    labels: Annotated[
        list[Path],
        typer.Argument(metavar="LABELS", help="Label files (NAME.labels.json) or folders of them."),
    ],
    articles: Annotated[
        list[Path] | None,
        typer.Option(
            "--articles",
            metavar="FOLDER",
            help="A folder of the labelled articles (default: beside the labels, or ../corpus).",
        ),
    ] = None,
    fmt: Annotated[
        Literal["markdown", "json"], typer.Option("--format", "-f", help="Report format.")
    ] = "markdown",
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="A report saved with --format json: show the change per metric."
        ),
    ] = None,
    output: Output = None,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Score briefs against an editor's labels: key facts, stakeholders, sourcing, length.

    \b
    Examples:
      briefer eval labels/ --format json -o today.json
      briefer eval labels/ --baseline today.json     the change per metric after a change
      briefer eval labels/ --model gpt-4.1-mini      the LLM engine on the same labels
    """
    import json

    from briefer.evaluation import evaluate as run_evaluation
    from briefer.evaluation import label_files, read_baseline, render_report

    before = read_baseline(baseline) if baseline is not None else None
    paths = label_files(labels)
    setup = options.setup()
    setup.announce()
    report = run_evaluation(setup.briefer, paths, articles=articles or [])
    for score in report.articles:  # the fixes, in the command line's words
        if score.failure is not None:
            score.error = one_line(score.failure.describe(flag_for))
    if fmt == "json":
        emit(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n", output)
    else:
        emit(render_report(report, before), output)
    for score in report.articles:
        if score.error:
            say(f"failed: {score.name}: {score.error}")


def _digest_plan(
    sources: list[Input], feeds: list[str], since: datetime | None, setup: Setup
) -> str:
    """What a digest would send (`--dry-run`): the feeds are read, nothing is briefed."""
    from briefer.digest.runner import DigestInput, load_input
    from briefer.engines.estimate import render_plans

    entries: list[DigestInput] = list(sources)
    if feeds:
        from briefer.digest.feeds import describe, read_feeds

        read = read_feeds(feeds, store=None, options=setup.load, since=since)
        say(describe(read))
        entries += read.entries
    return render_plans([setup.briefer.estimate(load_input(e, setup.load)) for e in entries])


def _feed_list(path: Path) -> list[str]:
    from briefer.inputs.feeds import read_feed_list

    return read_feed_list(path)


def _compared_article(given: str, setup: Setup, db: Path | None) -> Article:
    """An input of `compare`: a stored brief id (its article), or a path or URL."""
    from briefer.inputs import CommandLine, load_article
    from briefer.store import Store

    if given.isdigit() and not Path(given).exists():
        return Store(db).article(int(given))
    return load_article(CommandLine(given), setup.load)


def _diff_files(paths: list[str]) -> BriefDiff:
    from briefer.diff import diff_briefs

    if len(paths) != 2:
        raise UsageError("--briefs compares exactly two brief JSON files")
    first, second = (_read_brief(Path(p)) for p in paths)
    if first.article.sha256 != second.article.sha256:
        say("the two briefs are of different article texts; comparing them anyway")
    return diff_briefs(first, second, (Path(paths[0]).name, Path(paths[1]).name))


def _read_brief(path: Path) -> Envelope:
    """A brief saved as JSON (`briefer brief --format json`), for `compare --briefs`."""
    from pydantic import ValidationError

    from briefer.schema import Envelope

    try:
        return Envelope.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
    except (ValidationError, UnicodeDecodeError):
        raise UsageError(
            f"{path}: not a brief envelope in JSON, as render_json writes one; give a saved brief"
        ) from None


@command(app)
def history(
    limit: Annotated[int, typer.Option(metavar="N", help="List at most N briefs.")] = 50,
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
    from dataclasses import asdict

    from briefer.engines.estimate import format_cost
    from briefer.settings import parse_since
    from briefer.store import Store

    after = parse_since(since) if since is not None else None
    rows = Store(db).history(limit, since=after, search=search)
    if fmt != "table":
        records = [asdict(r) for r in rows]
        if fmt == "json":
            typer.echo(json.dumps(records, indent=2, ensure_ascii=False))
        else:
            for record in records:
                typer.echo(json.dumps(record, ensure_ascii=False))
        return
    if not rows:
        typer.echo("no briefs stored yet" if not (since or search) else "no stored brief matches")
        return
    typer.echo(
        f"{'id':>5}  {'date':<16}  {'engine':<7}  {'model':<20}  {'tokens':>7}  {'cost':>8}  "
        f"{'found':>5}  title · source"
    )
    for r in rows:
        grounded = f"{r.grounded_ratio:.0%}" if r.grounded_ratio is not None else "-"
        tokens = f"{r.total_tokens:,}" if r.total_tokens else "-"
        if r.cached_tokens and r.prompt_tokens:
            tokens += f" ({r.cached_tokens / r.prompt_tokens:.0%} cached)"
        cost = format_cost(r.cost_usd) if r.cost_usd is not None and r.total_tokens else "-"
        title = (r.title or "(untitled)")[:60]
        typer.echo(
            f"{r.id:>5}  {r.created_at[:16].replace('T', ' '):<16}  {r.engine:<7}  "
            f"{(r.model or '-')[:20]:<20}  {tokens:>7}  {cost:>8}  {grounded:>5}  "
            f"{title} · {r.source}"
        )
    total = sum(r.cost_usd or 0.0 for r in rows)
    if any(r.cost_usd is not None for r in rows):
        typer.echo(f"total cost of these {len(rows)}: {format_cost(total)}")


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
    from briefer.store import Store

    if not brief_id.isdigit():
        raise UsageError(f"{brief_id!r} is not a brief id; `briefer history` lists them")
    emit(render(Store(db).show(int(brief_id)), fmt), output)


@command(app)
def serve(
    host: Annotated[str, typer.Option(metavar="ADDRESS", help="Address to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(metavar="PORT", help="Port to listen on.")] = 8080,
    token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN", help="Require this bearer token (default: $BRIEFER_SERVER_TOKEN)."
        ),
    ] = None,
) -> None:
    """Serve briefs over HTTP (needs the server extra: pip install 'briefer-news[server]').

    \b
    Example:
      BRIEFER_SERVER_TOKEN=$(openssl rand -hex 16) briefer serve --port 8080
    """
    from briefer.cli.serve import serve as run_server

    run_server(host=host, port=port, token=token)


@command(app)
def story(
    brief_id: Annotated[
        str, typer.Argument(metavar="ID", help="A stored brief's id (briefer history).")
    ],
    db: Db = None,
) -> None:
    """Print the timeline of a brief's story: each stored brief, its date and outlet, and
    what it added to the briefs before it.

    \b
    Example:
      briefer story 42
    """
    from briefer.digest.followup import story_timeline
    from briefer.store import Store

    if not brief_id.isdigit():
        raise UsageError(f"{brief_id!r} is not a brief id; `briefer history` lists them")
    timeline = story_timeline(Store(db), int(brief_id))
    for n, entry in enumerate(timeline, 1):
        b = entry.brief
        typer.echo(f"{n}. {b.when}  [{b.id}]  {b.label}: {b.headline}")
        lead = "reported" if n == 1 else "added"
        for fact in entry.added:
            typer.echo(f"     {lead}: {fact}")
        if n > 1 and not entry.added:
            typer.echo("     added nothing the earlier briefs did not say")


@command(app)
def models() -> None:
    """List the model table: context window, output limit and prices per million tokens.

    Models not listed use the default row. Add or change rows in a price file
    ($BRIEFER_PRICES, or prices.toml in the user config folder), same format.

    \b
    Example:
      briefer models
    """
    from briefer.engines.openai.models import model_table, user_prices_path

    rows: list[tuple[str, ...]] = [
        ("model", "context", "max output", "$ in / 1M", "$ out / 1M", "encoding")
    ]
    for m in model_table():
        price = [
            f"{p:g}" if p is not None else "-" for p in (m.input_per_million, m.output_per_million)
        ]
        rows.append(
            (m.name, f"{m.context_tokens:,}", f"{m.max_output_tokens:,}", *price, m.encoding)
        )
    typer.echo(_table(rows))
    user = user_prices_path()
    typer.echo(f"\nprices: shipped table{f' with {user} laid over it' if user else ''}")


@command(app)
def prompts() -> None:
    """List the shipped prompt templates with their versions (--prompt NAME uses one).

    \b
    Example:
      briefer prompts
    """
    from briefer.engines.openai.prompts import shipped_templates

    rows: list[tuple[str, ...]] = [("name", "version", "file")]
    rows += [(name, version, str(path)) for name, version, path in shipped_templates()]
    typer.echo(_table(rows))


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned columns, the first row a header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


@command(app)
def schema() -> None:
    """Print the JSON Schema of the brief envelope.

    \b
    Example:
      briefer schema > brief.schema.json
    """
    from briefer.schema import envelope_json_schema

    typer.echo(json.dumps(envelope_json_schema(), indent=2))


@command(app)
def mcp(
    http: Annotated[
        bool,
        typer.Option("--http", help="Serve streamable HTTP at /mcp instead of stdin and stdout."),
    ] = False,
    host: Annotated[
        str, typer.Option(metavar="ADDRESS", help="Address to listen on (with --http).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(metavar="PORT", help="Port to listen on (with --http).")
    ] = 8765,
    token: Annotated[
        str | None,
        typer.Option(
            metavar="TOKEN",
            help="Require this bearer token over HTTP (default: $BRIEFER_SERVER_TOKEN).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            metavar="SECONDS",
            help="Time limit of one tool call, fetching and briefing included.",
        ),
    ] = 120.0,
) -> None:
    """Serve briefer's tools to chat assistants over MCP (needs the mcp extra:
    pip install 'briefer-news[mcp]').

    \b
    Examples:
      briefer mcp                               stdio, for an MCP client's configuration
      BRIEFER_SERVER_TOKEN=$(openssl rand -hex 16) briefer mcp --http --port 8765
    """
    try:
        from briefer.mcp import serve as run_mcp
    except ImportError as exc:
        from briefer.errors import ConfigError

        raise ConfigError(
            f"the MCP server needs the mcp package ({exc.name} is missing); install the mcp "
            "extra: pip install 'briefer-news[mcp]' (from a checkout: pip install '.[mcp]')"
        ) from None
    run_mcp(http=http, host=host, port=port, token=token, timeout=timeout)


# --- output and errors ---------------------------------------------------------------------------


def _fail(message: str, code: int, exc: BaseException, debug: bool) -> NoReturn:
    secrets = (_settings().api_key,)
    if debug:
        trace = "".join(traceback.format_exception(exc))
        sys.stderr.write(redact(trace, secrets))
    sys.stderr.write(f"briefer: error: {redact(message, secrets)}\n")
    raise SystemExit(code)


def _settings() -> Settings:
    from briefer.settings import Settings

    try:
        return Settings.from_env()
    except BrieferError:
        return Settings()  # a bad variable is reported by the command that reads it


def main() -> None:
    """Run the command line, turning every failure into one line on stderr and an exit code."""
    debug = "--debug" in sys.argv[1:] or _settings().debug
    try:
        code = typer.main.get_command(app).main(prog_name="briefer", standalone_mode=False)
    except BrieferError as exc:
        _fail(one_line(exc.describe(flag_for)), exc.exit_code, exc, debug)
    except KeyboardInterrupt as exc:
        _fail("interrupted; every brief finished so far is in the store", 130, exc, debug)
    except Exception as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `briefer` alone: its help
            sys.stdout.write(exc.format_message() + "\n")  # type: ignore[attr-defined]
            raise SystemExit(0) from None
        if not _is_usage_error(exc):
            _internal(exc, debug)
        _fail(_usage_message(exc), 2, exc, debug)
    if code == 130:  # Ctrl-C, which the command line turns into an exit code
        _fail(
            "interrupted; every brief finished so far is in the store",
            130,
            KeyboardInterrupt(),
            debug,
        )
    raise SystemExit(code if isinstance(code, int) else 0)


def _is_usage_error(exc: BaseException) -> bool:
    """Whether the command line refused its arguments (a click usage error or abort)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"UsageError", "ClickException", "Abort"})


def _usage_message(exc: BaseException) -> str:
    """The usage error in one line, with where to look for help."""
    if type(exc).__name__ == "Abort":
        return "aborted; nothing more was done"
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
    message = one_line(message).replace("Value error, ", "").rstrip(".")
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "briefer"
    return f"{message}; see '{command} -h'"


def _internal(exc: BaseException, debug: bool) -> NoReturn:
    _fail(
        f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it",
        1,
        exc,
        debug,
    )
