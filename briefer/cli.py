"""The `briefer` command: parse options, call the library, render, map errors to exit codes.

Exit codes: 0 success; 1 the engine, the endpoint or the network failed (or, in a digest, an
article failed); 2 bad input or usage. Heavy modules (the engines, openai, trafilatura) are
imported inside commands so that `--help` is fast.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from briefer import __version__
from briefer.errors import BrieferError, UsageError
from briefer.redact import redact

if TYPE_CHECKING:
    from briefer.article import Article, LoadOptions
    from briefer.batch import Ingested
    from briefer.comparison import BriefDiff
    from briefer.core import Briefer

app = typer.Typer(
    name="briefer",
    help="Structured, verifiable briefs of news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# --- options shared by several commands ---------------------------------------------------------

Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors (never secrets).")]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
]
Model = Annotated[
    str | None, typer.Option(help="Model name (default: $BRIEFER_MODEL or gpt-4o-mini).")
]
BaseUrl = Annotated[
    str | None, typer.Option(help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL).")
]
Temperature = Annotated[float | None, typer.Option(help="Sampling temperature.")]
MaxOutputTokens = Annotated[
    int | None,
    typer.Option(help="Output token budget per request (default: the model's, at most 4096)."),
]
ContextTokens = Annotated[
    int | None, typer.Option(help="Context window in tokens (default: from the model table).")
]
MaxInputTokens = Annotated[
    int | None,
    typer.Option(help="Cut articles after a sentence at this many tokens instead of chunking."),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print tokens, requests and cost; send nothing.")
]
Timeout = Annotated[
    float | None, typer.Option(help="Seconds to wait per request (LLM and page fetch).")
]
JsonMode = Annotated[
    str | None,
    typer.Option(help="auto (json_schema, falling back to json_object), schema or object."),
]
Engine = Annotated[
    str | None,
    typer.Option(help="auto (OpenAI when configured, else offline), openai or offline."),
]
Prompt = Annotated[
    str, typer.Option("--prompt", help="Prompt template: a shipped name or a .toml path.")
]
Strict = Annotated[
    bool,
    typer.Option(
        "--strict", help="Drop items whose quotes are not in the article; fail if none is left."
    ),
]
MaxBytes = Annotated[
    int | None,
    typer.Option(help="Refuse articles larger than this (default 2 MB, $BRIEFER_MAX_BYTES)."),
]
MaxFetchBytes = Annotated[int, typer.Option(help="Refuse web pages larger than this many bytes.")]
AllowPrivate = Annotated[
    bool,
    typer.Option("--allow-private", help="Allow fetching URLs on private or loopback addresses."),
]
Fallback = Annotated[
    bool,
    typer.Option(
        "--fallback", help="When the LLM fails on an article, brief it with the offline engine."
    ),
]
Db = Annotated[
    Path | None,
    typer.Option("--db", help="Brief store (default: $BRIEFER_DB, else the user data folder)."),
]
Refresh = Annotated[
    bool, typer.Option("--refresh", help="Make new briefs even when the store has them.")
]
NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write the brief store.")
]


@dataclass
class _Setup:
    """What the engine options of a command amount to."""

    briefer: Briefer
    load: LoadOptions


def _setup(
    *,
    engine: str | None,
    model: str | None,
    base_url: str | None,
    temperature: float | None,
    max_output_tokens: int | None,
    context_tokens: int | None,
    max_input_tokens: int | None,
    timeout: float | None,
    json_mode: str | None,
    prompt: str,
    strict: bool,
    max_bytes: int | None,
    max_fetch_bytes: int,
    allow_private: bool,
    db: Path | None,
    refresh: bool,
    no_cache: bool,
    fallback: bool = False,
) -> _Setup:
    from briefer.article import DEFAULT_MAX_BYTES, LoadOptions
    from briefer.config import LLMConfig
    from briefer.core import Briefer
    from briefer.store import Store

    config = LLMConfig.from_env(
        model=model,
        base_url=base_url,
        temperature=temperature,
        max_output_tokens=max_output_tokens,
        context_tokens=context_tokens,
        timeout=timeout,
        json_mode=json_mode,
    )
    briefer = Briefer(
        engine=engine,
        config=config,
        prompt=prompt,
        strict=strict,
        max_input_tokens=max_input_tokens,
        store=None if no_cache else Store(db),
        refresh=refresh,
        fallback=fallback,
    )
    if briefer.engine == "offline" and (engine or os.environ.get("BRIEFER_ENGINE")) != "offline":
        _say(
            "using the offline engine (no LLM configured); set OPENAI_API_KEY or "
            "OPENAI_BASE_URL for LLM briefs"
        )
    note = briefer.counter.note
    if note and briefer.engine != "offline":
        _say(note)
    load = LoadOptions(
        max_bytes=max_bytes or _int_env("BRIEFER_MAX_BYTES") or DEFAULT_MAX_BYTES,
        max_fetch_bytes=max_fetch_bytes,
        fetch_timeout=timeout or LoadOptions.fetch_timeout,
        allow_private=allow_private,
    )
    return _Setup(briefer, load)


def _check_format(fmt: str) -> str:
    from briefer.render import FORMATS

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


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
    debug: Debug = False,
) -> None:
    """Structured, verifiable briefs of news articles."""


@app.command()
def brief(
    article: Annotated[
        str,
        typer.Argument(help="Article: a text or HTML file, '-' for standard input, or a URL."),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="markdown, json, text or html.")
    ] = "markdown",
    output: Output = None,
    engine: Engine = None,
    model: Model = None,
    base_url: BaseUrl = None,
    temperature: Temperature = None,
    max_output_tokens: MaxOutputTokens = None,
    context_tokens: ContextTokens = None,
    max_input_tokens: MaxInputTokens = None,
    dry_run: DryRun = False,
    timeout: Timeout = None,
    json_mode: JsonMode = None,
    prompt: Prompt = "brief",
    strict: Strict = False,
    max_bytes: MaxBytes = None,
    max_fetch_bytes: MaxFetchBytes = 5_000_000,
    allow_private: AllowPrivate = False,
    db: Db = None,
    refresh: Refresh = False,
    no_cache: NoCache = False,
    fallback: Fallback = False,
    debug: Debug = False,
) -> None:
    """Brief one news article (stored, and reused when the store has it)."""
    from briefer.article import load_article
    from briefer.render import render

    fmt = _check_format(fmt)
    setup = _setup(
        engine=engine, model=model, base_url=base_url, temperature=temperature,
        max_output_tokens=max_output_tokens, context_tokens=context_tokens,
        max_input_tokens=max_input_tokens, timeout=timeout, json_mode=json_mode, prompt=prompt,
        strict=strict, max_bytes=max_bytes, max_fetch_bytes=max_fetch_bytes,
        allow_private=allow_private, db=db, refresh=refresh, no_cache=no_cache or dry_run,
        fallback=fallback,
    )  # fmt: skip
    loaded = load_article(article, setup.load)
    if dry_run:
        _emit(setup.briefer.plan(loaded).render(), output)
        return
    _emit(render(setup.briefer.brief(loaded), fmt), output)


@app.command()
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
    concurrency: Annotated[int, typer.Option(help="Articles briefed at once.")] = 8,
    allow_failures: Annotated[
        bool, typer.Option("--allow-failures", help="Exit 0 even when some articles failed.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    engine: Engine = None,
    model: Model = None,
    base_url: BaseUrl = None,
    temperature: Temperature = None,
    max_output_tokens: MaxOutputTokens = None,
    context_tokens: ContextTokens = None,
    max_input_tokens: MaxInputTokens = None,
    dry_run: DryRun = False,
    timeout: Timeout = None,
    json_mode: JsonMode = None,
    prompt: Prompt = "brief",
    strict: Strict = False,
    max_bytes: MaxBytes = None,
    max_fetch_bytes: MaxFetchBytes = 5_000_000,
    allow_private: AllowPrivate = False,
    db: Db = None,
    refresh: Refresh = False,
    no_cache: NoCache = False,
    fallback: Fallback = False,
    debug: Debug = False,
) -> None:
    """Brief many articles at once into one morning brief, grouped by story."""
    from briefer.digest import expand_inputs
    from briefer.progress import run_digest

    fmt = _check_format(fmt)
    sources = expand_inputs(inputs or [], str(urls) if urls else None)
    if not sources:
        raise UsageError("no articles given; name files, directories or URLs, or use --urls")
    setup = _setup(
        engine=engine, model=model, base_url=base_url, temperature=temperature,
        max_output_tokens=max_output_tokens, context_tokens=context_tokens,
        max_input_tokens=max_input_tokens, timeout=timeout, json_mode=json_mode, prompt=prompt,
        strict=strict, max_bytes=max_bytes, max_fetch_bytes=max_fetch_bytes,
        allow_private=allow_private, db=db, refresh=refresh, no_cache=no_cache or dry_run,
        fallback=fallback,
    )  # fmt: skip
    if dry_run:
        _emit(_plan_digest(setup, sources), output)
        return
    result = run_digest(
        sources, setup.briefer, concurrency=concurrency, load=setup.load, quiet=quiet
    )
    from briefer.render import render

    _emit(render(result, fmt), output)
    for item in result.failed:
        _say(f"failed: {item.source}: {item.error}")
    if result.failed and not allow_failures:
        _say(f"{len(result.failed)} of {len(result.items)} articles failed")
        raise SystemExit(1)


def _plan_digest(setup: _Setup, sources: list[str]) -> str:
    from briefer.article import load_article

    requests = tokens = output_tokens = 0
    cost: float | None = 0.0
    for source in sources:
        plan = setup.briefer.plan(load_article(source, setup.load))
        requests += plan.requests
        tokens += plan.input_tokens
        output_tokens += plan.expected_output_tokens
        cost = None if cost is None or plan.cost_usd is None else cost + plan.cost_usd
    money = "unknown (no price for this model)" if cost is None else f"${cost:.4f}"
    return (
        f"articles:               {len(sources)}\n"
        f"input tokens:           {tokens:,}\n"
        f"expected output tokens: {output_tokens:,}\n"
        f"requests:               {requests}\n"
        f"estimated cost:         {money}\n"
        "nothing was sent (cached briefs, if any, would cost nothing)\n"
    )


@app.command()
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
    engine: Engine = None,
    model: Model = None,
    base_url: BaseUrl = None,
    temperature: Temperature = None,
    max_output_tokens: MaxOutputTokens = None,
    context_tokens: ContextTokens = None,
    timeout: Timeout = None,
    json_mode: JsonMode = None,
    prompt: Prompt = "brief",
    max_bytes: MaxBytes = None,
    max_fetch_bytes: MaxFetchBytes = 5_000_000,
    allow_private: AllowPrivate = False,
    db: Db = None,
    refresh: Refresh = False,
    no_cache: NoCache = False,
    debug: Debug = False,
) -> None:
    """Compare how several articles cover one story (or two briefs of one article)."""
    from briefer.render import render

    fmt = _check_format(fmt)
    if briefs:
        _emit(render(_diff_files(inputs), fmt), output)
        return
    if len(inputs) < 2:
        raise UsageError("compare needs at least two articles")
    setup = _setup(
        engine=engine, model=model, base_url=base_url, temperature=temperature,
        max_output_tokens=max_output_tokens, context_tokens=context_tokens,
        max_input_tokens=None, timeout=timeout, json_mode=json_mode, prompt=prompt,
        strict=False, max_bytes=max_bytes, max_fetch_bytes=max_fetch_bytes,
        allow_private=allow_private, db=db, refresh=refresh, no_cache=no_cache,
    )  # fmt: skip
    articles = [_compared_article(given, setup, db) for given in inputs]
    _emit(render(setup.briefer.compare(articles), fmt), output)


def _compared_article(given: str, setup: _Setup, db: Path | None) -> Article:
    """An input of `compare`: a stored brief id (its article's text), or a path or URL."""
    from briefer.article import Article, load_article
    from briefer.store import Store

    if given.isdigit() and not Path(given).exists():
        store = Store(db)
        envelope = store.show(int(given))
        text = store.article_text(int(given))
        if text is None:
            raise UsageError(f"stored brief {given} was kept without its article; brief it again")
        info = envelope.article
        return Article(
            text=text, source=info.source, title=info.title, author=info.author,
            site_name=info.site_name, published=info.published, url=info.url,
        )  # fmt: skip
    return load_article(given, setup.load)


def _diff_files(paths: list[str]) -> BriefDiff:
    from pydantic import ValidationError

    from briefer.compare import diff_briefs
    from briefer.schema import Envelope

    if len(paths) != 2:
        raise UsageError("--briefs compares exactly two brief JSON files")
    envelopes = []
    for path in paths:
        try:
            envelopes.append(Envelope.model_validate_json(Path(path).read_text(encoding="utf-8")))
        except OSError as exc:
            raise UsageError(f"{path}: cannot be read ({exc.strerror})") from None
        except ValidationError:
            raise UsageError(
                f"{path}: not a brief in JSON; make one with `briefer brief ... --format json`"
            ) from None
    if envelopes[0].article.sha256 != envelopes[1].article.sha256:
        _say("the two briefs are of different article texts; comparing them anyway")
    return diff_briefs(envelopes[0], envelopes[1], (Path(paths[0]).name, Path(paths[1]).name))


batch_app = typer.Typer(
    help="Brief many articles through OpenAI's Batch API or vLLM's run-batch.",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")


def _batch_setup(db: Path | None, model: str | None, base_url: str | None) -> _Setup:
    return _setup(
        engine="openai", model=model, base_url=base_url, temperature=None,
        max_output_tokens=None, context_tokens=None, max_input_tokens=None, timeout=None,
        json_mode="schema", prompt="brief", strict=False, max_bytes=None,
        max_fetch_bytes=5_000_000, allow_private=False, db=db, refresh=False, no_cache=False,
    )  # fmt: skip


@batch_app.command("prepare")
def batch_prepare(
    inputs: Annotated[
        list[str] | None, typer.Argument(help="Articles: files, directories, URLs.")
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The request file to write (JSONL).")
    ] = Path("requests.jsonl"),
    urls: Annotated[Path | None, typer.Option("--urls", help="A file of URLs, one a line.")] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Prepare again the requests that failed.")
    ] = False,
    dry_run: DryRun = False,
    model: Model = None,
    base_url: BaseUrl = None,
    db: Db = None,
    debug: Debug = False,
) -> None:
    """Write a request file (one line per article or chunk); cached articles are skipped."""
    from briefer import batch
    from briefer.digest import expand_inputs

    setup = _batch_setup(db, model, base_url)
    sources: list[str | Article] = list(expand_inputs(inputs or [], str(urls) if urls else None))
    if retry_failed:
        sources += batch.retry_sources(setup.briefer)
    if not sources:
        raise UsageError("no articles given; name files, directories or URLs, or --retry-failed")
    target = output if not dry_run else Path(os.devnull)
    done = batch.prepare(sources, setup.briefer, target, load_options=setup.load)
    cost = batch.batch_cost(setup.briefer, done.input_tokens, done.requests)
    money = "unknown (no price for this model)" if cost is None else f"${cost:.4f}"
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
        _say(f"failed: {source}: {reason}")
    if done.failed:
        raise SystemExit(1)


@batch_app.command("submit")
def batch_submit(
    requests: Annotated[Path, typer.Argument(help="A request file from `batch prepare`.")],
    db: Db = None,
    debug: Debug = False,
) -> None:
    """Upload a request file and start a batch (24-hour window)."""
    from briefer import batch

    if not requests.is_file():
        raise UsageError(f"{requests}: no such file; make one with `briefer batch prepare`")
    state = batch.submit(requests, _batch_setup(db, None, None).briefer)
    typer.echo(f"batch {state.id}: {state.status}")


@batch_app.command("status")
def batch_status(
    batch_id: Annotated[str | None, typer.Argument(help="A batch id (default: all known).")] = None,
    db: Db = None,
    debug: Debug = False,
) -> None:
    """Show how batches are doing."""
    from briefer import batch

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


@batch_app.command("collect")
def batch_collect(
    batch_id: Annotated[str, typer.Argument(help="The batch id.")],
    folder: Annotated[
        Path, typer.Option("--dir", help="Where to keep the downloaded files.")
    ] = Path("."),
    db: Db = None,
    debug: Debug = False,
) -> None:
    """Download a finished batch, verify and store every brief, report failures."""
    from briefer import batch

    state, done = batch.collect(batch_id, _batch_setup(db, None, None).briefer, folder)
    _report_ingest(done, f"batch {state.id} ({state.status})")


@batch_app.command("import")
def batch_import(
    results: Annotated[Path, typer.Argument(help="An output file of `vllm run-batch`.")],
    db: Db = None,
    debug: Debug = False,
) -> None:
    """Ingest a batch output file (vLLM's run-batch, or a downloaded OpenAI one)."""
    from briefer import batch

    if not results.is_file():
        raise UsageError(f"{results}: no such file")
    done = batch.ingest(batch.read_output(results), _batch_setup(db, None, None).briefer)
    _report_ingest(done, str(results))


def _report_ingest(done: Ingested, what: str) -> None:
    typer.echo(
        f"{what}: {done.stored} briefs stored, {done.waiting_for_parts} parts waiting for the "
        f"rest of their article, {len(done.failed)} failed"
    )
    for custom_id, reason in done.failed:
        _say(f"failed: {custom_id}: {reason}")
    if done.failed:
        _say("prepare them again with `briefer batch prepare --retry-failed`")
        raise SystemExit(1)


@app.command()
def history(
    limit: Annotated[int, typer.Option(help="How many briefs to list.")] = 50,
    db: Db = None,
    debug: Debug = False,
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


@app.command()
def show(
    brief_id: Annotated[int, typer.Argument(help="The id `briefer history` shows.")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="markdown, json, text or html.")
    ] = "markdown",
    output: Output = None,
    db: Db = None,
    debug: Debug = False,
) -> None:
    """Print a stored brief."""
    from briefer.render import render
    from briefer.store import Store

    fmt = _check_format(fmt)
    _emit(render(Store(db).show(brief_id), fmt), output)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    token: Annotated[
        str | None,
        typer.Option(help="Require this bearer token (default: $BRIEFER_SERVER_TOKEN)."),
    ] = None,
    debug: Debug = False,
) -> None:
    """Serve briefs over HTTP (needs the server extra: pip install 'briefer[server]')."""
    from briefer.serve_cli import serve as run_server

    run_server(host=host, port=port, token=token)


