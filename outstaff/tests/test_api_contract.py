"""Issue 9: the API contract is exact, and nothing makes it answer 500.

The schema validates and documents errors, headers, scopes, enums and nullability for every
operation; the four kinds of 500 are 4xx problem JSON; refusals say what is wrong; rate limits per
key (failing open when the cache is down)."""

import base64
import json

import pytest
import yaml
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from accounts.tests.factories import ClientFactory, make_actor
from outstaff.api.bulk import BulkResponseSerializer
from outstaff.api.examples import RESOURCE_EXAMPLES
from outstaff.api.history import HistoryEntrySerializer
from providers.tests.factories import ProviderFactory
from risks.api.serializers import RetentionReportSerializer
from risks.rules import RULES
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db
WORKERS = "/api/v1/workers/"
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def schema(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# --- 1. the schema validates ------------------------------------------------------------------------
def test_the_schema_validates_as_openapi_3(schema):
    validate(schema)


def test_the_schema_generates_without_a_warning(tmp_path):
    """As CI runs it (`--fail-on-warn`): e.g. two components of one name are a warning."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


# --- 2. every operation documents errors, headers, scope ----------------------------------------------
# POSTs that answer with a secret shown once: a replay would have to store it.
NOT_REPLAYED = {("post", "/api/v1/api-keys/"), ("post", "/api/v1/webhook-endpoints/")}
NOT_REPLAYED.add(("post", "/api/v1/webhook-endpoints/{id}/rotate-secret/"))


def _header_names(operation):
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


def test_every_operation_documents_problem_errors_headers_and_its_scope(schema):
    operations = list(_operations(schema))
    assert len(operations) > 100
    paths = {path for path, _, _ in operations}
    limits = f"{settings.API_RATE_LIMIT} per API key; {settings.API_BURST_RATE_LIMIT} per API key in bursts"
    assert "/api/v1/deletions/" in paths and "/api/v1/workers/{id}/history/" in paths
    for path, method, operation in operations:
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        errors = {"401", "403", "406", "429"} | ({"404"} if "{" in path else set())
        if method != "get":
            errors |= {"400", "413", "415"}
        for status in errors:
            content = responses[status]["content"]
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}, (
                where,
                status,
            )
        assert "Retry-After" in responses["429"]["headers"], where
        assert limits in responses["429"]["description"], where
        for code, response in responses.items():
            if code != "414":  # the HTTP server's own refusal, before the application
                assert "RateLimit-Remaining" in response.get("headers", {}), (where, code)
        assert "text/html" in responses["414"]["content"], where
        headers = _header_names(operation)
        object_write = "{" in path and method != "get"
        if object_write:
            assert "If-Match" in headers and "412" in responses, where
        if method == "post" and (method, path) not in NOT_REPLAYED:
            assert "Idempotency-Key" in headers and "422" in responses, where
        if method == "get" and "{" in path and not path.endswith(("/history/", "/export/")):
            assert "If-None-Match" in headers and "304" in responses, where
            assert "ETag" in responses["200"]["headers"], where
        if object_write or (method == "post" and path.count("/") == 4):  # an object's write, a create
            success = next(code for code in responses if code.startswith("2"))
            assert success == "204" or "ETag" in responses[success]["headers"], where
        if "ETag" in json.dumps(responses.get("200", {}).get("headers", {})):
            assert "{" in path or method == "post", f"{where}: a list documents no ETag"
            assert not path.endswith(("/history/", "/export/", "/bulk/")), f"{where} sends no ETag"
        # The security requirement names the scope(s): one per requirement, any of them will do.
        scopes = [requirement["apiKeyBearer"] for requirement in operation["security"] if "apiKeyBearer" in requirement]
        assert scopes and all(len(scope) == 1 for scope in scopes), where
        access = {scope[0].split(":")[1] for scope in scopes}
        assert access == {"read" if method == "get" else "write"}, where
    deletions = schema["paths"]["/api/v1/deletions/"]["get"]["security"]
    assert {"apiKeyBearer": ["workers:read"]} in deletions and {"apiKeyBearer": ["payroll:read"]} in deletions


def _assert_choices_are_enums(serializer, components, seen=None) -> int:
    """Every choice field of `serializer` and of the serializers nested in it is an enum in its
    component; returns how many were checked."""
    from rest_framework import serializers

    seen = set() if seen is None else seen
    name = type(serializer).__name__.removesuffix("Serializer")
    component = components.get(name)
    if component is None or name in seen:
        return 0
    seen.add(name)
    checked = 0
    for field_name, field in serializer.fields.items():
        field = getattr(field, "child", field)  # a list of choices or of nested objects
        if isinstance(field, serializers.ChoiceField) and field_name in component["properties"]:
            checked += 1
            assert "Enum" in json.dumps(component["properties"][field_name]), (name, field_name)
        elif isinstance(field, serializers.Serializer):
            checked += _assert_choices_are_enums(field, components, seen)
    return checked


def test_every_choice_field_and_choice_filter_is_an_enum(schema):
    """Walk every operation's view: a filter or serializer field whose values are a fixed set (rule
    codes, categories, severities, statuses, exit reasons, event types, ...) must say which."""
    from django_filters import ChoiceFilter, MultipleChoiceFilter
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator()
    generator.parse(None, True)
    components = schema["components"]["schemas"]
    choice_filters = enum_fields = 0
    for path, _, method, callback in generator.endpoints:
        view = callback.cls
        filterset_class = getattr(view, "filterset_class", None)
        operation = schema["paths"].get(path, {}).get(method.lower())
        if filterset_class is not None and operation is not None and method == "GET" and "{" not in path:
            parameters = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
            for name, filter_ in filterset_class.base_filters.items():
                if isinstance(filter_, (ChoiceFilter, MultipleChoiceFilter)):
                    choice_filters += 1
                    values = parameters[name].get("enum") or parameters[name].get("items", {}).get("enum")
                    assert values, f"GET {path} ?{name}= has no enum"
        serializer_class = getattr(view, "serializer_class", None)
        if serializer_class is not None:
            enum_fields += _assert_choices_are_enums(serializer_class(), components)
    for extra in (BulkResponseSerializer, HistoryEntrySerializer, RetentionReportSerializer):
        enum_fields += _assert_choices_are_enums(extra(), components)
    assert choice_filters > 20 and enum_fields > 30, (choice_filters, enum_fields)
    for name in ("RuleCodeEnum", "SeverityEnum", "CategoryEnum", "ExitReasonEnum", "WebhookEventTypeEnum"):
        assert components[name]["enum"], name
    assert "ResourceTypeEnum" in json.dumps(components["Tombstone"]["properties"]["resource_type"])
    assert "ChecklistCodeEnum" in json.dumps(components["ChecklistItem"]["properties"]["code"])
    assert "Enum" in json.dumps(components["ApiKey"]["properties"]["scopes"])


@pytest.mark.parametrize(
    "component", ["Worker", "Contract", "Assignment", "PayrollEntry", "ComplianceItem", "RiskFlag"]
)
def test_the_main_resources_have_examples(schema, component):
    example = schema["components"]["schemas"][component]["example"]
    assert example == {**example, **RESOURCE_EXAMPLES[component]}  # the curated values, every one still a field
    assert set(example) == set(schema["components"]["schemas"][component]["properties"])


def test_every_example_is_valid_against_its_own_schema(schema):
    from openapi_schema_validator import OAS30Validator

    components = schema["components"]["schemas"]
    examples = {name: component["example"] for name, component in components.items() if "example" in component}
    assert len(examples) > 60
    for name, example in examples.items():
        validator = OAS30Validator({"$ref": f"#/components/schemas/{name}", "components": schema["components"]})
        errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(example)]
        assert not errors, (name, errors[:3])


def test_conditional_and_idempotency_headers_are_documented(schema):
    header_names = _header_names

    worker = schema["paths"]["/api/v1/workers/{id}/"]
    assert "If-None-Match" in header_names(worker["get"]) and "304" in worker["get"]["responses"]
    assert "ETag" in worker["get"]["responses"]["200"]["headers"]
    for method in ("put", "patch"):
        assert "If-Match" in header_names(worker[method]) and "412" in worker[method]["responses"]
    offboard = schema["paths"]["/api/v1/workers/{id}/offboard/"]["post"]
    assert "If-Match" in header_names(offboard)
    create = schema["paths"]["/api/v1/workers/"]["post"]
    assert "Idempotency-Key" in header_names(create) and "422" in create["responses"]
    assert "Idempotent-Replayed" in create["responses"]["201"]["headers"]
    # API keys and webhook endpoints show a secret once: no replay, so no Idempotency-Key.
    assert "Idempotency-Key" not in header_names(schema["paths"]["/api/v1/api-keys/"]["post"])
    # A resource that only POSTs to its actions has no list POST in the contract.
    assert "post" not in schema["paths"]["/api/v1/risk-flags/"]


def test_choices_are_enums_and_nullable_fields_are_declared(schema):
    components = schema["components"]["schemas"]
    rule_filter = next(
        p for p in schema["paths"]["/api/v1/risk-flags/"]["get"]["parameters"] if p["name"] == "rule_code"
    )
    assert sorted(rule_filter["schema"]["enum"]) == sorted(RULES) and len(RULES) >= 17
    assert sorted(components["RuleCodeEnum"]["enum"]) == sorted(RULES)
    assert "WebhookEventTypeEnum" in components and "ExitReasonEnum" in components
    for name, field in [
        ("Screening", "worker"),
        ("Screening", "decided_by"),
        ("Candidate", "worker"),
        ("ComplianceItem", "verified_by"),
        ("ApiKey", "created_by"),
        ("ChecklistItem", "checked_at"),
        ("Scorecard", "notes"),
    ]:
        assert "null" in json.dumps(components[name]["properties"][field]), (name, field)
    exit_reason = json.dumps(components["Worker"]["properties"]["exit_reason"])
    assert "BlankEnum" in exit_reason
    assert components["Worker"]["example"]["work_email"] == "ada.lovelace@example.com"


def test_bounds_the_server_enforces_are_in_the_schema(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/metrics/retention"]["get"]["parameters"]}
    assert parameters["months"]["schema"]["minimum"] == 1 and parameters["months"]["schema"]["maximum"] == 36
    assert sorted(parameters["group_by"]["schema"]["enum"]) == ["client", "country", "provider", "role", "team"]
    for path, _, operation in _operations(schema):
        parameters = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if "page_size" in parameters:
            assert parameters["page_size"]["minimum"] == 1, path
        if path.endswith("/history/"):
            assert parameters["before"]["minimum"] == 1 and parameters["before"]["maximum"] == 2**63 - 1, path


@pytest.mark.parametrize("value", ["0", "-1", "x", "²", "1.5"])
def test_a_page_size_or_history_position_out_of_bounds_is_a_400_naming_it(client_api, value):
    body = _problem(client_api.get(WORKERS, {"page_size": value}), 400)
    assert body["errors"][0]["field"] == "page_size"
    worker_id = client_api.get(WORKERS).json()["results"][0]["id"]
    history = f"{WORKERS}{worker_id}/history/"
    for name in ("before", "page_size"):
        assert _problem(client_api.get(history, {name: value}), 400)["errors"][0]["field"] == name
    _problem(client_api.get(history, {"before": str(2**63)}), 400)
    # More than the most is capped, not refused.
    assert client_api.get(WORKERS, {"page_size": "100000"}).status_code == 200
    assert client_api.get(history, {"page_size": "100000", "before": str(2**63 - 1)}).status_code == 200


# --- 3. the four kinds of 500 --------------------------------------------------------------------------
@pytest.fixture
def client_api(api_key_client):
    organization = ClientFactory()
    WorkerFactory(client=organization)
    return api_key_client(organization, ["workers:write"])


@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+23:59"])
def test_updated_since_with_an_offset_postgres_cannot_hold_is_a_400(client_api, offset):
    body = _problem(client_api.get(WORKERS, {"updated_since": f"2026-01-01T00:00:00{offset}"}), 400)
    assert body["errors"][0]["field"] == "updated_since"


def test_updated_since_with_a_real_offset_is_compared_in_utc(client_api):
    assert len(client_api.get(WORKERS, {"updated_since": "2000-01-01T00:00:00+14:00"}).json()["results"]) == 1
    assert client_api.get(WORKERS, {"updated_since": "2999-01-01T00:00:00-12:00"}).json()["results"] == []


def test_json_nested_1000_deep_is_a_400_problem(client_api):
    deep = "[" * 1000 + "]" * 1000
    body = _problem(client_api.generic("POST", WORKERS, deep, content_type="application/json"), 400)
    assert "nested deeper" in body["detail"]
    nested = "x"
    for _ in range(40):
        nested = [nested]
    _problem(client_api.post(WORKERS, {"first_name": nested}, format="json"), 400)


def test_a_body_over_the_upload_limit_is_a_413_problem(client_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client_api.post(WORKERS, {"first_name": "x" * 2000}, format="json")
    body = _problem(response, 413)
    assert "1000 bytes" in body["detail"]


def test_too_many_parameters_or_form_fields_is_a_400_problem_not_an_html_page(client_api):
    many = "&".join(f"f{index}=1" for index in range(1100))
    body = _problem(client_api.get(f"{WORKERS}?{many}"), 400)
    assert "more than 1000 parameters" in body["detail"]
    form = client_api.generic("POST", f"{WORKERS}bulk/", many, content_type="application/x-www-form-urlencoded")
    assert "more than 1000 parameters" in _problem(form, 400)["detail"]


@pytest.mark.parametrize(
    "cursor",
    ["garbage!", base64.b64encode(b"p=not-a-date").decode(), base64.b64encode(b"o=-1").decode(), "w6k="],
)
def test_every_bad_cursor_is_the_same_400_problem(client_api, cursor):
    body = _problem(client_api.get(WORKERS, {"cursor": cursor}), 400)
    assert body["errors"] == [{"field": "cursor", "message": body["errors"][0]["message"]}]
    assert "Invalid cursor" in body["detail"]


# --- 6. clear refusals -----------------------------------------------------------------------------------
def test_a_403_names_the_missing_scope(api_key_client):
    worker = WorkerFactory()
    api = api_key_client(worker.client, ["workers:read"])
    body = _problem(api.patch(f"{WORKERS}{worker.id}/", {"first_name": "x"}, format="json"), 403)
    assert "needs workers:write" in body["detail"]
    body = _problem(api.get("/api/v1/payroll-entries/"), 403)
    assert "needs payroll:read" in body["detail"]
    viewer = APIClient()
    viewer.force_login(make_actor(worker.client, role="viewer").user)
    body = _problem(viewer.patch(f"{WORKERS}{worker.id}/", {"first_name": "x"}, format="json"), 403)
    assert "needs workers:write" in body["detail"] and "viewer" in body["detail"]


def test_an_idempotency_key_reused_with_another_body_is_a_422_and_changes_nothing(api_key_client):
    organization, provider = ClientFactory(), ProviderFactory()
    api = api_key_client(organization, ["workers:write"])
    payload = {"first_name": "Ada", "last_name": "L", "work_email": "ada@example.test", "country": "DE"}
    payload["provider"] = str(provider.pk)
    assert api.post(WORKERS, payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    other = {**payload, "first_name": "Grace", "work_email": "grace@example.test"}
    body = _problem(api.post(WORKERS, other, format="json", HTTP_IDEMPOTENCY_KEY="k-1"), 422)
    assert "Idempotency-Key" in body["detail"]
    assert [w["first_name"] for w in api.get(WORKERS).json()["results"]] == ["Ada"]


def test_every_post_honours_an_idempotency_key_actions_and_bulk_too(api_key_client):
    worker = WorkerFactory(status="active")
    api = api_key_client(worker.client, ["workers:write"])
    url = f"{WORKERS}{worker.id}/offboard/"
    payload = {"exit_date": "2026-06-30", "exit_reason": "voluntary"}
    first = api.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="off-1")
    assert first.status_code == 200, first.content
    events = worker.events.count()
    again = api.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY="off-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and worker.events.count() == events  # nothing ran twice
    other = {**payload, "exit_date": "2026-07-31"}
    _problem(api.post(url, other, format="json", HTTP_IDEMPOTENCY_KEY="off-1"), 422)
    worker.refresh_from_db()
    assert str(worker.exit_date) == "2026-06-30"
    # The same key on another path is another request: refused, not replayed.
    _problem(api.post(f"{WORKERS}{worker.id}/activate/", {}, format="json", HTTP_IDEMPOTENCY_KEY="off-1"), 422)

    items = {"items": [{"external_id": "HR-9", "first_name": "Changed"}]}
    worker.external_id = "HR-9"
    worker.save()
    bulk = api.post(f"{WORKERS}bulk/", items, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert bulk.status_code == 200 and bulk.json()["updated"] == 1, bulk.content
    replay = api.post(f"{WORKERS}bulk/", items, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == bulk.json()
    # A stored error answer (nothing applied under atomic=true) replays as the same problem.
    bad = {"items": [{"external_id": "HR-9", "work_email": "not an email"}]}
    refused = api.post(f"{WORKERS}bulk/?atomic=true", bad, format="json", HTTP_IDEMPOTENCY_KEY="bulk-2")
    _problem(refused, 400)
    again = api.post(f"{WORKERS}bulk/?atomic=true", bad, format="json", HTTP_IDEMPOTENCY_KEY="bulk-2")
    assert _problem(again, 400) == refused.json() and again["Idempotent-Replayed"] == "true"


def test_secrets_shown_once_are_never_replayed(api_key_client):
    organization = ClientFactory()
    api = api_key_client(organization, ["api_keys:write"])
    first = api.post("/api/v1/api-keys/", {"name": "a", "scopes": ["api_keys:write"]}, HTTP_IDEMPOTENCY_KEY="s")
    second = api.post("/api/v1/api-keys/", {"name": "a", "scopes": ["api_keys:write"]}, HTTP_IDEMPOTENCY_KEY="s")
    assert first.status_code == second.status_code == 201
    assert first.json()["key"] != second.json()["key"] and "Idempotent-Replayed" not in second


def test_object_actions_answer_with_the_objects_etag(api_key_client):
    organization = ClientFactory()
    api = api_key_client(organization, ["api_keys:write"])
    created = api.post("/api/v1/api-keys/", {"name": "a", "scopes": ["api_keys:write"]}).json()
    revoked = api.post(f"/api/v1/api-keys/{created['id']}/revoke/")
    assert revoked.status_code == 200 and revoked["ETag"] == api.get(f"/api/v1/api-keys/{created['id']}/")["ETag"]


def test_erasure_is_on_the_base_stale_if_match_is_412_and_a_retry_replays(api_key_client):
    worker = WorkerFactory(status="offboarded", exit_date="2026-06-30", exit_reason="voluntary")
    api = api_key_client(worker.provider.organization, ["workers:write"])
    url = f"{WORKERS}{worker.id}/erase/"
    etag = api.get(f"{WORKERS}{worker.id}/")["ETag"]
    api.patch(f"{WORKERS}{worker.id}/", {"role_title": "Changed meanwhile"}, format="json")
    _problem(api.post(url, {"reason": "Request"}, format="json", HTTP_IF_MATCH=etag), 412)
    worker.refresh_from_db()
    assert worker.erased_at is None
    first = api.post(url, {"reason": "Request"}, format="json", HTTP_IDEMPOTENCY_KEY="erase-1")
    assert first.status_code == 200 and first["ETag"], first.content
    retry = api.post(url, {"reason": "Request"}, format="json", HTTP_IDEMPOTENCY_KEY="erase-1")
    assert retry.status_code == 200 and retry.json() == first.json()  # not "already erased"


def test_if_none_match_with_the_current_etag_is_a_304(api_key_client):
    worker = WorkerFactory()
    api = api_key_client(worker.client, ["workers:write"])
    url = f"{WORKERS}{worker.id}/"
    etag = api.get(url)["ETag"]
    not_modified = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b"" and not_modified["ETag"] == etag
    assert api.get(url, HTTP_IF_NONE_MATCH='"other", ' + etag).status_code == 304
    api.patch(url, {"first_name": "Changed"}, format="json")
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


# --- 5. rate limits per API key ----------------------------------------------------------------------------
@pytest.fixture
def small_limits(settings):
    cache.clear()
    settings.API_RATE_LIMIT = "5/hour"
    settings.API_BURST_RATE_LIMIT = "3/min"
    settings.API_SESSION_RATE_LIMIT = "4/min"
    yield settings
    cache.clear()


def test_a_key_over_its_burst_limit_gets_429_with_retry_after_and_problem_json(small_limits, api_key_client):
    organization = ClientFactory()
    api = api_key_client(organization, ["workers:read"])
    other_key = api_key_client(organization, ["workers:read"])
    remaining = [api.get(WORKERS)["RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = api.get(WORKERS)
    body = _problem(refused, 429)
    assert int(refused["Retry-After"]) >= 1 and "throttled" in body["detail"].lower()
    # Per key: another key of the same organization is not slowed.
    assert other_key.get(WORKERS).status_code == 200


def test_the_sustained_limit_applies_per_key(small_limits, api_key_client):
    small_limits.API_BURST_RATE_LIMIT = "100/min"
    api = api_key_client(ClientFactory(), ["workers:read"])
    assert [api.get(WORKERS).status_code for _ in range(6)] == [200] * 5 + [429]


def test_browser_sessions_are_not_slowed_by_key_limits(small_limits):
    user = make_actor(ClientFactory()).user
    browser = APIClient()
    browser.force_login(user)
    assert [browser.get(WORKERS).status_code for _ in range(4)] == [200] * 4
    assert browser.get(WORKERS).status_code == 429  # only past its own, much higher, ceiling


def test_rate_limits_fail_open_when_the_cache_is_down(small_limits, api_key_client):
    api = api_key_client(ClientFactory(), ["workers:read"])
    nothing_listens = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    with override_settings(CACHES={"default": nothing_listens}):
        assert [api.get(WORKERS).status_code for _ in range(5)] == [200] * 5


def test_a_providers_narrower_view_is_valid_against_the_schema_too(schema, api_key_client):
    """Assignments and screenings answer a provider with fewer fields (DESIGN §9): the response
    components describe both shapes, so a provider's real answer validates (the fuzz found it did not)."""
    from openapi_schema_validator import OAS30Validator

    from assignments.tests.factories import AssignmentFactory
    from screening.tests.factories import ScreeningFactory

    assignment = AssignmentFactory()
    provider = assignment.worker.provider
    ScreeningFactory(client=assignment.client, provider=provider, status="passed")
    api = api_key_client(provider.organization, ["assignments:read", "screening:read"])
    components = schema["components"]
    for url, component in (("/api/v1/assignments/", "Assignment"), ("/api/v1/screenings/", "Screening")):
        rows = api.get(url).json()["results"]
        assert rows, url
        validator = OAS30Validator({"$ref": f"#/components/schemas/{component}", "components": components})
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(rows[0])]
        assert not errors, (url, errors[:3])
    properties = components["schemas"]["Assignment"]["properties"]
    assert "Not in a provider's view." in properties["team"]["description"]
    assert "Only in a provider's view." in properties["client_name"]["description"]


def test_a_provider_cannot_create_or_change_a_screening(api_key_client):
    from screening.tests.factories import ScreeningFactory

    screening = ScreeningFactory(status="passed")
    provider = screening.provider or ProviderFactory()
    api = api_key_client(provider.organization, ["screening:write", "workers:write"])
    created = api.post("/api/v1/screenings/", {}, format="json")
    body = _problem(created, 403)
    assert "providers read its outcome" in body["detail"]
