"""Brief tens of thousands of articles through OpenAI's Batch API or `vllm run-batch`.

One request file serves both: JSON lines of `{"custom_id", "method", "url", "body"}`, where
`body` is exactly what `briefer brief` would send (messages, strict response_format, output
budget). The flow:

1. `prepare` reads articles one at a time (never all in memory), skips those the store already
   has, and writes a request per article, or per chunk for a long one. Each `custom_id` is the
   store's cache key (and the chunk number), and the store remembers what every id stands for
   (`batch_requests`), so any output file maps back to its articles. Files are split before the
   Batch API's limits (`MAX_REQUESTS` lines, `MAX_BYTES` bytes).
2. `ingest` reads an output file (OpenAI's, downloaded by `collect`, or vLLM's, through
   `briefer batch import`): every answer is validated, verified against its article and
   stored; an article briefed in chunks is merged (deterministically) once all its chunks are
   in. Lines that failed are reported and kept for `prepare --retry-failed`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from briefer import errors
from briefer.core import Briefer
from briefer.engines import EngineResult
from briefer.engines.merge import merge_briefs
from briefer.errors import BrieferError, UsageError
from briefer.inputs import Input, LoadOptions, label, load_article
from briefer.inputs.article import Article
from briefer.io.files import replacing, replacing_bytes, write_error
from briefer.io.store import Store
from briefer.schema import Usage
from briefer.text import one_line

if TYPE_CHECKING:
    from briefer.engines.openai.engine import OpenAIEngine

MAX_REQUESTS = 50_000
MAX_BYTES = 200 * 1024 * 1024
ENDPOINT = "/v1/chat/completions"
BATCH_DISCOUNT = 0.5  # the Batch API's price: half the synchronous one


@dataclass
class Prepared:
    """What `prepare` wrote."""

    files: list[Path] = field(default_factory=list)
    requests: int = 0
    articles: int = 0
    skipped_cached: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    input_tokens: int = 0


@dataclass
class Ingested:
    """What reading an output file did."""

    stored: int = 0
    waiting_for_parts: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (custom_id, reason)


def _require_llm(briefer: Briefer) -> tuple[OpenAIEngine, Store]:
    """The Briefer's OpenAI engine and store; batches need both."""
    from briefer.engines.openai.engine import OpenAIEngine

    if not isinstance(briefer.engine, OpenAIEngine) or briefer.store is None:
        raise UsageError(
            "batches need the LLM engine and the store: configure OPENAI_API_KEY or "
            "OPENAI_BASE_URL, and keep the store on"
        )
    return briefer.engine, briefer.store


def prepare(
    sources: Iterable[Input],
    briefer: Briefer,
    out: Path,
    *,
    load_options: LoadOptions | None = None,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_BYTES,
) -> Prepared:
    """Write request files for `sources`; return what was written (nothing is sent)."""
    _, store = _require_llm(briefer)
    result = Prepared()
    writer = _SplitWriter(out, max_requests, max_bytes)
    remembered: list[tuple[str, str, Article, int, int]] = []
    try:
        try:
            _write_requests(sources, briefer, writer, result, remembered, load_options)
        except BaseException as exc:
            writer.discard(exc)
            raise
        writer.close()
    except OSError as exc:  # the files that were there before are as they were
        raise write_error(writer.paths[-1] if writer.paths else out, exc) from None
    finally:
        if remembered:
            store.remember_requests(remembered)
    result.files = writer.paths
    return result


def _write_requests(
    sources: Iterable[Input],
    briefer: Briefer,
    writer: _SplitWriter,
    result: Prepared,
    remembered: list[tuple[str, str, Article, int, int]],
    load_options: LoadOptions | None,
) -> None:
    """Write the requests of each source not stored yet (`prepare`), noting each in
    `remembered` and handing them to the store a thousand at a time."""
    engine, store = _require_llm(briefer)
    for source in sources:
        try:
            article = load_article(source, load_options)
        except BrieferError as exc:
            result.failed.append((label(source), one_line(str(exc))))
            continue
        key = briefer.cache_key(article)
        if store.get(key) is not None:
            result.skipped_cached += 1
            continue
        requests = engine.batch_requests(article)
        for part, request in enumerate(requests):
            custom_id = f"{key}-{part}"
            line = {
                "custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": request.body
            }  # fmt: skip
            writer.write(json.dumps(line, ensure_ascii=False))
            remembered.append((custom_id, key, article, part, len(requests)))
            if len(remembered) >= 1000:
                store.remember_requests(remembered)
                remembered.clear()
            result.input_tokens += request.prompt_tokens  # schema too
            result.requests += 1
        result.articles += 1


