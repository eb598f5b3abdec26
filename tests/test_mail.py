"""The digest by email: one multipart message through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

pytest.importorskip("aiosmtpd", reason="the email tests need aiosmtpd (the test extra)")
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from briefer import Briefer
from briefer.errors import ConfigError, DeliveryError
from briefer.io.mail import MailSettings, recipients, send_message
from briefer.renderers.digest import render_digest_mail

from .exchanges import FIXTURES

PASSWORD = "smtp-secret-7d1f"  # a made-up password the tests look for everywhere
ARTICLES = sorted((FIXTURES / "articles").glob("*.txt"))[:3] + sorted(
    (FIXTURES / "compare").glob("*.txt")
)


class Inbox:
    """What the server received, and the logins it accepted."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # the server answers 535 itself


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=_login,
        auth_require_tls=False,  # loopback only: nothing leaves the machine
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _env(port: int, **extra: str) -> dict[str, str]:
    return {
        "BRIEFER_SMTP_HOST": "127.0.0.1",
        "BRIEFER_SMTP_PORT": str(port),
        "BRIEFER_SMTP_SECURITY": "none",
        "BRIEFER_SMTP_USER": "desk",
        "BRIEFER_SMTP_PASSWORD": PASSWORD,
        "BRIEFER_EMAIL_FROM": "brief@newsroom.example",
        **extra,
    }


def _mail(digest, to):  # type: ignore[no-untyped-def]
    return render_digest_mail(digest, "brief@newsroom.example", to)


@pytest.fixture(scope="module")
def digest():
    return Briefer(engine="offline").digest(ARTICLES)


def test_the_digest_arrives_as_one_multipart_message_with_no_secret(smtp, digest):
    inbox, port = smtp
    send_message(_mail(digest, ["editor@newsroom.example"]), MailSettings.from_env(_env(port)))
    ((to, raw),) = inbox.messages
    assert to == ["editor@newsroom.example"]
    assert PASSWORD.encode() not in raw
    mail = message_from_bytes(raw, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    stories = len(digest.stories())
    date = digest.created_at.date().isoformat()
    assert mail["Subject"] == f"Morning brief · {date} · {stories} stories"
    assert mail["From"] == "brief@newsroom.example" and mail["To"] == "editor@newsroom.example"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert text.startswith("# Morning brief") and "What they agree on" in text
    assert "<details" not in html and "<script" not in html and "<style" not in html
    assert "src=" not in html and "http" not in html.split("<body", 1)[1].lower()
    assert 'style="' in html and "What they agree on" in html  # styles on the elements


def test_a_refused_login_or_a_dead_server_is_one_line_without_the_password(smtp, digest):
    inbox, port = smtp
    wrong = MailSettings.from_env(_env(port, BRIEFER_SMTP_PASSWORD="not-it-" + PASSWORD))
    with pytest.raises(DeliveryError, match="refused the login") as refused:
        send_message(_mail(digest, ["editor@newsroom.example"]), wrong)
    dead = MailSettings.from_env(_env(_free_port()))
    with pytest.raises(DeliveryError, match="the digest was still written") as failed:
        send_message(_mail(digest, ["editor@newsroom.example"]), dead)
    for error in (refused.value, failed.value):
        assert PASSWORD not in str(error) and "\n" not in str(error)
    assert PASSWORD not in repr(dead)
    assert not inbox.messages


def test_settings_are_checked_and_none_is_only_for_loopback():
    with pytest.raises(ConfigError, match="BRIEFER_SMTP_HOST"):
        MailSettings.from_env({})
    with pytest.raises(ConfigError, match="BRIEFER_EMAIL_FROM"):
        MailSettings.from_env({"BRIEFER_SMTP_HOST": "smtp.example.org"})
    with pytest.raises(ConfigError, match="loopback"):
        MailSettings.from_env(_env(25, BRIEFER_SMTP_HOST="smtp.example.org"))
    with pytest.raises(ConfigError, match="starttls, ssl or none"):
        MailSettings.from_env(_env(25, BRIEFER_SMTP_SECURITY="tls13"))
    settings = MailSettings.from_env(
        {"BRIEFER_SMTP_HOST": "smtp.example.org", "BRIEFER_EMAIL_FROM": "a@b.example"}
    )
    assert (settings.security, settings.port) == ("starttls", 587)
    assert recipients("a@b.example, c@d.example") == ["a@b.example", "c@d.example"]
    with pytest.raises(ConfigError, match="not an email address"):
        recipients("a@b.example,nobody")


def test_the_subject_counts_one_story_in_the_singular(digest):
    one = Briefer(engine="offline").digest(ARTICLES[:1])
    mail = render_digest_mail(one, "brief@newsroom.example", ["editor@newsroom.example"])
    assert mail["Subject"].endswith("· 1 story")


def test_briefer_digest_email_to_sends_it_and_a_failure_keeps_the_file(
    smtp, run, monkeypatch, tmp_path
):
    inbox, port = smtp
    for name, value in _env(port).items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "morning.md"
    args = ["digest", *map(str, ARTICLES[:2]), "--engine", "offline", "-q", "-o", str(out)]
    sent = run(*args, "--email-to", "editor@newsroom.example")
    assert sent.code == 0 and len(inbox.messages) == 1
    assert "emailed the digest to 1 address" in sent.err and PASSWORD not in sent.err
    out.unlink()
    monkeypatch.setenv("BRIEFER_SMTP_PORT", str(_free_port()))
    failed = run(*args, "--email-to", "editor@newsroom.example")
    assert failed.code == 1 and out.read_text(encoding="utf-8").startswith("# Morning brief")
    lines = [line for line in failed.err.splitlines() if "by email" in line]
    assert len(lines) == 1 and PASSWORD not in failed.err and "Traceback" not in failed.err
