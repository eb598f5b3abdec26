"""The HTTP service: brief, compare and look up stored briefs as JSON (the `server` extra).

`create_app()` builds a FastAPI app around one `Briefer`, made once when the app starts.
Every error is JSON, ``{"error": {"code": ..., "message": ...}}``, with a stable code and a
one-line message that never carries a traceback or a secret:

    ==================  ====  ===================================================
    code                HTTP  meaning
    ==================  ====  ===================================================
    unauthorized        401   a token is configured and the request lacks it
    host_not_allowed    421   no token, and the Host header is not a loopback name
    body_too_large      413   the request body is over ``max_body_bytes``
    bad_request         400   the body is not JSON, or the Content-Length is bad
    bad_request         422   the JSON does not match the request model
    bad_input           400   briefer refused the article or the request (exit 2)
    fetch_failed        502   a URL could not be fetched (network, DNS, timeout)
    engine_failed       502   the engine or the LLM endpoint failed (exit 1)
    not_found           404   no such stored brief, or no such path
    method_not_allowed  405   the path exists, the method does not
    internal_error      500   a bug; the log has the (redacted) traceback
    ==================  ====  ===================================================

The bearer token is checked by the gate the MCP server uses too (`briefer.server.guard`,
which also maps errors to codes), and the body size by a pure ASGI middleware, both before any
body is parsed: an oversized body is refused from its Content-Length, or as soon as the bytes
streamed exceed the cap. Briefing is synchronous (the offline engine is CPU-bound), so it
runs in threads and the event loop keeps answering: in separate lanes (`briefer.server.lanes`)
for fetching URLs, for briefing, and for reading the store, so pages that stall hold only the
fetch lane's threads, never the threads a text brief or a stored-brief lookup needs.

URLs are fetched with the private-address guard on: the service never fetches from loopback,
private, link-local or cloud-metadata addresses.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from briefer import __version__
from briefer.core import Briefer
from briefer.errors import BrieferError, InputError
from briefer.inputs import load_sent_article
from briefer.inputs.article import Article
from briefer.io.store import Store
from briefer.schema import Envelope
from briefer.schema.comparison import Comparison
from briefer.server.guard import (
    Gate,
    error_body,
    error_code,
    error_message,
    send_error,
    validation_message,
)
from briefer.server.lanes import Lanes
from briefer.server.models import (
    _ERRORS,
    BriefFormat,
    BriefRequest,
    BriefResponse,
    CompareRequest,
    ErrorBody,
    Health,
    RenderedBrief,
    RenderedComparison,
)
from briefer.settings import Settings, secret_values
from briefer.text import one_line
from briefer.text.redact import redact

log = logging.getLogger("briefer.server")

DEFAULT_MAX_BODY_BYTES = 1_000_000
OPEN_PATHS = frozenset({"/healthz"})


# --- request and response models ---------------------------------------------------------------


# --- the app ------------------------------------------------------------------------------------


def _default_briefer() -> Briefer:
    settings = Settings.from_env()
    return Briefer(store=Store(settings.db), settings=settings)


def create_app(
    briefer_factory: Callable[[], Briefer] | None = None,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    token: str | None = None,
    lanes: Lanes | None = None,
) -> FastAPI:
    """Build the HTTP app; the Briefer is made by `briefer_factory` when the app starts."""
    if token is None:
        token = Settings.from_env().server_token
    service = _Service(briefer_factory or _default_briefer, lanes or Lanes(), token)
    app = FastAPI(
        title="briefer",
        version=__version__,
        summary="Structured, verifiable briefs of news articles.",
        lifespan=service.lifespan,
    )
    _add_error_handlers(app, service)
    _add_brief_routes(app, service)
    _add_lookup_routes(app, service)
    app.add_middleware(_BodyGuard, max_body_bytes=max_body_bytes, secrets=service.secrets)
    app.add_middleware(Gate, token=token, open_paths=OPEN_PATHS)  # outermost: runs first
    return app


class _Service:
    """What the routes share: the Briefer (made once), the work lanes, the secrets to redact."""

    def __init__(self, factory: Callable[[], Briefer], lanes: Lanes, token: str | None) -> None:
        self.factory = factory
        self.lanes = lanes
        self.secrets = (token, *secret_values())
        self.holder: dict[str, Briefer] = {}

    @asynccontextmanager
    async def lifespan(self, _app: FastAPI) -> AsyncIterator[None]:
        """Make the Briefer when the app starts; close it when the app stops."""
        self.holder["briefer"] = await run_in_threadpool(self.factory)
        try:
            yield
        finally:
            made = self.holder.pop("briefer", None)
            if made is not None:
                await run_in_threadpool(made.close)

    def current(self) -> Briefer:
        """The Briefer; served without lifespan events, it is made on first use."""
        if "briefer" not in self.holder:
            self.holder["briefer"] = self.factory()
        return self.holder["briefer"]

    def error(self, status: int, code: str, message: str) -> JSONResponse:
        """An error answer in the service's shape, with every secret redacted."""
        return JSONResponse(error_body(code, redact(message, self.secrets)), status_code=status)


