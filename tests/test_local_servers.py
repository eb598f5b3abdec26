"""Local OpenAI-compatible servers, as the stand-ins of tests/local_servers.py answer: output
format negotiation, capacity errors, true messages, the model and context from the server, and
a budget that counts every request."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time

import httpx
import pytest
import respx

from briefer import errors
from briefer.cli.common import flag_for
from briefer.core import Briefer
from briefer.digest import batch
from briefer.digest.runner import Progress, adigest
from briefer.engines.openai import OpenAIEngine, transport
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.conversation import BRIEF
from briefer.engines.openai.endpoint import is_capacity_error
from briefer.engines.openai.prompts import load_template
from briefer.inputs.article import Article
from briefer.io.store import Store

from .conftest import ARTICLES, TEST_KEY, fixture_article
from .exchanges import BASE_URL, brief_json
from .local_servers import (
    Server,
    always,
    by_format,
    completion,
    context_exceeded,
    lcp_refuses_json_schema,
    models_list,
    prompt_too_long,
    props,
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


# --- 2. a server out of room is back-pressure -----------------------------------------------------


@pytest.fixture
def no_backoff(monkeypatch):
    monkeypatch.setattr(transport, "_retry_wait", lambda state, max_wait: 0.0)


class SharedContext:
    """llama-server with slots sharing one context: past `room` requests at once, a request
    gets the 500 "Context size has been exceeded." (its neighbours go on)."""

    def __init__(self, room: int, seconds: float = 0.02) -> None:
        self.room, self.seconds = room, seconds
        self.in_flight = self.peak_ok = self.overflows = 0
        self.lock = threading.Lock()

    def _enter(self) -> bool:
        with self.lock:
            if self.in_flight >= self.room:
                self.overflows += 1
                return False
            self.in_flight += 1
            self.peak_ok = max(self.peak_ok, self.in_flight)
            return True

    def _leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        if not self._enter():
            return context_exceeded()
        try:
            await asyncio.sleep(self.seconds)
            return quoting_first_line(json.loads(request.content))
        finally:
            self._leave()

    def blocking(self, request: httpx.Request) -> httpx.Response:
        if not self._enter():
            return context_exceeded()
        try:
            time.sleep(self.seconds)
            return quoting_first_line(json.loads(request.content))
        finally:
            self._leave()


DIGEST = sorted(ARTICLES.glob("*.txt"))[:6]


def test_a_full_shared_context_lowers_the_digests_concurrency(router, no_backoff):
    """Four at once into room for one: the overflows halve the concurrency, and their
    retries wait for a slot instead of going out again in lockstep; nothing is lost."""
    server = SharedContext(room=1, seconds=0.05)
    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=server)
    heard: list[float] = []
    briefer = Briefer(config=LOCAL, store=Store())
    briefer.on_rate_limit(heard.append)  # replaced by the digest's limiter, as in a digest
    progress = Progress(total=len(DIGEST))
    result = asyncio.run(adigest(DIGEST, briefer, concurrency=4, progress=progress))
    assert [item.error for item in result.items] == [None] * len(DIGEST)
    assert server.overflows > 0
    assert progress.limiter is not None and progress.limiter.limit < 4


def test_a_capacity_error_that_outlasts_the_retries_names_the_fix(router, no_backoff):
    router.post(f"{BASE_URL}/chat/completions").mock(return_value=context_exceeded())
    with pytest.raises(errors.ServiceError) as caught:
        engine().brief(fixture_article("very_short"))
    message = caught.value.describe(flag_for)
    assert "Context size has been exceeded." in message
    assert "--concurrency 1" in message and "-np" in message and "-c" in message
    assert "try again later" not in message
    assert "the concurrency set to 1" in str(caught.value)  # the library's wording


def test_503_from_a_local_server_is_capacity_and_from_openai_is_not():
    local, at_openai = LOCAL, LLMConfig(api_key=TEST_KEY)
    assert is_capacity_error(503, "server busy, please try again", local)
    assert is_capacity_error(500, "Context size has been exceeded.", local)
    assert not is_capacity_error(500, "something broke", local)
    assert not is_capacity_error(503, "overloaded", at_openai)


LONG = "\n\n".join(p.read_text(encoding="utf-8").split("\n", 1)[1] for p in DIGEST)


def test_the_parts_of_a_long_article_obey_the_concurrency(router):
    server = SharedContext(room=8, seconds=0.02)
    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=server.blocking)
    config = dataclasses.replace(LOCAL, context_tokens=3000, max_output_tokens=800, concurrency=1)
    eng = engine(config)
    assert len(eng.jobs(Article(text=LONG, source="long"))) > 2
    eng.brief(Article(text=LONG, source="long"))
    assert server.peak_ok == 1

    server.peak_ok = 0
    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=server)  # awaits, not blocks
    two = engine(dataclasses.replace(config, concurrency=2))
    asyncio.run(two.abrief(Article(text=LONG, source="long")))
    assert server.peak_ok == 2


def test_brief_takes_concurrency_on_the_command_line(run, router, monkeypatch, tmp_path):
    server = SharedContext(room=8, seconds=0.02)
    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=server.blocking)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    path = tmp_path / "long.txt"
    path.write_text(LONG, encoding="utf-8")
    result = run(
        "brief", str(path), "--model", "local.gguf", "--context-tokens", "3000",
        "--max-output-tokens", "800", "--concurrency", "1", "--no-cache",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert server.peak_ok == 1


# --- 3. true messages ----------------------------------------------------------------------------


def test_a_length_stop_well_short_of_the_budget_blames_the_context(router):
    """llama-server with -c 2048 cut an answer after 113 tokens of a 4,096-token budget."""
    cut = '{"headline": "Port reopens", "summary": "The port'
    Server([always(lambda: completion(cut, completion_tokens=113, finish_reason="length"))]).serve(
        router
    )
    with pytest.raises(errors.TruncatedOutputError) as caught:
        engine().brief(fixture_article("very_short"))
    message = caught.value.describe(flag_for)
    assert "after 113 tokens" in message and "4,096-token budget" in message
    assert "context window" in message and "--context-tokens" in message
    assert "--max-output-tokens" not in message


def test_a_length_stop_at_the_budget_still_asks_for_a_larger_budget(router):
    cut = '{"headline": "Port reopens", "summary": "The port'
    config = dataclasses.replace(LOCAL, max_output_tokens=500)
    answer = completion(cut, completion_tokens=500, finish_reason="length")
    Server([always(lambda: answer)]).serve(router)
    with pytest.raises(errors.TruncatedOutputError) as caught:
        engine(config).brief(fixture_article("very_short"))
    assert "--max-output-tokens" in caught.value.describe(flag_for)


def invented_quotes(body: dict) -> httpx.Response:
    """A brief whose every quote is invented: it asks for a repair."""
    return completion(brief_json([f"Nothing like this sentence {i} is in it." for i in range(6)]))


def test_a_repair_that_cannot_fit_the_context_is_not_sent(router):
    server = Server([invented_quotes]).serve(router)
    probe = engine(dataclasses.replace(LOCAL, max_output_tokens=200))
    first = probe.prompt_tokens(probe.jobs(fixture_article("very_short"))[0].messages)
    # Room for the first request (with the planning margin), not for it plus answer and repair.
    config = dataclasses.replace(
        LOCAL, max_output_tokens=200, context_tokens=int((first + 200) / 0.95) + 2
    )
    result = engine(config).brief(fixture_article("very_short"))
    assert len(server.bodies) == 1
    skipped = [n.message for n in result.notices if n.code == "repair_skipped"]
    assert len(skipped) == 1 and "not sent" in skipped[0] and "needs about" in skipped[0]
    assert "kept the first answer" in skipped[0]


def test_a_repair_the_server_refuses_is_reported_with_its_reason(router):
    server = Server([invented_quotes, always(lambda: prompt_too_long(2103, 2048))]).serve(router)
    result = engine().brief(fixture_article("very_short"))
    assert len(server.bodies) == 2
    (failed,) = [n.message for n in result.notices if n.code == "repair_failed"]
    assert "400: request (2103 tokens) exceeds the available context size (2048 tokens)" in failed


def test_a_request_to_a_local_server_that_timed_out_is_not_sent_again(router):
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    route = router.post(f"{BASE_URL}/chat/completions").mock(side_effect=slow)
    sleeps = Sleeps()
    with pytest.raises(errors.ServiceError) as caught:
        engine(sleeps=sleeps).brief(fixture_article("very_short"))
    assert route.call_count == 1 and sleeps == []
    message = caught.value.describe(flag_for)
    assert "did not answer within 60s" in message and "not sent again" in message
    assert "--timeout" in message and "-np" in message


def test_batch_submit_to_a_server_without_the_batch_api_says_so(run, router, monkeypatch, tmp_path):
    """llama-server answers POST /v1/files with a 404 "File Not Found"."""
    router.post(f"{BASE_URL}/files").mock(
        return_value=httpx.Response(
            404,
            json={"error": {"code": 404, "message": "File Not Found", "type": "not_found_error"}},
        )
    )
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    requests = tmp_path / "requests.jsonl"
    requests.write_text('{"custom_id": "x"}\n', encoding="utf-8")
    result = run("batch", "submit", str(requests), "--db", str(tmp_path / "b.db"))
    assert result.code == 1
    assert "has no Batch API (404 on /v1/files)" in result.err
    assert "batch prepare" in result.err and "run-batch" in result.err
    assert "batch import" in result.err and "check --model" not in result.err


# --- 4. the model of a local endpoint comes from the endpoint ------------------------------------

UNNAMED = LLMConfig(api_key=TEST_KEY, base_url=BASE_URL)


def test_no_model_named_means_the_one_the_server_serves(router):
    """llama-server lists one model, and its /props say a slot's context and the slots."""
    server = Server([quoting_first_line], models=models_list("tiny.gguf"), props=props(2048, 4))
    server.serve(router)
    eng = engine(UNNAMED)
    notes = eng.resolve()
    assert eng.model == "tiny.gguf" and eng.slots == 4 and eng.parallel == 4
    assert eng.budget.context_tokens == 2048 and eng.budget.output_tokens == 1024
    assert any("tiny.gguf" in n for n in notes)
    assert any("2,048 tokens" in n and "/props" in n for n in notes)
    result = eng.brief(fixture_article("very_short"))
    assert server.bodies[0]["model"] == "tiny.gguf" and server.bodies[0]["max_tokens"] == 1024
    assert result.usage.cost_usd is None


