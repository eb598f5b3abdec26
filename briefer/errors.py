"""Every error briefer raises on purpose.

One base class, so callers (and the CLI) can catch everything we raise in one place::

    BrieferError                      exit 1 unless the subclass says otherwise
    ├── UsageError                    exit 2: the user can fix it by changing what they gave us
    │   ├── InputError                the article: missing, empty, binary, too large, ...
    │   ├── ConfigError               no LLM configured, bad option values
    │   └── TemplateError             a prompt template that cannot be loaded or rendered
    │       └── MissingVariableError  a template variable nobody supplied
    ├── FetchError                    a URL could not be fetched: network, DNS, timeout
    ├── DeliveryError                 a digest could not be delivered (email)
    └── EngineError                   the engine ran and could not produce a brief
        ├── APIError                  the endpoint failed (after retries, where retrying made sense)
        │   ├── AuthenticationError   401 / 403
        │   ├── QuotaError            429 insufficient_quota: paying, not waiting, fixes it
        │   ├── RateLimitError        429 that outlasted our retries or asked for too long a wait
        │   ├── BadRequestError       400 and other 4xx the endpoint will always refuse
        │   ├── ServiceError          408 / 409 / 5xx / connection / timeout, after retries
        │   └── UnreadableResponseError  an answer too large, or in a coding we do not read
        └── OutputError               the model answered, but not with a usable brief
            ├── InvalidOutputError    not JSON or not the schema, after one re-ask
            ├── TruncatedOutputError  finish_reason "length": the output budget ran out
            ├── RefusalError          the model refused
            └── EmptyResponseError    no choices, no content, or no usage in the response

Messages are one line, say what went wrong and what to do, and never contain a secret.

A message speaks the library's language. When the fix is a setting, the error keeps it apart
(`fix`, with each setting named in braces, e.g. ``"raise {max_bytes}"``) so that whoever
shows the error names the setting as its own user knows it: the library as a Python caller
sets it (``LoadOptions(max_bytes=...)``), the CLI as a flag (``--max-bytes``), and a service
whose callers cannot change it leaves the fix out. A setting may carry the value to give it
(``"{concurrency=1}"``: ``--concurrency 1`` on the command line, "the concurrency set to 1"
in Python). `str(error)` is the library's wording.
"""

from __future__ import annotations

from collections.abc import Callable
from string import Formatter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefer.schema import Usage

# How a Python caller changes each setting a fix may name.
LIBRARY_SETTINGS = {
    "allow_private": "LoadOptions(allow_private=True)",
    "articles": "evaluate(articles=[folder])",
    "concurrency": "the concurrency",
    "context_tokens": "LLMConfig(context_tokens=...)",
    "db": "the store's path (Store(path))",
    "fetch_timeout": "LoadOptions(fetch_timeout=...)",
    "json_mode": "LLMConfig(json_mode=...)",
    "max_bytes": "LoadOptions(max_bytes=...)",
    "max_digest_entries": "Briefer.digest(max_digest_entries=...)",
    "max_entries": "Briefer.digest(max_entries=...)",
    "max_fetch_bytes": "LoadOptions(max_fetch_bytes=...)",
    "max_input_tokens": "Briefer(max_input_tokens=...)",
    "max_output_tokens": "LLMConfig(max_output_tokens=...)",
    "model": "the model (Briefer(model=...))",
    "output": "the file to write",
    "strict": "strict mode (Briefer(strict=True))",
    "timeout": "the timeout (Briefer(timeout=...))",
}

SettingName = Callable[[str], "str | None"]


def library_setting(setting: str) -> str:
    """How a Python caller changes `setting`."""
    return LIBRARY_SETTINGS.get(setting, setting)


