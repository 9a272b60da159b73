"""A PostgreSQL server and a RabbitMQ node of a test's own, on free ports with data in temporary
directories, that the test may stop, kill and start again: the machine's own servers, which every other
test uses, are never touched. Their data survives a restart, as a real server's does."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from testkit.processes import free_port

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
RUNUSER = "/usr/sbin/runuser"  # PostgreSQL refuses to run as root


@dataclass
class PrivatePostgres:
    port: int
    home: Path

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/aftercare"

    def _ctl(self, *args: str) -> None:
        command = [str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.home / "data"), *args]
        subprocess.run([RUNUSER, "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=60)  # noqa: S603

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._ctl("-o", options, "-l", str(self.home / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop it: `fast` (a clean shutdown) or `immediate` (as a crash: no checkpoint, recovery at start)."""
        self._ctl("-m", mode, "-w", "stop")

    def promote(self) -> None:
        """A standby becomes a primary, taking writes."""
        self._ctl("-w", "promote")

    def sql(self, statement: str) -> str:
        done = subprocess.run(  # noqa: S603 (the machine's own psql)
            [RUNUSER, "-u", "postgres", "--", str(POSTGRES_BIN / "psql"), "-h", str(self.home), "-p", str(self.port),
             "-d", "postgres", "-Atc", statement],
            check=True, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        return done.stdout.strip()


def _postgres_home() -> Path:
    # Outside pytest's temporary directories, which the postgres user may not enter.
    home = Path(tempfile.mkdtemp(prefix="aftercare-postgres-"))
    shutil.chown(home, "postgres")
    return home


def _as_postgres(*command: str) -> None:
    subprocess.run([RUNUSER, "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=120)  # noqa: S603


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    home = _postgres_home()
    _as_postgres(str(POSTGRES_BIN / "initdb"), "-D", str(home / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    server = PrivatePostgres(port=free_port(), home=home)
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped by the test
            server.stop()
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def private_postgres_pair() -> Iterator[tuple[PrivatePostgres, PrivatePostgres]]:
    """A primary and a standby streaming from it (pg_basebackup), with synchronous replication: a
    commit returns once the standby has it, so a failover loses no committed transaction."""
    with private_postgres() as primary:
        home = _postgres_home()
        standby = PrivatePostgres(port=free_port(), home=home)
        try:
            _as_postgres(str(POSTGRES_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port),
                         "-U", "postgres", "-D", str(home / "data"), "-R", "-X", "stream")  # fmt: skip
            standby.start()
            primary.sql("ALTER SYSTEM SET synchronous_standby_names = '*'")
            primary.sql("SELECT pg_reload_conf()")
            yield primary, standby
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                standby.stop()
            shutil.rmtree(home, ignore_errors=True)


@dataclass
class PrivateRabbit:
    port: int
    home: Path
    node: str

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "HOME": str(self.home),  # its own Erlang cookie
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.home / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.home / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.home / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.home / "rabbitmq"),
        }

    def start(self, timeout: float = 60) -> None:
        subprocess.run(  # noqa: S603 (the machine's own RabbitMQ, with a test's environment)
            [str(RABBITMQ_BIN / "rabbitmq-server"), "-detached"],
            env=self._environment(), cwd=self.home, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while "Server startup complete" not in self._log():
            if time.monotonic() > deadline:
                raise RuntimeError(f"RabbitMQ node {self.node} did not start:\n{self._log()[-2000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        """A clean stop (SIGTERM to the Erlang VM), waited for."""
        pid_file = self.home / "mnesia" / f"{self.node}.pid"
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        (self.home / "log" / f"{self.node}.log").rename(self.home / "log" / f"{self.node}.{time.time_ns()}.log")

    def _log(self) -> str:
        path = self.home / "log" / f"{self.node}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def ctl(self, *args: str, timeout: float = 120) -> str:
        """`rabbitmqctl` against this node (as its own environment, cookie included); its output."""
        done = subprocess.run(  # noqa: S603 (the machine's own rabbitmqctl)
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *args],
            env=self._environment(), cwd=self.home, check=True, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        return done.stdout


@contextmanager
def private_rabbitmq(base: Path) -> Iterator[PrivateRabbit]:
    with private_rabbitmq_cluster(base, size=1) as [server]:
        yield server


@contextmanager
def private_rabbitmq_cluster(base: Path, size: int = 3) -> Iterator[list[PrivateRabbit]]:
    """`size` RabbitMQ nodes on this machine, clustered (the first started, the others joined to it),
    sharing an Erlang cookie; each with its own ports and data."""
    cookie = uuid.uuid4().hex
    cluster = uuid.uuid4().hex[:6]
    servers = []
    for index in range(size):
        home = base / f"rabbit-{cluster}-{index}"
        (home / "log").mkdir(parents=True)
        (home / "enabled_plugins").write_text("[].\n")
        (home / ".erlang.cookie").write_text(cookie)
        (home / ".erlang.cookie").chmod(0o400)
        port = free_port()
        (home / "rabbitmq.conf").write_text(f"listeners.tcp.default = {port}\nloopback_users = none\n")
        servers.append(PrivateRabbit(port=port, home=home, node=f"aftercare-{cluster}-{index}@localhost"))
    try:
        for server in servers:
            server.start()
            if server is not servers[0]:
                server.ctl("stop_app")
                server.ctl("join_cluster", servers[0].node)
                server.ctl("start_app")
        yield servers
    finally:
        for server in servers:
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # already stopped by the test
                server.stop()
