"""Property-based fuzzing of the whole OpenAPI schema: no request may cause a server error."""

import schemathesis
from hypothesis import HealthCheck, settings

from server.main import create_app
from server.settings import Settings

# The fuzzer runs the app's lifespan around each call, and a worker's heavy processes start and
# end with its lifespan: here heavy requests are computed in the worker itself (the same routes;
# tests/server/test_heavy_processes.py checks both ways give the same bytes).
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(heavy_processes=False))
)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    case.call_and_validate(
        checks=[
            schemathesis.checks.not_a_server_error,
            schemathesis.checks.response_schema_conformance,
        ]
    )
