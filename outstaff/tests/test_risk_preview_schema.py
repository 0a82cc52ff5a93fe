"""The OpenAPI schema documents warn-before-saving (issue #12) wherever the server does it: the
`preview` query parameter and the `risk_preview` in the answer, on the single and the bulk writes of
assignments, contracts and workers — and nowhere else."""

import pytest
import yaml
from openapi_spec_validator import validate
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
PREVIEWED = ("/api/v1/assignments/", "/api/v1/contracts/", "/api/v1/workers/")


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate(document)
    return document


def _component(schema, ref):
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _answer(schema, operation, code):
    return _component(schema, operation["responses"][code]["content"]["application/json"]["schema"]["$ref"])


def _preview_items(schema, prop):
    assert prop["type"] == "array"
    item = _component(schema, prop["items"]["$ref"])
    assert {"change", "rule_code", "severity", "worker", "assignment", "summary", "evidence"} <= set(item["properties"])
    change = item["properties"]["change"]
    change_enum = _component(schema, change.get("$ref") or change["allOf"][0]["$ref"])
    assert change_enum["enum"] == ["opens", "reopens", "escalates"]
    evidence = _component(schema, item["properties"]["evidence"]["$ref"])
    assert {"summary", "facts", "observed", "sources"} <= set(evidence["properties"])
    return item


def _has_preview_parameter(operation):
    return any(p["in"] == "query" and p["name"] == "preview" for p in operation.get("parameters", []))


@pytest.mark.parametrize("base", PREVIEWED)
def test_single_writes_document_preview_and_risk_preview(schema, base):
    collection, item = schema["paths"][base], schema["paths"][base + "{id}/"]
    for operation, codes in ((collection["post"], ("201", "200")), (item["put"], ("200",)), (item["patch"], ("200",))):
        assert _has_preview_parameter(operation), operation["operationId"]
        for code in codes:
            answer = _answer(schema, operation, code)
            _preview_items(schema, answer["properties"]["risk_preview"])
            assert "id" in answer["properties"]  # the resource itself, plus risk_preview


@pytest.mark.parametrize("base", PREVIEWED)
def test_bulk_writes_document_preview_and_each_items_risk_preview(schema, base):
    operation = schema["paths"][base + "bulk/"]["post"]
    assert _has_preview_parameter(operation)
    answer = _answer(schema, operation, "200")
    assert answer["properties"]["preview"]["type"] == "boolean"
    _preview_items(schema, answer["properties"]["risk_preview"])
    result = _component(schema, answer["properties"]["results"]["items"]["$ref"])
    _preview_items(schema, result["properties"]["risk_preview"])


def test_writes_that_do_not_preview_do_not_claim_to(schema):
    for path in ("/api/v1/payroll-entries/bulk/", "/api/v1/teams/"):
        operation = schema["paths"][path]["post"]
        assert not _has_preview_parameter(operation), path
        for response in operation["responses"].values():
            ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            assert "risk_preview" not in _component(schema, ref).get("properties", {}) if ref else True
