from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

    service_name: ClassVar[str] = "intake"
    default_http_port: ClassVar[int] = 8001

    duplicate_window_minutes: int = Field(
        30,
        ge=0,
        description=(
            "A request repeating an earlier one (same site, subsystem, device, reporter and text) "
            "within this many minutes joins its ticket instead of opening a new one; 0 turns this off."
        ),
    )