@app.command()
def schema(debug: Debug = False) -> None:
    """Print the JSON Schema of the brief envelope."""
    from briefer.schema import envelope_json_schema

    typer.echo(json.dumps(envelope_json_schema(), indent=2))


# --- output and errors ---------------------------------------------------------------------------


def _say(message: str) -> None:
    """One line of information on stderr."""
    typer.echo(f"briefer: {message}", err=True)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write {output}: {exc.strerror}; choose another --output"
        ) from None


def _int_env(name: str) -> int | None:
    value = os.environ.get(name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{name}={value!r} is not a whole number of bytes") from None


def _fail(message: str, code: int, exc: BaseException, debug: bool) -> NoReturn:
    secrets = (os.environ.get("OPENAI_API_KEY"),)
    if debug:
        trace = "".join(traceback.format_exception(exc))
        sys.stderr.write(redact(trace, secrets))
    sys.stderr.write(f"briefer: error: {redact(message, secrets)}\n")
    raise SystemExit(code)


def main() -> None:
    """Run the command line, turning every failure into one line on stderr and an exit code."""
    debug = "--debug" in sys.argv[1:] or os.environ.get("BRIEFER_DEBUG", "") not in ("", "0")
    try:
        app(prog_name="briefer")
    except BrieferError as exc:
        _fail(" ".join(str(exc).split()), exc.exit_code, exc, debug)
    except KeyboardInterrupt as exc:
        _fail("interrupted; every brief finished so far is in the store", 130, exc, debug)
    except Exception as exc:  # a bug of ours: still one line, unless --debug
        _fail(
            f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it",
            1,
            exc,
            debug,
        )
