"""The `briefer` command: parse options, call the library, render, map errors to exit codes.

Exit codes: 0 success; 1 the engine, the endpoint or the network failed (or, in a digest, an
article failed); 2 bad input or usage. Heavy modules (the engines, openai, trafilatura) are
imported inside commands so that `--help` is fast.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from briefer._version import __version__
from briefer.cli.batch import batch_app
from briefer.cli.common import (
    DEFAULTS,
    Db,
    DryRun,
    EngineOptions,
    Output,
    Setup,
    check_format,
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
    from briefer.inputs.article import Article
    from briefer.schema import Envelope
    from briefer.schema.comparison import BriefDiff
    from briefer.settings import Settings

app = typer.Typer(
    name="briefer",
    help="Structured, verifiable briefs of news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
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
    """Structured, verifiable briefs of news articles."""


@command(app, engine_options=True)
def brief(
    article: Annotated[
        str,
        typer.Argument(help="Article: a text or HTML file, '-' for standard input, or a URL."),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="markdown, json, text or html.")
    ] = "markdown",
    output: Output = None,
    dry_run: DryRun = False,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Brief one news article (stored, and reused when the store has it)."""
    from briefer.inputs import CommandLine, load_article
    from briefer.renderers import render

    fmt = check_format(fmt)
    setup = options.setup(no_cache=dry_run)
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
        typer.Argument(help="Articles: files, directories (their .txt/.md/.html), URLs, '-'."),
    ] = None,
    urls: Annotated[Path | None, typer.Option("--urls", help="A file of URLs, one a line.")] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="markdown, json or html.")
    ] = "markdown",
    output: Output = None,
    concurrency: Annotated[int, typer.Option(help="Requests on their way at once.")] = 8,
    allow_failures: Annotated[
        bool, typer.Option("--allow-failures", help="Exit 0 even when some articles failed.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    dry_run: DryRun = False,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Brief many articles at once into one morning brief, grouped by story."""
    from briefer.cli.progress import run_digest

    fmt = check_format(fmt)
    sources = command_line_inputs(inputs or [], urls)
    if not sources:
        raise UsageError("no articles given; name files, directories or URLs, or use --urls")
    setup = options.setup(no_cache=dry_run)
    setup.announce()
    if dry_run:
        from briefer.engines.estimate import render_plans
        from briefer.inputs import load_article

        plans = [setup.briefer.estimate(load_article(source, setup.load)) for source in sources]
        emit(render_plans(plans), output)
        return
    result = run_digest(
        sources, setup.briefer, concurrency=concurrency, load=setup.load, quiet=quiet
    )
    from briefer.renderers import render

    for item in result.failed:  # the fixes, in the command line's words
        if item.failure is not None:
            reason = one_line(item.failure.describe(flag_for))
            item.error = reason.removeprefix(f"{item.source}: ")
    emit(render(result, fmt), output)
    for item in result.failed:
        say(f"failed: {item.source}: {item.error}")
    if result.failed and not allow_failures:
        say(f"{len(result.failed)} of {len(result.items)} articles failed")
        raise SystemExit(1)


@command(app, engine_options=True)
def compare(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Two or more articles: files, URLs or stored brief ids."),
    ],
    briefs: Annotated[
        bool,
        typer.Option("--briefs", help="The inputs are two brief JSON files of one article."),
    ] = False,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="markdown, json or html.")
    ] = "markdown",
    output: Output = None,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Compare how several articles cover one story (or two briefs of one article)."""
    from briefer.renderers import render

    fmt = check_format(fmt)
    if briefs:
        emit(render(_diff_files(inputs), fmt), output)
        return
    if len(inputs) < 2:
        raise UsageError("compare needs at least two articles")
    setup = options.setup()
    articles = [_compared_article(given, setup, options.db) for given in inputs]
    setup.announce()
    emit(render(setup.briefer.compare(articles), fmt), output)


@command(app, name="eval", engine_options=True)
def evaluate(
    labels: Annotated[
        list[Path],
        typer.Argument(help="Label files (NAME.labels.json) or folders of them."),
    ],
    articles: Annotated[
        list[Path] | None,
        typer.Option(
            "--articles",
            help="A folder of the labelled articles (default: beside the labels, or ../corpus).",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="markdown or json.")] = "markdown",
    baseline: Annotated[
        Path | None,
        typer.Option(help="A report saved with --format json: show the change per metric."),
    ] = None,
    output: Output = None,
    options: EngineOptions = DEFAULTS,
) -> None:
    """Score briefs against an editor's labels: key facts, stakeholders, sourcing, length.

    Example: briefer eval labels/ --format json -o today.json; then
    briefer eval labels/ --baseline today.json after a change.
    """
    import json

    from briefer.evaluation import evaluate as run_evaluation
    from briefer.evaluation import label_files, read_baseline, render_report

    if fmt not in ("markdown", "json"):
        raise UsageError(f"--format {fmt!r} is not one of markdown, json")
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
    limit: Annotated[int, typer.Option(help="How many briefs to list.")] = 50,
    db: Db = None,
) -> None:
    """List stored briefs, newest first."""
    from briefer.store import Store

    rows = Store(db).history(limit)
    if not rows:
        typer.echo("no briefs stored yet")
        return
    typer.echo(
        f"{'id':>5}  {'date':<16}  {'engine':<7}  {'model':<24}  {'grounded':>8}  title / source"
    )
    for r in rows:
        grounded = f"{r.grounded_ratio:.0%}" if r.grounded_ratio is not None else "-"
        title = (r.title or "(untitled)")[:60]
        typer.echo(
            f"{r.id:>5}  {r.created_at[:16].replace('T', ' '):<16}  {r.engine:<7}  "
            f"{(r.model or '-')[:24]:<24}  {grounded:>8}  {title} · {r.source}"
        )


@command(app)
def show(
    brief_id: Annotated[int, typer.Argument(help="The id `briefer history` shows.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="markdown, json, text or html.")
    ] = "markdown",
    output: Output = None,
    db: Db = None,
) -> None:
    """Print a stored brief."""
    from briefer.renderers import render
    from briefer.store import Store

    fmt = check_format(fmt)
    emit(render(Store(db).show(brief_id), fmt), output)


@command(app)
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    token: Annotated[
        str | None,
        typer.Option(help="Require this bearer token (default: $BRIEFER_SERVER_TOKEN)."),
    ] = None,
) -> None:
    """Serve briefs over HTTP (needs the server extra: pip install 'briefer-news[server]')."""
    from briefer.cli.serve import serve as run_server

    run_server(host=host, port=port, token=token)


@command(app)
def schema() -> None:
    """Print the JSON Schema of the brief envelope."""
    from briefer.schema import envelope_json_schema

    typer.echo(json.dumps(envelope_json_schema(), indent=2))


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
        app(prog_name="briefer")
    except BrieferError as exc:
        _fail(one_line(exc.describe(flag_for)), exc.exit_code, exc, debug)
    except KeyboardInterrupt as exc:
        _fail("interrupted; every brief finished so far is in the store", 130, exc, debug)
    except Exception as exc:  # a bug of ours: still one line, unless --debug
        _fail(
            f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it",
            1,
            exc,
            debug,
        )
