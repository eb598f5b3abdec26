"""What the HTTP service and the MCP server share: who may call, what a call may hold, and how a
failure is told to the caller.

    who        `TOKEN_ENV`, `refuse_open` (no token: loopback only), `Gate` (pure ASGI: the
               bearer token; without one, loopback Host names only)
    what       `one_source` (exactly one of text and url), `validation_message`
    failures   `error_code` and `error_message` (no endpoint, no credential) for a
               `BrieferError`; `error_body`, `send_error`

Both front ends answer with the same codes and the same one-line messages, so a caller moving
from one to the other meets no surprise:

    ================  =========================================================
    code              meaning
    ================  =========================================================
    unauthorized      a token is configured and the request lacks it (HTTP 401)
    host_not_allowed  no token is configured and the Host header is not a
                      loopback name (HTTP 421): a defence against DNS rebinding
    bad_request       the request does not match the endpoint's or tool's schema
    bad_input         briefer refused the article or the request (exit 2)
    fetch_failed      a URL could not be fetched (network, DNS, timeout)
    engine_failed     the engine or the LLM endpoint failed (exit 1)
    ================  =========================================================

No third-party module is imported here: the MCP server runs without FastAPI.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from briefer.errors import BrieferError, ConfigError, FetchError
from briefer.io.http import is_loopback
from briefer.text import one_line
from briefer.text.redact import REDACTED, redact

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_ENV = "BRIEFER_SERVER_TOKEN"
ONE_SOURCE = "give exactly one of text and url"
UNAUTHORIZED = "a valid bearer token is required: send Authorization: Bearer <token>"
HOST_NOT_ALLOWED = (
    "with no token this service answers only requests addressed to localhost, 127.0.0.1 or "
    f"[::1]; use one of those names, or set {TOKEN_ENV} on the service"
)
PUBLIC_ONLY = "; this service fetches public addresses only"
ENDPOINT = "the LLM endpoint"
_ADDRESS = re.compile(r"\bhttps?://[^\s;,)]+", re.IGNORECASE)
# A query parameter whose name says it carries a credential: ?api-key=..., &access_token=...
_CREDENTIAL_PARAMETER = re.compile(
    r"([?&][\w.-]*(?:key|token|secret|passw(?:or)?d|sig(?:nature)?|auth|credential)[\w.-]*=)"
    r"[^&#\s;,)]*",
    re.IGNORECASE,
)


# --- who may call ---------------------------------------------------------------------------------


def refuse_open(host: str, token: str | None, what: str) -> None:
    """Raise ConfigError when `what` would serve on `host` with no token and `host` is not
    loopback: anyone who could reach it could use it."""
    if not token and not is_loopback(host):
        raise ConfigError(
            f"refusing to serve {what} on {host} with no token: anyone who can reach it could "
            f"use it; set {TOKEN_ENV} or give a token"
        )


def is_loopback_name(host_header: str) -> bool:
    """True when a Host header names this machine: localhost or a loopback address, with or
    without a port. A web page that rebinds its own name to 127.0.0.1 still sends its name."""
    name, port = host_header.lower(), ""
    if name.startswith("["):
        name, bracket, port = name[1:].partition("]")
        if not bracket or (port and not port.startswith(":")):
            return False
        port = port[1:]
    elif ":" in name:
        name, _, port = name.partition(":")
    if port and not (port.isascii() and port.isdigit()):
        return False
    return is_loopback(name)


def bearer_matches(headers: Iterable[tuple[bytes, bytes]], token: bytes) -> bool:
    """True when the first Authorization header is ``Bearer <token>`` (compared in constant
    time)."""
    for name, value in headers:
        if name == b"authorization":
            scheme, _, given = value.partition(b" ")
            return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), token)
    return False


class Gate:
    """Pure ASGI middleware, before the app sees a request: with a token, an HTTP request
    without it is answered 401 ``unauthorized`` (paths in `open_paths` excepted); with none,
    a request whose Host is not a loopback name is answered 421 ``host_not_allowed``."""

    def __init__(
        self, app: ASGIApp, *, token: str | None, open_paths: Collection[str] = ()
    ) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token else None
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif self.token is None:
            if is_loopback_name(_header(scope["headers"], b"host")):
                await self.app(scope, receive, send)
            else:
                await send_error(send, 421, "host_not_allowed", HOST_NOT_ALLOWED)
        elif scope["path"] in self.open_paths or bearer_matches(scope["headers"], self.token):
            await self.app(scope, receive, send)
        else:
            await send_error(
                send, 401, "unauthorized", UNAUTHORIZED, [(b"www-authenticate", b"Bearer")]
            )


def _header(headers: Iterable[tuple[bytes, bytes]], wanted: bytes) -> str:
    """The first header named `wanted` (lower case), or "" when there is none."""
    for name, value in headers:
        if name == wanted:
            return value.decode("latin-1")
    return ""


# --- what a call may hold -------------------------------------------------------------------------


def one_source(text: str | None, url: str | None) -> None:
    """Raise ValueError unless exactly one of `text` and `url` is given (a model validator)."""
    if (text is None) == (url is None):
        raise ValueError(ONE_SOURCE)


def validation_message(problems: Iterable[Mapping[str, Any]], *, whole: str = "arguments") -> str:
    """The problems of a pydantic validation, by field, in one line, without the values given
    (they are the caller's data); a problem with the whole request is named `whole`."""
    problems = list(problems)
    parts = []
    for problem in problems[:3]:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body") or whole
        what = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {what}")
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return one_line("; ".join(parts) + more)


# --- how a failure is told ------------------------------------------------------------------------


def error_code(exc: BrieferError) -> str:
    """The stable code of a briefer error: bad_input, fetch_failed or engine_failed."""
    if exc.exit_code == 2:
        return "bad_input"
    if isinstance(exc, FetchError):
        return "fetch_failed"
    return "engine_failed"


def error_message(exc: BrieferError) -> str:
    """One line, naming no endpoint and no credential; a caller cannot change the service's
    settings, so no fix names one.

    An engine failure says that the model failed, not where the service's model lives: any
    address in it becomes "the LLM endpoint". Other failures keep the page's address (it is
    the caller's), without the credentials in it (user:password@, ?api-key=...).
    """
    message = one_line(exc.describe(lambda _setting: None))
    if "allow_private" in exc.settings:
        message += PUBLIC_ONLY
    if error_code(exc) == "engine_failed":
        return _ADDRESS.sub(ENDPOINT, message)
    return _CREDENTIAL_PARAMETER.sub(r"\1" + REDACTED, redact(message))


def error_body(code: str, message: str) -> dict[str, Any]:
    """The JSON body of every HTTP error: ``{"error": {"code": ..., "message": ...}}``."""
    return {"error": {"code": code, "message": message}}


async def send_error(
    send: Send,
    status: int,
    code: str,
    message: str,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer an HTTP request with `error_body` straight from ASGI middleware."""
    payload = json.dumps(error_body(code, message)).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode("ascii")),
        *(extra_headers or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
