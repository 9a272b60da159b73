from ipaddress import IPv4Network, IPv6Network
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.egress import EgressPolicy
from shared.settings import ServiceSettings


class WebhooksSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WEBHOOKS_", extra="ignore")

    service_name: ClassVar[str] = "webhooks"
    default_http_port: ClassVar[int] = 8007

    delivery_timeout_seconds: float = Field(10.0, gt=0, le=60, description="How long a receiver may take to answer.")
    give_up_after_hours: float = Field(
        24.0, gt=0, description="How long a failing delivery is tried before it is given up."
    )
    delivery_tick_seconds: float = Field(
        1.0, gt=0, le=60, description="How often the deliverer looks for deliveries due."
    )
    deliveries_per_tick: int = Field(50, ge=1, le=1000, description="Deliveries a process takes on at once.")
    subscriptions_reread_seconds: float = Field(
        10.0,
        gt=0,
        le=600,
        description=(
            "How often a process reads the subscribed sites again although told of no change (it is told of "
            "each change at once): what bounds the time a silently broken listening connection goes unnoticed."
        ),
    )
    listen_again_seconds: float = Field(
        1.0,
        gt=0,
        le=60,
        description=(
            "How long a process waits before listening for changes of subscriptions again after its connection "
            "was lost (meanwhile it asks the database for every event, and is not ready)."
        ),
    )
    allowed_networks: list[IPv4Network | IPv6Network] = Field(
        default=[],  # pydantic copies it for each instance
        description=(
            'Networks receivers may be in although not public (e.g. ["10.20.0.0/16"] for a customer\'s system '
            "reached over a private line). None by default: a receiver at a loopback, private, link-local or "
            "metadata address is refused when subscribed and again at every delivery."
        ),
    )

    @property
    def egress(self) -> EgressPolicy:
        return EgressPolicy(tuple(self.allowed_networks))
