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
from typing import Any

import httpx

from briefer import errors
from briefer.text import one_line
from briefer.text.redact import redact

ASK_TIMEOUT = 10.0  # seconds: a server that takes longer to list its models is not answering


@dataclass(frozen=True)
class ServerFacts:
    """What a server said about itself (None: it did not say)."""

    models: tuple[str, ...]
    context_tokens: int | None = None
    context_source: str | None = None  # where the context came from, for messages
    slots: int | None = None


def ask_server(
    base_url: str,
    endpoint: str,
    api_key: str | None,
    client: httpx.Client,
    model: str | None = None,
) -> ServerFacts:
    """Ask the server at `base_url` (shown as `endpoint`) which models it serves and the context
    of `model` (default: the only one it serves).

    Raises `ServiceError` when it cannot be reached and `AuthenticationError` when it refuses
    the key. A server without a model list gives no models.
    """
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    listed = _get(client, base_url.rstrip("/") + "/models", headers, endpoint, api_key)
    entries = [e for e in _entries(listed) if isinstance(e.get("id"), str)]
    models = tuple(str(e["id"]) for e in entries)
    chosen = model or (models[0] if len(models) == 1 else None)
    entry = next((e for e in entries if e["id"] == chosen), {})
    context, source = _context_of_entry(entry)
    slots = None
    root = base_url.rstrip("/").removesuffix("/v1")
    try:
        props = _get(client, root + "/props", headers, endpoint, api_key)
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


def _get(
    client: httpx.Client, url: str, headers: dict[str, str], endpoint: str, key: str | None
) -> Any:
    """The JSON at `url`; None when the server has no such route or answers no JSON."""
    try:
        response = client.get(url, headers=headers, timeout=ASK_TIMEOUT)
    except httpx.HTTPError as exc:
        raise errors.ServiceError(
            f"cannot reach {endpoint} to ask which model it serves "
            f"({one_line(redact(str(exc) or type(exc).__name__, (key,)), 200)}); "
            "check OPENAI_BASE_URL and that the server is running"
        ) from None
    if response.status_code in (401, 403):
        raise errors.AuthenticationError(
            f"{endpoint} refused the credentials ({response.status_code}: "
            f"{_message(response, key)}); check OPENAI_API_KEY",
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


def _message(response: httpx.Response, key: str | None) -> str:
    try:
        body = response.json()
    except ValueError:
        return one_line(redact(response.text, (key,)), 160)
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else error
    return one_line(redact(str(message or body), (key,)), 160)
