from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ArchiveSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ARCHIVE_", extra="ignore")

    service_name: ClassVar[str] = "archive"
    default_http_port: ClassVar[int] = 8005

    font_paths: list[str] = Field(
        default=["/usr/share/fonts/opentype/noto"],
        description="Folders with the CJK fonts the PDF forms are set in (Debian's fonts-noto-cjk puts them here).",
    )
    default_timezone: str = Field(
        default="Asia/Shanghai",
        description="The time zone of a site's documents until intake has described the site to the archive.",
    )
    register_check_seconds: float = Field(
        default=300.0,
        gt=0,
        description="How often each archive process looks for months and quarters that have closed without a register.",
    )
    typeset_tick_seconds: float = Field(
        default=0.5,
        gt=0,
        le=60,
        description="How often each archive process looks for documents whose PDF is still to be typeset.",
    )
    typeset_batch: int = Field(default=4, ge=1, le=100, description="PDFs a process typesets in one transaction.")
    typeset_yield_drafts_per_second: int = Field(
        default=40,
        ge=0,
        description="While a process drafts more documents than this in a second (a burst), its typesetter waits: "
        "the PDFs nobody asked for yet are typeset once the burst is filed (one asked for is typeset at once).",
    )
    sequence_batch: int = Field(
        default=500, ge=1, le=5000, description="Drafts of one site a process numbers and chains in one transaction."
    )
    sequence_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often each archive process looks for drafts waiting for their number when none of its "
        "own handlers told it of one (the drafts of a process that stopped before numbering them).",
    )
