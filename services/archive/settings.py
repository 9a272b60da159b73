from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ArchiveSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", extra="ignore")

    service_name: ClassVar[str] = "archive"
    default_http_port: ClassVar[int] = 8005
