"""A Dovecot IMAP server of a test's own (Debian's dovecot-imapd, installed by the Makefile's `test`):
on a free port, with a temporary configuration, a maildir and a passwd-file user, and for TLS a
certificate signed by a test CA that it writes out. No system service, no root needed (run as root, as
CI is, the mail itself belongs to `nobody`: Dovecot refuses mail access as root). The test may stop and
start it again on the same port; the mail survives, as on a real server."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.intake.mail.imap import ImapClient, Security
from testkit.processes import free_port

DOVECOT = Path("/usr/sbin/dovecot")
START_SECONDS = 15.0

CONFIG = """\
base_dir = {home}/run
state_dir = {home}/state
log_path = {home}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = {ssl}
ssl_cert = <{home}/server.pem
ssl_key = <{home}/server.key
disable_plaintext_auth = no
auth_failure_delay = 0
auth_mechanisms = plain login
default_login_user = {user}
default_internal_user = {user}
first_valid_uid = 1
mail_location = maildir:{home}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {home}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={home}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
protocol imap {{
  mail_max_userip_connections = 50
}}
"""


@dataclass
class Dovecot:
    home: Path
    port: int
    username: str
    password: str
    ca_file: Path
    tls_port: int = 0  # implicit TLS (993's kind), when started with TLS
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [str(DOVECOT), "-F", "-c", str(self.home / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, stopped whole
        )
        deadline = time.monotonic() + START_SECONDS
        while not _answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dovecot did not start: {self.log()[-2000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server and every process of it: Dovecot's own shutdown lets its IMAP processes linger
        for ten seconds, a server going away does not."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None
        deadline = time.monotonic() + START_SECONDS
        while _answers(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def log(self) -> str:
        path = self.home / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    @asynccontextmanager
    async def client(self, security: Security = "none") -> AsyncIterator[ImapClient]:
        """A client logged in as the mailbox's user (the person or system that sends mail to it)."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        imap = await ImapClient.connect(
            "127.0.0.1",
            self.port,
            security=security,
            ssl_context=context,
            timeout=10,
        )
        try:
            await imap.login(self.username, self.password)
            yield imap
        finally:
            with contextlib.suppress(Exception):
                await imap.logout()

    async def deliver(
        self,
        *mails: bytes,
        folder: str = "INBOX",
        security: Security = "none",
        arrived_at: datetime.datetime | None = None,
    ) -> None:
        """Put `mails` in `folder`, received (INTERNALDATE) at `arrived_at` if given, else now."""
        async with self.client(security) as imap:
            for mail in mails:
                await imap.append(folder, mail, internal_date=arrived_at)


@contextmanager
def dovecot(*, tls: str = "no") -> Iterator[Dovecot]:
    """A running Dovecot; `tls="required"` refuses LOGIN before STARTTLS."""
    home = Path(tempfile.mkdtemp(prefix="aftercare-dovecot-"))
    home.chmod(0o755)  # the unprivileged mail user must reach its maildir
    owner = pwd.getpwnam("nobody") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
    (home / "mail").mkdir()
    os.chown(home / "mail", owner.pw_uid, owner.pw_gid)
    server = Dovecot(
        home=home, port=free_port(), username=f"service{uuid.uuid4().hex[:6]}", password=f"pw-{uuid.uuid4().hex}",
        ca_file=home / "ca.pem", tls_port=0 if tls == "no" else free_port(),
    )  # fmt: skip
    write_certificates(home)
    (home / "passwd").write_text(f"{server.username}:{{PLAIN}}{server.password}\n")
    (home / "dovecot.conf").write_text(
        CONFIG.format(
            home=home,
            ssl=tls,
            user=owner.pw_name,
            uid=owner.pw_uid,
            gid=owner.pw_gid,
            port=server.port,
            tls_port=server.tls_port,
        )
    )
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def mail(subject: str, body: str = "", *, sender: str = "zhang.wei@example.cn", size: int = 0) -> bytes:
    """An RFC 5322 mail as a customer sends it; `size` pads the body to about that many bytes."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "service@integrator.example.cn"
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.cn>"
    message.set_content((body or subject) + ("\n" + "x" * 76) * (size // 77))
    return bytes(message)


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2) as probe:
        return probe.recv(4, socket.MSG_PEEK) == b"* OK"
    return False


def write_certificates(home: Path) -> None:
    """A test CA (ca.pem) and the server's certificate for 127.0.0.1 and localhost signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Aftercare test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    (home / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (home / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (home / "server.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
