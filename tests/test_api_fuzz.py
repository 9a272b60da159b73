"""Every service's OpenAPI, the console's included, fuzzed by schemathesis: for each documented
operation, requests that fit the schema (positive data) and requests whose parameters or body break it
(negative data) never get a 5xx, each answer is one the operation documents, with the documented media
type and body, and negative data is refused with a 4xx.

The suite runs as `aftercare up` runs it, in a world of its own (what the fuzzing writes stays there),
with an administrator's token so that the guard lets the requests reach the routes. Bounded: a few
examples per operation and mode, the figures reported at the end of the run. The console's pages are no part
of its OpenAPI (they answer HTML to a browser's session): services/console/tests and
tests/test_console_browser.py cover them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

import services
from shared.identity import Role
from testkit.figures import report
from testkit.identities import bearer
from testkit.processes import aftercare_process, free_port, http_ports
from testkit.world import World, create_world, destroy_world

EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 30}
"""At most this many requests per operation and mode (more only to shrink a failure): the suite's ~125
operations take about two minutes."""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
REFUSED = [*CHECKS, negative_data_rejection]
"""Negative data also has to be refused (a 4xx: status_code_conformance then says whether documented)."""
FUZZER = bearer("Fuzzer", Role.ADMIN)
"""An administrator no fuzzed `PUT /people/{username}` can name (user names are lower case): changing
the person behind the token would revoke it in every service, and the rest of the fuzzing would meet
only 401s."""


@schemathesis.serializer("application/toml")
def _site_file(_: object, value: object) -> bytes:
    """A site file is text (shared/site_loading.py): whatever the fuzzer made of one, as UTF-8."""
    return value if isinstance(value, bytes) else str(value).encode()


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    world: World = create_world()
    ports = {name: free_port() for name in services.NAMES}
    env = {**os.environ, **world.environment(), **http_ports(ports)}
    try:
        with aftercare_process("up", env=env, log_dir=tmp_path_factory.mktemp("fuzz")) as up:
            urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
            deadline = time.monotonic() + 90
            while not all(_ready(url) for url in urls.values()):
                if time.monotonic() > deadline:
                    raise AssertionError(f"the suite was not ready within 90 s:\n{up.output()[-3000:]}")
                time.sleep(0.5)
            yield urls
            up.popen.terminate()
            up.popen.wait(60)
    finally:
        destroy_world(world)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module", params=services.NAMES)
def api_schema(request: pytest.FixtureRequest, suite: dict[str, str]) -> schemathesis.BaseSchema:
    url = suite[request.param]
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    schema.config.update(base_url=url, headers=FUZZER)
    # A body over the services' limit is refused before it is read (413), as invalid data may be.
    schema.config.checks.negative_data_rejection.expected_statuses.append("413")
    return schema


def test_no_operation_answers_a_server_error_or_what_it_does_not_document(
    api_schema: schemathesis.BaseSchema,
) -> None:
    started = time.monotonic()
    failures: list[str] = []
    sent = dict.fromkeys(EXAMPLES, 0)
    operations = 0
    nothing_to_negate: list[str] = []
    for result in api_schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"an operation the schema cannot describe: {result.err()}")
            continue
        operation = result.ok()
        operations += 1
        for mode in EXAMPLES:
            try:
                _fuzz(operation, mode, sent)
            except hypothesis.errors.Unsatisfiable as unsatisfiable:
                if mode.is_negative:  # parameters and body (if any) every value fits, e.g. none at all
                    nothing_to_negate.append(operation.label)
                else:
                    failures.append(f"{operation.label}: no valid request could be made: {unsatisfiable}")
            except (Exception, BaseExceptionGroup) as failure:  # each operation's first failure, not only the first's
                failures.append(f"{operation.label} ({mode.value} data): {str(failure)[:1500]}")
    report(
        f"{api_schema.title}: {operations} operations fuzzed in {time.monotonic() - started:.0f} s, "
        + ", ".join(f"{count} {mode.value} requests (at most {EXAMPLES[mode]} each)" for mode, count in sent.items())
        + f", {len(failures)} failures; no negative data possible for: {', '.join(nothing_to_negate) or 'none'}"
    )
    assert not failures, "\n\n".join(failures)


def _fuzz(operation: schemathesis.APIOperation, mode: GenerationMode, sent: dict[GenerationMode, int]) -> None:
    """Requests of one mode for one operation, each answer checked and counted in `sent`."""

    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis.settings(
        max_examples=EXAMPLES[mode], deadline=None, derandomize=True, suppress_health_check=list(hypothesis.HealthCheck)
    )
    def fuzz(case: Case) -> None:
        sent[mode] += 1
        case.call_and_validate(checks=REFUSED if mode.is_negative else CHECKS)

    fuzz()
