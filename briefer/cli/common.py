"""What the commands share: option types, the engine set-up, and output to the terminal."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, get_type_hints

import typer
from typer.core import TyperCommand

if TYPE_CHECKING:
    from briefer.core import Briefer
    from briefer.inputs import Input, LoadOptions
    from briefer.io.store import Store

F = TypeVar("F", bound=Callable[..., Any])
_KEYWORD = inspect.Parameter.KEYWORD_ONLY

# --- options shared by several commands ---------------------------------------------------------

Debug = Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors (never secrets).")]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
]
Urls = Annotated[
    Path | None,
    typer.Option("--urls", metavar="FILE", help="A file of URLs (or paths), one a line."),
]
# The formats every renderable thing takes (`briefer.renderers.FORMATS`).
Format = Literal["markdown", "json", "text", "html", "slack"]
FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format (slack: Block Kit messages as JSON)."),
]
Model = Annotated[
    str | None,
    typer.Option(
        metavar="MODEL",
        help="Model name (default: $BRIEFER_MODEL, else gpt-4o-mini at OpenAI and the one "
        "model a local server serves).",
    ),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(metavar="URL", help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL)."),
]
Temperature = Annotated[
    float | None, typer.Option(metavar="T", help="Sampling temperature (0 to 2).")
]
MaxOutputTokens = Annotated[
    int | None,
    typer.Option(
        metavar="TOKENS",
        help="Output token budget per request (default: the model's, at most 4096).",
    ),
]
ContextTokens = Annotated[
    int | None,
    typer.Option(
        metavar="TOKENS",
        help="Context window a request gets, in tokens (default: what a local server says, "
        "else the model table).",
    ),
]
Concurrency = Annotated[
    int | None,
    typer.Option(
        metavar="N",
        help="Requests on their way at once (default: 8 in a digest, else 4: the parts of a "
        "long article). A local server needs at most its slots (llama-server -np).",
    ),
]
MaxInputTokens = Annotated[
    int | None,
    typer.Option(
        metavar="TOKENS",
        help="Cut articles after a sentence at this many tokens instead of chunking.",
    ),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print tokens, requests and cost; send nothing.")
]
Timeout = Annotated[
    float | None,
    typer.Option(
        metavar="SECONDS",
        help="Seconds to wait per LLM request, and for the whole of each page or feed fetch.",
    ),
]
JsonMode = Annotated[
    Literal["auto", "schema", "object"] | None,
    typer.Option(
        help="How to ask for JSON: auto (json_schema, falling back to json_object), "
        "schema or object."
    ),
]
Engine = Annotated[
    str | None,
    typer.Option(
        metavar="auto|openai|offline|PLUGIN",
        help="auto: OpenAI when a key or base URL is set, else offline; or an installed "
        "plugin's name.",
    ),
]
Prompt = Annotated[
    str,
    typer.Option(
        "--prompt",
        metavar="NAME|FILE",
        help="Prompt template: a shipped name (briefer prompts) or a .toml file.",
    ),
]
Strict = Annotated[
    bool,
    typer.Option(
        "--strict", help="Drop items whose quotes are not in the article; fail if none is left."
    ),
]
MaxBytes = Annotated[
    int | None,
    typer.Option(
        metavar="BYTES",
        help="Refuse articles larger than this (default 2 MB, $BRIEFER_MAX_BYTES).",
    ),
]
MaxFetchBytes = Annotated[
    int, typer.Option(metavar="BYTES", help="Refuse web pages larger than this many bytes.")
]
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
    typer.Option(
        "--db",
        metavar="FILE",
        help="Brief store (default: $BRIEFER_DB, else the user data folder).",
    ),
]
Refresh = Annotated[
    bool, typer.Option("--refresh", help="Make new briefs even when the store has them.")
]
NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Neither read nor write the brief store.")
]


@dataclass
class Setup:
    """What the engine options of a command amount to."""

    briefer: Briefer
    notes: list[str]
    resolve: bool = True  # settle the LLM engine's model and context when announcing

    @property
    def load(self) -> LoadOptions:
        """The limits for reading and fetching the command's articles."""
        return self.briefer.load_options

    def announce(self) -> None:
        """Say, once, how briefs will be made (after the inputs proved usable): settle the
        LLM engine's model and context first (asking a local server), so that a problem
        with them shows before any work starts, and say what was learned."""
        notes, self.notes = self.notes, []
        settle = getattr(self.briefer.engine, "resolve", None)
        if self.resolve and callable(settle):
            notes[:0] = settle()
            self.resolve = False
        for note in notes:
            say(note)


