"""Keep secrets out of everything we print, log, store or record."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Request headers that carry credentials or identify an account.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "api-key",
        "x-api-key",
        "openai-organization",
        "openai-project",
        "cookie",
        "set-cookie",
        "proxy-authorization",
    }
)

_KEY_PATTERN = re.compile(r"\bsk-[A-Za-z0-9_*.-]{3,}")
# Credentials written into an address: "http://user:password@host/v1".
_USERINFO_PATTERN = re.compile(r"(?<=://)[^/\s@]+@")
_BEARER_PATTERN = re.compile(r"\bBearer\s+[A-Za-z0-9._~+/=*-]+", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Replace API keys, bearer tokens, credentials in addresses and the given secrets in
    `text` with a marker."""
    text = _BEARER_PATTERN.sub(REDACTED, text)
    text = _USERINFO_PATTERN.sub(REDACTED + "@", text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return _KEY_PATTERN.sub(REDACTED, text)


def scrub_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return the headers without any that carry credentials."""
    return {k.lower(): v for k, v in headers if k.lower() not in SECRET_HEADERS}
