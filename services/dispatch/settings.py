from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class DispatchSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DISPATCH_", extra="ignore")

    service_name: ClassVar[str] = "dispatch"
    default_http_port: ClassVar[int] = 8002

    recurring_interval_seconds: float = Field(
        15.0,
        gt=0,
        description=(
            "How often each process looks again at tickets waiting for an engineer (sooner after it commits "
            "a resolve, close or assignment) and at follow-ups past due: the longest a ticket waits once "
            "someone's shift has started."
        ),
    )
    follow_up_attempts: int = Field(
        3, ge=1, description="Follow-up calls that may go unanswered before the ticket closes noted as unreached."
    )
    review_months: int = Field(
        3, ge=1, le=12, description="The period of each site's satisfaction review, in months (3: quarterly)."
    )
