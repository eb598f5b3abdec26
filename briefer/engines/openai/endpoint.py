"""What differs between endpoints: who runs them, the output format they take, what their
errors mean.

OpenAI and Azure OpenAI (`provider`) take a strict `json_schema` response format, without
string length limits. Every other endpoint (vLLM, Ollama, llama.cpp's `llama-server`,
llama-cpp-python, proxies) is a local or compatible server: it is asked in `json_schema`
first with the length limits kept, since such servers turn the schema into a grammar that
enforces them.

The format is negotiated per endpoint (`Negotiation`). A refusal of the format in any form
(`refuses_format`: a 400, a 422, or from a non-OpenAI server a 500, whose message names
`response_format`, `json_schema`, the types allowed, or a length keyword) is never retried:
the next request asks in the next format of `FORMATS` at once (without the length limits when
the refusal named them; else `json_object` with the schema inline, which llama.cpp and
llama-cpp-python both enforce). What the endpoint took is kept for the rest of the run, and in
the store when there is one (`FormatMemory`), so the next run starts right.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from briefer.engines.openai.config import LLMConfig

Provider = Literal["openai", "azure", "other"]
Mode = Literal["schema", "object"]

_AZURE_HOSTS = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")


def provider_of(base_url: str | None) -> Provider:
    """Who runs the endpoint at `base_url` (None: OpenAI's own API)."""
    if not base_url:
        return "openai"
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "api.openai.com":
        return "openai"
    if host.endswith(_AZURE_HOSTS):
        return "azure"
    return "other"


@dataclass(frozen=True)
class OutputFormat:
    """How a request asks for JSON: the response format type, and whether the schema sent
    keeps its strings' length limits."""

    mode: Mode
    lengths: bool

    @property
    def key(self) -> str:
        """A short name, as the store keeps it ("schema", "object-no-lengths", ...)."""
        return self.mode + ("" if self.lengths else "-no-lengths")

    @classmethod
    def from_key(cls, key: str) -> OutputFormat | None:
        """The format a key names; None for a key this version does not know."""
        mode, _, rest = key.partition("-")
        if mode not in ("schema", "object") or rest not in ("", "no-lengths"):
            return None
        return cls("schema" if mode == "schema" else "object", lengths=not rest)

    def describe(self) -> str:
        """For messages: "json_schema", "json_object with the schema (no length limits)"."""
        name = "json_schema" if self.mode == "schema" else "json_object with the schema"
        return name if self.lengths else f"{name} (no length limits)"


def first_format(config: LLMConfig) -> OutputFormat:
    """The format to ask in before anything is known of the endpoint."""
    lengths = provider_of(config.base_url) == "other"
    return OutputFormat("object" if config.json_mode == "object" else "schema", lengths)


def next_format(tried: OutputFormat, refusal: str, *, switch: bool = True) -> OutputFormat | None:
    """The format to ask in after `tried` was refused with the message `refusal`: without the
    length limits when it names them, else (when `switch`) json_object; None when there is
    nothing left to try."""
    if tried.lengths and _LENGTHS.search(refusal):
        return OutputFormat(tried.mode, lengths=False)
    if tried.mode == "schema" and switch:
        return OutputFormat("object", tried.lengths)
    return None


class FormatMemory(Protocol):
    """Where the format an endpoint took outlives the run (the store)."""

    def recall_format(self, endpoint: str, model: str) -> str | None:
        """The key of the format this endpoint and model took last time, if known."""
        ...

    def remember_format(self, endpoint: str, model: str, key: str) -> None:
        """Keep the key of the format this endpoint and model take."""
        ...


class Negotiation:
    """The output format an endpoint takes, as learned so far (shared by every request of an
    engine; a refusal seen by one conversation moves the others on too)."""

    def __init__(
        self, config: LLMConfig, memory: FormatMemory | None = None, *, model: str | None = None
    ) -> None:
        self.config = config
        self.memory = memory
        self.model = model or config.model or ""
        self._lock = threading.Lock()
        start = first_format(config)
        if not self.fixed and memory is not None:
            stored = memory.recall_format(config.endpoint, self.model)
            known = OutputFormat.from_key(stored) if stored else None
            if known is not None:
                start = OutputFormat(known.mode, known.lengths and start.lengths)
        self.current = start

    @property
    def fixed(self) -> bool:
        """Whether the user chose the format (`json_mode` schema or object): no fallback."""
        return self.config.json_mode != "auto"

    def refused(self, tried: OutputFormat, refusal: str) -> OutputFormat | None:
        """Record that the endpoint refused `tried`; the format to ask in now, or None."""
        with self._lock:
            if self.current != tried:  # another request already moved on
                return self.current
            following = next_format(tried, refusal, switch=not self.fixed)
            if following is None:
                return None
            self.current = following
        if self.memory is not None:
            self.memory.remember_format(self.config.endpoint, self.model, following.key)
        return following


# --- reading errors ------------------------------------------------------------------------------

_FORMAT_WORDS = re.compile(
    r"response_format|json_schema|json_object|'text'|structured output|grammar|minLength|maxLength",
    re.IGNORECASE,
)
_LENGTHS = re.compile(r"minLength|maxLength|min_length|max_length", re.IGNORECASE)


# A local server out of room for the requests it holds at once: llama-server's slots share its
# context ("Context size has been exceeded."); Ollama answers 503 past its queue.
_CAPACITY_WORDS = re.compile(
    r"context size has been exceeded|kv cache|no (?:free|available) slot|server busy|"
    r"maximum pending requests",
    re.IGNORECASE,
)


def is_capacity_error(status: int | None, text: str, config: LLMConfig) -> bool:
    """Whether an error says a non-OpenAI server is out of room for the requests in flight:
    a 503, or a 500 saying its context (shared by its parallel slots) is full. Like a 429,
    it asks for fewer requests at once, not for a different request."""
    if provider_of(config.base_url) != "other":
        return False
    return status == 503 or (status == 500 and bool(_CAPACITY_WORDS.search(text)))


def refuses_format(status: int | None, text: str, config: LLMConfig) -> bool:
    """Whether an error (its status, and its message with its code and parameter) refuses the
    response format: a 400 or 422 naming it, or from a non-OpenAI server a 500 too
    (llama-cpp-python answers json_schema with a 500 naming the types it allows)."""
    refusing = {400, 422} if provider_of(config.base_url) != "other" else {400, 422, 500}
    return status in refusing and bool(_FORMAT_WORDS.search(text))
