from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SlaSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SLA_", extra="ignore")

    service_name: ClassVar[str] = "sla"
    default_http_port: ClassVar[int] = 8003
