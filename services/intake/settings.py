from datetime import timedelta
from typing import ClassVar

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.intake.mail.mailbox_settings import MailboxSettings, distinct_names
from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", hide_input_in_errors=True)

    service_name: ClassVar[str] = "intake"
    default_http_port: ClassVar[int] = 8001

    max_report_age_days: int = Field(
        30,
        ge=1,
        le=3650,
        description=(
            "How many days ago a request may say the customer reported it (`reported_at`); its clocks start "
            "then. Older reports are refused; raise it to enter a backlog."
        ),
    )
    duplicate_window_minutes: int = Field(
        30,
        ge=0,
        description=(
            "A request repeating an earlier one (same site, subsystem, device, reporter and text) "
            "within this many minutes joins its ticket instead of opening a new one; 0 turns this off."
        ),
    )

    mailboxes: list[MailboxSettings] = Field(
        [],  # pydantic copies it for each instance
        description=(
            "The service mailboxes the e-mail hotline reads, as a JSON list of {name, host, port (993), security "
            "(tls, starttls, none), username, password or password_file, folder (INBOX), done_folder (move taken "
            "mail there; otherwise it is flagged \\Seen and $AftercareTaken), idle (true), poll_seconds (60), "
            "ca_file, timeout_seconds (60)}. None: no mailbox is read. See README, Connecting a mailbox."
        ),
    )
    mail_max_bytes: int = Field(
        25 * 1024 * 1024,
        ge=64 * 1024,
        description="A bigger mail is fetched without its body (its header only): the hotline sees it, incomplete.",
    )
    mail_batch_size: int = Field(
        50, ge=1, le=1000, description="Mails a mailbox reader lists and fetches at a time (a backlog in steps)."
    )
    mail_max_tries: int = Field(
        5, ge=1, description="Tries of a mail whose taking fails before it is recorded as failed and left alone."
    )
    mailbox_takeover_seconds: float = Field(
        10.0,
        gt=0,
        description="How often a process that does not read a mailbox asks whether its reader is gone (to take over).",
    )

    @field_validator("mailboxes")
    @classmethod
    def _distinct_mailboxes(cls, mailboxes: list[MailboxSettings]) -> list[MailboxSettings]:
        return distinct_names(mailboxes)

    @property
    def max_report_age(self) -> timedelta:
        return timedelta(days=self.max_report_age_days)

    @property
    def duplicate_window(self) -> timedelta:
        return timedelta(minutes=self.duplicate_window_minutes)