def batch_cost(briefer: Briefer, input_tokens: int, requests: int) -> float | None:
    """Estimated dollars at batch prices (half the list price), 1,200 output tokens a request."""
    from briefer.engines.estimate import EXPECTED_OUTPUT_TOKENS

    engine, _ = _require_llm(briefer)
    return _batch_price(engine, input_tokens, requests * EXPECTED_OUTPUT_TOKENS)


def _batch_price(
    engine: OpenAIEngine,
    input_tokens: int,
    output_tokens: int,
    answered: str | None = None,
    cached_tokens: int = 0,
) -> float | None:
    """Dollars at batch prices (None when the model has no price); `answered`: the model an
    answer names, else the engine's; `cached_tokens` of the input at the cached price."""
    info = engine.price_table(answered) if answered else engine.budget.model
    cost = info.cost(input_tokens, output_tokens, cached_tokens)
    return None if cost is None else round(cost * BATCH_DISCOUNT, 6)


class _SplitWriter:
    """Write JSON lines into out, out-002, ... keeping each under the Batch API's limits.

    Each file is written under a temporary name and takes its place only when `close` is
    called after every line was written; `discard` (on any failure) removes them all, so a
    request file from an earlier run is never left empty or cut short.
    """

    def __init__(self, out: Path, max_requests: int, max_bytes: int) -> None:
        self.out, self.max_requests, self.max_bytes = out, max_requests, max_bytes
        self.paths: list[Path] = []
        self._files = ExitStack()
        self._file: IO[str] | None = None
        self._lines = self._bytes = 0

    def _open(self) -> None:
        n = len(self.paths) + 1
        path = (
            self.out if n == 1 else self.out.with_name(f"{self.out.stem}-{n:03d}{self.out.suffix}")
        )
        self.paths.append(path)
        self._file = self._files.enter_context(replacing(path))
        self._lines = self._bytes = 0

    def write(self, line: str) -> None:
        size = len(line.encode("utf-8")) + 1
        if (
            self._file is None
            or self._lines >= self.max_requests
            or self._bytes + size > self.max_bytes
        ):
            self._open()
        assert self._file is not None
        self._file.write(line + "\n")
        self._lines += 1
        self._bytes += size

    def close(self) -> None:
        """Put every file written in its place."""
        self._files.close()

    def discard(self, exc: BaseException) -> None:
        """Remove every file written; the files they were to replace stay as they were."""
        self._files.__exit__(type(exc), exc, exc.__traceback__)


def read_output(path: Path) -> Iterator[dict[str, Any]]:
    """The lines of a batch output file (OpenAI's or vLLM's format)."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                yield {"custom_id": f"line {number}", "error": {"message": "not JSON"}}


def ingest(lines: Iterable[dict[str, Any]], briefer: Briefer) -> Ingested:
    """Validate, verify and store every answer; report the lines that failed."""
    engine, store = _require_llm(briefer)
    result = Ingested()
    for line in lines:
        custom_id = str(line.get("custom_id", ""))
        pending = store.pending_request(custom_id)
        if pending is None:
            result.failed.append((custom_id, "no prepared request has this custom_id"))
            continue
        answer, reason = _answer(line)
        if answer is None:
            store.mark_request(custom_id, "failed", reason)
            result.failed.append((custom_id, reason))
            continue
        try:
            brief = engine.parse_brief(answer["choices"][0]["message"]["content"])
        except Exception as exc:
            reason = f"not a valid brief: {exc}"
            store.mark_request(custom_id, "failed", reason)
            result.failed.append((custom_id, reason))
            continue
        usage = answer.get("usage") or {}
        store.mark_request(custom_id, "answered", json.dumps(brief.model_dump(mode="json")), usage)
        parts = store.answered_parts(pending.cache_key)
        if len(parts) < pending.parts:
            result.waiting_for_parts += 1
            continue
        article = Article(text=pending.article_text, source=pending.source, title=pending.title)
        briefs = [p for _, p in sorted(parts)]
        total = sum((Usage(**u) for _, u in store.part_usages(pending.cache_key)), Usage())
        answered = answer.get("model")
        cost = _batch_price(
            engine, total.prompt_tokens, total.completion_tokens, answered, total.cached_tokens
        )
        merged = EngineResult(
            brief=merge_briefs(briefs),
            usage=total.model_copy(
                update={
                    "chunks": pending.parts,
                    "cost_usd": cost,
                }
            ),
            model=answered or briefer.config.model,
            prompt=briefer.prompt_info,
        )
        envelope = briefer.envelope(article, merged)
        store.put(pending.cache_key, envelope, article.text)
        store.mark_article(pending.cache_key, "stored")
        result.stored += 1
    return result


def _answer(line: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The chat completion in an output line, or why there is none."""
    if line.get("error"):
        error = line["error"]
        message = error.get("message") if isinstance(error, dict) else str(error)
        return None, f"the batch reported an error: {message}"
    response = line.get("response") or {}
    status = response.get("status_code")
    body = response.get("body")
    if status != 200 or not isinstance(body, dict):
        return None, f"the request failed with status {status}"
    if not body.get("choices"):
        return None, "the answer has no choices"
    choice = body["choices"][0]
    if choice.get("finish_reason") == "length":
        return None, "the answer was cut at the output budget"
    if not (choice.get("message") or {}).get("content"):
        return None, "the answer is empty (or a refusal)"
    return body, ""


