"""The API key never shows up in fixtures, errors, debug output or logs."""

from __future__ import annotations

import logging
import re
import sys

import httpx
import pytest

from briefer.cli import main
from briefer.text.redact import redact, scrub_headers

from .exchanges import BASE_URL, FIXTURES, ROOT, replay

KEY = "sk-proj-" + "Zq9" * 12  # key-shaped, so a leak would look like a real one


def test_no_fixture_or_snapshot_contains_a_credential():
    paths = [p for p in FIXTURES.rglob("*") if p.is_file()]
    paths += [p for p in (ROOT / "tests" / "snapshots").rglob("*") if p.is_file()]
    assert len(paths) > 20
    for path in paths:
        text = path.read_bytes().decode("utf-8", errors="replace")  # some pages are not UTF-8
        assert "sk-" not in text, path
        assert "Bearer " not in text, path
        assert not re.search(r'"(authorization|api-key|cookie|openai-organization)"', text, re.I), (
            path
        )


def test_redact_catches_keys_tokens_and_known_secrets():
    text = f"Incorrect API key provided: {KEY}. Header was Bearer {KEY}; org-secret-value"
    cleaned = redact(text, secrets=("org-secret-value",))
    assert "sk-" not in cleaned and "Bearer" not in cleaned and "org-secret-value" not in cleaned
    assert redact("risk-free desk-bound") == "risk-free desk-bound"


def test_scrub_headers_drops_credentials():
    kept = scrub_headers(
        [
            ("Authorization", "Bearer x"),
            ("api-key", "x"),
            ("OpenAI-Organization", "o"),
            ("OpenAI-Project", "p"),
            ("Cookie", "c"),
            ("Content-Type", "application/json"),
        ]
    )
    assert kept == {"content-type": "application/json"}


@pytest.mark.parametrize("debug", [False, True])
def test_key_echoed_by_the_server_never_reaches_the_user(monkeypatch, capsys, router, debug):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    router.post(f"{BASE_URL}/chat/completions").mock(
        return_value=httpx.Response(
            401,
            json={
                "error": {
                    "message": f"Incorrect API key provided: {KEY}.",
                    "type": "invalid_request_error",
                    "code": "invalid_api_key",
                    "param": None,
                }
            },
        )
    )
    article = str(FIXTURES / "articles" / "very_short.txt")
    monkeypatch.setattr(sys, "argv", ["briefer", "brief", article, *(["--debug"] if debug else [])])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "refused the credentials" in err
    assert KEY not in err and "sk-" not in err and "Bearer" not in err
    if debug:
        assert "Traceback" in err


def test_sdk_and_http_debug_logs_carry_no_key(monkeypatch, caplog, router):
    from briefer.core import Briefer
    from briefer.engines.openai.config import LLMConfig

    from .conftest import fixture_article

    replay("happy_very_short", router)
    caplog.set_level(logging.DEBUG)
    Briefer(config=LLMConfig(api_key=KEY, base_url=BASE_URL)).brief(fixture_article("very_short"))
    assert caplog.records  # the SDK and httpx did log at debug level
    assert KEY not in caplog.text and "Bearer" not in caplog.text


def test_config_repr_hides_the_key():
    from briefer.engines.openai.config import LLMConfig

    assert KEY not in repr(LLMConfig(api_key=KEY))


def test_credentials_in_an_endpoint_address_never_reach_a_message():
    from briefer.engines.openai.config import LLMConfig
    from briefer.text.redact import redact

    assert redact("cannot reach http://alice:s3cret@10.0.0.5:8000/v1") == (
        "cannot reach http://[redacted]@10.0.0.5:8000/v1"
    )
    config = LLMConfig(base_url="http://alice:s3cret@llm.internal/v1", api_key="k")
    assert "s3cret" not in config.endpoint and "alice" not in config.endpoint