@dataclass(frozen=True)
class EngineOptions:
    """The options every briefing command takes (`brief`, `digest`, `compare`), declared once."""

    engine: Engine = None
    model: Model = None
    base_url: BaseUrl = None
    temperature: Temperature = None
    max_output_tokens: MaxOutputTokens = None
    context_tokens: ContextTokens = None
    concurrency: Concurrency = None
    max_input_tokens: MaxInputTokens = None
    timeout: Timeout = None
    json_mode: JsonMode = None
    prompt: Prompt = "brief"
    strict: Strict = False
    max_bytes: MaxBytes = None
    max_fetch_bytes: MaxFetchBytes = 5_000_000
    allow_private: AllowPrivate = False
    db: Db = None
    refresh: Refresh = False
    no_cache: NoCache = False
    fallback: Fallback = False

    def setup(
        self, *, no_cache: bool = False, planning: bool = False, resolve: bool = True
    ) -> Setup:
        """Build the Briefer and load limits these options ask for (no_cache: force it off;
        planning: for --dry-run, which needs no key; resolve: settle the model and context on
        `announce`, asking a local server, so that a problem shows before any work starts)."""
        options = replace(self, no_cache=self.no_cache or no_cache)
        return setup_briefer(options, planning=planning, resolve=resolve)


DEFAULTS = EngineOptions()


class Command(TyperCommand):
    """A command whose help names arguments as people write them ("ARTICLE", not "article
    <str>") and whose usage line has no braces: the conventional style of command lines."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        """Write the Arguments and Options sections."""
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((_argument_name(param), record[1]))
            else:
                options.append(record)
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        """The usage line: [OPTIONS], then each argument by name ("[INPUTS]...")."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces


def _argument_name(param: Any) -> str:
    name = str(param.metavar or (param.name or "").upper())
    return f"{name}..." if param.nargs != 1 else name


# Every command and group: -h as well as --help.
CONTEXT = {"help_option_names": ["-h", "--help"]}


def command(
    group: typer.Typer, *, name: str | None = None, engine_options: bool = False
) -> Callable[[F], F]:
    """Register a command on `group`, adding `--debug` (handled by `main`) to every command.

    With `engine_options`, the command also takes every `EngineOptions` flag and receives them
    as one `options: EngineOptions` argument.
    """

    def register(func: F) -> F:
        signature = inspect.signature(func, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != "options"]
        added: list[inspect.Parameter] = []
        if engine_options:  # each field, declared as its flag (Annotated with typer.Option)
            declared = get_type_hints(EngineOptions, include_extras=True)
            added += [
                inspect.Parameter(f.name, _KEYWORD, default=f.default, annotation=declared[f.name])
                for f in fields(EngineOptions)
            ]
        added.append(inspect.Parameter("debug", _KEYWORD, default=False, annotation=Debug))

        @functools.wraps(func)
        def run(**given: Any) -> Any:
            given.pop("debug", None)  # read by main() before the command runs
            if engine_options:
                names = [f.name for f in fields(EngineOptions)]
                given["options"] = EngineOptions(**{name: given.pop(name) for name in names})
            return func(**given)

        run.__signature__ = signature.replace(parameters=[*own, *added])  # type: ignore[attr-defined]
        group.command(name, cls=Command, short_help=summary(func.__doc__ or ""))(run)
        return func

    return register


def summary(doc: str) -> str:
    """A command's one-line summary for `briefer -h`: its docstring's first sentence, whole
    (click would cut it at about 45 characters)."""
    first = inspect.cleandoc(doc).split("\n\n", 1)[0]
    text = " ".join(first.split())
    end = text.find(". ")
    return text[: end + 1] if end >= 0 else text


