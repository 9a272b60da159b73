"""Operators' commands: watch the events go by, check the contracts, see and replay dead letters."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Annotated

import typer

from shared.contracts.catalogue import snapshot_problems, write_snapshots
from shared.messaging.dead_letters import list_dead_letters, replay_dead_letters
from shared.messaging.topology import watch_events
from shared.progress import progress
from shared.settings import ServiceSettings

contracts = typer.Typer(help="Message contracts and their committed JSON Schemas.", no_args_is_help=True)
dead_letters = typer.Typer(help="Messages that could not be handled, per service queue.", no_args_is_help=True)


def watch(
    pattern: Annotated[str, typer.Argument(help="Routing-key pattern, e.g. 'ticket.*' or '#' for all.")] = "#",
) -> None:
    """Print every event on `aftercare.events` as it passes, one line each (Ctrl-C to stop).

    Reads copies from a queue of its own that disappears when it stops; services are not affected.
    """

    def show(envelope: dict[str, object]) -> None:
        payload = envelope.get("payload")
        highlights = (
            {k: v for k, v in payload.items() if k in _WATCHED_FIELDS and v is not None}
            if isinstance(payload, dict)
            else {}
        )
        if isinstance(payload, dict) and isinstance(clocks := payload.get("clocks"), list):  # sla.clocks_started
            highlights["clocks"] = ",".join(str(c.get("clock")) for c in clocks if isinstance(c, dict))
        typer.echo(
            f"{envelope.get('occurred_at', '')!s:<33} {envelope.get('type', '?')!s:<22} "
            f"{envelope.get('correlation_id', '')!s:<22} {envelope.get('producer', '')!s:<9} "
            + " ".join(f"{k}={v}" for k, v in highlights.items())
        )

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(watch_events(_amqp_url(), pattern, show))


_WATCHED_FIELDS = ("kind", "engineer_name", "rule", "desk", "due_at", "target_minutes", "document_code", "reason")


@contracts.command("check")
def contracts_check() -> None:
    """Fail if a contract changed incompatibly, or its snapshot is missing or stale."""
    problems = snapshot_problems()
    for problem in problems:
        typer.echo(problem, err=True)
    raise typer.Exit(1 if problems else 0)


@contracts.command("snapshot")
def contracts_snapshot(
    accept_added_bounds: Annotated[
        bool,
        typer.Option(
            "--accept-added-bounds",
            help="Also write contracts whose only breaks are new maxLength/maxItems/maxProperties bounds: "
            "only after checking that every producer already keeps its values within them.",
        ),
    ] = False,
) -> None:
    """Write the JSON Schema snapshots; breaking changes are refused (bump schema_version instead)."""
    refused = write_snapshots(accept_added_bounds=accept_added_bounds)
    for problem in refused:
        typer.echo(f"refused: {problem}", err=True)
    raise typer.Exit(1 if refused else 0)


QueueName = Annotated[str, typer.Argument(help="The service queue, e.g. dispatch.inbox.")]


def _amqp_url() -> str:
    return ServiceSettings().amqp_url


@dead_letters.command("list")
def dead_letters_list(queue: QueueName, limit: int = 100) -> None:
    """Show the dead letters of a queue (they stay there), one JSON line each."""
    for letter in asyncio.run(list_dead_letters(_amqp_url(), queue, limit=limit)):
        typer.echo(
            json.dumps(
                {
                    "message_id": letter.message_id,
                    "type": letter.message_type,
                    "correlation_id": letter.correlation_id,
                    "reason": letter.reason,
                    "detail": letter.detail,
                    "dead_at": letter.dead_at,
                    "body": letter.body.decode(errors="replace")[:500],
                },
                ensure_ascii=False,
            )
        )


@dead_letters.command("replay")
def dead_letters_replay(
    queue: QueueName,
    limit: int = 100,
    message_id: Annotated[str | None, typer.Option(help="Replay only this message.")] = None,
    message_type: Annotated[str | None, typer.Option("--type", help="Replay only messages of this type.")] = None,
    to: Annotated[
        str | None, typer.Option(help="Send them to this consumer queue instead (one that now handles them).")
    ] = None,
) -> None:
    """Send dead letters back to the queue they died on, once their cause is fixed."""
    with progress(f"replaying {queue}.dead", None if message_id else limit) as advance:
        count = asyncio.run(
            replay_dead_letters(
                _amqp_url(),
                queue,
                limit=limit,
                message_id=message_id,
                message_type=message_type,
                to=to,
                on_replayed=advance,
            )
        )
    typer.echo(f"replayed {count} message(s) to {to or queue}")
