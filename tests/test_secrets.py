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


# --- credentials written into the base URL: used for requests, shown nowhere ---------------

PASSWORD = "pw-Hunter2-not-real"
QUERY_KEY = "qk-Azure7-not-real"
WITH_USERINFO = f"http://alice:{PASSWORD}@llm.test/v1"
WITH_QUERY = f"http://llm.test/v1?api-version=2024-06-01&api-key={QUERY_KEY}"


def _sent(router) -> list[httpx.Request]:
    requests = [call.request for call in router.calls]
    assert requests and all(r.url.host == "llm.test" for r in requests)
    return requests


def test_userinfo_in_the_base_url_is_the_requests_basic_authorization(router):
    import base64

    from briefer.core import Briefer
    from briefer.engines.openai.config import LLMConfig

    from .conftest import fixture_article

    replay("happy_very_short", router)
    config = LLMConfig(base_url=WITH_USERINFO)
    envelope = Briefer(config=config).brief(fixture_article("very_short"))
    assert envelope.engine == "openai"
    basic = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    for request in _sent(router):
        assert request.headers["authorization"] == basic, request.url
    assert PASSWORD not in repr(config) and PASSWORD not in config.endpoint
    assert PASSWORD not in envelope.model_dump_json()


def test_a_credential_in_the_base_urls_query_goes_with_every_request(router):
    from briefer.core import Briefer
    from briefer.engines.openai.config import LLMConfig

    from .conftest import fixture_article

    replay("happy_very_short", router)
    config = LLMConfig(base_url=WITH_QUERY)
    Briefer(config=config).brief(fixture_article("very_short"))
    for request in _sent(router):
        assert request.url.params["api-key"] == QUERY_KEY, request.url
        assert request.url.params["api-version"] == "2024-06-01"
        assert request.url.path in ("/v1/models", "/v1/chat/completions", "/props")
    assert config.endpoint == "http://llm.test/v1?api-version=2024-06-01&api-key=[redacted]"
    assert QUERY_KEY not in repr(config)


@pytest.mark.parametrize("base_url", [WITH_USERINFO, WITH_QUERY])
@pytest.mark.parametrize("debug", [False, True])
def test_credentials_in_the_base_url_are_in_no_error_or_log(
    monkeypatch, capsys, caplog, router, base_url, debug
):
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    secret = PASSWORD if base_url == WITH_USERINFO else QUERY_KEY
    echo = {"error": {"message": f"bad credentials {secret} at {base_url}"}}
    router.post(f"{BASE_URL}/chat/completions").mock(return_value=httpx.Response(401, json=echo))
    caplog.set_level(logging.DEBUG)
    article = str(FIXTURES / "articles" / "very_short.txt")
    monkeypatch.setattr(sys, "argv", ["briefer", "brief", article, *(["--debug"] if debug else [])])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "refused the credentials" in err
    assert secret not in err and secret not in caplog.text
    assert "HTTP Request: POST" in caplog.text  # the log was written, without it


@pytest.mark.parametrize("base_url", [WITH_USERINFO, WITH_QUERY])
def test_a_dry_run_shows_no_credential_from_the_base_url(monkeypatch, capsys, router, base_url):
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    article = str(FIXTURES / "articles" / "very_short.txt")
    monkeypatch.setattr(sys, "argv", ["briefer", "brief", article, "--dry-run", "--debug"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    assert PASSWORD not in out + err and QUERY_KEY not in out + err


@pytest.mark.parametrize("debug", [False, True])
def test_a_malformed_setting_does_not_turn_off_redaction(monkeypatch, capsys, debug):
    secret = "plain-Key-value-4242"  # not key-shaped: only its value can find it
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("BRIEFER_MAX_BYTES", secret)  # pasted into the wrong variable
    article = str(FIXTURES / "articles" / "very_short.txt")
    monkeypatch.setattr(sys, "argv", ["briefer", "brief", article, *(["--debug"] if debug else [])])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "BRIEFER_MAX_BYTES" in err and "not a positive whole number" in err
    assert secret not in err


def test_the_environments_secrets_are_found_without_reading_settings():
    from briefer.settings import secret_values

    env = {
        "OPENAI_API_KEY": "key-1234",
        "OPENAI_BASE_URL": f"http://alice:{PASSWORD}@llm.test/v1?api-key={QUERY_KEY}",
        "BRIEFER_MAX_BYTES": "not a number",
        "BRIEFER_SMTP_PASSWORD": "smtp-pass-99",
    }
    found = secret_values(env)
    assert {"key-1234", PASSWORD, QUERY_KEY, "smtp-pass-99"} <= set(found)
    assert "alice" in found  # a user name in an address is a credential too
