"""The recorder talks to a real HTTP server on 127.0.0.1 and writes a scrubbed exchange."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from briefer.engines.openai.config import LLMConfig

from .conftest import ARTICLES
from .exchanges import load_exchange
from .recorder import main as recorder_main
from .recorder import record_exchange

FAKE_KEY = "sk-fake" + "0123456789abcdefghij"  # key-shaped, so scrubbing is really tested


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers["content-length"])
        self.rfile.read(length)
        body = load_exchange("happy_very_short")["interactions"][0]["response"]["body"]
        # A careless server echoing credentials back: the recorder must scrub all of it.
        body = dict(body, id=f"chatcmpl-echo {self.headers['authorization']}")
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("set-cookie", "session=very-private")
        self.send_header("openai-organization", "org-private")
        self.send_header("x-echo-authorization", self.headers["authorization"])
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_recorder_writes_a_scrubbed_replayable_exchange(local_server, tmp_path):
    config = LLMConfig(api_key=FAKE_KEY, base_url=local_server, model="local-model")
    out = record_exchange(
        "recorded_very_short",
        ARTICLES / "very_short.txt",
        config,
        httpx.HTTPTransport(),
        out_dir=tmp_path,
    )
    text = out.read_text(encoding="utf-8")
    assert "sk-" not in text and "Bearer" not in text and FAKE_KEY not in text
    assert "very-private" not in text and "org-private" not in text
    doc = json.loads(text)
    assert doc["provenance"] == "recorded" and "127.0.0.1" in doc["note"]
    (interaction,) = doc["interactions"]
    assert "authorization" not in interaction["request"]["headers"]
    assert set(interaction["response"]["headers"]) <= {
        "content-type",
        "retry-after",
        "retry-after-ms",
    }
    assert interaction["request"]["body"]["model"] == "local-model"
    assert interaction["response"]["body"]["choices"][0]["message"]["content"]


def test_recorder_refuses_without_the_switch(monkeypatch, capsys):
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_KEY)
    assert recorder_main() == 2
    assert "BRIEFER_RECORD=1" in capsys.readouterr().err
