"""Deliver a brief, digest or comparison to a Slack incoming webhook.

The webhook's address is a secret (anyone holding it can post to the channel): it is never
printed, logged or put in an error message, and only https addresses are used.
"""

from __future__ import annotations

import httpx

from briefer.digest import Digest
from briefer.errors import FetchError, UsageError
from briefer.renderers.slack import render_slack
from briefer.schema import Envelope
from briefer.schema.comparison import Comparison

FALLBACK_TEXT = "Morning brief"  # shown in notifications, where blocks are not


def post_slack(
    webhook: str,
    thing: Envelope | Digest | Comparison,
    *,
    timeout: float = 20.0,
    client: httpx.Client | None = None,
) -> int:
    """Post `thing` as Slack messages to an incoming webhook; return how many were posted."""
    if not webhook.startswith("https://"):
        raise UsageError("the Slack webhook must be an https:// address; check the variable")
    messages = render_slack(thing)
    http = client or httpx.Client(timeout=timeout)
    try:
        for n, message in enumerate(messages, 1):
            try:
                response = http.post(webhook, json={"text": FALLBACK_TEXT, **message})
            except httpx.HTTPError as exc:
                raise FetchError(
                    f"posting to Slack failed at message {n} of {len(messages)} "
                    f"({type(exc).__name__}); the brief was still written"
                ) from None
            if response.status_code >= 400:
                raise FetchError(
                    f"Slack refused message {n} of {len(messages)} "
                    f"({response.status_code}: {response.text[:80]}); check the webhook"
                )
    finally:
        if client is None:
            http.close()
    return len(messages)
