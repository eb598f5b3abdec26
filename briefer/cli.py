"""The `briefer` command: parse options, call the library, render, map errors to exit codes.

Exit codes: 0 success; 1 the engine or the endpoint failed; 2 bad input or usage.
Heavy modules (the engines, openai) are imported inside commands so that `--help` is fast.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from briefer import __version__
from briefer.errors import BrieferError, UsageError
from briefer.redact import redact

app = typer.Typer(
    name="briefer",
    help="Structured, verifiable briefs of news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show tracebacks on errors (never secrets).")
]


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
    debug: DebugOption = False,
) -> None:
    """Structured, verifiable briefs of news articles."""


@app.command()
def brief(
    article: Annotated[
        str,
        typer.Argument(help="Article: a text or HTML file, '-' for standard input, or a URL."),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output format: markdown, json or text.")
    ] = "markdown",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Model name (default: $BRIEFER_MODEL or gpt-4o-mini).")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL).")
    ] = None,
    temperature: Annotated[float | None, typer.Option(help="Sampling temperature.")] = None,
    max_output_tokens: Annotated[
        int | None,
        typer.Option(help="Output token budget per request (default: the model's, at most 4096)."),
    ] = None,
    context_tokens: Annotated[
        int | None,
        typer.Option(help="Context window in tokens (default: from the model table)."),
    ] = None,
    max_input_tokens: Annotated[
        int | None,
        typer.Option(help="Cut the article after a sentence at this many tokens, not chunk it."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print tokens, requests and cost; send nothing."),
    ] = False,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds to wait per request (LLM and page fetch).")
    ] = None,
    json_mode: Annotated[
        str | None,
        typer.Option(help="auto (json_schema, falling back to json_object), schema or object."),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(help="auto (OpenAI when configured, else offline), openai or offline."),
    ] = None,
    prompt: Annotated[
        str, typer.Option("--prompt", help="Prompt template: a shipped name or a .toml path.")
    ] = "brief",
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Drop items whose quotes are not in the article; fail if no key fact is left.",
        ),
    ] = False,
    max_bytes: Annotated[
        int | None,
        typer.Option(help="Refuse articles larger than this (default 2 MB, $BRIEFER_MAX_BYTES)."),
    ] = None,
    max_fetch_bytes: Annotated[
        int, typer.Option(help="Refuse web pages larger than this many bytes.")
    ] = 5_000_000,
    allow_private: Annotated[
        bool,
        typer.Option(
            "--allow-private", help="Allow fetching URLs on private or loopback addresses."
        ),
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Brief one news article."""
    from briefer.article import DEFAULT_MAX_BYTES, LoadOptions, load_article
    from briefer.config import LLMConfig
    from briefer.core import Briefer
    from briefer.render import FORMATS, render

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    config = LLMConfig.from_env(
        model=model,
        base_url=base_url,
        temperature=temperature,
        max_output_tokens=max_output_tokens,
        context_tokens=context_tokens,
        timeout=timeout,
        json_mode=json_mode,
    )
    limit = max_bytes or _int_env("BRIEFER_MAX_BYTES") or DEFAULT_MAX_BYTES
    options = LoadOptions(
        max_bytes=limit,
        max_fetch_bytes=max_fetch_bytes,
        fetch_timeout=timeout or LoadOptions.fetch_timeout,
        allow_private=allow_private,
    )
    loaded = load_article(article, options)
    briefer = Briefer(
        engine=engine,
        config=config,
        prompt=prompt,
        strict=strict,
        max_input_tokens=max_input_tokens,
    )
    if briefer.engine == "offline" and (engine or os.environ.get("BRIEFER_ENGINE")) != "offline":
        _say(
            "using the offline engine (no LLM configured); set OPENAI_API_KEY or "
            "OPENAI_BASE_URL for LLM briefs"
        )
    if briefer.engine != "offline" or dry_run or max_input_tokens:
        note = briefer.counter.note
        if note and briefer.engine != "offline":
            _say(note)
    if dry_run:
        _emit(briefer.plan(loaded).render(), output)
        return
    _emit(render(briefer.brief(loaded), fmt), output)


@app.command()
def schema(debug: DebugOption = False) -> None:
    """Print the JSON Schema of the brief envelope."""
    from briefer.schema import envelope_json_schema

    typer.echo(json.dumps(envelope_json_schema(), indent=2))


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
        _fail("interrupted", 130, exc, debug)
    except Exception as exc:  # a bug of ours: still one line, unless --debug
        _fail(
            f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it",
            1,
            exc,
            debug,
        )