class BrieferError(Exception):
    """Base class of every error briefer raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(self.describe())

    @property
    def settings(self) -> list[str]:
        """The settings the fix names (empty when the fix names none, or there is no fix)."""
        return [field.partition("=")[0] for field in self._fields()]

    def describe(self, name: SettingName = library_setting) -> str:
        """The message and its fix, each setting named by `name`; no fix when it gives None."""
        if not self.fix:
            return self.message
        names: dict[str, str] = {}
        for field in self._fields():
            setting, given, value = field.partition("=")
            named = name(setting)
            if named is None:
                return self.message
            names[field] = _with_value(named, value) if given else named
        return f"{self.message}; {self.fix.format_map(names)}"

    def _fields(self) -> list[str]:
        if not self.fix:
            return []
        return [field for _, field, _, _ in Formatter().parse(self.fix) if field]


def _with_value(named: str, value: str) -> str:
    """A setting as named, given `value`: "--concurrency 1", "LLMConfig(context_tokens=2048)",
    "the concurrency set to 1"."""
    if "..." in named:
        return named.replace("...", value, 1)
    if named.startswith("-"):
        return f"{named.split()[0]} {value}"
    return f"{named} set to {value}"


class UsageError(BrieferError):
    """Something the user gave us is wrong; changing it fixes the problem."""

    exit_code = 2


class InputError(UsageError):
    """The article cannot be read or is not usable text."""


class ConfigError(UsageError):
    """Configuration is missing or contradictory."""


class TemplateError(UsageError):
    """A prompt template cannot be loaded or rendered."""


class MissingVariableError(TemplateError):
    """A template refers to a variable that was not supplied."""

    def __init__(self, template: str, variable: str) -> None:
        self.template = template
        self.variable = variable
        super().__init__(
            f"prompt template {template!r} needs the variable {{{{{variable}}}}}, "
            "which was not supplied"
        )


class FetchError(BrieferError):
    """A web page could not be fetched (the network, not the address, failed)."""


class DeliveryError(BrieferError):
    """A digest was made but could not be delivered (the SMTP server failed or refused)."""


class EngineError(BrieferError):
    """The engine ran and could not produce a brief."""


class APIError(EngineError):
    """The LLM endpoint failed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        super().__init__(message, fix=fix)


class AuthenticationError(APIError):
    """The endpoint rejected our credentials (401/403)."""


class QuotaError(APIError):
    """The account has no quota left (429 insufficient_quota)."""


class RateLimitError(APIError):
    """The endpoint kept rate limiting us, or asked us to wait too long."""


class BadRequestError(APIError):
    """The endpoint refused the request itself (400 and other 4xx)."""


class ServiceError(APIError):
    """Timeouts, connection failures and 408/409/5xx answers that outlasted our retries."""


class UnreadableResponseError(APIError):
    """The endpoint's answer could not be read: larger than briefer reads of one answer, in
    a content coding it does not read, or damaged. Not sent again: the same request would
    get the same answer, and be paid for again."""


class OutputError(EngineError):
    """The model answered, but not with a usable brief.

    Carries what a caller needs to debug or bill: the raw output of the last attempt,
    every attempt's raw output, and the token usage summed over all attempts.
    """

    def __init__(
        self,
        message: str,
        *,
        raw_output: str | None = None,
        attempts: list[str] | None = None,
        usage: Usage | None = None,
        fix: str | None = None,
    ) -> None:
        self.raw_output = raw_output
        self.attempts = attempts or []
        self.usage = usage
        super().__init__(message, fix=fix)


class InvalidOutputError(OutputError):
    """The output was not JSON, or not a valid brief, even after one re-ask."""


class TruncatedOutputError(OutputError):
    """The output was cut at the output token budget."""


class RefusalError(OutputError):
    """The model refused to answer."""

    def __init__(self, refusal: str, **kwargs: Any) -> None:
        self.refusal = refusal
        super().__init__(f"the model refused to brief this article: {refusal}", **kwargs)


class EmptyResponseError(OutputError):
    """The response had no choices, no content, or no usage."""
