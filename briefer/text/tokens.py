"""Count tokens with tiktoken when its encoding can be had, else estimate, and say so.

tiktoken fetches an encoding (o200k_base, cl100k_base) from the network on first use and keeps
it in its cache folder (`TIKTOKEN_CACHE_DIR`, which tiktoken honours). briefer asks tiktoken
once per encoding and process, waiting at most `LOAD_TIMEOUT` seconds; when that fails (no
network, a firewall), counts fall back to an estimate of one token per four bytes of UTF-8,
and the counter's `note` says, in one plain line, that counts are estimates. A failed
download is remembered for `RETRY_AFTER_SECONDS` (a marker in the user's cache folder), so
an offline machine waits once a day, not on every command. `BRIEFER_TOKENIZER=estimate`
skips tiktoken altogether (air-gapped machines), quietly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefer.text import one_line

if TYPE_CHECKING:
    import tiktoken

LOAD_TIMEOUT = 5.0
RETRY_AFTER_SECONDS = 24 * 3600
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
            f"token counts are estimates: the tiktoken encoding {self.encoding_name} is not "
            "cached here and could not be downloaded; set TIKTOKEN_CACHE_DIR to a folder that "
            "holds it, or BRIEFER_TOKENIZER=estimate to stop trying"
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
    encoding_name: str,
    *,
    estimate: bool = False,
    load: Callable[[str], tiktoken.Encoding] | None = None,
) -> TokenCounter:
    """Return a counter for `encoding_name`: by estimate when asked (`estimate`), else
    tiktoken's; `load` replaces tiktoken's loader (tests)."""
    if load is not None:
        return _make(encoding_name, load)
    if estimate:
        return TokenCounter(encoding_name)  # asked for: nothing to warn about
    return _default_counter(encoding_name)


@cache
def _default_counter(encoding_name: str) -> TokenCounter:
    import tiktoken

    marker = _failure_marker(encoding_name)
    if marker is not None and _recent(marker):
        return TokenCounter(encoding_name, None, "the last download failed; not retried yet")
    counter = _make(encoding_name, tiktoken.get_encoding)
    if marker is not None:
        try:
            if counter.exact:
                marker.unlink(missing_ok=True)
            else:
                marker.parent.mkdir(parents=True, exist_ok=True)
                marker.write_text(counter.reason + "\n", encoding="utf-8")
        except OSError:
            pass  # a read-only home: we simply try again next time
    return counter


def _failure_marker(encoding_name: str) -> Path | None:
    """Where a failed download of `encoding_name` is remembered (None: nowhere to keep it)."""
    try:
        from platformdirs import user_cache_dir

        return Path(user_cache_dir("briefer")) / f"tiktoken-{encoding_name}.unavailable"
    except Exception:
        return None


def _recent(marker: Path) -> bool:
    try:
        return time.time() - marker.stat().st_mtime < RETRY_AFTER_SECONDS
    except OSError:
        return False


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