@pytest.mark.parametrize(
    ("models", "props_answer", "context", "said"),
    [
        (models_list("Qwen/Qwen2.5-7B-Instruct", meta={"max_model_len": 32768}), None, 32768,
         "max_model_len"),
        (models_list("tiny.gguf", meta={"meta": {"n_ctx": 4096}}), None, 4096, "n_ctx"),
        (models_list("tiny.gguf"), props(3072, nested=False), 3072, "/props"),
        (models_list("llama3.2"), None, 8192, "does not say its context window"),
    ],
    ids=["vllm-max-model-len", "llama-cpp-models-meta", "older-llama-cpp-props", "ollama"],
)  # fmt: skip
def test_the_context_is_the_one_the_server_states(router, models, props_answer, context, said):
    Server([quoting_first_line], models=models, props=props_answer).serve(router)
    eng = engine(UNNAMED)
    notes = eng.resolve()
    assert eng.budget.context_tokens == context
    assert any(said in n for n in notes)


def test_a_server_serving_several_models_is_a_one_line_error_naming_them(run, router, monkeypatch):
    Server([quoting_first_line], models=models_list("llama3.2", "qwen2.5", "phi4")).serve(router)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    result = run("brief", str(ARTICLES / "very_short.txt"))
    assert result.code == 2
    (line,) = result.err.strip().splitlines()
    assert "serves 3 models (llama3.2, qwen2.5, phi4)" in line and "--model" in line


