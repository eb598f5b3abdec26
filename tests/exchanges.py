"""Replay recorded OpenAI wire exchanges (fixtures/exchanges/*.json) with respx.

An exchange file lists the responses an endpoint gave, in order, and says where they came
from: "hand-written" (staged faults and briefs written for this project) or "recorded" (a
live endpoint, through tests/recorder.py, secrets scrubbed). Replaying serves them in order
and keeps every request our client sent, so tests can inspect what went over the wire.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import respx

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EXCHANGES = FIXTURES / "exchanges"
BASE_URL = "http://llm.test/v1"

_TRANSPORT_ERRORS = {
    "connect_error": lambda req: httpx.ConnectError("connection reset by peer", request=req),
    "read_timeout": lambda req: httpx.ReadTimeout("timed out reading the response", request=req),
}


def load_exchange(name: str) -> dict[str, Any]:
    """Return one exchange file's content."""
    data: dict[str, Any] = json.loads((EXCHANGES / f"{name}.json").read_text(encoding="utf-8"))
    return data


@dataclass
class Replay:
    """The requests our client sent while an exchange was replayed."""

    exchange: dict[str, Any]
    requests: list[httpx.Request] = field(default_factory=list)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    @property
    def exhausted(self) -> bool:
        return len(self.requests) >= len(self.exchange["interactions"])

    def respond(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        index = len(self.requests) - 1
        interactions = self.exchange["interactions"]
        if index >= len(interactions):
            raise AssertionError(
                f"unexpected request #{index + 1}: the exchange has {len(interactions)}"
            )
        response = interactions[index]["response"]
        if "transport_error" in response:
            raise _TRANSPORT_ERRORS[response["transport_error"]](request)
        body = response["body"]
        content = body if isinstance(body, str) else json.dumps(body)
        return httpx.Response(
            response["status"], headers=response.get("headers", {}), content=content.encode()
        )


def replay(name: str, router: respx.MockRouter) -> Replay:
    """Serve exchange `name` on BASE_URL through `router`; return the request log."""
    log = Replay(load_exchange(name))
    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=log.respond)
    return log


# --- stand-in answers for tests whose requests are made at run time ------------------------------


def brief_json(evidence: list[str] | str, *, headline: str = "A brief") -> str:
    """A minimal valid brief whose key facts quote `evidence` (one fact per quote)."""
    quotes = [evidence] if isinstance(evidence, str) else evidence
    return json.dumps(
        {
            "headline": headline,
            "summary": "Something happened.",
            "key_facts": [
                {"statement": q[:300], "evidence": q, "attribution": "the reporter"} for q in quotes
            ],
            "stakeholders": [],
            "open_questions": [],
            "sourcing_caveats": [],
        }
    )


def chat_completion(content: str, usage: tuple[int, int] = (100, 50)) -> httpx.Response:
    """An HTTP 200 chat completion carrying `content`."""
    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content},
                 "finish_reason": "stop"}
            ],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                      "total_tokens": sum(usage)},
        },
    )  # fmt: skip


def article_in(request_body: dict[str, Any]) -> str:
    """The article text a brief request carries between its boundary markers."""
    user = request_body["messages"][1]["content"]
    found = re.search(r"<<<ARTICLE-(\w+)>>>\n(.*?)\n<<<END-ARTICLE-\1>>>", user, re.DOTALL)
    assert found, "the text must arrive inside the boundary"
    return found.group(2)
