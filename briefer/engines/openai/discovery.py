"""What a local server says about itself: the models it serves, its context, its slots.

Asked of non-OpenAI endpoints only (vLLM, Ollama, llama.cpp's `llama-server`,
llama-cpp-python, LM Studio...), over plain HTTP, before the first request that needs it:

- `GET {base}/models`, the OpenAI list every one of them serves: the model names; vLLM adds
  each model's `max_model_len`, llama.cpp its `meta.n_ctx`.
- `GET {root}/props`, llama.cpp's own (`root` is the base URL without its `/v1`): the context
  each request gets, `default_generation_settings.n_ctx` (older builds: `n_ctx`; with `-np`
  slots it is `-c` divided among them), and `total_slots`, its `-np`.

A server that says nothing of its context leaves it unknown (the model table's default then
applies, and briefer says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from briefer import errors
from briefer.text import one_line
from briefer.text.redact import protect_logs, redact

if TYPE_CHECKING:
    from briefer.engines.openai.config import LLMConfig

ASK_TIMEOUT = 10.0  # seconds: a server that takes longer to list its models is not answering


@dataclass(frozen=True)
class ServerFacts:
    """What a server said about itself (None: it did not say)."""

    models: tuple[str, ...]
    context_tokens: int | None = None
    context_source: str | None = None  # where the context came from, for messages
    slots: int | None = None


def ask_server(config: LLMConfig, client: httpx.Client, model: str | None = None) -> ServerFacts:
    """Ask the server `config` points at which models it serves and the context of `model`
    (default: the only one it serves).

    Requests carry the key and the credentials written into the base URL; messages name the
    endpoint without them. Raises `ServiceError` when it cannot be reached (or answers too
    slowly), `UnreadableResponseError` when its answer is too large to read, and
    `AuthenticationError` when it refuses the key. A server without a model list gives no
    models.
    """
    base_url = config.request_url or config.endpoint
    protect_logs(config.secrets)
    headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
    ask = _Asking(client, headers, config.query, config.endpoint, config.secrets)
    listed = ask.get(base_url.rstrip("/") + "/models")
    entries = [e for e in _entries(listed) if isinstance(e.get("id"), str)]
    models = tuple(str(e["id"]) for e in entries)
    chosen = model or (models[0] if len(models) == 1 else None)
    entry = next((e for e in entries if e["id"] == chosen), {})
    context, source = _context_of_entry(entry)
    slots = None
    root = base_url.rstrip("/").removesuffix("/v1")
    try:
        props = ask.get(root + "/props")
    except errors.BrieferError:
        props = None
    if isinstance(props, dict):
        settings = props.get("default_generation_settings")
        n_ctx: Any = settings.get("n_ctx") if isinstance(settings, dict) else None
        n_ctx = n_ctx if n_ctx is not None else props.get("n_ctx")
        if _positive(n_ctx):
            context, source = int(n_ctx), "its /props"
        if _positive(props.get("total_slots")):
            slots = int(props["total_slots"])
    return ServerFacts(models, context, source, slots)


@dataclass(frozen=True)
class _Asking:
    client: httpx.Client
    headers: dict[str, str]
    params: dict[str, str]
    endpoint: str  # for messages
    secrets: tuple[str, ...]

    def get(self, url: str) -> Any:
        """The JSON at `url`; None when the server has no such route or answers no JSON."""
        try:
            response = self.client.get(
                url, headers=self.headers, params=self.params, timeout=ASK_TIMEOUT
            )
        except httpx.DecodingError as exc:  # too large, or in a coding briefer does not read
            raise errors.UnreadableResponseError(
                f"the answer of {self.endpoint} to which model it serves cannot be read: "
                f"{one_line(redact(str(exc), self.secrets), 200)}"
            ) from None
        except httpx.HTTPError as exc:
            raise errors.ServiceError(
                f"cannot reach {self.endpoint} to ask which model it serves "
                f"({one_line(redact(str(exc) or type(exc).__name__, self.secrets), 200)}); "
                "check OPENAI_BASE_URL and that the server is running"
            ) from None
        if response.status_code in (401, 403):
            raise errors.AuthenticationError(
                f"{self.endpoint} refused the credentials ({response.status_code}: "
                f"{_message(response, self.secrets)}); check OPENAI_API_KEY",
                status=response.status_code,
            )
        if response.status_code != 200:
            return None
        try:
            return response.json()
        except ValueError:
            return None


def _entries(listed: Any) -> list[dict[str, Any]]:
    data = listed.get("data") if isinstance(listed, dict) else None
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def _context_of_entry(entry: dict[str, Any]) -> tuple[int | None, str | None]:
    """The context a model entry of `/models` states: vLLM's `max_model_len`, llama.cpp's
    `meta.n_ctx`."""
    if _positive(entry.get("max_model_len")):
        return int(entry["max_model_len"]), "max_model_len in its /v1/models"
    meta = entry.get("meta")
    if isinstance(meta, dict) and _positive(meta.get("n_ctx")):
        return int(meta["n_ctx"]), "n_ctx in its /v1/models"
    return None, None


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _message(response: httpx.Response, secrets: tuple[str, ...]) -> str:
    try:
        body = response.json()
    except ValueError:
        return one_line(redact(response.text, secrets), 160)
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return one_line(redact(str(message or body), secrets), 160)
