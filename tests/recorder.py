"""Re-record the recordable exchanges in fixtures/exchanges/ against a live endpoint.

    BRIEFER_RECORD=1 OPENAI_API_KEY=... [OPENAI_BASE_URL=...] [BRIEFER_MODEL=...] \
        python -m tests.recorder

Only exchanges marked `"recordable": true` (real briefs of fixture articles) are re-recorded;
staged faults (429s, resets, refusals) cannot be provoked on demand and stay hand-written.
Every recording is scrubbed before it is written: credentials and account headers are dropped
from requests and responses, and any key-like string is redacted from bodies.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from briefer.core import Briefer
from briefer.engines.openai.config import LLMConfig
from briefer.inputs import load_article
from briefer.settings import Settings
from briefer.text.redact import redact, scrub_headers

ROOT = Path(__file__).resolve().parent.parent
EXCHANGES = ROOT / "fixtures" / "exchanges"

# Response headers worth keeping: the rest (request ids, processing times, rate-limit
# counters tied to an account) is noise or personal.
_KEPT_RESPONSE_HEADERS = frozenset({"content-type", "retry-after", "retry-after-ms"})


class RecordingTransport(httpx.BaseTransport):
    """Forward requests to a real transport and keep a scrubbed copy of each exchange."""

    def __init__(self, inner: httpx.BaseTransport, secrets: tuple[str | None, ...] = ()):
        self.inner = inner
        self.secrets = secrets
        self.interactions: list[dict[str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        if request.method != "POST":  # what a server says about itself: not part of a replay
            return response
        self.interactions.append(
            {
                "request": {
                    "method": request.method,
                    "path": request.url.path,
                    "headers": scrub_headers(request.headers.items()),
                    "body": self._body(request.content),
                },
                "response": {
                    "status": response.status_code,
                    "headers": {
                        k: v
                        for k, v in scrub_headers(response.headers.items()).items()
                        if k in _KEPT_RESPONSE_HEADERS
                    },
                    "body": self._body(response.content),
                },
            }
        )
        return response

    def close(self) -> None:
        self.inner.close()

    def _body(self, content: bytes) -> Any:
        text = content.decode("utf-8", errors="replace")
        try:
            return self._scrub(json.loads(text))
        except json.JSONDecodeError:
            return redact(text, self.secrets)

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            return redact(value, self.secrets)
        if isinstance(value, list):
            return [self._scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: self._scrub(v) for k, v in value.items()}
        return value


def record_exchange(
    name: str,
    article_path: Path,
    config: LLMConfig,
    transport: httpx.BaseTransport,
    out_dir: Path = EXCHANGES,
) -> Path:
    """Brief one article live through `transport` and write the scrubbed exchange `name`."""
    recorder = RecordingTransport(transport, secrets=(config.api_key,))
    client = httpx.Client(transport=recorder, timeout=config.timeout)
    Briefer(config=config, http_client=client).brief(load_article(article_path))
    document = {
        "provenance": "recorded",
        "note": (
            f"Recorded live from {config.endpoint} (model {config.model}) on "
            f"{datetime.now(UTC).date().isoformat()} by tests/recorder.py; credentials scrubbed."
        ),
        "recordable": True,
        "article": str(article_path.relative_to(ROOT)),
        "interactions": recorder.interactions,
    }
    out = out_dir / f"{name}.json"
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def main() -> int:
    """Re-record every recordable exchange; refuse unless explicitly switched on."""
    if os.environ.get("BRIEFER_RECORD") != "1" or not (
        os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL")
    ):
        print(
            "recorder: set BRIEFER_RECORD=1 and OPENAI_API_KEY (or OPENAI_BASE_URL) to "
            "re-record fixtures against a live endpoint",
            file=sys.stderr,
        )
        return 2
    config = LLMConfig.from_settings(Settings.from_env())
    for path in sorted(EXCHANGES.glob("*.json")):
        exchange = json.loads(path.read_text(encoding="utf-8"))
        if not exchange.get("recordable"):
            continue
        out = record_exchange(path.stem, ROOT / exchange["article"], config, httpx.HTTPTransport())
        print(f"recorded {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
