"""Long articles and cost: token counting, model table, chunking, map-reduce, dry run."""

from __future__ import annotations

import itertools
import json
import os
import re
import time

import httpx
import pytest
import tiktoken

from briefer.core import Briefer
from briefer.engines.openai.config import LLMConfig
from briefer.engines.openai.models import model_info
from briefer.errors import ConfigError
from briefer.inputs.article import article_from_text
from briefer.text import sentences, tokens
from briefer.text.chunking import chunk_article, truncate_article
from briefer.text.tokens import TokenCounter, counter_for, estimate_tokens

from .conftest import ARTICLES, DEFAULT_COUNTER, TEST_KEY, fixture_article
from .exchanges import BASE_URL, chat_completion, load_exchange, replay

# --- counting -----------------------------------------------------------------------------------


def tiny_encoding() -> tiktoken.Encoding:
    """A small real tiktoken encoding built here: bytes plus a few merges, no download."""
    ranks = {bytes([i]): i for i in range(256)}
    for merge in (b"th", b"he", b"the", b"in", b"an", b"er"):
        ranks[merge] = len(ranks)
    return tiktoken.Encoding(
        name="tiny",
        pat_str=r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+""",
        mergeable_ranks=ranks,
        special_tokens={},
    )


def test_tiktoken_path_counts_exactly():
    encoding = tiny_encoding()
    counter = counter_for("tiny", load=lambda name: encoding)
    text = "the other anthem in the theatre"
    assert counter.exact and counter.note is None
    assert counter.count(text) == len(encoding.encode(text)) < len(text.encode())


def test_default_loader_is_tiktoken(monkeypatch, tmp_path):
    monkeypatch.setattr(tokens, "_default_counter", DEFAULT_COUNTER)
    monkeypatch.setattr(tokens, "_failure_marker", lambda name: tmp_path / f"{name}.unavailable")
    asked = []
    monkeypatch.setattr(
        tiktoken, "get_encoding", lambda name: asked.append(name) or tiny_encoding()
    )
    tokens._default_counter.cache_clear()
    try:
        counter = counter_for("o200k_base")
    finally:
        tokens._default_counter.cache_clear()
    assert asked == ["o200k_base"] and counter.exact


def test_unavailable_encoding_falls_back_to_the_estimate_and_says_so():
    def offline(name: str) -> tiktoken.Encoding:
        raise ConnectionError("no route to openaipublic.blob.core.windows.net")

    counter = counter_for("o200k_base", load=offline)
    assert not counter.exact
    assert counter.count("abcdefgh") == estimate_tokens("abcdefgh") == 2
    assert "estimates" in counter.note and "TIKTOKEN_CACHE_DIR" in counter.note
    assert "ConnectionError" not in counter.note and "openaipublic" not in counter.note
    assert "ConnectionError" in counter.reason  # kept for --debug, not shown to the user


def test_a_hanging_download_is_not_waited_for(monkeypatch):
    monkeypatch.setattr(tokens, "LOAD_TIMEOUT", 0.05)

    def hang(name: str) -> tiktoken.Encoding:
        time.sleep(1)
        raise AssertionError("unreachable")

    start = time.perf_counter()
    counter = counter_for("o200k_base", load=hang)
    assert time.perf_counter() - start < 0.9
    assert not counter.exact and "no answer" in counter.reason


def test_a_failed_download_is_remembered_and_not_retried_for_a_day(monkeypatch, tmp_path):
    monkeypatch.setattr(tokens, "_default_counter", DEFAULT_COUNTER)
    monkeypatch.setattr(tokens, "_failure_marker", lambda name: tmp_path / f"{name}.unavailable")
    calls = []

    def offline(name: str) -> tiktoken.Encoding:
        calls.append(name)
        raise ConnectionError("no route")

    monkeypatch.setattr(tiktoken, "get_encoding", offline)
    for _ in range(2):
        tokens._default_counter.cache_clear()
        try:
            counter = counter_for("o200k_base")
        finally:
            tokens._default_counter.cache_clear()
        assert not counter.exact and counter.note is not None
    assert calls == ["o200k_base"]  # the second process did not try again
    monkeypatch.setattr(tiktoken, "get_encoding", lambda name: tiny_encoding())
    marker = tmp_path / "o200k_base.unavailable"
    old = time.time() - tokens.RETRY_AFTER_SECONDS - 1
    os.utime(marker, (old, old))
    try:
        assert counter_for("o200k_base").exact  # a day later it tries, and succeeds
    finally:
        tokens._default_counter.cache_clear()
    assert not marker.exists()


def test_asked_for_estimate_is_quiet():
    counter = counter_for("o200k_base", estimate=True)  # what BRIEFER_TOKENIZER=estimate asks
    assert not counter.exact and counter.note is None


def test_estimate_counts_bytes_not_characters():
    assert estimate_tokens("北京市") == 3  # nine bytes
    assert estimate_tokens("") == 0


# --- model table --------------------------------------------------------------------------------


def test_model_table_lookup():
    assert model_info("gpt-4o-mini").encoding == "o200k_base"
    dated = model_info("gpt-4o-mini-2024-07-18")
    assert dated.name == "gpt-4o-mini" and dated.context_tokens == 128000
    assert model_info("gpt-4-0613").encoding == "cl100k_base"
    local = model_info("llama3.1:8b")
    assert local.name == "default" and local.cost(1000, 1000) is None


def test_cost_from_prices():
    info = model_info("gpt-4o-mini")
    assert info.cost(1_000_000, 1_000_000) == pytest.approx(0.15 + 0.60)


def test_user_price_file_overrides(tmp_path, monkeypatch):
    prices = tmp_path / "prices.toml"
    prices.write_text(
        '[models."llama3.1"]\nencoding = "cl100k_base"\ncontext_tokens = 32768\n'
        "max_output_tokens = 2048\ninput_per_million = 0.0\noutput_per_million = 0.0\n"
        '[models."gpt-4o-mini"]\ninput_per_million = 1.0\n',
        encoding="utf-8",
    )
    assert model_info("llama3.1:8b", user_file=prices).context_tokens == 32768
    assert model_info("gpt-4o-mini", user_file=prices).input_per_million == 1.0
    assert model_info("gpt-4o-mini", user_file=prices).output_per_million == 0.60  # the rest
    monkeypatch.setenv("BRIEFER_PRICES", str(prices))  # the setting reaches the engine's budget
    briefer = Briefer(model="llama3.1:8b", api_key=TEST_KEY, base_url=BASE_URL)
    assert briefer.config.prices == prices
    assert briefer.engine.budget.context_tokens == 32768


def test_an_edited_price_file_is_read_again(tmp_path):
    prices = tmp_path / "prices.toml"
    prices.write_text('[models."gpt-4o-mini"]\ninput_per_million = 1.0\n', encoding="utf-8")
    assert model_info("gpt-4o-mini", user_file=prices).input_per_million == 1.0
    prices.write_text('[models."gpt-4o-mini"]\ninput_per_million = 2.25\n', encoding="utf-8")
    assert model_info("gpt-4o-mini", user_file=prices).input_per_million == 2.25


def test_missing_price_file_is_a_usage_error(monkeypatch, tmp_path):
    with pytest.raises(ConfigError, match="BRIEFER_PRICES"):
        model_info("gpt-4o", user_file=tmp_path / "nope.toml")


# --- chunking -----------------------------------------------------------------------------------


def long_article(words: int) -> str:
    """An article of about `words` words from this project's fixture paragraphs."""
    paragraphs = []
    for path in sorted(ARTICLES.glob("*.txt")):
        body = path.read_text(encoding="utf-8").split("\n\n")[1:]
        paragraphs += [p.strip() for p in body if p.strip()]
    out: list[str] = ["Council Weighs a Very Long Report on Everything"]
    count, part = 0, 0
    while count < words:
        part += 1
        for paragraph in paragraphs:
            text = f"In section {part}, the report repeats: {paragraph}"
            out.append(text)
            count += len(text.split())
            if count >= words:
                break
    return "\n\n".join(out) + "\n"


ESTIMATE = TokenCounter("estimate")


def test_chunks_fit_break_between_sentences_and_overlap_by_one():
    text = long_article(6000) + "Café owners in Zürich — 北京 — said “ünïcödé” prices rose 😀.\n"
    chunks = chunk_article(text, 1500, ESTIMATE)
    starts = {s.start for s in sentences(text)}
    ends = {s.end for s in sentences(text)}
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.start in starts and chunk.end in ends  # never inside a sentence
        assert chunk.tokens <= 1500
        chunk.text.encode("utf-8")  # whole characters only
    for before, after in itertools.pairwise(chunks):
        overlap = [s for s in sentences(text) if after.start <= s.start and s.end <= before.end]
        assert len(overlap) == 1  # one sentence repeated, so nothing straddles unseen
    covered = {s.start for c in chunks for s in sentences(text) if c.start <= s.start < c.end}
    assert covered == starts


def test_chunks_prefer_paragraph_breaks():
    text = long_article(3000)
    chunks = chunk_article(text, 1200, ESTIMATE)
    at_paragraph = sum(1 for c in chunks[:-1] if text[c.end : c.end + 2] == "\n\n")
    assert at_paragraph >= len(chunks) - 2


def test_budget_too_small_is_a_usage_error():
    with pytest.raises(ConfigError, match=r"raise LLMConfig\(context_tokens=\.\.\.\)"):
        chunk_article(long_article(500), 50, ESTIMATE)


def test_truncate_ends_after_a_sentence():
    text = long_article(3000)
    kept = truncate_article(text, 500, ESTIMATE)
    assert kept is not None and ESTIMATE.count(kept.text) <= 500
    assert kept.end in {s.end for s in sentences(text)}
    assert truncate_article("Short. Text.", 500, ESTIMATE) is None


# --- map-reduce through the LLM engine ------------------------------------------------------------


class FakeModel:
    """A stand-in endpoint written for these tests: briefs what it is sent, merges what it is given.

    Chunk requests get a brief quoting the first sentences of the text between the article
    markers; the merge request gets the first fact of each partial brief.
    """

    def __init__(self) -> None:
        self.requests: list[dict] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        system, user = body["messages"][0]["content"], body["messages"][1]["content"]
        inside = re.search(r"<<<ARTICLE-(\w+)>>>\n(.*)\n<<<END-ARTICLE-\1>>>", user, re.DOTALL)
        assert inside, "the text must arrive inside the boundary"
        if "merge" in system.lower() and "partial briefs" in system:
            partials = json.loads(inside.group(2))
            facts = [p["brief"]["key_facts"][0] for p in partials][:7]
            brief = {**partials[0]["brief"], "key_facts": facts}
        else:
            spans = [s.text for s in sentences(inside.group(2)) if len(s.text.split()) > 5][:3]
            brief = {
                "headline": "A long report",
                "summary": "A long report was published.",
                "key_facts": [
                    {"statement": s[:300], "evidence": s, "attribution": "the reporter"}
                    for s in spans
                ],
                "stakeholders": [],
                "open_questions": [],
                "sourcing_caveats": [],
            }
        return chat_completion(json.dumps(brief), usage=(1000, 200))


def test_sixty_thousand_words_are_briefed_in_chunks_then_merged(router):
    text = long_article(60_000)
    assert len(text.split()) >= 60_000
    config = LLMConfig(api_key="test-key-not-a-secret", base_url=BASE_URL, context_tokens=16000)
    model = FakeModel()
    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=model)
    briefer = Briefer(config=config)
    plan = briefer.estimate(text)
    envelope = briefer.brief(text)

    chunks = envelope.usage.chunks
    assert chunks > 5 and chunks == plan.chunks
    assert len(model.requests) == chunks + 1 == envelope.usage.requests == plan.requests
    for body in model.requests:  # every request within the budget
        messages = ESTIMATE.count_messages(body["messages"])
        assert messages + body["max_tokens"] <= config.context_tokens
    assert envelope.verification.missing == 0 and envelope.verification.exact >= chunks
    assert envelope.usage.total_tokens == 1200 * (chunks + 1)
    assert "chunked" in [w.code for w in envelope.warnings]
    assert envelope.article.words == article_from_text(text).words


