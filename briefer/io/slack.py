"""Deliver a brief, digest or comparison to a Slack incoming webhook.

The webhook's address is a secret (anyone holding it can post to the channel): it is never
printed, logged or put in an error message, and only https addresses are used. Give it in an
environment variable or a file (`webhook_from`) rather than on the command line, where every
user of the machine can read it. An incoming webhook answers 200 "ok": any other answer,
a redirect included, is a failure, and Slack's answer is quoted without the address.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from briefer.errors import FetchError, UsageError
from briefer.io.decoding import BodyError, Deadline, TooSlow, read_body
from briefer.io.http import bounded_client
from briefer.text import one_line
from briefer.text.redact import redact

FALLBACK_TEXT = "Morning brief"  # shown in notifications, where blocks are not
MAX_ANSWER_BYTES = 65_536  # of Slack's answer, read: it is "ok" or a short error code
MAX_WEBHOOK_FILE_BYTES = 4096  # a webhook file holds one address


def webhook_from(path: Path) -> str:
    """The webhook address kept in the file at `path` (its only line); `UsageError` when it
    is missing, empty or not a plain small file."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{path} is not a file; give the file holding the Slack webhook")
        if info.st_size > MAX_WEBHOOK_FILE_BYTES:
            raise UsageError(f"{path} is too large to hold a Slack webhook; check the file")
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise UsageError(
            f"cannot read the Slack webhook from {path} ({exc.strerror or type(exc).__name__}); "
            "check the file"
        ) from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not text; give the file holding the Slack webhook") from None
    if not value:
        raise UsageError(f"{path} is empty; write the Slack webhook's address into it")
    return value


def post_slack(
    webhook: str,
    messages: list[dict[str, Any]],
    *,
    timeout: float = 20.0,
    client: httpx.Client | None = None,
) -> int:
    """Post Slack messages (`briefer.renderers.render_slack`'s) to an incoming webhook;
    return how many were posted.

    Each message, with its answer, is done within `timeout` seconds; of the answer, at most
    `MAX_ANSWER_BYTES` (decompressed) are read.
    """
    if not webhook.startswith("https://"):
        raise UsageError("the Slack webhook must be an https:// address; check the variable")
    for n, message in enumerate(messages, 1):
        deadline = Deadline(timeout)
        http = client or bounded_client(deadline)
        try:
            status, answer = _post(http, webhook, {"text": FALLBACK_TEXT, **message}, deadline)
        except (TooSlow, httpx.TimeoutException):
            raise FetchError(
                f"posting to Slack took longer than {timeout:g} s at message {n} of "
                f"{len(messages)}; the brief was still written",
                fix="try again later or raise {fetch_timeout}",
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(
                f"posting to Slack failed at message {n} of {len(messages)} "
                f"({type(exc).__name__}); the brief was still written"
            ) from None
        finally:
            if client is None:
                http.close()
        if 300 <= status < 400:
            raise FetchError(
                f"Slack answered message {n} of {len(messages)} with a redirect ({status}), "
                "which a webhook never does: it may not have been posted; check the webhook"
            )
        if not 200 <= status < 300:
            said = one_line(_without_address(answer, webhook), 80)
            raise FetchError(
                f"Slack refused message {n} of {len(messages)} ({status}: {said}); "
                "check the webhook"
            )
    return len(messages)


def _post(
    http: httpx.Client, webhook: str, payload: dict[str, object], deadline: Deadline
) -> tuple[int, str]:
    """Post one message; the answer's status and the start of its text."""
    timeout = max(deadline.remaining(), 0.001)
    with http.stream(
        "POST", webhook, json=payload, timeout=timeout, follow_redirects=False
    ) as response:
        try:
            body = read_body(response, max_bytes=MAX_ANSWER_BYTES, deadline=deadline, cut=True)
        except TooSlow:
            raise
        except BodyError:
            body = b"(an answer that cannot be read)"
        return response.status_code, body.decode("utf-8", errors="replace")


def _without_address(answer: str, webhook: str) -> str:
    """Slack's answer without the webhook's address or any part of its path."""
    parts = urlsplit(webhook)
    pieces: list[str] = [webhook, parts.path, *(p for p in parts.path.split("/") if len(p) >= 6)]
    longest_first = sorted(pieces, key=len, reverse=True)
    return redact(answer, longest_first)
