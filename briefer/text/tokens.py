"""Count tokens with tiktoken when its encoding can be had, else estimate, and say so.

tiktoken fetches an encoding (o200k_base, cl100k_base) from the network on first use and keeps
it in its cache folder (`TIKTOKEN_CACHE_DIR`, which tiktoken honours). briefer asks tiktoken
once per encoding and process, waiting at most `LOAD_TIMEOUT` seconds; when that fails (no
network, a firewall), counts fall back to an estimate of one token per four bytes of UTF-8,
and the counter's `note` says that counts are approximate. `BRIEFER_TOKENIZER=estimate`
skips tiktoken altogether (air-gapped machines), quietly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from briefer.text import one_line

if TYPE_CHECKING:
    import tiktoken

LOAD_TIMEOUT = 5.0
BYTES_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    """Estimate tokens as one per four bytes of UTF-8 (rounded up)."""
    return (len(text.encode("utf-8")) + BYTES_PER_TOKEN - 1) // BYTES_PER_TOKEN


@dataclass(frozen=True)
class TokenCounter:
    """Counts tokens for one encoding, exactly (tiktoken) or by estimate."""

    encoding_name: str
    encoding: tiktoken.Encoding | None = None
    reason: str = ""  # why there is no encoding; empty when the estimate was asked for

    @property
    def exact(self) -> bool:
        return self.encoding is not None

    @property
    def note(self) -> str | None:
        """One line for the user when counts are unexpectedly estimates, else None."""
        if self.exact or not self.reason:
            return None
        return (
            f"token counts are approximate (one token per {BYTES_PER_TOKEN} bytes): the tiktoken "
            f"encoding {self.encoding_name} is unavailable ({self.reason}); set "
            "TIKTOKEN_CACHE_DIR to a folder that holds it for exact counts"
        )

    def count(self, text: str) -> int:
        """Return the number of tokens in `text`."""
        if self.encoding is None:
            return estimate_tokens(text)
        return len(self.encoding.encode(text, disallowed_special=()))

    def count_messages(self, messages: list[dict[str, str]]) -> int:
        """Tokens of a chat request's messages, with OpenAI's per-message overhead."""
        return sum(self.count(m["content"]) + 4 for m in messages) + 3


def counter_for(
    encoding_name: str, *, load: Callable[[str], tiktoken.Encoding] | None = None
) -> TokenCounter:
    """Return a counter for `encoding_name`; `load` replaces tiktoken's loader (tests)."""
    if load is not None:
        return _make(encoding_name, load)
    from briefer.settings import Settings

    if Settings.from_env().tokenizer == "estimate":
        return TokenCounter(encoding_name)  # asked for: nothing to warn about
    return _default_counter(encoding_name)


@cache
def _default_counter(encoding_name: str) -> TokenCounter:
    import tiktoken

    return _make(encoding_name, tiktoken.get_encoding)


def _make(encoding_name: str, load: Callable[[str], tiktoken.Encoding]) -> TokenCounter:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["encoding"] = load(encoding_name)
        except Exception as exc:  # network, cache or name errors all mean: estimate
            result["error"] = f"{type(exc).__name__}: {exc}"

    thread = threading.Thread(target=run, name=f"tiktoken-{encoding_name}", daemon=True)
    thread.start()
    thread.join(LOAD_TIMEOUT)
    if "encoding" in result:
        return TokenCounter(encoding_name, result["encoding"])
    reason = result.get("error", f"no answer within {LOAD_TIMEOUT:g} s")
    return TokenCounter(encoding_name, None, one_line(str(reason))[:80])