def setup_briefer(options: EngineOptions, *, planning: bool = False, resolve: bool = True) -> Setup:
    """The Briefer, load limits and start-up notes the options ask for (`resolve`: settle the
    LLM engine's model and context when announcing, saying what was learned)."""
    from briefer.core import Briefer
    from briefer.engines.openai.config import DEFAULT_MODEL, LLMConfig
    from briefer.inputs import LoadOptions
    from briefer.io.store import Store
    from briefer.settings import Settings

    o = options
    settings = Settings.from_env()
    config = LLMConfig.from_settings(
        settings,
        model=o.model,
        base_url=o.base_url,
        temperature=o.temperature,
        max_output_tokens=o.max_output_tokens,
        context_tokens=o.context_tokens,
        timeout=o.timeout,
        json_mode=o.json_mode,
        concurrency=o.concurrency,
    )
    load = LoadOptions.from_settings(
        settings,
        max_bytes=o.max_bytes,
        max_fetch_bytes=o.max_fetch_bytes,
        fetch_timeout=o.timeout,
        allow_private=o.allow_private,
    )
    briefer = Briefer(
        engine=o.engine,
        config=config,
        prompt=o.prompt,
        strict=o.strict,
        max_input_tokens=o.max_input_tokens,
        store=None if o.no_cache else Store(o.db or settings.db),
        refresh=o.refresh,
        fallback=o.fallback,
        load_options=load,
        planning=planning,
        settings=settings,
    )
    notes = []
    if planning and briefer.engine.name == "openai" and not config.configured:
        notes.append(
            f"no LLM is configured: estimating for {config.model or DEFAULT_MODEL} at its "
            "list price; nothing is sent"
        )
    elif briefer.engine.name == "offline" and (o.engine or settings.engine) != "offline":
        notes.append(
            "using the offline engine (no LLM configured); set OPENAI_API_KEY or "
            "OPENAI_BASE_URL for LLM briefs"
        )
    note = briefer.counter.note
    if note and briefer.engine.name != "offline":
        notes.append(note)
    return Setup(briefer, notes, resolve)


def open_store(db: Path | None) -> Store:
    """The brief store at `db`, else at the BRIEFER_DB setting, else in the user data folder."""
    from briefer.io.store import Store
    from briefer.settings import Settings

    return Store(db or Settings.from_env().db)


def command_line_inputs(words: list[str], url_list: Path | None = None) -> list[Input]:
    """The articles a command of many articles names: its words (paths, folders, URLs; '-'
    is a list on standard input, one path or URL a line) and a list file."""
    from briefer.inputs import STDIN, CommandLine, expand, read_list

    named: list[Input] = []
    for word in words:
        named += read_list(STDIN) if word == STDIN else [CommandLine(word)]
    if url_list is not None:
        named += read_list(url_list)
    return expand(named)


# How the command line changes each setting an error's fix names (see briefer.errors).
_FLAGS = {
    "concurrency": "--concurrency",
    "db": "--db (or BRIEFER_DB)",
    "fetch_timeout": "--timeout",
    "max_bytes": "--max-bytes (or BRIEFER_MAX_BYTES)",
    "strict": "--strict",
}


def flag_for(setting: str) -> str:
    """The flag that changes a library setting, e.g. 'max_fetch_bytes' -> '--max-fetch-bytes'."""
    return _FLAGS.get(setting, "--" + setting.replace("_", "-"))


def say(message: str) -> None:
    """One line of information on stderr."""
    typer.echo(f"briefer: {message}", err=True)


def emit(text: str, output: Path | None) -> None:
    """Write `text` to stdout, or to the file `output` whole: on failure (a full disk, say)
    a file already there is left as it was, and nothing half-written is left behind."""
    if output is None:
        sys.stdout.write(text)
        return
    from briefer.io.files import write_error, write_replacing

    try:
        write_replacing(output, text)
    except OSError as exc:
        raise write_error(output, exc) from None
