"""Every operation of every service, fuzzed from its own OpenAPI description, in-process.

Valid and invalid inputs alike: never a 5xx, answers as declared, and a refused request
(a malformed, unsupported or unknown one) leaves nothing stored or sent.
"""

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
)

from pizza_common.contract.names import PORTS
from tests.fuzz.apps import CASES, build, repeatable, stored

EXAMPLES = 50
INVALID = frozenset({400, 404, 405, 413, 415, 422})
APPS = {service: build(service) for service in PORTS}
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance, negative_data_rejection]
schema = schemathesis.pytest.parametrize(
    **{
        service.replace("-", "_"): schemathesis.openapi.from_wsgi("/openapi/openapi.json", app)
        for service, app in APPS.items()
    }
)


@schema
@repeatable(EXAMPLES)
def test_no_operation_fails_or_breaks_its_contract(case: schemathesis.Case) -> None:
    app = case.operation.schema.app
    service = next(s for s, a in APPS.items() if a is app)
    before = stored(app)
    response = case.call()
    CASES[service] += 1
    case.validate_response(response, checks=CHECKS)
    if response.status_code in INVALID:
        assert stored(app) == before, f"{case.method} {case.formatted_path} answered {response.status_code}"