def test_a_wrong_key_shows_when_the_server_is_asked_for_its_model(run, router, monkeypatch):
    router.get(f"{BASE_URL}/models").mock(
        return_value=httpx.Response(401, json={"error": {"message": "Invalid API Key"}})
    )
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    monkeypatch.setenv("OPENAI_API_KEY", "wrong-test-key-not-a-secret")
    result = run("brief", str(ARTICLES / "very_short.txt"))
    assert result.code == 1
    assert "refused the credentials (401: Invalid API Key)" in result.err
    assert "OPENAI_API_KEY" in result.err and "wrong-test-key" not in result.err


def test_a_local_model_named_like_an_openai_one_is_priced_only_by_the_user(router, list_prices):
    """llama-cpp-python answers as whatever model it is asked for ("gpt-4o-mini")."""
    answer = completion(brief_json("Port of Calder reopened"), model="gpt-4o-mini")
    Server([always(lambda: answer)], models=models_list("gpt-4o-mini")).serve(router)
    priced = engine(UNNAMED).brief(fixture_article("very_short")).usage.cost_usd
    assert priced is not None and priced > 0  # the user's price file prices it


def test_openai_list_prices_do_not_apply_at_a_local_server(router):
    answer = completion(brief_json("Port of Calder reopened"), model="gpt-4o-mini")
    Server([always(lambda: answer)], models=models_list("gpt-4o-mini")).serve(router)
    assert engine(UNNAMED).brief(fixture_article("very_short")).usage.cost_usd is None


