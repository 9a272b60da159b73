from datetime import timedelta
from email.utils import parseaddr
from typing import ClassVar

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from services.intake.mail.mailbox_settings import MailboxSettings, distinct_names
from shared.outgoing_mail import MailServerSettings
from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings, MailServerSettings):
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

    mail_own_addresses: list[str] = Field(
        [],
        description=(
            "The hotline's own addresses (the service mailboxes, the sender of its mails): a mail from one of "
            "them is kept and never answered, so that no mail loop can start."
        ),
    )
    mail_own_domains: list[str] = Field(
        [],
        description=(
            "The integrator's own mail domains: a mail from them names a site only by its full address or a "
            "site code in the subject (their people serve every site), never by the domain."
        ),
    )
    mail_from: str = Field(
        "售后服务热线 <hotline@localhost>",
        description="The sender of the hotline's acknowledgements: the service mailbox's own address, so that "
        "replies come back to it.",
    )
    mail_hotline_name: str = Field(
        "售后服务热线", description="How the acknowledgements sign: the integrator's service hotline's name."
    )
    mail_acknowledge: bool = Field(
        True, description="Whether the sender of a mail that opened a ticket is told its number by mail."
    )
    mail_reply_tick_seconds: float = Field(
        2.0, gt=0, le=60, description="How often each intake process looks for acknowledgements to send."
    )
    mail_group_after: int = Field(
        5,
        ge=1,
        description=(
            "After this many mails from one sender within an hour, the next ones join the sender's latest ticket "
            "as their comments instead of opening more."
        ),
    )
    mail_throttle_after: int = Field(
        30,
        ge=1,
        description=(
            "After this many mails from one sender within an hour, the next ones are only kept (`throttled`), "
            "for the operator to look at: a mail bomb opens nothing."
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
    def own_addresses(self) -> frozenset[str]:
        """The hotline's own addresses: those given, its acknowledgements' sender and its mailboxes' users."""
        given = [*self.mail_own_addresses, parseaddr(self.mail_from)[1], *(m.username for m in self.mailboxes)]
        return frozenset(a.strip().lower() for a in given if "@" in a)

    @property
    def own_domains(self) -> frozenset[str]:
        """The integrator's own domains: those given and its acknowledgements' sender's."""
        sender_domain = parseaddr(self.mail_from)[1].rpartition("@")[2].lower()
        return frozenset({d.strip().lower() for d in self.mail_own_domains} | ({sender_domain} - {"", "localhost"}))

    @property
    def max_report_age(self) -> timedelta:
        return timedelta(days=self.max_report_age_days)

    @property
    def duplicate_window(self) -> timedelta:
        return timedelta(minutes=self.duplicate_window_minutes)
