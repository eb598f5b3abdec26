"""What the commands share: option types, the engine set-up, and output to the terminal."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from briefer.errors import UsageError

if TYPE_CHECKING:
    from briefer.core import Briefer
    from briefer.inputs import Input, LoadOptions

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
class Setup:
    """What the engine options of a command amount to."""

    briefer: Briefer
    load: LoadOptions
    notes: list[str]

    def announce(self) -> None:
        """Say, once, how briefs will be made (after the inputs proved usable)."""
        for note in self.notes:
            say(note)
        self.notes = []


def setup_briefer(
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
) -> Setup:
    from briefer.config import LLMConfig
    from briefer.core import Briefer
    from briefer.inputs import DEFAULT_MAX_BYTES, LoadOptions
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
    notes = []
    if briefer.engine == "offline" and (engine or os.environ.get("BRIEFER_ENGINE")) != "offline":
        notes.append(
            "using the offline engine (no LLM configured); set OPENAI_API_KEY or "
            "OPENAI_BASE_URL for LLM briefs"
        )
    note = briefer.counter.note
    if note and briefer.engine != "offline":
        notes.append(note)
    load = LoadOptions(
        max_bytes=max_bytes or int_env("BRIEFER_MAX_BYTES") or DEFAULT_MAX_BYTES,
        max_fetch_bytes=max_fetch_bytes,
        fetch_timeout=timeout or LoadOptions.fetch_timeout,
        allow_private=allow_private,
    )
    return Setup(briefer, load, notes)


def command_line_inputs(words: list[str], url_list: Path | None = None) -> list[Input]:
    """The articles a command names: its words (paths, folders, URLs, '-') and a URL list."""
    from briefer.inputs import CommandLine, expand, read_list

    named: list[Input] = [CommandLine(word) for word in words]
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


def check_format(fmt: str) -> str:
    from briefer.rendering import FORMATS

    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    return fmt


def say(message: str) -> None:
    """One line of information on stderr."""
    typer.echo(f"briefer: {message}", err=True)


def emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write {output}: {exc.strerror}; choose another --output"
        ) from None


def int_env(name: str) -> int | None:
    value = os.environ.get(name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{name}={value!r} is not a whole number of bytes") from None
