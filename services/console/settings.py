from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.console.domain.throttle import Throttle, by_address
from shared.settings import ServiceSettings


class ConsoleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore")

    service_name: ClassVar[str] = "console"
    default_http_port: ClassVar[int] = 8006

    signing_key: str | None = Field(
        None,
        description="The private key the console signs people's tokens with (Ed25519; PEM, or base64 DER on one "
        "line, as `aftercare keys` prints it). Only the console holds it.",
    )
    token_hours: float = Field(12.0, gt=0, le=24 * 31, description="How long a token from sign-in is valid.")
    session_hours: float = Field(
        12.0, gt=0, le=24 * 31, description="How long a browser stays signed in to the console's pages."
    )
    secure_cookies: bool = Field(
        True,
        description="Send the session cookie over HTTPS only (browsers also accept it from http://localhost). "
        "Turn off only behind a proxy that is itself the HTTPS end and forwards plain HTTP from another host.",
    )
    sign_in_free_failures_per_address: int = Field(
        20,
        ge=1,
        description="Wrong passwords from one client address (any names) before each further one makes it wait, "
        "twice as long each time up to 15 minutes. Behind a reverse proxy, let the server read the client's address "
        "from the proxy (FORWARDED_ALLOW_IPS), or every client shares the proxy's.",
    )
    intake_url: str = Field("http://127.0.0.1:8001", description="Where the pages reach intake's HTTP API.")
    dispatch_url: str = Field("http://127.0.0.1:8002", description="Where the pages reach dispatch's HTTP API.")
    sla_url: str = Field("http://127.0.0.1:8003", description="Where the pages reach the SLA service's HTTP API.")
    vendor_url: str = Field("http://127.0.0.1:8004", description="Where the pages reach the vendor service's HTTP API.")
    archive_url: str = Field("http://127.0.0.1:8005", description="Where the pages reach the archive's HTTP API.")
    webhooks_url: str = Field("http://127.0.0.1:8007", description="Where the pages reach the webhooks' HTTP API.")
    notify_url: str = Field(
        "http://127.0.0.1:8008", description="Where the pages reach the notify service's HTTP API (notifications)."
    )
    timezone: str = Field("Asia/Shanghai", description="The time zone the pages show times in.")
    upstream_timeout_seconds: float = Field(
        10.0, gt=0, le=120, description="How long a page waits for a service's answer before it says so."
    )

    @property
    def by_address(self) -> Throttle:
        return by_address(self.sign_in_free_failures_per_address)
