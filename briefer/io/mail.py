"""Deliver a morning digest by email: the message the renderers made, through SMTP.

The SMTP settings come from the environment, read once by `MailSettings.from_env` at the
edge (the command line):

| variable | what |
|---|---|
| `BRIEFER_SMTP_HOST` | the SMTP server (required) |
| `BRIEFER_SMTP_PORT` | its port (default 587 with starttls, 465 with ssl, 25 with none) |
| `BRIEFER_SMTP_USER`, `BRIEFER_SMTP_PASSWORD` | the login, when the server asks for one |
| `BRIEFER_SMTP_SECURITY` | `starttls` (default), `ssl`, or `none` (only to a loopback host) |
| `BRIEFER_EMAIL_FROM` | the sender's address (required) |

The password is never printed: not in an error, not in the message, not in a log.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

from briefer.errors import ConfigError, DeliveryError
from briefer.io.http import is_loopback

Security = Literal["starttls", "ssl", "none"]
PORTS: dict[Security, int] = {"starttls": 587, "ssl": 465, "none": 25}
TIMEOUT = 30.0  # seconds for the connection and each SMTP command
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send: the SMTP server, its security, the login and the sender."""

    host: str
    port: int
    security: Security
    sender: str
    user: str | None = None
    password: str | None = None

    def __repr__(self) -> str:  # never show the password
        return (
            f"MailSettings(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"sender={self.sender!r}, user={self.user!r})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MailSettings:
        """Read the BRIEFER_SMTP_* and BRIEFER_EMAIL_FROM variables of `env`."""
        host = env.get("BRIEFER_SMTP_HOST", "").strip()
        if not host:
            raise ConfigError("no SMTP server to send the digest by email: set BRIEFER_SMTP_HOST")
        security = env.get("BRIEFER_SMTP_SECURITY", "starttls").strip().lower() or "starttls"
        if security not in PORTS:
            raise ConfigError(
                f"BRIEFER_SMTP_SECURITY must be starttls, ssl or none, not {security[:20]!r}"
            )
        port_text = env.get("BRIEFER_SMTP_PORT", "").strip()
        if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
            raise ConfigError("BRIEFER_SMTP_PORT must be a port number from 1 to 65535")
        sender = env.get("BRIEFER_EMAIL_FROM", "").strip()
        if not _ADDRESS.match(sender):
            raise ConfigError(
                "no sender address for the digest email: set BRIEFER_EMAIL_FROM to one address"
            )
        chosen: Security = security
        settings = cls(
            host=host,
            port=int(port_text) if port_text else PORTS[chosen],
            security=chosen,
            sender=sender,
            user=env.get("BRIEFER_SMTP_USER") or None,
            password=env.get("BRIEFER_SMTP_PASSWORD") or None,
        )
        if settings.security == "none" and not is_loopback(settings.host, resolve=True):
            raise ConfigError(
                "BRIEFER_SMTP_SECURITY=none sends the digest (and any password) unencrypted: "
                "it is allowed only to a loopback host; use starttls or ssl"
            )
        return settings


def recipients(given: str) -> list[str]:
    """The addresses of a list with commas between them, each checked."""
    addresses = [a.strip() for a in given.split(",") if a.strip()]
    bad = [a for a in addresses if not _ADDRESS.match(a)]
    if not addresses or bad:
        shown = bad[0][:60] if bad else given[:60]
        raise ConfigError(f"{shown!r} is not an email address; give ADDR[,ADDR...]")
    return addresses


def send_message(message: EmailMessage, settings: MailSettings) -> None:
    """Send `message` (a rendered digest: `briefer.renderers.digest.render_digest_mail`) to
    its recipients through the SMTP server of `settings`."""
    to = [address.strip() for address in str(message["To"]).split(",")]
    where = f"{settings.host}:{settings.port}"
    try:
        with _connect(settings) as smtp:
            if settings.user and settings.password:
                smtp.login(settings.user, settings.password)
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"the SMTP server {where} refused the login ({exc.smtp_code}); "
            "check BRIEFER_SMTP_USER and BRIEFER_SMTP_PASSWORD; the digest was still written"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(
            f"the SMTP server {where} refused every recipient ({len(exc.recipients)}); "
            "check the recipients' addresses; the digest was still written"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = _redacted(str(exc) or type(exc).__name__, settings)
        raise DeliveryError(
            f"sending the digest by email through {where} failed ({type(exc).__name__}: "
            f"{reason[:120]}); the digest was still written"
        ) from None
    if refused:
        raise DeliveryError(
            f"the SMTP server {where} refused {len(refused)} of {len(to)} recipients "
            f"({', '.join(sorted(refused))[:120]}); the others got it"
        )


def _connect(settings: MailSettings) -> smtplib.SMTP:
    """An SMTP session with the server, encrypted as the settings say."""
    from briefer.io.http import tls_context

    if settings.security == "ssl":
        return smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=TIMEOUT, context=tls_context()
        )
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    try:
        if settings.security == "starttls":
            smtp.starttls(context=tls_context())
    except BaseException:
        smtp.close()
        raise
    return smtp


def _redacted(text: str, settings: MailSettings) -> str:
    """`text` without the password (a server could echo it back)."""
    return text.replace(settings.password, "[redacted]") if settings.password else text
