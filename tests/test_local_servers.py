"""Local OpenAI-compatible servers, as the stand-ins of tests/local_servers.py answer: output
format negotiation, capacity errors, true messages, the model and context from the server, and
a budget that counts every request."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from briefer import errors
from briefer.core import Briefer
from briefer.engines.openai import OpenAIEngine
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.prompts import load_template
from briefer.store import Store

from .conftest import TEST_KEY, fixture_article
from .exchanges import BASE_URL, brief_json
from .local_servers import (
    Server,
    always,
    by_format,
    completion,
    lcp_refuses_json_schema,
    quoting_first_line,
)

LOCAL = LLMConfig(api_key=TEST_KEY, base_url=BASE_URL, model="local.gguf")


class Sleeps(list[float]):
    """Records the waits the retry layer asks for, without waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def engine(config: LLMConfig = LOCAL, sleeps: Sleeps | None = None, **kwargs) -> OpenAIEngine:
    return OpenAIEngine(
        config, load_template("brief"), sleep=sleeps if sleeps is not None else Sleeps(), **kwargs
    )


def lcp_server() -> Server:
    """llama-cpp-python's server: json_schema refused with a 500, json_object answered."""
    return Server(
        [by_format(json_schema=always(lcp_refuses_json_schema), json_object=quoting_first_line)]
    )


def has_lengths(schema: dict) -> bool:
    return "maxLength" in json.dumps(schema)


# --- 1. structured output negotiated per endpoint ------------------------------------------------


def test_a_500_refusing_json_schema_switches_to_json_object_at_once(router):
    """llama-cpp-python refuses json_schema with a 500: not retried, json_object next, with the
    schema inline and in the prompt; the endpoint's format is kept for the next brief."""
    server = lcp_server().serve(router)
    sleeps = Sleeps()
    eng = engine(sleeps=sleeps)
    result = eng.brief(fixture_article("very_short"))
    assert server.formats == ["json_schema", "json_object"]
    assert sleeps == []  # a request that cannot succeed is not sent again
    fmt = server.bodies[1]["response_format"]
    assert fmt["schema"]["additionalProperties"] is False and has_lengths(fmt["schema"])
    assert '"key_facts"' in server.bodies[1]["messages"][0]["content"]
    assert [n.code for n in result.notices] == ["json_object_fallback"]
    assert "500" in result.notices[0].message

    eng.brief(fixture_article("on_the_record"))  # the next brief starts right
    assert server.formats == ["json_schema", "json_object", "json_object"]


def test_the_format_an_endpoint_took_is_kept_in_the_store(router, tmp_path):
    server = lcp_server().serve(router)
    store = Store(tmp_path / "briefs.db")
    Briefer(config=LOCAL, store=store).brief(fixture_article("very_short"))
    assert server.formats == ["json_schema", "json_object"]
    Briefer(config=LOCAL, store=store).brief(fixture_article("on_the_record"))
    assert server.formats[2:] == ["json_object"]  # the next run starts right


def test_a_chosen_json_mode_is_not_switched_and_its_refusal_is_not_retried(router):
    server = lcp_server().serve(router)
    sleeps = Sleeps()
    config = LLMConfig(api_key=TEST_KEY, base_url=BASE_URL, model="m", json_mode="schema")
    with pytest.raises(errors.BadRequestError, match="refused the response format") as caught:
        engine(config, sleeps).brief(fixture_article("very_short"))
    assert server.formats == ["json_schema"] and sleeps == []
    assert "json_mode" in str(caught.value) and "try again later" not in str(caught.value)


def test_local_servers_get_the_length_limits_openai_does_not(router):
    server = Server([quoting_first_line]).serve(router)
    engine().brief(fixture_article("very_short"))
    assert has_lengths(server.bodies[0]["response_format"]["json_schema"]["schema"])

    with respx.mock(assert_all_mocked=True, assert_all_called=False) as openai_router:
        at_openai = Server([quoting_first_line]).serve(openai_router, "https://api.openai.com/v1")
        engine(LLMConfig(api_key=TEST_KEY)).brief(fixture_article("very_short"))
    assert not has_lengths(at_openai.bodies[0]["response_format"]["json_schema"]["schema"])


def test_a_refusal_of_the_length_limits_drops_only_them(router):
    refusal = httpx.Response(
        400, json={"error": {"message": "json_schema: unsupported keyword 'maxLength'"}}
    )

    def answer(body: dict) -> httpx.Response:
        schema = body["response_format"]["json_schema"]["schema"]
        return refusal if has_lengths(schema) else quoting_first_line(body)

    server = Server([answer]).serve(router)
    result = engine().brief(fixture_article("very_short"))
    assert server.formats == ["json_schema", "json_schema"]
    assert [n.code for n in result.notices] == ["schema_lengths_dropped"]


def test_control_characters_in_strings_are_read_and_removed(router):
    """A grammar can let a raw control character into a string, which strict JSON refuses;
    escaped or raw, none is left in the brief."""
    text = fixture_article("very_short").text.strip().splitlines()[0]
    raw = brief_json(text, headline="Port\x04 reopens").replace('"Something', '"Some\x01thing')
    assert "\\u0004" in raw and "\x01" in raw  # one escaped, one raw
    server = Server([always(lambda: completion(raw))]).serve(router)
    result = engine().brief(fixture_article("very_short"))
    assert len(server.bodies) == 1  # no re-ask
    assert result.brief.headline == "Port reopens"
    assert result.brief.summary == "Something happened."
