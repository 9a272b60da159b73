"""The local servers the tests run against, and where the repository's own files are.

Each can be pointed elsewhere with an `AFTERCARE_TEST_*` variable. Every database, virtual host, role
and user a test creates is named with `TEST_NAME_PREFIX`, so cleanup can refuse anything else.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from shared.messaging.topology import MAX_MESSAGE_BYTES

POSTGRES_URL = os.environ.get("AFTERCARE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
AMQP_BASE_URL = os.environ.get("AFTERCARE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
BROKER_ADMIN_URL = os.environ.get("AFTERCARE_TEST_BROKER_ADMIN_URL", "http://guest:guest@127.0.0.1:15672")
RABBITMQCTL = os.environ.get("AFTERCARE_TEST_RABBITMQCTL", "rabbitmqctl")
TEST_NAME_PREFIX = "aftercare_test_"

REPOSITORY = Path(__file__).resolve().parent.parent
LOAD_TEST_SITE = REPOSITORY / "tests" / "sites" / "load-test.toml"


def rabbitmqctl(*args: str, check: bool = True) -> None:
    """Run `rabbitmqctl -q ARGS` (virtual hosts and users are the broker's own administration)."""
    if shutil.which(RABBITMQCTL) is None:
        raise RuntimeError(f"{RABBITMQCTL} not found: tests create their own RabbitMQ virtual host with it")
    subprocess.run([RABBITMQCTL, "-q", *args], check=check, capture_output=True, timeout=60)  # noqa: S603


@contextmanager
def broker_taking_up_to(size: int) -> Iterator[None]:
    """The local broker's largest message body, `size` bytes, for what a broker configured otherwise than
    ours would let through (scripts/local-services sets it to the suite's limit); restored after. Only
    channels opened meanwhile take the new size."""
    rabbitmqctl("eval", f"application:set_env(rabbit, max_message_size, {size}).")
    try:
        yield
    finally:
        rabbitmqctl("eval", f"application:set_env(rabbit, max_message_size, {MAX_MESSAGE_BYTES}).")
