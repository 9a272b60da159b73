from typing import ClassVar, Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFY_", extra="ignore")

    service_name: ClassVar[str] = "notify"
    default_http_port: ClassVar[int] = 8008

    console_url: str = Field(
        "http://localhost:8006", description="The console's address as people open it: notifications link into it."
    )
    smtp_host: str | None = Field(
        None, description="The mail server notifications are sent through; unset, e-mails are recorded as not sent."
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="The mail server's port.")
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="starttls (port 587), tls (implicit, port 465), or none (a relay on a trusted network)."
    )
    smtp_username: str | None = Field(None, description="Who to sign in to the mail server as, if it asks.")
    smtp_password: SecretStr | None = Field(None, description="Their password.")
    mail_from: str = Field("Aftercare <aftercare@localhost>", description="The sender of notification e-mails.")
    sms_provider: str = Field(
        "log",
        description=(
            "Who sends text messages: `log` writes them to the log (no provider signed up), or the import path "
            "of a class with the SmsProvider interface (services/notify/channels.py), "
            "e.g. `mycompany.sms:Aliyun`."
        ),
    )
    notice_timeout_seconds: float = Field(10.0, gt=0, le=60, description="How long a mail server or robot may take.")
    notice_tick_seconds: float = Field(
        1.0, gt=0, le=60, description="How often the sender looks for notifications due."
    )
    notices_per_tick: int = Field(50, ge=1, le=1000, description="Notifications a process sends at once.")
    notice_give_up_after_hours: float = Field(
        6.0, gt=0, description="How long a notification that fails is tried before it is given up."
    )
