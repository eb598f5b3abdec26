"""The `briefer` command: parse options, call the library, render, map errors to exit codes.

Exit codes: 0 success; 1 the engine, the endpoint or the network failed (or, in a digest, an
article failed); 2 bad input or usage. Heavy modules (the engines, openai, trafilatura) are
imported inside commands so that `--help` is fast.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import TYPE_CHECKING, NoReturn

import typer

from briefer.cli.common import flag_for
from briefer.errors import BrieferError
from briefer.text import one_line
from briefer.text.redact import redact

if TYPE_CHECKING:
    from briefer.settings import Settings

from briefer.cli.root import app

# Importing a module registers its commands, in this order (the order of `briefer -h`).
for _module in ("briefing", "digest", "compare", "stored", "services", "info"):
    importlib.import_module(f"briefer.cli.{_module}")

__all__ = ["app", "main"]


# --- output and errors ---------------------------------------------------------------------------


def _fail(message: str, code: int, exc: BaseException, debug: bool) -> NoReturn:
    from briefer.settings import secret_values

    secrets = secret_values()
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
