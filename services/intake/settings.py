from datetime import timedelta
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore")

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

    @property
    def max_report_age(self) -> timedelta:
        return timedelta(days=self.max_report_age_days)

    @property
    def duplicate_window(self) -> timedelta:
        return timedelta(minutes=self.duplicate_window_minutes)
