"""Stand-ins for local OpenAI-compatible servers, served with respx.

They reproduce, in answers written for these tests, what two real servers answered to
briefer's requests, as recorded in ../shared/llm-server/recorded/ (`wire_lcp.json`:
llama-cpp-python 0.3.36's server; `wire_ls*.json`: llama.cpp's `llama-server`, among them one
started with `-c 2048` and one with `-c 512`): the status codes, the shape of the error bodies,
the words in them that matter (the response format types llama-cpp-python allows, "Context size
has been exceeded.", `exceed_context_size_error` with `n_ctx`), the usage fields with
`prompt_tokens_details.cached_tokens`, `/v1/models` and llama.cpp's `/props`. The texts around
those words, the model names and the numbers are our own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import respx

from .exchanges import BASE_URL, article_in, brief_json

ROOT_URL = BASE_URL.removesuffix("/v1")

Answer = Callable[[dict[str, Any]], httpx.Response]


def completion(
    content: str,
    *,
    model: str = "local.gguf",
    prompt_tokens: int = 900,
    completion_tokens: int = 150,
    cached_tokens: int | None = None,
    finish_reason: str = "stop",
) -> httpx.Response:
    """A chat completion as llama.cpp's servers write one (usage with cached tokens)."""
    usage: dict[str, Any] = {
        "completion_tokens": completion_tokens,
        "prompt_tokens": prompt_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
    if cached_tokens is not None:
        usage["prompt_tokens_details"] = {"cached_tokens": cached_tokens}
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-local",
            "object": "chat.completion",
            "created": 1,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": usage,
        },
    )


def quoting_first_line(body: dict[str, Any]) -> httpx.Response:
    """A good brief: one key fact quoting the article's first line."""
    first = article_in(body).strip().splitlines()[0].strip()
    return completion(brief_json(first))


def lcp_refuses_json_schema() -> httpx.Response:
    """llama-cpp-python's answer to `response_format: json_schema`: a 500 whose message is
    pydantic's validation error naming the types it allows (with a server traceback)."""
    message = (
        "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', "
        "'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
        '\n\n  File "llama_cpp/server/app.py", in create_chat_completion'
    )
    return httpx.Response(
        500,
        json={
            "error": {
                "message": message,
                "type": "internal_server_error",
                "param": None,
                "code": None,
            }
        },
    )


def context_exceeded() -> httpx.Response:
    """llama-server's answer when parallel requests fill the context its slots share."""
    return httpx.Response(
        500,
        json={
            "error": {
                "code": 500,
                "message": "Context size has been exceeded.",
                "type": "server_error",
            }
        },
    )


def prompt_too_long(n_prompt: int, n_ctx: int) -> httpx.Response:
    """llama-server's answer to a prompt longer than a slot's context."""
    return httpx.Response(
        400,
        json={
            "error": {
                "code": 400,
                "message": f"request ({n_prompt} tokens) exceeds the available context size "
                f"({n_ctx} tokens), try increasing it",
                "type": "exceed_context_size_error",
                "n_prompt_tokens": n_prompt,
                "n_ctx": n_ctx,
            }
        },
    )


def models_list(*names: str, meta: dict[str, Any] | None = None) -> httpx.Response:
    """`GET /v1/models` as llama.cpp's servers and vLLM answer it."""
    data = []
    for name in names:
        entry: dict[str, Any] = {"id": name, "object": "model", "owned_by": "llamacpp"}
        if meta is not None:
            entry.update(meta)
        data.append(entry)
    return httpx.Response(200, json={"object": "list", "data": data})


def props(n_ctx: int, slots: int = 1, *, nested: bool = True) -> httpx.Response:
    """llama.cpp's `GET /props`: the context of a slot, and how many slots there are (older
    builds put `n_ctx` at the top level)."""
    body: dict[str, Any] = {"total_slots": slots, "build_info": "b1-test"}
    if nested:
        body["default_generation_settings"] = {"n_ctx": n_ctx, "params": {}}
    else:
        body["n_ctx"] = n_ctx
    return httpx.Response(200, json=body)


@dataclass
class Server:
    """A stand-in server: answers chat completions in turn from `answers` (the last one
    again once they run out) and keeps every request body it was sent."""

    answers: list[Answer]
    bodies: list[dict[str, Any]] = field(default_factory=list)
    models: httpx.Response | None = None
    props: httpx.Response | None = None

    def chat(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        answer = self.answers[min(len(self.bodies) - 1, len(self.answers) - 1)]
        return answer(body)

    def serve(self, router: respx.MockRouter, base: str = BASE_URL) -> Server:
        """Route this server's endpoints at `base` through `router`."""
        router.post(f"{base}/chat/completions").mock(side_effect=self.chat)
        root = base.removesuffix("/v1")
        router.get(f"{base}/models").mock(return_value=self.models or models_list("local.gguf"))
        router.get(f"{root}/props").mock(
            return_value=self.props or httpx.Response(404, json={"error": "not found"})
        )
        return self

    @property
    def formats(self) -> list[str]:
        """The response format type of each request, in order."""
        return [body["response_format"]["type"] for body in self.bodies]


def always(response: Callable[[], httpx.Response]) -> Answer:
    """An answer that is always `response()`, whatever was asked."""
    return lambda _body: response()


def by_format(**answers: Answer) -> Answer:
    """Answer by the response format type asked for (json_schema=..., json_object=...)."""
    return lambda body: answers[body["response_format"]["type"]](body)
