"""The LLM engine and its parts: conversation (no I/O), transport (retries), engine (clients)."""

from briefer.engines.openai.engine import OpenAIEngine

__all__ = ["OpenAIEngine"]
