"""Mail the suite sends (notify's notices, the e-mail hotline's acknowledgements): one way to hand a
message to the mail server, the settings of that server, and (shared/mail_references.py) Message-IDs that
name the ticket a mail is about."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

import aiosmtplib
from pydantic import BaseModel, Field, SecretStr

from shared.mail_references import message_id as message_id  # the ids of what is sent

Security = Literal["starttls", "tls", "none"]


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


async def send(mail: EmailMessage, server: MailServer, *, recipients: list[str] | None = None) -> None:
    """Hand the mail to the server (to `recipients` alone, when given, whatever its headers say);
    MailNotSent says why it did not take it."""
    try:
        await aiosmtplib.send(
            mail, recipients=recipients, hostname=server.host, port=server.port, username=server.username or None,
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
