"""Words the services share: service types, channels, priorities, subsystems' parties."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ServiceKind(StrEnum):
    """The seed's three service types plus the two request types routed elsewhere."""

    FAULT = "fault"
    WARRANTY_REPAIR = "warranty_repair"
    TECHNICAL_SUPPORT = "technical_support"
    COMPLAINT = "complaint"
    CONSULTATION = "consultation"


class RequestChannel(StrEnum):
    HOTLINE = "hotline"
    EMAIL = "email"
    ON_SITE = "on_site"
    INSPECTION = "inspection"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class Reporter(BaseModel):
    """Who reported the problem and how to reach them."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    organisation: str | None = Field(default=None, max_length=200)


class DeviceRef(BaseModel):
    """A device from the site's equipment register."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    asset_tag: str
    model: str | None = None
    manufacturer: str | None = None
