"""Every request schema carries an example, and "Try it out" with it gives a 200 answer."""

import pytest
from fastapi.testclient import TestClient

from server.main import create_app

CLIENT = TestClient(create_app())
SCHEMA = CLIENT.get("/openapi.json").json()


def _resolve(schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref:
        return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def _json_operations():
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                yield pytest.param(method, path, content["application/json"], id=f"{method} {path}")


OPERATIONS = list(_json_operations())


def test_the_api_has_json_operations():
    assert len(OPERATIONS) >= 15


@pytest.mark.parametrize(("method", "path", "content"), OPERATIONS)
def test_each_example_is_answered_with_200(method, path, content):
    schema = _resolve(content["schema"])
    examples = schema.get("examples") or ([content["example"]] if "example" in content else []) + [
        e["value"] for e in content.get("examples", {}).values()
    ]
    assert examples, f"{path}: the request schema has no example"
    for example in examples:
        response = CLIENT.request(method.upper(), path, json=example)
        assert response.status_code == 200, (path, example, response.text[:500])


def test_every_response_field_is_described():
    missing = []
    for name, component in SCHEMA["components"]["schemas"].items():
        if name.endswith("Request") or name in {"HTTPValidationError", "ValidationError"}:
            continue
        for field, spec in component.get("properties", {}).items():
            if "description" not in spec and "$ref" not in spec:
                missing.append(f"{name}.{field}")
    assert missing == [], f"response fields without a description: {missing}"
