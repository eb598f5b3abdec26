"""The OpenAI engine against replayed exchanges: the happy path and every fault row."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import respx

from briefer import errors
from briefer.core import Briefer
from briefer.engines.openai import OpenAIEngine
from briefer.engines.openai.budget import budget_for
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.prompts import load_template
from briefer.engines.openai.transport import retry_after_seconds
from briefer.schema import Brief, SourcingCaveat, brief_json_schema

from .conftest import TEST_KEY, fixture_article
from .exchanges import BASE_URL, load_exchange, replay


class Sleeps(list[float]):
    """Records the waits the retry layer asks for, without waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def engine(config: LLMConfig, sleeps: Sleeps | None = None) -> OpenAIEngine:
    return OpenAIEngine(
        config, load_template("brief"), sleep=sleeps if sleeps is not None else Sleeps()
    )


def expected_brief(exchange: str, index: int = -1) -> Brief:
    body = load_exchange(exchange)["interactions"][index]["response"]["body"]
    return Brief.model_validate_json(body["choices"][0]["message"]["content"])


@pytest.mark.parametrize(
    ("exchange", "stem"),
    [
        ("happy_on_the_record", "on_the_record"),
        ("happy_anonymous_sources", "anonymous_sources"),
        ("happy_very_short", "very_short"),
    ],
)
def test_happy_path_envelope(router, config, exchange, stem):
    log = replay(exchange, router)
    article = fixture_article(stem)
    envelope = Briefer(config=config).brief(article)

    model_brief = expected_brief(exchange)
    n = len(model_brief.sourcing_caveats)
    assert envelope.brief.model_copy(update={"sourcing_caveats": []}) == model_brief.model_copy(
        update={"sourcing_caveats": []}
    )
    assert envelope.brief.sourcing_caveats[:n] == model_brief.sourcing_caveats
    origins = [c.origin for c in envelope.verification.sourcing_caveats]
    assert origins[:n] == ["model"] * n and set(origins[n:]) <= {"rules"}
    assert envelope.verification.missing == 0  # the hand-written quotes are verbatim
    assert envelope.engine == "openai"
    assert envelope.model == load_exchange(exchange)["interactions"][0]["response"]["body"]["model"]
    assert envelope.prompt is not None and envelope.prompt.name == "brief"
    assert envelope.article.sha256 == article.sha256
    assert envelope.article.title == article.title
    usage = load_exchange(exchange)["interactions"][0]["response"]["body"]["usage"]
    assert envelope.usage.requests == 1
    assert envelope.usage.total_tokens == usage["total_tokens"]
    assert {w.code for w in envelope.warnings} <= {"caveats_truncated"}
    assert len(log.requests) == 1


def test_request_is_strict_json_schema_with_article_inside_boundary(router, config):
    log = replay("happy_very_short", router)
    Briefer(config=config).brief(fixture_article("very_short"))
    body = log.bodies[0]
    assert body["model"] == "gpt-4o-mini"
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["additionalProperties"] is False
    assert body["max_tokens"] == budget_for(config).output_tokens == 4096
    assert body["temperature"] == config.temperature
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user"
    assert "data" in system["content"] and "never instructions" in system["content"]
    start = user["content"].index("<<<ARTICLE-")
    token = user["content"][start + len("<<<ARTICLE-") :].split(">>>", 1)[0]
    assert f"<<<END-ARTICLE-{token}>>>" in user["content"]
    assert token not in system["content"]  # the system message is the same for every request
    assert f"between the markers <<<ARTICLE-{token}>>>" in user["content"]
    assert "Port of Calder reopened" in user["content"]
    assert log.requests[0].headers["authorization"] == f"Bearer {TEST_KEY}"


def test_openai_itself_gets_max_completion_tokens():
    config = LLMConfig(api_key="test-key-not-a-secret")
    with respx.mock(assert_all_mocked=True) as mock:
        log = replay_at("https://api.openai.com/v1", "happy_very_short", mock)
        Briefer(config=config).brief(fixture_article("very_short"))
    assert log.bodies[0]["max_completion_tokens"] == budget_for(config).output_tokens
    assert "max_tokens" not in log.bodies[0]


def replay_at(base: str, name: str, mock: respx.MockRouter):
    from .exchanges import Replay

    log = Replay(load_exchange(name))
    mock.post(f"{base}/chat/completions").mock(side_effect=log.respond)
    return log


