"""Schemathesis over the whole OpenAPI schema of the app, as a patient and as an operator.

Every operation gets a few derandomised examples, valid (positive) and invalid (negative), so the run is
bounded and repeatable. No answer may be a server error, and every answer must match the schema the
operation documents. The run stays inside the test's rolled-back transaction (the `app` fixture), on
PostgreSQL: it is the stricter database (int4 and bigint overflow, NUL bytes, NaN)."""
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from healthhub.identity.roles import Role

EXAMPLES_PER_MODE = 3
CHECKS = [not_a_server_error, response_schema_conformance]


def _exercise(operation, headers: dict, tally: Counter, failures: list[str]) -> None:
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        @settings(max_examples=EXAMPLES_PER_MODE, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            tally["cases"] += 1
            try:
                response = case.call(headers=headers, timeout=120)  # the 2-core CI box can be slow
            except Exception as exc:  # noqa: BLE001 - the in-process app raised: a server error
                tally["server errors"] += 1
                failures.append(f"{operation.label} [{mode.value}] raised {exc!r}"[:600])
                return
            if response.status_code >= 500:
                tally["server errors"] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as failure:
                failures.append(f"{operation.label} [{mode.value}] -> {response.status_code}: "
                                + " | ".join(str(failure).splitlines()[:14])[:900])

        try:
            run()
        except Unsatisfiable:
            pass  # nothing in this operation can be made invalid (no parameters, or only an enum path)
        except Exception as exc:  # noqa: BLE001 - a generation problem is a finding, reported with the rest
            failures.append(f"{operation.label} [{mode.value}] could not run: {exc!r}"[:500])


@pytest.mark.pg_only
def test_no_server_errors_and_no_schema_violations(app, make_user, backend):
    if backend != "postgresql":
        pytest.skip("one database is enough for the fuzzing run; PostgreSQL is the strict one")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    identities = {role: make_user(role)[1] for role in (Role.PATIENT, Role.OPERATOR)}
    tally: Counter = Counter()
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for role, headers in identities.items():
        for operation in operations:
            _exercise(operation, headers, tally, failures)
    print(f"\nschemathesis: {len(operations)} operations x {len(identities)} roles, {tally['cases']} cases, "
          f"{tally['server errors']} server errors, {len(failures)} failing checks")
    assert not failures, "\n".join(failures)
