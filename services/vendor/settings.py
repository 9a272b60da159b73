from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class VendorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="VENDOR_", extra="ignore")

    service_name: ClassVar[str] = "vendor"
    default_http_port: ClassVar[int] = 8004