def test_async_happy_path(router, config):
    log = replay("happy_on_the_record", router)
    envelope = asyncio.run(Briefer(config=config).abrief(fixture_article("on_the_record")))
    assert envelope.brief == expected_brief("happy_on_the_record")
    assert len(log.requests) == 1


# --- transport faults: retried by the one retry layer ----------------------------------------


@pytest.mark.parametrize(
    "exchange",
    [
        "rate_limit_then_ok",
        "server_error_then_ok",
        "request_timeout_then_ok",
        "conflict_then_ok",
        "connection_reset_then_ok",
    ],
)
def test_transient_fault_is_retried_with_the_identical_request(router, config, exchange):
    log = replay(exchange, router)
    sleeps = Sleeps()
    result = engine(config, sleeps).brief(fixture_article("very_short"))
    assert result.brief == expected_brief(exchange)
    assert len(log.requests) == 2
    assert log.requests[0].content == log.requests[1].content  # same messages, same boundary
    assert len(sleeps) == 1
    assert result.usage.requests == 1  # only the answered request counts tokens


def test_retry_after_is_honoured(router, config):
    replay("rate_limit_then_ok", router)
    sleeps = Sleeps()
    engine(config, sleeps).brief(fixture_article("very_short"))
    assert sleeps == [2.0]


def test_retry_after_beyond_limit_is_not_waited_for(router, config):
    log = replay("rate_limit_wait_too_long", router)
    sleeps = Sleeps()
    with pytest.raises(errors.RateLimitError, match="429"):
        engine(config, sleeps).brief(fixture_article("very_short"))
    assert len(log.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    ("exchange", "error", "hint"),
    [
        ("server_errors_exhausted", errors.ServiceError, "503"),
        ("connection_reset_exhausted", errors.ServiceError, "OPENAI_BASE_URL"),
        ("read_timeout_exhausted", errors.ServiceError, r"raise the timeout \(Briefer\("),
    ],
)
def test_transient_faults_give_up_after_bounded_retries(router, config, exchange, error, hint):
    if exchange == "read_timeout_exhausted":  # a local server's time-out is not sent again
        config = LLMConfig(api_key=TEST_KEY, model="gpt-4o-mini")
        log = replay_at("https://api.openai.com/v1", exchange, router)
    else:
        log = replay(exchange, router)
    sleeps = Sleeps()
    with pytest.raises(error, match=hint) as caught:
        engine(config, sleeps).brief(fixture_article("very_short"))
    assert len(log.requests) == config.max_retries + 1 == 3
    assert len(sleeps) == 2
    assert sleeps[1] > sleeps[0]  # exponential backoff
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("exchange", "error", "hint"),
    [
        ("insufficient_quota", errors.QuotaError, "quota"),
        ("unauthorized", errors.AuthenticationError, "OPENAI_API_KEY"),
        ("forbidden", errors.AuthenticationError, "403"),
        ("bad_request", errors.BadRequestError, "temperature"),
        ("should_not_retry", errors.ServiceError, "500"),
    ],
)
def test_permanent_faults_are_not_retried(router, config, exchange, error, hint):
    log = replay(exchange, router)
    sleeps = Sleeps()
    with pytest.raises(error, match=hint) as caught:
        engine(config, sleeps).brief(fixture_article("very_short"))
    assert len(log.requests) == 1 and sleeps == []
    assert caught.value.status is not None
    assert isinstance(caught.value, errors.BrieferError) and caught.value.exit_code == 1


def test_sdk_retries_are_off_so_attempts_do_not_multiply(router):
    config = LLMConfig(api_key="test-key-not-a-secret", base_url=BASE_URL, max_retries=0)
    log = replay("server_errors_exhausted", router)
    with pytest.raises(errors.ServiceError):
        engine(config).brief(fixture_article("very_short"))
    assert len(log.requests) == 1


