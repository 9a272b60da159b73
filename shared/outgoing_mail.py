"""Mail the suite sends (notify's notices, the e-mail hotline's acknowledgements): one way to hand a
message to the mail server, and Message-IDs that name the ticket a mail is about, so that a customer's
reply (its In-Reply-To or References) leads back to that ticket (services/intake/mail)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

import aiosmtplib
from pydantic import BaseModel, Field, SecretStr

Security = Literal["starttls", "tls", "none"]
OWN_REFERENCE = re.compile(r"<(?:ack|notice)\.([A-Z0-9]{2,12}-\d{8}-\d{4,6})\.[0-9a-f]+@[^>]+>")
"""A Message-ID the suite made for a mail about a ticket; its group is the ticket's number."""


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0


class MailNotSent(Exception):
    """The mail server refused the mail or could not be reached: `reason` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def message_id(purpose: Literal["ack", "notice"], ticket_id: str | None, domain: str) -> str:
    """A fresh Message-ID; one about a ticket names it (`<ack.HH138-20261207-0004.5f2a…@domain>`)."""
    unique = secrets.token_hex(8)
    return f"<{purpose}.{ticket_id}.{unique}@{domain}>" if ticket_id else f"<{purpose}.{unique}@{domain}>"


async def send(mail: EmailMessage, server: MailServer) -> None:
    """Hand the mail to the server; MailNotSent says why it did not take it."""
    try:
        await aiosmtplib.send(
            mail, hostname=server.host, port=server.port, username=server.username or None,
            password=server.password or None, start_tls=server.security == "starttls",
            use_tls=server.security == "tls", timeout=server.timeout,
        )  # fmt: skip
    except (aiosmtplib.SMTPException, OSError) as error:
        raise MailNotSent(f"mail server: {type(error).__name__}: {error}") from error


class MailServerSettings(BaseModel):
    """The mail server a service sends through (a mixin of its settings, under its own prefix)."""

    smtp_host: str | None = Field(
        None, description="The mail server mails are sent through; unset, they are recorded as not sent."
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="The mail server's port.")
    smtp_security: Security = Field(
        "starttls", description="starttls (port 587), tls (implicit, port 465), or none (a relay on a trusted network)."
    )
    smtp_username: str | None = Field(None, description="Who to sign in to the mail server as, if it asks.")
    smtp_password: SecretStr | None = Field(None, description="Their password.")

    def mail_server(self, timeout: float = 10.0) -> MailServer | None:
        """The server as `send` takes it; None when none is configured."""
        if not self.smtp_host:
            return None
        password = self.smtp_password.get_secret_value() if self.smtp_password else None
        return MailServer(self.smtp_host, self.smtp_port, self.smtp_security, self.smtp_username, password, timeout)
