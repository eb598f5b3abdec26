"""Re-record the recordable exchanges against a live endpoint (opt-in; needs a real key)."""

from __future__ import annotations

import os

import pytest

from .recorder import main as recorder_main

# Read before the autouse fixture in conftest.py hides the developer's configuration.
_LIVE_ENV = {
    k: v
    for k in ("BRIEFER_RECORD", "OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFER_MODEL")
    if (v := os.environ.get(k))
}

needs_live = pytest.mark.skipif(
    os.environ.get("BRIEFER_RECORD") != "1"
    or not (os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL")),
    reason="live: set BRIEFER_RECORD=1 and OPENAI_API_KEY (or OPENAI_BASE_URL) to re-record",
)


@pytest.mark.live
@needs_live
def test_rerecord_fixtures_live(monkeypatch):
    for key, value in _LIVE_ENV.items():
        monkeypatch.setenv(key, value)
    assert recorder_main() == 0