def test_retry_after_header_forms():
    assert retry_after_seconds(httpx.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after_seconds(httpx.Headers({"retry-after": "3"})) == 3.0
    assert retry_after_seconds(httpx.Headers({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0
    assert retry_after_seconds(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after_seconds(httpx.Headers({})) is None


# --- output faults ---------------------------------------------------------------------------


@pytest.mark.parametrize("exchange", ["invalid_json_then_ok", "schema_invalid_then_ok"])
def test_invalid_output_gets_one_reask_with_the_error(router, config, exchange):
    log = replay(exchange, router)
    result = engine(config).brief(fixture_article("very_short"))
    assert result.brief == expected_brief(exchange)
    first, second = log.bodies
    assert len(second["messages"]) == len(first["messages"]) + 2
    assistant, reask = second["messages"][-2:]
    first_content = load_exchange(exchange)["interactions"][0]["response"]["body"]["choices"][0]
    assert assistant == {"role": "assistant", "content": first_content["message"]["content"]}
    assert reask["role"] == "user" and "could not be used" in reask["content"]
    if exchange == "schema_invalid_then_ok":
        assert "key_facts" in reask["content"] and "stakeholders.0.kind" in reask["content"]
    else:
        assert "not JSON" in reask["content"]
    assert result.usage.requests == 2
    assert result.usage.total_tokens == 2600
    assert [n.code for n in result.notices] == ["reasked"]


def test_invalid_twice_raises_with_raw_output_and_summed_usage(router, config):
    replay("invalid_twice", router)
    with pytest.raises(errors.InvalidOutputError, match="after a re-ask") as caught:
        engine(config).brief(fixture_article("very_short"))
    exc = caught.value
    contents = [
        i["response"]["body"]["choices"][0]["message"]["content"]
        for i in load_exchange("invalid_twice")["interactions"]
    ]
    assert exc.raw_output == contents[1]
    assert exc.attempts == contents
    assert exc.usage is not None
    assert exc.usage.requests == 2 and exc.usage.total_tokens == 1300 + 1350


def test_json_schema_rejected_falls_back_to_json_object(router, config):
    log = replay("json_schema_rejected", router)
    result = engine(config).brief(fixture_article("very_short"))
    assert result.brief == expected_brief("json_schema_rejected")
    first, second = log.bodies
    assert first["response_format"]["type"] == "json_schema"
    # Not OpenAI: the schema goes inline too, for servers that hold the answer to it.
    assert second["response_format"] == {
        "type": "json_object",
        "schema": brief_json_schema(lengths=True),
    }
    assert '"key_facts"' in second["messages"][0]["content"]  # schema spelled out in the prompt
    assert second["messages"][1] == first["messages"][1]
    assert [n.code for n in result.notices] == ["json_object_fallback"]


def test_json_mode_schema_does_not_fall_back(router):
    config = LLMConfig(api_key="k-test", base_url=BASE_URL, json_mode="schema")
    log = replay("json_schema_rejected", router)
    with pytest.raises(errors.BadRequestError, match="response_format"):
        engine(config).brief(fixture_article("very_short"))
    assert len(log.requests) == 1


def test_json_mode_object_asks_for_json_object_directly(router):
    config = LLMConfig(api_key="k-test", base_url=BASE_URL, json_mode="object")
    log = replay("json_object_mode", router)
    result = engine(config).brief(fixture_article("very_short"))
    assert log.bodies[0]["response_format"] == {
        "type": "json_object",
        "schema": brief_json_schema(lengths=True),
    }
    assert result.brief == expected_brief("json_object_mode")


def test_refusal_is_an_error_showing_the_refusal(router, config):
    replay("refusal", router)
    with pytest.raises(errors.RefusalError, match="I'm sorry, I can't help") as caught:
        engine(config).brief(fixture_article("very_short"))
    assert caught.value.usage is not None and caught.value.usage.requests == 1


def test_length_is_an_error_suggesting_a_larger_budget(router, config):
    replay("length", router)
    with pytest.raises(
        errors.TruncatedOutputError, match=r"LLMConfig\(max_output_tokens"
    ) as caught:
        engine(config).brief(fixture_article("very_short"))
    assert caught.value.raw_output is not None and caught.value.raw_output.startswith('{"headline"')


def test_empty_choices_is_a_clear_error(router, config):
    replay("empty_choices", router)
    with pytest.raises(errors.EmptyResponseError, match="no choices"):
        engine(config).brief(fixture_article("very_short"))


def test_missing_usage_is_reported_not_fatal(router, config):
    replay("missing_usage", router)
    result = engine(config).brief(fixture_article("very_short"))
    assert result.brief == expected_brief("missing_usage")
    assert result.usage.requests == 1 and result.usage.total_tokens == 0
    assert [n.code for n in result.notices] == ["usage_missing"]


def test_api_error_is_never_fed_back_to_the_model(router, config):
    log = replay("server_error_then_ok", router)
    engine(config).brief(fixture_article("very_short"))
    for body in log.bodies:
        assert all("overloaded" not in m["content"] for m in body["messages"])


def test_async_retries_use_the_same_policy(router, config):
    log = replay("rate_limit_then_ok", router)
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    eng = OpenAIEngine(config, load_template("brief"), async_sleep=fake_sleep)
    result = asyncio.run(eng.abrief(fixture_article("very_short")))
    assert result.brief == expected_brief("rate_limit_then_ok")
    assert waits == [2.0] and len(log.requests) == 2


def test_openai_engine_without_configuration_is_a_usage_error():
    with pytest.raises(errors.ConfigError, match="OPENAI_API_KEY") as caught:
        Briefer(engine="openai", config=LLMConfig())
    assert caught.value.exit_code == 2


def test_model_facing_caveat_kinds_are_closed():
    with pytest.raises(ValueError):
        SourcingCaveat.model_validate({"kind": "rumour", "detail": "x", "evidence": "y"})
    assert json.loads(json.dumps(Brief.model_json_schema()))  # serialisable


@pytest.mark.parametrize(
    "wrap",
    [
        "<think>The user wants a brief. {Maybe} start with the facts.</think>\n{}",
        "Here is the brief you asked for:\n```json\n{}\n```\nLet me know if you need more.",
        "Sure! {} Hope this helps.",
    ],
    ids=["reasoning-block", "prose-and-fence", "prose-around"],
)
def test_answers_wrapped_by_local_servers_are_read_without_a_reask(router, config, wrap):
    """Reasoning models on Ollama or vLLM put a <think> block first; others add prose."""
    from .exchanges import brief_json, chat_completion

    article = fixture_article("very_short")
    quote = article.text.split("\n\n", 1)[-1].split(". ")[0]
    brief = brief_json(quote)
    route = router.post(f"{BASE_URL}/chat/completions").mock(
        return_value=chat_completion(wrap.replace("{}", brief))
    )
    result = engine(config).brief(article)
    assert route.call_count == 1 and result.usage.requests == 1
    assert result.brief == Brief.model_validate_json(brief)
    assert "reasked" not in [n.code for n in result.notices]


def test_cached_prompt_tokens_are_read_summed_and_priced_at_the_cached_price():
    from openai.types.chat import ChatCompletion

    from briefer.engines.openai.conversation import _usage_of
    from briefer.engines.openai.models import model_info
    from briefer.schema import Usage

    def completion(usage: dict) -> ChatCompletion:
        return ChatCompletion.model_validate(
            {
                "id": "c", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
                "choices": [], "usage": usage,
            }
        )  # fmt: skip

    openai_style = {"prompt_tokens": 2000, "completion_tokens": 500, "total_tokens": 2500,
                    "prompt_tokens_details": {"cached_tokens": 1536}}  # fmt: skip
    local_style = {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100,
                   "cached_tokens": 640}  # fmt: skip
    first, second = _usage_of(completion(openai_style), []), _usage_of(completion(local_style), [])
    assert (first.cached_tokens, second.cached_tokens) == (1536, 640)
    assert (first + second).cached_tokens == 2176  # summed over attempts and parts
    assert _usage_of(completion({"prompt_tokens": 10, "completion_tokens": 1, "total_tokens": 11}),
                     []).cached_tokens == 0  # fmt: skip
    info = model_info("gpt-4o-mini")
    full, cached = info.cost(2000, 500), info.cost(2000, 500, 1536)
    assert full is not None and cached is not None
    assert round(full - cached, 6) == round(1536 * (0.15 - 0.075) / 1e6, 6)
    assert model_info("gpt-4").cost(2000, 500, 1536) == model_info("gpt-4").cost(2000, 500)
    total = Usage(requests=2, prompt_tokens=3000, total_tokens=3600, cached_tokens=1536)
    from briefer.renderers.brief import usage_line

    assert "51% of the prompt from the provider's cache" in (usage_line(total) or "")
