"""Every service's OpenAPI, fuzzed by schemathesis: requests generated from each documented operation
(valid ones and, for their bodies and parameters, invalid ones) never get a 5xx, and each answer is one
the operation documents, with the documented media type and body.

The suite runs as `aftercare up` runs it, in a world of its own (what the fuzzing writes stays there),
with an administrator's token so that the guard lets the requests reach the routes. Bounded: a few
examples per operation.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok

import services
from testkit.identities import ADMIN
from testkit.processes import aftercare_process, free_port, http_ports
from testkit.world import World, create_world, destroy_world

EXAMPLES = 40
FUZZED = tuple(name for name in services.NAMES if name != "console")  # the console's API is its sign-in


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


@pytest.fixture(scope="module", params=FUZZED)
def api_schema(request: pytest.FixtureRequest, suite: dict[str, str]) -> schemathesis.BaseSchema:
    url = suite[request.param]
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    schema.config.update(base_url=url, headers=ADMIN)
    return schema


def test_no_operation_answers_a_server_error_or_what_it_does_not_document(
    api_schema: schemathesis.BaseSchema,
) -> None:
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"an operation the schema cannot describe: {result.err()}")
            continue
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @hypothesis.settings(
            max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(hypothesis.HealthCheck)
        )
        def fuzz(case: Case) -> None:
            case.call_and_validate(checks=checks)

        try:
            fuzz()
        except (Exception, BaseExceptionGroup) as failure:  # each operation's first failure, not only the first's
            failures.append(f"{operation.label}: {str(failure)[:1500]}")
    assert not failures, "\n\n".join(failures)