def test_a_dry_run_at_a_local_server_plans_for_the_servers_model(run, router, monkeypatch):
    Server([], models=models_list("tiny.gguf"), props=props(2048, 4)).serve(router)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    result = run("brief", str(ARTICLES / "very_short.txt"), "--dry-run")
    assert result.code == 0, result.err
    assert "model tiny.gguf" in result.out and "2,048-token context" in result.out
    assert "(the context as the server says, its /props)" in result.out
    assert "unknown" in result.out and "$" not in result.out
    assert "gpt-4o-mini" not in result.out + result.err


def test_a_dry_run_at_a_server_that_cannot_be_asked_assumes_no_openai_model(
    run, router, monkeypatch
):
    router.get(f"{BASE_URL}/models").mock(side_effect=httpx.ConnectError("connection refused"))
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    result = run("brief", str(ARTICLES / "very_short.txt"), "--dry-run")
    assert result.code == 0, result.err
    assert "could not ask" in result.err and "connection refused" in result.err
    assert "gpt-4o-mini" not in result.out + result.err
    assert "8,192-token context" in result.out and "unknown" in result.out


def test_a_digest_sends_no_more_at_once_than_the_server_has_slots(router):
    Server([quoting_first_line], models=models_list("tiny.gguf"), props=props(2048, 1)).serve(
        router
    )
    progress = Progress(total=2)
    briefer = Briefer(config=UNNAMED, store=Store())
    asyncio.run(briefer.adigest(DIGEST[:2], progress=progress))
    assert progress.limiter is not None and progress.limiter.ceiling == 1


# --- 5. the budget counts every request ----------------------------------------------------------


