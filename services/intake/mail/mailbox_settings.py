"""How a service mailbox is reached: one entry of `INTAKE_MAILBOXES` (a JSON list)."""

from __future__ import annotations

import re
import ssl
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

TAKEN_KEYWORD = "$AftercareTaken"
FAILED_KEYWORD = "$AftercareFailed"


class MailboxSettings(BaseModel):
    """One mailbox the hotline reads, e.g.
    `{"name": "service", "host": "imap.exmail.qq.com", "port": 993, "security": "tls",
    "username": "service@integrator.cn", "password_file": "/run/secrets/mailbox", "done_folder": "已处理"}`."""

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", description="Short name, kept with every mail taken.")
    host: str = Field(min_length=1)
    port: int = Field(993, ge=1, le=65535)
    security: Literal["tls", "starttls", "none"] = "tls"
    username: str = Field(min_length=1)
    password: SecretStr | None = None
    password_file: Path | None = None  # a Docker or Kubernetes secret; read at every connection
    folder: str = "INBOX"
    done_folder: str | None = None  # move taken mail there; otherwise flag it \Seen and $AftercareTaken
    idle: bool = True  # wait with IDLE where the server has it; poll otherwise
    poll_seconds: float = Field(60.0, gt=0, le=3600)
    ca_file: Path | None = None  # trust this CA (a private mail server's, a test's) instead of the system's
    timeout_seconds: float = Field(60.0, gt=0, le=600)

    @model_validator(mode="after")
    def _one_password(self) -> MailboxSettings:
        if (self.password is None) == (self.password_file is None):
            raise ValueError(f"mailbox {self.name}: give exactly one of password and password_file")
        if self.password_file is not None and not self.password_file.is_file():
            raise ValueError(f"mailbox {self.name}: password_file {self.password_file} is not a readable file")
        if self.ca_file is not None and not self.ca_file.is_file():
            raise ValueError(f"mailbox {self.name}: ca_file {self.ca_file} is not a readable file")
        if self.security == "none" and not re.fullmatch(r"127\.\d+\.\d+\.\d+|::1|localhost", self.host):
            raise ValueError(f"mailbox {self.name}: security none sends the password in the clear; only to localhost")
        if self.done_folder is not None and self.done_folder == self.folder:
            raise ValueError(f"mailbox {self.name}: done_folder must differ from folder")
        return self

    def secret(self) -> str:
        """The password as it is now (a mounted secret may have been rotated since the start)."""
        if self.password is not None:
            return self.password.get_secret_value()
        assert self.password_file is not None
        return self.password_file.read_text().strip("\r\n")

    def ssl_context(self) -> ssl.SSLContext:
        """Certificates verified, the host name checked: against `ca_file` if given, else the system's CAs."""
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)


def distinct_names(mailboxes: list[MailboxSettings]) -> list[MailboxSettings]:
    names = [mailbox.name for mailbox in mailboxes]
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise ValueError(f"mailbox names must differ: {', '.join(doubled)} given twice")
    return mailboxes