def test_short_article_is_one_request(router, config):
    log = replay("happy_very_short", router)
    assert Briefer(config=config).brief(fixture_article("very_short")).usage.chunks == 1
    assert len(log.requests) == 1


def test_cost_is_recorded_from_the_price_table(router, config, list_prices):
    replay("happy_very_short", router)
    envelope = Briefer(config=config).brief(fixture_article("very_short"))
    usage = load_exchange("happy_very_short")["interactions"][0]["response"]["body"]["usage"]
    expected = (usage["prompt_tokens"] * 0.15 + usage["completion_tokens"] * 0.60) / 1e6
    assert envelope.usage.cost_usd == pytest.approx(expected)


def test_truncation_adds_a_partial_coverage_caveat(router):
    text = long_article(3000)
    config = LLMConfig(api_key="test-key-not-a-secret", base_url=BASE_URL)
    model = FakeModel()
    router.post(f"{BASE_URL}/chat/completions").mock(side_effect=model)
    envelope = Briefer(config=config, max_input_tokens=800).brief(text)
    assert len(model.requests) == 1
    caveats = list(
        zip(envelope.brief.sourcing_caveats, envelope.verification.sourcing_caveats, strict=True)
    )
    partial = [(c, chk) for c, chk in caveats if c.kind.value == "partial_coverage"]
    assert len(partial) == 1
    caveat, check = partial[0]
    assert check.origin == "rules" and check.status == "exact"
    assert "cut at 800 input tokens" in caveat.detail


# --- offline and the command line ---------------------------------------------------------------


def test_offline_long_article_is_chunked_and_deterministic():
    text = long_article(20_000)
    first = Briefer(engine="offline").brief(text)
    second = Briefer(engine="offline").brief(text)
    assert first.usage.chunks > 1 and first.usage.requests == 0
    assert first.brief == second.brief
    assert first.verification.missing == 0


def test_dry_run_sends_nothing(monkeypatch, capsys, router, tmp_path, list_prices):
    import sys

    from briefer.cli import main

    path = tmp_path / "long.txt"
    path.write_text(long_article(30_000), encoding="utf-8")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-a-secret")
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    route = router.post(f"{BASE_URL}/chat/completions")
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "briefer",
            "brief",
            str(path),
            "--dry-run",
            "--context-tokens",
            "16000",
            "--model",
            "gpt-4o-mini",
        ],
    )
    with pytest.raises(SystemExit) as done:
        main()
    out = capsys.readouterr().out
    assert done.value.code in (0, None)
    assert not route.called
    assert "requests:" in out and "parts + 1 merge" in out and "estimated cost:" in out
    assert "$" in out and "nothing was sent" in out
