from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

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
