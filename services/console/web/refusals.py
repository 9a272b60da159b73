"""Why a service refused, in the person's language: the services answer with a code and an English
message; a page shows the words here for the codes people meet on its forms (the message itself where
no words are kept, or for English readers, whom the service's own message tells more)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.console.web.upstream import ServiceRefused
from services.console.web.words import N_

REFUSALS = {
    "in_the_future": N_("The moment given is in the future: give when it really happened."),
    "before_report": N_("The moment given is before the ticket was reported."),
    "reason_required": N_("Say why: a reason is needed for this step."),
    "unknown_pause_reason": N_("Choose one of the pause reasons the contract knows."),
    "summary_required": N_("Say what was done before resolving the ticket."),
    "move_refused": N_("This step does not fit where the ticket stands now: reload the page to see it."),
    "no_engineer": N_("Only an engineer can take this step."),
    "not_assignable": N_("This ticket cannot be assigned in its present state."),
    "follow_up_pending": N_("The follow-up call is not done yet: record it before closing the ticket."),
    "already_assigned": N_("The ticket is already with this engineer."),
    "not_your_ticket": N_("This ticket is assigned to another engineer now."),
    "unknown_ticket": N_("There is no such ticket (yet): check the number."),
    "unknown_engineer": N_("No such engineer serves this site."),
    "unknown_site": N_("There is no such site under contract."),
    "unknown_subsystem": N_("The site has no such subsystem."),
    "unknown_device": N_("The site's register has no such device."),
    "device_out_of_service": N_("That device is out of service in the register."),
    "reported_in_future": N_("The time of the report is in the future."),
    "invalid_request": N_("Something in the form is missing or not as expected: check the fields."),
    "other_site": N_("You may act for your own site only."),
    "forbidden": N_("Your role does not allow this."),
    "service_unreachable": N_("A service is not answering: try again in a moment."),
    "console_stopping": N_("The console is restarting: try again in a moment."),
    "invalid_token": N_("Your sign-in has ended: sign in again."),
    "too_many_views": N_("You keep as many lists as there may be: remove one first."),
    "export_too_long": N_("Too many tickets for one export: narrow the filter first."),
    "own_account": N_("You cannot close your own account: ask another administrator."),
    "unknown_person": N_("There is no such account."),
    "weak_password": N_("The password is too weak: 12 characters or more, not a common one."),
    "signed_before_drawn_up": N_("That version was not the latest when signed: read the latest and sign it."),
    "unknown_register": N_("There is no such register."),
    "period_not_begun": N_("That period has not begun yet."),
    "invalid_period": N_("Give a month as 2026-11 or a quarter as 2026-Q4."),
    "no_follow_up_due": N_("No follow-up call is due for this ticket."),
    "unknown_queue": N_("The service has no such queue."),
    "no_name": N_("Give the list a name."),
    "not_json": N_("The text is not valid JSON."),
    "same_ticket": N_("A ticket cannot be linked with itself: give the other ticket's number."),
    "sites_differ": N_("Only tickets of one site belong together: check the number."),
    "not_a_complaint": N_("Only a complaint is about another job: reclassify this ticket as a complaint first."),
    "about_a_complaint": N_("That ticket is a complaint itself: give the number of the job it is about."),
    "already_about": N_("This complaint is linked to a job already: one job per complaint."),
    "already_merged": N_("This report joined another ticket already."),
    "report_worked_on": N_("An engineer has accepted this ticket: only a report nobody works on yet can be merged."),
    "target_done": N_("That ticket is finished or merged itself: merge into the ticket still carrying the problem."),
    "has_joined_reports": N_("Other reports joined this ticket: merge the other ticket into this one instead."),
    "unknown_relation": N_("Choose how the tickets belong together."),
    "subsystem_required": N_(
        "Choose the system the problem is in: only a complaint or a question may be about the service as a whole."
    ),
}


def refusal_words(language: str, gettext: Callable[[str], str]) -> Callable[[ServiceRefused | Mapping[str, Any]], str]:
    """What a page says of a refusal (as a service answered it, or as kept: a phone's action refused):
    the kept words in Chinese, the service's own message otherwise."""

    def words(problem: ServiceRefused | Mapping[str, Any]) -> str:
        error, message = (
            (problem.error, problem.message)
            if isinstance(problem, ServiceRefused)
            else (problem.get("error"), problem.get("message"))
        )
        if language != "en" and error in REFUSALS:
            return gettext(REFUSALS[str(error)])
        return str(message or "")

    return words
