from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SlaSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SLA_", extra="ignore")

    service_name: ClassVar[str] = "sla"
    default_http_port: ClassVar[int] = 8003

    timer_tick_ms: int = Field(
        500,
        ge=10,
        le=5000,
        description="Longest the scheduler sleeps between looks for due timers; a timer fires at most this late.",
    )
    timer_batch_size: int = Field(500, ge=1, description="Timers fired per transaction.")
