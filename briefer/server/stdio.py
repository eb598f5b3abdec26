"""MCP over standard input and output, where a line that is not a message gets an answer.

The SDK's stdio transport reads one JSON-RPC message a line and passes a line it cannot
parse on as an exception, which the server only logs: the client never hears back and waits
for good. Here each such line is answered as JSON-RPC 2.0 says, in order with the rest:

    line                                          answer
    not JSON (bad UTF-8, a lone surrogate,        -32700 Parse error, id null
    cut short, nested too deep, a number too
    long for the parser)
    JSON, not a request, notification or          -32600 Invalid request, with the line's
    response (no method, a batch, a bare value)   id when it has a usable one, else null
    blank                                         nothing (as if it were not there)
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import anyio
from mcp.shared.message import SessionMessage
from mcp.types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
from pydantic import ValidationError

from briefer.text import one_line

MAX_ID_CHARS = 200  # a string id echoed back; a longer one is answered with null
MAX_ID = 2**53  # an integer id echoed back: one every JSON parser reads exactly


def rejection(exc: Exception) -> JSONRPCError | None:
    """The JSON-RPC error answering the line the transport could not read as a message
    (`exc` is what it raised); None for a blank line."""
    problems = exc.errors(include_url=False) if isinstance(exc, ValidationError) else []
    unparsable = [p for p in problems if p["type"] == "json_invalid"]
    if problems and not unparsable:
        return JSONRPCError(
            jsonrpc="2.0",
            id=_request_id(p.get("input") for p in problems),
            error=ErrorData(
                code=INVALID_REQUEST,
                message="Invalid request: not a JSON-RPC 2.0 request, notification or response",
            ),
        )
    if unparsable and not str(unparsable[0].get("input", "x")).strip():
        return None
    reason = one_line(str(unparsable[0]["msg"]), 200) if unparsable else "unreadable input"
    return JSONRPCError(
        jsonrpc="2.0",
        id=None,
        error=ErrorData(code=PARSE_ERROR, message=f"Parse error: {reason}"),
    )


def _request_id(inputs: Any) -> int | str | None:
    """The id of the object a validation looked at, when it is one a client could have sent."""
    for given in inputs:
        if isinstance(given, dict) and "id" in given:
            value = given["id"]
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) < MAX_ID:
                return value
            if isinstance(value, str) and len(value) <= MAX_ID_CHARS:
                return value
            return None
    return None


class AnsweringStream:
    """The stdio transport's read stream, with every line it could not read answered on
    `write` (see `rejection`) instead of passed on."""

    def __init__(self, read: Any, write: Any) -> None:
        self.read = read
        self.write = write

    @property
    def last_context(self) -> Any:
        """The sender's context of the last message, as the SDK's own stream keeps it."""
        return getattr(self.read, "last_context", None)

    async def receive(self) -> SessionMessage | Exception:
        """The next message; lines that are not messages are answered on the way."""
        while True:
            item: SessionMessage | Exception = await self.read.receive()
            if not isinstance(item, Exception):
                return item
            answer = rejection(item)
            if answer is not None:
                await self.write.send(SessionMessage(answer))

    async def aclose(self) -> None:
        await self.read.aclose()

    def __aiter__(self) -> AnsweringStream:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> AnsweringStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
