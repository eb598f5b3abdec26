"""The OpenAI-compatible engine: conversation (no I/O), transport (retries), engine (clients).

`OpenAIEngine` is imported on first use, so its configuration (`config`) and model table
(`models`) can be read without loading the HTTP machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefer.engines.openai.engine import OpenAIEngine

__all__ = ["OpenAIEngine"]


def __getattr__(name: str) -> Any:
    if name == "OpenAIEngine":
        from briefer.engines.openai.engine import OpenAIEngine

        return OpenAIEngine
    raise AttributeError(f"module 'briefer.engines.openai' has no attribute {name!r}")
