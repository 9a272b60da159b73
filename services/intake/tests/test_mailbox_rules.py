"""The mailbox settings' checks and IMAP's syntax, without a server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.intake.mail.imap_fetch import uid_set
from services.intake.mail.imap_syntax import (
    Literal,
    date_time,
    date_time_of,
    encode_folder,
    fetched_of,
    parse,
    selected_of,
    string,
)
from services.intake.mail.mailbox_reader import message_id_of
from services.intake.mail.mailbox_settings import MailboxSettings
from services.intake.settings import IntakeSettings

BOX = {"name": "service", "host": "imap.exmail.qq.com", "username": "service@integrator.cn"}


def test_a_mailbox_needs_exactly_one_password_and_never_shows_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="exactly one of password and password_file") as refused:
        MailboxSettings(**BOX, password="s3cret-pw", password_file=tmp_path / "pw")
    assert "s3cret-pw" not in str(refused.value)
    with pytest.raises(ValidationError, match="exactly one"):
        MailboxSettings(**BOX)
    secret = tmp_path / "pw"
    secret.write_text("from-the-file\n")
    assert MailboxSettings(**BOX, password_file=secret).secret() == "from-the-file"
    with pytest.raises(ValidationError, match="not a readable file"):
        MailboxSettings(**BOX, password_file=tmp_path / "missing")


def test_a_password_in_the_clear_goes_only_to_this_machine() -> None:
    with pytest.raises(ValidationError, match="only to localhost"):
        MailboxSettings(**BOX, password="x", security="none")
    assert MailboxSettings(**(BOX | {"host": "127.0.0.1"}), password="x", security="none").port == 993


def test_the_mailboxes_come_from_json_with_distinct_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "INTAKE_MAILBOXES", '[{"name": "service", "host": "imap.263.net", "username": "a", "password": "p"}]'
    )
    (mailbox,) = IntakeSettings().mailboxes
    assert (mailbox.security, mailbox.folder, mailbox.done_folder, mailbox.idle) == ("tls", "INBOX", None, True)
    monkeypatch.setenv("INTAKE_MAILBOXES", '[{"name": "a", "host": "h", "username": "u", "password": "p"},'
                       ' {"name": "a", "host": "h2", "username": "u", "password": "p"}]')  # fmt: skip
    with pytest.raises(ValidationError, match="a given twice"):
        IntakeSettings()


def test_responses_are_read_with_their_literals() -> None:
    fetched = fetched_of([b"* 3 FETCH (UID 17 RFC822.SIZE 5 FLAGS (\\Seen $X) BODY[] ", Literal(b"a)b(c"), b")"])
    assert fetched is not None
    assert (fetched.uid, fetched.size, fetched.body, fetched.flags) == (17, 5, b"a)b(c", ("\\Seen", "$X"))
    assert fetched_of([b"* 4 EXISTS"]) is None
    assert parse([b'* LIST () "/" "a \\"b\\""']) == [b"*", b"LIST", [], b"/", b'a "b"']
    assert parse([b"* 1 FETCH (BODY[HEADER.FIELDS (A B)] NIL)"])[3] == [b"BODY[HEADER.FIELDS (A B)]", b"NIL"]
    selected = selected_of(
        [b"* 2 EXISTS", b"* OK [UIDVALIDITY 42] x", b"* OK [PERMANENTFLAGS (\\Seen \\*)] y"], "INBOX"
    )
    assert (selected.uidvalidity, selected.exists, selected.keywords_allowed) == (42, 2, True)


def test_names_and_strings_are_written_as_the_server_reads_them() -> None:
    assert encode_folder("已处理") == "&XfJZBHQG-"
    assert encode_folder("R&D/完成") == "R&-D/&W4xiEA-"
    assert string('pa"ss\\') == '"pa\\"ss\\\\"'
    assert string("密码") == Literal("密码".encode())
    assert uid_set([7, 1, 2, 3, 9, 10]) == "1:3,7,9:10"
    assert message_id_of(b"From: a\r\nMessage-ID:\r\n <x@y.cn>\r\n\r\nMessage-ID: <body@no>") == "<x@y.cn>"
    assert message_id_of(b"From: a\r\n\r\n") is None


def test_internaldate_is_read_as_an_aware_time_and_written_as_append_takes_it() -> None:
    beijing = timezone(timedelta(hours=8))
    arrived = datetime(2026, 12, 7, 14, 35, 12, tzinfo=beijing)
    assert date_time_of(b"07-Dec-2026 14:35:12 +0800") == arrived
    assert date_time_of(b" 7-Dec-2026 14:35:12 +0800") == arrived  # the day space-padded, as RFC 3501 allows
    assert date_time_of(b"07-dec-2026 06:35:12 +0000") == arrived
    west = date_time_of(b"01-Jan-2027 00:00:00 -0130")
    assert west is not None
    assert west.astimezone(UTC) == datetime(2027, 1, 1, 1, 30, tzinfo=UTC)
    for odd in (b"31-Feb-2026 10:00:00 +0800", b"07-Dez-2026 14:35:12 +0800", b"2026-12-07T14:35:12Z", b""):
        assert date_time_of(odd) is None, odd
    assert date_time(arrived) == '"07-Dec-2026 14:35:12 +0800"'
    assert (
        date_time(datetime(2027, 1, 1, 0, 0, tzinfo=timezone(-timedelta(minutes=90)))) == '"01-Jan-2027 00:00:00 -0130"'
    )
    fetched = fetched_of([b'* 1 FETCH (UID 9 RFC822.SIZE 10 INTERNALDATE "07-Dec-2026 14:35:12 +0800")'])
    assert fetched is not None
    assert fetched.internal_date == arrived
    assert fetched_of([b"* 1 FETCH (UID 9 RFC822.SIZE 10)"]).internal_date is None  # type: ignore[union-attr]
