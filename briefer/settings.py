"""Every environment variable briefer reads, in one place.

`Settings.from_env()` reads them all at once, when called (never at import time); the library,
the command line and the service take their defaults from it. Arguments and flags win over
the environment.

    variable               setting          what it sets
    OPENAI_API_KEY         api_key          the key of the OpenAI-compatible endpoint
    OPENAI_BASE_URL        base_url         the endpoint (vLLM, Ollama, llama.cpp, Azure, ...)
    BRIEFER_MODEL          model            the model to ask
    BRIEFER_ENGINE         engine           auto, openai or offline
    BRIEFER_DB             db               the brief store's file
    BRIEFER_PRICES         prices           a TOML file of model prices and limits
    BRIEFER_MAX_BYTES      max_bytes        the largest article accepted, in bytes
    BRIEFER_TOKENIZER      tokenizer        "estimate" to count tokens without tiktoken
    BRIEFER_SERVER_TOKEN   server_token     the bearer token the HTTP service requires
    BRIEFER_DEBUG          debug            tracebacks on errors (command line)
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from briefer.errors import ConfigError, UsageError

ENVIRONMENT = {
    "OPENAI_API_KEY": "api_key",
    "OPENAI_BASE_URL": "base_url",
    "BRIEFER_MODEL": "model",
    "BRIEFER_ENGINE": "engine",
    "BRIEFER_DB": "db",
    "BRIEFER_PRICES": "prices",
    "BRIEFER_MAX_BYTES": "max_bytes",
    "BRIEFER_TOKENIZER": "tokenizer",
    "BRIEFER_SERVER_TOKEN": "server_token",
    "BRIEFER_DEBUG": "debug",
}


@dataclass(frozen=True)
class Settings:
    """What the environment says; None where it says nothing."""

    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = field(default=None, repr=False)  # may carry credentials
    model: str | None = None
    engine: str | None = None
    db: Path | None = None
    prices: Path | None = None
    max_bytes: int | None = None
    tokenizer: str | None = None
    server_token: str | None = field(default=None, repr=False)
    debug: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read every variable briefer knows (an empty value counts as unset)."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            return env.get(name) or None

        db, prices = get("BRIEFER_DB"), get("BRIEFER_PRICES")
        return cls(
            api_key=get("OPENAI_API_KEY"),
            base_url=get("OPENAI_BASE_URL"),
            model=get("BRIEFER_MODEL"),
            engine=get("BRIEFER_ENGINE"),
            db=Path(db) if db else None,
            prices=Path(prices) if prices else None,
            max_bytes=_whole_number("BRIEFER_MAX_BYTES", get("BRIEFER_MAX_BYTES")),
            tokenizer=(get("BRIEFER_TOKENIZER") or "").lower() or None,
            server_token=get("BRIEFER_SERVER_TOKEN"),
            debug=(get("BRIEFER_DEBUG") or "0") != "0",
        )


def variable(name: str, env: Mapping[str, str] | None = None) -> str | None:
    """The value of a variable the user names (`--post-slack-env NAME`), stripped; None when
    it is unset or empty."""
    env = os.environ if env is None else env
    return env.get(name, "").strip() or None


# The variables whose values are credentials (OPENAI_BASE_URL may carry some: `url_secrets`).
SECRET_VARIABLES = (
    "OPENAI_API_KEY",
    "BRIEFER_SERVER_TOKEN",
    "BRIEFER_SMTP_PASSWORD",
)


def secret_values(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Every credential the environment holds, for redaction; never raises.

    Read apart from `Settings.from_env`, without checking any other variable, so that a
    malformed setting (BRIEFER_MAX_BYTES=oops) cannot turn off the redaction of its own error.
    """
    from briefer.text.redact import url_secrets

    env = os.environ if env is None else env
    found = [env[name] for name in SECRET_VARIABLES if env.get(name)]
    return (*found, *url_secrets(env.get("OPENAI_BASE_URL")))


MAIL_VARIABLES = (
    "BRIEFER_SMTP_HOST",
    "BRIEFER_SMTP_PORT",
    "BRIEFER_SMTP_USER",
    "BRIEFER_SMTP_PASSWORD",
    "BRIEFER_SMTP_SECURITY",
    "BRIEFER_EMAIL_FROM",
)


def mail_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The email delivery variables set in `env` (default: the process's environment), for
    `briefer.io.mail.MailSettings.from_env`."""
    env = os.environ if env is None else env
    return {name: env[name] for name in MAIL_VARIABLES if name in env}


def _whole_number(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ConfigError(f"{name}={value!r} is not a positive whole number; fix or unset it")
    return number


MAX_TIMEOUT = 86_400.0  # the longest any timeout may be set to, in seconds: a day

_SPAN = re.compile(r"^\s*(\d+)\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_SPAN_SECONDS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_SPAN = timedelta(days=36_525)  # how far back a span may reach: a hundred years


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """A point in time (UTC) from "24h", "2d", "90m", "1w" (at most `MAX_SPAN` back), a date
    ("2026-11-29", midnight UTC) or an ISO date and time; raise `UsageError` for anything
    else."""
    now = now or datetime.now(UTC)
    examples = f"give a span such as 24h, 2d or 90m, or a date such as {now.date().isoformat()}"
    shown = repr(value if len(value) <= 40 else value[:37] + "...")
    span = _SPAN.match(value)
    if span:
        digits, unit = span.group(1).lstrip("0") or "0", _SPAN_SECONDS[span.group(2).lower()]
        if len(digits) > 12 or int(digits) * unit > MAX_SPAN.total_seconds():
            raise UsageError(f"{shown} reaches back more than 100 years; {examples}")
        return now - timedelta(seconds=int(digits) * unit)
    try:
        when = datetime.fromisoformat(value.strip())
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except ValueError:
        raise UsageError(f"{shown} is not a time; {examples}") from None
    except OverflowError:  # year 1 or 9999 moved into UTC
        raise UsageError(f"{shown} is out of the range of dates; {examples}") from None