# --- OpenAI's Files and Batches endpoints ---------------------------------------------------------


@dataclass(frozen=True)
class BatchState:
    """What the Batch API says about a batch."""

    id: str
    status: str
    completed: int
    failed: int
    total: int
    output_file_id: str | None
    error_file_id: str | None


def _client(briefer: Briefer) -> Any:
    engine, _ = _require_llm(briefer)
    return engine.client()


# Statuses of a server that has no Files or Batches endpoint (vLLM, Ollama, llama.cpp).
_NO_ROUTE = frozenset({404, 405, 501})


def _api(briefer: Briefer, call: Any) -> Any:
    import openai

    from briefer.engines.openai.transport import translate_error

    try:
        return call()
    except openai.APIStatusError as exc:
        if exc.status_code in _NO_ROUTE:
            raise errors.BadRequestError(
                f"{briefer.config.endpoint} has no Batch API ({exc.status_code} on "
                f"{exc.request.url.path}); run the requests with the server's own batch runner "
                "instead: `briefer batch prepare` writes them, vLLM's `vllm run-batch -i "
                "requests.jsonl -o results.jsonl` (naming the model) runs them, and `briefer "
                "batch import results.jsonl` stores the briefs",
                status=exc.status_code,
            ) from None
        raise translate_error(exc, briefer.config) from None
    except openai.APIError as exc:
        raise translate_error(exc, briefer.config) from None


def submit(path: Path, briefer: Briefer) -> BatchState:
    """Upload a request file and create a batch with a 24-hour window; record it."""
    client = _client(briefer)
    with path.open("rb") as requests:
        uploaded = _api(briefer, lambda: client.files.create(file=requests, purpose="batch"))
    batch = _api(
        briefer,
        lambda: client.batches.create(
            input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h"
        ),
    )
    assert briefer.store is not None
    briefer.store.record_batch(batch.id, str(path), batch.status)
    return _state(batch)


def status(batch_id: str, briefer: Briefer) -> BatchState:
    """Ask the Batch API how a batch is doing."""
    client = _client(briefer)
    batch = _api(briefer, lambda: client.batches.retrieve(batch_id))
    assert briefer.store is not None
    briefer.store.record_batch(batch.id, str(batch.input_file_id), batch.status)
    return _state(batch)


def collect(batch_id: str, briefer: Briefer, folder: Path) -> tuple[BatchState, Ingested]:
    """Download a finished batch's output and error files into `folder` and ingest them."""
    state = status(batch_id, briefer)
    if state.status not in ("completed", "expired", "cancelled", "failed"):
        raise UsageError(
            f"batch {batch_id} is {state.status} ({state.completed} of {state.total} done); "
            "collect it when it has finished"
        )
    client = _client(briefer)
    result = Ingested()
    for file_id, name in ((state.output_file_id, "output"), (state.error_file_id, "errors")):
        if not file_id:
            continue
        content = _api(briefer, lambda file_id=file_id: client.files.content(file_id))
        path = folder / f"{batch_id}-{name}.jsonl"
        try:
            with replacing_bytes(path) as handle:
                handle.write(content.content)
        except OSError as exc:
            raise write_error(path, exc) from None
        part = ingest(read_output(path), briefer)
        result.stored += part.stored
        result.waiting_for_parts += part.waiting_for_parts
        result.failed += part.failed
    return state, result


def _state(batch: Any) -> BatchState:
    counts = getattr(batch, "request_counts", None)
    return BatchState(
        id=batch.id,
        status=batch.status,
        completed=getattr(counts, "completed", 0) or 0,
        failed=getattr(counts, "failed", 0) or 0,
        total=getattr(counts, "total", 0) or 0,
        output_file_id=getattr(batch, "output_file_id", None),
        error_file_id=getattr(batch, "error_file_id", None),
    )


def retry_sources(briefer: Briefer) -> list[Article]:
    """The articles whose batch requests failed, to prepare again."""
    assert briefer.store is not None
    seen: dict[str, Article] = {}
    for request in briefer.store.failed_requests():
        seen.setdefault(
            request.cache_key,
            Article(text=request.article_text, source=request.source, title=request.title),
        )
    return list(seen.values())
