"""Deliver a brief, digest or comparison to a Slack incoming webhook.

The webhook's address is a secret (anyone holding it can post to the channel): it is never
printed, logged or put in an error message, and only https addresses are used.
"""

from __future__ import annotations

import httpx

from briefer._http import BodyError, Deadline, TooSlow, bounded_client, read_body
from briefer.digest import Digest
from briefer.errors import FetchError, UsageError
from briefer.renderers.slack import render_slack
from briefer.schema import Envelope
from briefer.schema.comparison import Comparison

FALLBACK_TEXT = "Morning brief"  # shown in notifications, where blocks are not
MAX_ANSWER_BYTES = 65_536  # of Slack's answer, read: it is "ok" or a short error code


def post_slack(
    webhook: str,
    thing: Envelope | Digest | Comparison,
    *,
    timeout: float = 20.0,
    client: httpx.Client | None = None,
) -> int:
    """Post `thing` as Slack messages to an incoming webhook; return how many were posted.

    Each message, with its answer, is done within `timeout` seconds; of the answer, at most
    `MAX_ANSWER_BYTES` (decompressed) are read.
    """
    if not webhook.startswith("https://"):
        raise UsageError("the Slack webhook must be an https:// address; check the variable")
    messages = render_slack(thing)
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
        if status >= 400:
            raise FetchError(
                f"Slack refused message {n} of {len(messages)} "
                f"({status}: {answer[:80]}); check the webhook"
            )
    return len(messages)


def _post(
    http: httpx.Client, webhook: str, payload: dict[str, object], deadline: Deadline
) -> tuple[int, str]:
    """Post one message; the answer's status and the start of its text."""
    timeout = max(deadline.remaining(), 0.001)
    with http.stream("POST", webhook, json=payload, timeout=timeout) as response:
        try:
            body = read_body(response, max_bytes=MAX_ANSWER_BYTES, deadline=deadline, cut=True)
        except TooSlow:
            raise
        except BodyError:
            body = b"(an answer that cannot be read)"
        return response.status_code, body.decode("utf-8", errors="replace")