def test_json_object_mode_counts_the_schema_it_puts_in_the_prompt(router):
    """In object mode the schema is in the system message: chunks are sized with it."""
    Server([quoting_first_line]).serve(router)
    article = fixture_article("on_the_record")
    roomy = dataclasses.replace(LOCAL, max_output_tokens=500, context_tokens=100_000)
    messages = engine(roomy).jobs(article)[0].messages
    with_schema = engine(dataclasses.replace(roomy, json_mode="object")).prompt_tokens(messages)
    words = engine(roomy).budget.counter.count(article.text)
    assert with_schema - engine(roomy).prompt_tokens(messages) > words // 2
    # Room for the request in json_schema (the schema not in the prompt), and for half the
    # article with the schema in the prompt.
    context = int((with_schema - words // 2 + 500) / 0.95)
    config = dataclasses.replace(LOCAL, max_output_tokens=500, context_tokens=context)
    in_schema = engine(config)
    in_object = engine(dataclasses.replace(config, json_mode="object"))
    assert len(in_schema.jobs(article)) == 1
    jobs = in_object.jobs(article)
    assert len(jobs) > 1
    assert all(in_object.prompt_tokens(j.messages) <= in_object.budget.input_tokens for j in jobs)
    more = in_object.estimate(article, truncated=False).input_tokens
    assert more > in_schema.estimate(article, truncated=False).input_tokens


def test_a_reask_that_cannot_fit_is_not_sent(router):
    rambling = completion("Let me think about this article. " * 300)  # not JSON, and long
    server = Server([always(lambda: rambling)]).serve(router)
    config = dataclasses.replace(LOCAL, context_tokens=3000, max_output_tokens=500)
    with pytest.raises(errors.BadRequestError, match="the re-ask was not sent: it needs about"):
        engine(config).brief(fixture_article("very_short"))
    assert len(server.bodies) == 1


def test_a_merge_that_cannot_fit_is_made_by_rule(router):
    server = Server([quoting_first_line]).serve(router)
    config = dataclasses.replace(LOCAL, context_tokens=1500, max_output_tokens=400)
    eng = engine(config)
    parts = len(eng.jobs(Article(text=LONG, source="long")))
    assert parts > 4
    result = eng.brief(Article(text=LONG, source="long"))
    assert len(server.bodies) == parts  # no merge request
    (merged,) = [n.message for n in result.notices if n.code == "merged_by_rule"]
    assert "was not sent" in merged and "needs about" in merged
    assert result.brief.key_facts


def test_a_dry_run_counts_what_each_endpoint_reads_of_the_schema(router):
    """OpenAI counts a json_schema format's schema in the prompt; llama.cpp and vLLM do not."""
    Server([quoting_first_line]).serve(router)
    article = fixture_article("very_short")
    local = engine(LOCAL)
    at_openai = engine(LLMConfig(api_key=TEST_KEY))
    (job,) = local.jobs(article)
    messages = local.budget.counter.count_messages(job.messages)
    schema = local.budget.counter.count(json.dumps(BRIEF.schema()))
    assert local.estimate(article, truncated=False).input_tokens == messages
    assert at_openai.estimate(article, truncated=False).input_tokens == messages + schema


def test_batch_prepare_counts_the_schema_as_a_brief_would(tmp_path):
    briefer = Briefer(config=LLMConfig(api_key=TEST_KEY), store=Store(), planning=True)
    article = fixture_article("on_the_record")
    done = batch.prepare([article], briefer, tmp_path / "requests.jsonl")
    assert done.input_tokens == briefer.estimate(article).input_tokens


def test_batch_import_keeps_the_cached_tokens(router, tmp_path):
    briefer = Briefer(config=LOCAL, store=Store())
    done = batch.prepare([fixture_article("very_short")], briefer, tmp_path / "requests.jsonl")
    (request,) = [json.loads(line) for line in done.files[0].read_text("utf-8").splitlines()]
    text = fixture_article("very_short").text.strip().splitlines()[0]
    answer = completion(brief_json(text), prompt_tokens=1100, cached_tokens=512).json()
    line = {"custom_id": request["custom_id"], "response": {"status_code": 200, "body": answer}}
    assert batch.ingest([line], briefer).stored == 1
    (row,) = briefer.store.history()
    assert row.cached_tokens == 512 and row.prompt_tokens == 1100


def test_a_prompt_longer_than_the_servers_context_names_that_context(router):
    """llama-server refuses a prompt over a slot's context with a 400 saying its n_ctx."""
    server = Server([always(lambda: prompt_too_long(3055, 2048))]).serve(router)
    config = dataclasses.replace(LOCAL, context_tokens=100_000)  # the user said too much
    with pytest.raises(errors.BadRequestError) as caught:
        engine(config).brief(fixture_article("very_short"))
    assert len(server.bodies) == 1
    message = caught.value.describe(flag_for)
    assert "exceeds the available context size (2048 tokens)" in message
    assert "--context-tokens 2048" in message
    assert "LLMConfig(context_tokens=2048)" in str(caught.value)


def test_a_server_context_too_small_for_the_prompt_is_said_before_sending(run, router, monkeypatch):
    server = Server([quoting_first_line], models=models_list("tiny.gguf"), props=props(512))
    server.serve(router)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    result = run("brief", str(ARTICLES / "on_the_record.txt"))
    assert result.code == 2 and server.bodies == []
    error = result.err.strip().splitlines()[-1]
    assert "512-token context (as the server says, its /props)" in error
    assert "-c" in error and "-np" in error and "--max-output-tokens" in error


def test_an_async_comparison_briefs_no_more_articles_at_once_than_the_concurrency(router):
    server = SharedContext(room=8, seconds=0.02)

    def either(request: httpx.Request):
        body = json.loads(request.content)
        if body["response_format"]["json_schema"]["name"] == "comparison":
            return completion('{"facts": [], "conflicts": []}')
        return server(request)  # awaited by the async client

    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=either)
    briefer = Briefer(config=dataclasses.replace(LOCAL, concurrency=1))
    comparison = asyncio.run(briefer.acompare(DIGEST[:3]))
    assert comparison.kind == "comparison" and server.peak_ok == 1