def _add_error_handlers(app: FastAPI, service: _Service) -> None:
    """Every error answers in one shape: our errors by their code, the framework's by status."""
    error = service.error

    @app.exception_handler(BrieferError)
    async def _briefer_error(_request: Request, exc: BrieferError) -> JSONResponse:
        code = error_code(exc)
        return error(_STATUS[code], code, error_message(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = list(exc.errors())
        if any(p.get("type") == "json_invalid" for p in problems):
            return error(400, "bad_request", "the body is not valid JSON")
        return error(422, "bad_request", validation_message(problems, whole="body"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
        code = codes.get(exc.status_code, "bad_request" if exc.status_code < 500 else "http_error")
        response = error(exc.status_code, code, one_line(str(exc.detail)))
        if exc.headers:
            response.headers.update(exc.headers)
        return response


def _add_brief_routes(app: FastAPI, service: _Service) -> None:
    """POST /v1/brief and /v1/compare: the work, run in the brief lane."""
    lanes = service.lanes

    @app.post("/v1/brief", summary="Brief one article", responses=_ERRORS)
    async def brief(body: BriefRequest) -> BriefResponse | RenderedBrief:
        """Brief one article (text or public URL); reuse the store's brief when it has one."""
        briefer = service.current()
        if body.engine is not None and body.engine != briefer.engine.name:
            raise InputError(
                f"this server runs the {briefer.engine.name} engine; omit engine or ask for "
                f"{briefer.engine.name!r}"
            )

        article = await _load(lanes, body.text, body.url)

        def work() -> tuple[int | None, bool, Envelope, str | None]:
            stored = briefer.brief_stored(article)
            rendered = None if body.format == "json" else _render(stored.envelope, body.format)
            return stored.id, stored.cached, stored.envelope, rendered

        brief_id, cached, envelope, rendered = await lanes.run("brief", work)
        if rendered is None:
            return BriefResponse(id=brief_id, cached=cached, envelope=envelope)
        return RenderedBrief(id=brief_id, cached=cached, format=body.format, body=rendered)

    @app.post("/v1/compare", summary="Compare coverage across articles", responses=_ERRORS)
    async def compare(body: CompareRequest) -> Comparison | RenderedComparison:
        """Brief each article and compare their coverage: agreed, partial, unique, conflicts."""
        briefer = service.current()
        articles = [await _load(lanes, text, None) for text in body.texts]
        articles += [await _load(lanes, None, url) for url in body.urls]

        def work() -> Comparison | RenderedComparison:
            comparison = briefer.compare(articles)
            if body.format == "json":
                return comparison
            return RenderedComparison(format=body.format, body=_render(comparison, body.format))

        return await lanes.run("brief", work)


def _add_lookup_routes(app: FastAPI, service: _Service) -> None:
    """GET /healthz and /v1/briefs/{id}: quick answers, in the lookup lane."""

    @app.get("/healthz", summary="Say the service is up", response_model=Health)
    async def healthz() -> Health:
        """Say the service is up, with briefer's version and the engine (no token needed)."""
        return Health(version=__version__, engine=service.current().engine.name)

    @app.get(
        "/v1/briefs/{brief_id}",
        summary="Show a stored brief",
        response_model=BriefResponse | RenderedBrief,
        responses={
            **_ERRORS,
            404: {"model": ErrorBody, "description": "No stored brief has this id"},
        },
    )
    async def stored(
        brief_id: int,
        format: Annotated[BriefFormat, Query(description="json, markdown, text or html.")] = "json",
    ) -> BriefResponse | RenderedBrief | JSONResponse:
        """Show the stored brief with this id (the `id` a brief returned)."""
        store = service.current().store
        if store is None:
            return service.error(404, "not_found", "this server keeps no brief store")

        def work() -> tuple[Envelope, str | None]:
            envelope = store.show(brief_id)
            return envelope, None if format == "json" else _render(envelope, format)

        try:
            envelope, rendered = await service.lanes.run("lookup", work)
        except InputError:
            return service.error(404, "not_found", f"no stored brief has id {brief_id}")
        if rendered is None:
            return BriefResponse(id=brief_id, cached=True, envelope=envelope)
        return RenderedBrief(id=brief_id, cached=True, format=format, body=rendered)


_STATUS = {"bad_input": 400, "fetch_failed": 502, "engine_failed": 502}


async def _load(lanes: Lanes, text: str | None, url: str | None) -> Article:
    """Load a posted article: its text (or HTML) in the brief lane, or a URL fetched from
    public hosts only in the fetch lane.

    Never a path: a `url` that is not http(s) is refused before any I/O.
    """
    if url is not None:
        return await lanes.run("fetch", lambda: load_sent_article(None, url))
    return await lanes.run("brief", lambda: load_sent_article(text, None))


def _render(thing: Envelope | Comparison, fmt: str) -> str:
    from briefer.renderers import render

    return render(thing, fmt)


# --- body cap, last-resort errors ----------------------------------------------------------------


class _BodyTooLarge(Exception):
    pass


class _BodyGuard:
    """Pure ASGI middleware: body cap (before parsing), JSON 500s."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, secrets: tuple[str | None, ...]
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.secrets = secrets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared == -1:
            await send_error(send, 400, "bad_request", "the Content-Length header is not valid")
            return
        if declared is not None and declared > self.max_body_bytes:
            await self._too_large(send)
            return
        try:
            body = await self._read_body(receive)
        except _BodyTooLarge:
            await self._too_large(send)
            return
        if body is None:  # the client went away
            return
        await self._call(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, send: Send) -> None:
        await send_error(
            send,
            413,
            "body_too_large",
            f"the request body is over the {self.max_body_bytes:,}-byte limit",
        )

    async def _call(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            trace = "".join(traceback.format_exception(exc))
            log.error(
                "unhandled error in %s %s:\n%s",
                scope["method"],
                scope["path"],
                redact(trace, self.secrets),
            )
            if started:
                raise
            await send_error(send, 500, "internal_error", "internal error; see the server log")


def _content_length(scope: Scope) -> int | None:
    """The declared body length; None when absent, -1 when it is not a valid number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return -1
            return length if length >= 0 else -1
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
