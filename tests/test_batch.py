"""Batches: prepare request files, submit and collect through the Batch API, import vLLM output."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from briefer.core import Briefer
from briefer.digest import batch
from briefer.engines.openai.config import LLMConfig
from briefer.errors import UsageError
from briefer.io.store import Store
from briefer.schema import brief_json_schema
from briefer.text import sentences

from .conftest import ARTICLES, TEST_KEY, fill_up_disk
from .exchanges import BASE_URL, FIXTURES, article_in, brief_json

BATCH = FIXTURES / "batch"
SOURCES = [ARTICLES / name for name in ("very_short.txt", "courts.txt", "science.txt")]


@pytest.fixture
def llm(router) -> Briefer:
    return Briefer(config=LLMConfig(api_key=TEST_KEY, base_url=BASE_URL), store=Store())


def requests_in(paths: list[Path]) -> list[dict]:
    return [json.loads(line) for path in paths for line in path.read_text("utf-8").splitlines()]


def answer_for(request: dict) -> str:
    """A brief quoting the first sentence of the article in the request (written for tests)."""
    body = article_in(request["body"]).split("\n\n", 1)[-1]
    return brief_json(sentences(body)[0].text)


def output_line(request: dict, content: str | None = None, error: str | None = None) -> str:
    template = (BATCH / "vllm_output_template.jsonl").read_text("utf-8").strip()
    line = json.loads(
        template.replace("{custom_id}", request["custom_id"]).replace(
            "{content}", json.dumps(content or answer_for(request))
        )
    )
    if error:
        line["response"] = {"status_code": 500, "body": {"error": {"message": error}}}
    return json.dumps(line)


def test_prepare_writes_what_brief_would_send(llm, tmp_path):
    done = batch.prepare(SOURCES, llm, tmp_path / "requests.jsonl")
    assert (done.articles, done.requests, done.failed) == (3, 3, [])
    lines = requests_in(done.files)
    assert [line["method"] for line in lines] == ["POST"] * 3
    assert {line["url"] for line in lines} == {"/v1/chat/completions"}
    for line, source in zip(lines, SOURCES, strict=True):
        body = line["body"]
        assert body["response_format"]["json_schema"]["strict"] is True
        # vLLM's run-batch, not OpenAI: the schema keeps its length limits
        schema = body["response_format"]["json_schema"]["schema"]
        assert schema == brief_json_schema(lengths=True)
        assert body["model"] == llm.engine.model == "gpt-4o-mini" and body["max_tokens"] > 0
        assert (
            Path(source).read_text("utf-8").split("\n", 1)[1][:60] in body["messages"][1]["content"]
        )
        key = llm.cache_key(batch.load_article(source))
        assert line["custom_id"] == f"{key}-0"  # maps back to the store's key


def test_prepare_writes_a_request_file_without_a_key(run, monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    out = tmp_path / "requests.jsonl"
    db = str(tmp_path / "b.db")
    result = run("batch", "prepare", *map(str, SOURCES), "-o", str(out), "--db", db)
    assert result.code == 0, result.err
    assert len(requests_in([out])) == 3  # a local file: the key is needed only to submit


def test_request_files_on_a_full_disk_keep_the_ones_there(llm, tmp_path, monkeypatch):
    folder = tmp_path / "requests"
    folder.mkdir()
    done = batch.prepare(SOURCES, llm, folder / "requests.jsonl", max_requests=1)
    before = {path.name: path.read_bytes() for path in done.files}
    assert len(before) == 3
    fill_up_disk(monkeypatch, folder)
    other = Briefer(config=llm.config, store=Store(tmp_path / "other.db"))
    with pytest.raises(UsageError, match=r"^the disk is full: cannot write ") as caught:
        batch.prepare(SOURCES, other, folder / "requests.jsonl", max_requests=1)
    monkeypatch.undo()
    assert caught.value.describe().count("\n") == 0
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_long_articles_are_one_request_per_chunk(router, tmp_path):
    config = LLMConfig(api_key=TEST_KEY, base_url=BASE_URL, context_tokens=6000)
    briefer = Briefer(config=config, store=Store())
    long_text = "\n\n".join(
        Path(s).read_text("utf-8") for s in sorted(map(str, ARTICLES.glob("*.txt")))
    )
    path = tmp_path / "long.txt"
    path.write_text("A Very Long Report\n\n" + long_text * 2, encoding="utf-8")
    done = batch.prepare([path], briefer, tmp_path / "requests.jsonl")
    assert done.articles == 1 and done.requests > 2
    ids = [line["custom_id"] for line in requests_in(done.files)]
    assert ids == [f"{ids[0][:-2]}-{i}" for i in range(len(ids))]


def test_files_are_split_before_the_limits(llm, tmp_path):
    done = batch.prepare(SOURCES, llm, tmp_path / "requests.jsonl", max_requests=2)
    assert [p.name for p in done.files] == ["requests.jsonl", "requests-002.jsonl"]
    size = max(len(line) for p in done.files for line in p.read_text("utf-8").splitlines())
    again = batch.prepare(
        SOURCES, Briefer(config=llm.config, store=Store(tmp_path / "other.db")),
        tmp_path / "small.jsonl", max_bytes=size + 10,
    )  # fmt: skip
    assert len(again.files) == 3


def test_vllm_output_is_imported_and_a_rerun_skips_what_is_stored(llm, tmp_path):
    done = batch.prepare(SOURCES, llm, tmp_path / "requests.jsonl")
    requests = requests_in(done.files)
    output = tmp_path / "results.jsonl"
    output.write_text(
        "\n".join(
            [
                output_line(requests[0]),
                output_line(requests[1]),
                output_line(requests[2], error="boom"),
            ]
        ),
        encoding="utf-8",
    )
    result = batch.ingest(batch.read_output(output), llm)
    assert result.stored == 2 and [r for _, r in result.failed] == [
        "the request failed with status 500"
    ]
    assert llm.store is not None and llm.store.count() == 2
    envelope = llm.brief(SOURCES[0])  # now a cached brief: no request needed
    assert envelope.verification.missing == 0 and envelope.usage.total_tokens == 1420
    retry = batch.retry_sources(llm)
    assert [a.source for a in retry] == [str(SOURCES[2])]
    again = batch.prepare(retry, llm, tmp_path / "retry.jsonl")
    assert again.requests == 1 and again.skipped_cached == 0
    rerun = batch.prepare(SOURCES, llm, tmp_path / "rerun.jsonl")
    assert rerun.skipped_cached == 2 and rerun.requests == 1


def test_bad_output_lines_are_reported_not_lost(llm, tmp_path):
    done = batch.prepare(SOURCES[:2], llm, tmp_path / "requests.jsonl")
    requests = requests_in(done.files)
    output = tmp_path / "results.jsonl"
    output.write_text(
        "\n".join(
            [
                output_line(requests[0], content="{not json"),
                json.dumps({"custom_id": "unknown-id", "response": None, "error": None}),
                "this line is not JSON",
            ]
        ),
        encoding="utf-8",
    )
    result = batch.ingest(batch.read_output(output), llm)
    reasons = [r for _, r in result.failed]
    assert result.stored == 0 and len(reasons) == 3
    assert any("not a valid brief" in r for r in reasons)
    assert sum("no prepared request" in r for r in reasons) == 2


def _json(name: str) -> dict:
    return json.loads((BATCH / name).read_text("utf-8"))


def test_submit_status_collect_round_trip(router, llm, tmp_path):
    done = batch.prepare([*SOURCES, ARTICLES / "business.txt"], llm, tmp_path / "req.jsonl")
    requests = requests_in(done.files)
    uploaded = router.post(f"{BASE_URL}/files").mock(
        return_value=httpx.Response(200, json=_json("files_create.json"))
    )
    created = router.post(f"{BASE_URL}/batches").mock(
        return_value=httpx.Response(200, json=_json("batch_created.json"))
    )
    router.get(f"{BASE_URL}/batches/batch_handwritten_1").mock(
        side_effect=[
            httpx.Response(200, json=_json("batch_in_progress.json")),
            httpx.Response(200, json=_json("batch_in_progress.json")),
            httpx.Response(200, json=_json("batch_completed.json")),
        ]
    )
    output = "\n".join(output_line(r) for r in requests[:3]) + "\n"
    errors = (
        json.dumps(
            {
                "id": "batch_req_x",
                "custom_id": requests[3]["custom_id"],
                "response": None,
                "error": {"code": "server_error", "message": "The server had an error."},
            }
        )
        + "\n"
    )
    router.get(f"{BASE_URL}/files/file-handwritten-output/content").mock(
        return_value=httpx.Response(200, content=output.encode())
    )
    router.get(f"{BASE_URL}/files/file-handwritten-errors/content").mock(
        return_value=httpx.Response(200, content=errors.encode())
    )

    state = batch.submit(done.files[0], llm)
    assert state.id == "batch_handwritten_1" and uploaded.called
    assert json.loads(created.calls[0].request.content)["completion_window"] == "24h"
    assert batch.status("batch_handwritten_1", llm).status == "in_progress"
    with pytest.raises(batch.UsageError, match="in_progress"):
        batch.collect("batch_handwritten_1", llm, tmp_path)
    state, result = batch.collect("batch_handwritten_1", llm, tmp_path)
    assert state.status == "completed"
    assert result.stored == 3 and len(result.failed) == 1
    assert "server had an error" in result.failed[0][1]
    assert (tmp_path / "batch_handwritten_1-output.jsonl").is_file()
    assert llm.store is not None and llm.store.count() == 3
    assert [a.source for a in batch.retry_sources(llm)] == [str(ARTICLES / "business.txt")]
    # every input article ends as a stored brief or a listed failure
    assert llm.store.count() + len(batch.retry_sources(llm)) == 4


def test_batch_cli(monkeypatch, run, router, tmp_path):

    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)

    code, out, _ = run(
        "batch", "prepare", *map(str, SOURCES), "-o", str(tmp_path / "r.jsonl"), "--dry-run"
    )
    assert code == 0 and "requests:        3" in out and "batch prices" in out
    assert not (tmp_path / "r.jsonl").exists()
    code, out, _ = run("batch", "prepare", *map(str, SOURCES), "-o", str(tmp_path / "r.jsonl"))
    assert code == 0 and (tmp_path / "r.jsonl").is_file()
    requests = requests_in([tmp_path / "r.jsonl"])
    results = tmp_path / "vllm.jsonl"
    results.write_text("\n".join(output_line(r) for r in requests), encoding="utf-8")
    code, out, _ = run("batch", "import", str(results))
    assert code == 0 and "3 briefs stored" in out
    code, out, _ = run("batch", "prepare", *map(str, SOURCES), "-o", str(tmp_path / "again.jsonl"))
    assert code == 0 and "3 already stored" in out


def test_vllm_output_is_imported_and_retried_without_a_key(run, tmp_path):
    """vLLM's run-batch needs no server: neither prepare, import nor a retry needs a key."""
    code, _, _ = run("batch", "prepare", *map(str, SOURCES), "-o", str(tmp_path / "r.jsonl"))
    assert code == 0
    requests = requests_in([tmp_path / "r.jsonl"])
    results = tmp_path / "vllm.jsonl"
    lines = [output_line(r) for r in requests[:2]] + [output_line(requests[2], error="oom")]
    results.write_text("\n".join(lines), encoding="utf-8")
    code, out, err = run("batch", "import", str(results))
    assert code == 1 and "2 briefs stored" in out and "1 failed" in out
    assert "--retry-failed" in err
    code, out, _ = run("batch", "prepare", "--retry-failed", "-o", str(tmp_path / "retry.jsonl"))
    assert code == 0 and "requests:        1" in out
    assert len(requests_in([tmp_path / "retry.jsonl"])) == 1


def test_a_retry_with_nothing_failed_says_so(run, tmp_path):
    code, out, err = run("batch", "prepare", "--retry-failed", "-o", str(tmp_path / "retry.jsonl"))
    assert code == 0 and out == ""
    assert err.strip() == "briefer: no batch request has failed: nothing to prepare again"
    assert not (tmp_path / "retry.jsonl").exists()
    code, _, err = run("batch", "prepare", "-o", str(tmp_path / "retry.jsonl"))
    assert code == 2 and "no articles given" in err
