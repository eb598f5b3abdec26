"""Keep secrets out of everything we print, log, store or record."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

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


# A query parameter whose name says it carries a credential: "api-key", "token", "sig"...
_CREDENTIAL_NAME = re.compile(
    r"key|token|secret|passw(?:or)?d|sig(?:nature)?|auth|credential", re.IGNORECASE
)


def url_secrets(url: str | None) -> tuple[str, ...]:
    """The credentials written into `url`: its user name and password, and the values of
    query parameters named like credentials ("?api-key=..."), as given and decoded."""
    if not url:
        return ()
    try:
        parts = urlsplit(url)
        username, password = parts.username, parts.password
    except ValueError:
        return ()
    found: list[str] = []
    for value in (username, password):
        if value:
            found += [value, unquote(value)]
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if value and _CREDENTIAL_NAME.search(name):
            found.append(value)
    raw = [part.partition("=")[2] for part in parts.query.split("&")]
    found += [v for v in raw if v and unquote(v.replace("+", " ")) in found]
    return tuple(dict.fromkeys(found))


def redact_url(url: str) -> str:
    """`url` without the credentials written into it (`url_secrets`), for messages."""
    text = redact(url)
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if not parts.query:
        return text
    query = "&".join(
        f"{name}={REDACTED}" if _CREDENTIAL_NAME.search(name) and value else part
        for part in parts.query.split("&")
        for name, _, value in [part.partition("=")]
    )
    return urlunsplit(parts._replace(query=query))


# --- logs of the HTTP libraries ---------------------------------------------------------------

# The loggers that write request addresses ("HTTP Request: POST http://...?api-key=..."): a
# credential in the base URL's query would be in every line.
_HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "openai._base_client")


class _RedactingFilter(logging.Filter):
    """Rewrites each record of a logger it is on without the secrets it knows."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        with self._lock:
            self.secrets.update(s for s in secrets if len(s) >= 4)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message, tuple(self.secrets))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_LOG_FILTER = _RedactingFilter()


def protect_logs(secrets: Iterable[str]) -> None:
    """Keep `secrets` out of what httpx, httpcore and the openai SDK log, from now on."""
    _LOG_FILTER.add(secrets)
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _LOG_FILTER not in logger.filters:
            logger.addFilter(_LOG_FILTER)
