"""One TLS trust store per process, shared by every HTTP client briefer makes."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The process's TLS context for verifying servers.

    httpx builds one per client, and loading the CA bundle costs tens of milliseconds: paid
    once here instead of before every client's first request. httpx's rules apply
    (SSL_CERT_FILE, SSL_CERT_DIR, else certifi).
    """
    return httpx.create_ssl_context()
