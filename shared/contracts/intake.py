"""What intake accepts: a service request, over HTTP or on the `intake.requests` queue."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field, StringConstraints

from shared.contracts.envelope import Command
from shared.contracts.tickets import InspectionFinding
from shared.contracts.vocabulary import Priority, Reporter, RequestChannel, ServiceKind

MAX_DESCRIPTION = 4000

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class SubmitServiceRequest(Command):
    """A customer's request as the hotline, the mailbox, an engineer on site, an inspection or the
    customer themselves made it. Version 2 added the channel `portal` and a request without a subsystem
    (about the service as a whole); intake reads version 1 as it is."""

    message_type: ClassVar[str] = "intake.submit_request"
    schema_version: ClassVar[int] = 2
    reads_versions: ClassVar[tuple[int, ...]] = (1,)

    request_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = Field(
        default=None,
        description="The submitter's own reference; submitting again with it returns the same ticket.",
    )
    site_code: Code = Field(description="Site under contract, e.g. HH138.")
    subsystem: Code | None = Field(
        default=None,
        description="Subsystem code at the site, e.g. bgm, av, signage, control; none (or `service`) for a complaint "
        "or a question about the service as a whole (v2).",
    )
    asset_tag: Code | None = Field(default=None, description="Device from the equipment register, if known.")
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DESCRIPTION)] = (
        Field(description="What the customer reports, in their words.")
    )
    channel: RequestChannel = Field(description="How it came; a customer's representative's requests are `portal`.")
    reporter: Reporter
    reported_at: AwareDatetime | None = Field(
        default=None, description="When the customer notified us (with time zone); default: when received."
    )
    kind: ServiceKind | None = Field(default=None, description="Service type if the operator chose one.")
    priority: Priority = Priority.NORMAL
    found_at: InspectionFinding | None = Field(
        default=None, description="The inspection's failed item this fault was found at (channel inspection)."
    )

    def version_needed(self) -> int:
        return self.schema_version if self.channel is RequestChannel.PORTAL or self.subsystem is None else 1
