"""Settings for the LLM engine: the settings first, explicit arguments win.

Nothing here reads the environment: `LLMConfig.from_settings(settings)` builds a config from
the settings the edge read (the command line, the services, `Briefer()`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from briefer.errors import ConfigError
from briefer.settings import MAX_TIMEOUT, Settings

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_OUTPUT_TOKENS = 4096
JsonMode = Literal["auto", "schema", "object"]
JSON_MODES: tuple[JsonMode, ...] = ("auto", "schema", "object")


@dataclass(frozen=True)
class LLMConfig:
    """How to reach an OpenAI-compatible endpoint and what to ask it for."""

    # None: gpt-4o-mini at OpenAI and Azure; at any other endpoint, the one model it serves
    model: str | None = None
    base_url: str | None = field(default=None, repr=False)  # may carry credentials
    api_key: str | None = field(default=None, repr=False)
    temperature: float | None = 0.2
    max_output_tokens: int | None = None  # None: the model's limit, at most DEFAULT_OUTPUT_TOKENS
    context_tokens: int | None = None  # None: the model's context window (models.toml)
    timeout: float = 60.0
    json_mode: JsonMode = "auto"
    max_retries: int = 2  # transport retries after the first attempt
    max_retry_wait: float = 120.0  # longest Retry-After we agree to wait, in seconds
    concurrency: int | None = None  # requests of one article (its parts) at once; None: 4
    prices: Path | None = None  # a price file laid over the model table; None: the user's own
    estimate_tokens: bool = False  # count tokens by estimate, never loading tiktoken

    def __post_init__(self) -> None:
        if self.json_mode not in JSON_MODES:
            raise ConfigError(f"json mode {self.json_mode!r} is not one of {', '.join(JSON_MODES)}")
        if self.temperature is not None and not 0 <= self.temperature <= 2:
            raise ConfigError(f"temperature {self.temperature} is outside 0..2")
        if self.max_output_tokens is not None and self.max_output_tokens < 1:
            raise ConfigError("max output tokens must be at least 1")
        if self.context_tokens is not None and self.context_tokens < 1:
            raise ConfigError("context tokens must be at least 1")
        if not 0 < self.timeout <= MAX_TIMEOUT:  # NaN is neither
            raise ConfigError(
                f"a timeout of {self.timeout:g} s is not possible",
                fix=f"give {{timeout}} a number of seconds above 0, at most {MAX_TIMEOUT:,.0f}",
            )
        if self.max_retries < 0:
            raise ConfigError("max retries cannot be negative")
        if self.concurrency is not None and self.concurrency < 1:
            raise ConfigError(
                f"a concurrency of {self.concurrency} is not possible",
                fix="set {concurrency} to 1 or more",
            )

    @property
    def configured(self) -> bool:
        """True when a key or a base URL says which endpoint to use."""
        return bool(self.api_key or self.base_url)

    @property
    def endpoint(self) -> str:
        """The base URL requests go to, for messages: any user:password and credential in its
        query ("?api-key=...") redacted. Never the address requests are sent to."""
        from briefer.text.redact import redact_url

        return redact_url(self.base_url) if self.base_url else "https://api.openai.com/v1"

    @property
    def request_url(self) -> str | None:
        """The base URL requests are sent to, without its query (`query` carries that): any
        user:password in it stays, and becomes the requests' Basic authorization."""
        if not self.base_url:
            return None
        return urlunsplit(urlsplit(self.base_url)._replace(query="", fragment=""))

    @property
    def query(self) -> dict[str, str]:
        """The query parameters of the base URL ("?api-version=...&api-key=..."), which every
        request carries."""
        if not self.base_url:
            return {}
        return dict(parse_qsl(urlsplit(self.base_url).query, keep_blank_values=True))

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every credential this config holds (the key, those written into the base URL): what
        messages, logs and records must not contain."""
        from briefer.text.redact import url_secrets

        key = (self.api_key,) if self.api_key else ()
        return key + url_secrets(self.base_url)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> LLMConfig:
        """Build a config from the settings (the key, endpoint, model, price file and token
        counting the environment gives); overrides win.

        Overrides that are None are ignored, so CLI flags can be passed straight through.
        """
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown LLMConfig settings: {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {
            "api_key": settings.api_key,
            "base_url": settings.base_url,
            "model": settings.model,
            "prices": settings.prices,
            "estimate_tokens": settings.tokenizer == "estimate",
        }
        values.update((k, v) for k, v in overrides.items() if v is not None)
        return replace(cls(), **{k: v for k, v in values.items() if v is not None})
