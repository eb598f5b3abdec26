"""briefer's services for other programs: the HTTP service (`briefer.server.http`, the
`server` extra) and the MCP server (`briefer.server.mcp`, the `mcp` extra).

Each imports its own framework, so nothing is imported here: `create_app` is re-exported
lazily, and `import briefer.server.mcp` works without FastAPI.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from briefer.server.http import create_app

        return create_app
    raise AttributeError(f"module 'briefer.server' has no attribute {name!r}")
