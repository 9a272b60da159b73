"""Fetching a batch of mails: UID sets written short, bodies fetched a bounded number of bytes at a time,
and a batch the server refuses asked again one mail at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from services.intake.mail.imap import ImapClient, ImapError
from services.intake.mail.imap_syntax import Fetched


def uid_set(uids: Sequence[int]) -> str:
    """`1:3,7` for 1, 2, 3, 7."""
    ranges: list[list[int]] = []
    for uid in sorted(uids):
        if ranges and uid == ranges[-1][1] + 1:
            ranges[-1][1] = uid
        else:
            ranges.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in ranges)


async def fetch_each(imap: ImapClient, uids: Sequence[int], items: str) -> tuple[dict[int, Fetched], dict[int, str]]:
    """`items` of `uids` by UID, and why the server refused those it refused: a batch it answers NO (Dovecot
    does for a corrupt mail) is asked again a UID at a time, so that one bad mail holds up no other."""
    try:
        return {one.uid: one for one in await imap.uid_fetch(uid_set(uids), items)}, {}
    except ImapError as refused:
        if len(uids) == 1:
            return {}, {uids[0]: f"the server refused to fetch it: {refused}"}
    fetched: dict[int, Fetched] = {}
    refusals: dict[int, str] = {}
    for uid in uids:
        try:
            fetched |= {one.uid: one for one in await imap.uid_fetch(str(uid), items) if one.uid == uid}
        except ImapError as refused:
            refusals[uid] = f"the server refused to fetch it: {refused}"
    return fetched, refusals


def parts(uids: Sequence[int], sizes: dict[int, int], max_bytes: int) -> Iterator[list[int]]:
    """Runs of `uids` whose bodies together stay under `max_bytes` (a header alone counts 64 KiB)."""
    part: list[int] = []
    total = 0
    for uid in uids:
        cost = sizes[uid] if sizes[uid] <= max_bytes else 64 * 1024
        if part and total + cost > max_bytes:
            yield part
            part, total = [], 0
        part.append(uid)
        total += cost
    if part:
        yield part
