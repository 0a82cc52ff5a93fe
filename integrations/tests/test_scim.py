"""SCIM 2.0 at /scim/v2/ (issue 8, point 7): tenancy, filters and paging, provisioning and
deprovisioning through the worker services, errors in the SCIM format, constant query counts.
The protocol itself is checked by the independent checker in test_scim_checker.py."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.services import api_key_create
from accounts.tests.factories import UserFactory
from assignments.tests.factories import AssignmentFactory
from integrations.models import ScimIdentity, WebhookEvent
from outstaff.models import Tombstone
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

USERS = "/scim/v2/Users"
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    def __init__(self, client, organization=None, scopes=("scim:write",)):
        self.client = client
        self.headers = {}
        if organization is not None:
            _, raw_key = api_key_create(organization=organization, name="IdP", scopes=list(scopes))
            self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}

    def _send(self, method, path, body=None, **params):
        kwargs = {"content_type": "application/scim+json", **self.headers}
        if body is not None:
            kwargs["data"] = json.dumps(body)
        if params:
            return self.client.get(path, params, **self.headers)
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path, **params):
        return self.client.get(path, params, **self.headers)

    def post(self, path, body):
        return self._send("post", path, body)

    def put(self, path, body):
        return self._send("put", path, body)

    def patch(self, path, operations):
        return self._send("patch", path, {"schemas": [PATCH], "Operations": operations})

    def delete(self, path):
        return self._send("delete", path)


def _user(**overrides):
    user = {
        "schemas": [CORE, ENTERPRISE],
        "userName": "ada.l@idp.test",
        "externalId": "okta-00u1",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "title": "Data engineer",
        "active": True,
        "emails": [{"value": "ada@work.test"}],
        "addresses": [{"country": "de"}],
        ENTERPRISE: {"employeeNumber": "HR-7", "organization": "Acme Robotics"},
    }
    user.update(overrides)
    return user


@pytest.fixture
def acme(tenants):
    tenants["client_a"].name = "Acme Robotics"
    tenants["client_a"].save()
    return tenants


def _assert_scim_error(response, status, scim_type=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == [ERROR] and str(body["status"]) == str(status) and body.get("detail")
    if scim_type:
        assert body["scimType"] == scim_type


def test_provisioning_creates_a_worker_through_the_worker_services(acme, client, endpoint_factory):
    endpoint_factory(organization=acme["provider_p"])
    scim = Scim(client, acme["provider_p"])
    response = scim.post(USERS, _user())
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(f"/scim/v2/Users/{body['id']}")
    worker = Worker.objects.get(id=body["id"])
    assert (worker.first_name, worker.last_name, worker.work_email, worker.country) == (
        "Ada",
        "Lovelace",
        "ada@work.test",
        "DE",
    )
    assert (worker.external_id, worker.role_title, worker.status) == ("HR-7", "Data engineer", "onboarding")
    assert worker.client == acme["client_a"] and worker.provider == acme["mine"].provider
    assert body["userName"] == "ada.l@idp.test" and body["externalId"] == "okta-00u1"
    assert body[ENTERPRISE]["employeeNumber"] == "HR-7" and body[ENTERPRISE]["organization"] == "Acme Robotics"
    assert body["active"] is True and body["meta"]["resourceType"] == "User"
    # The same service as every other path: check-ins scheduled on start, a webhook event recorded.
    assert WebhookEvent.objects.filter(type="worker.changed").exists()
    # GET returns what was written.
    assert scim.get(f"{USERS}/{worker.id}").json()["name"] == {"givenName": "Ada", "familyName": "Lovelace"}


def test_bad_input_is_a_scim_400_and_creates_nothing(acme, client):
    scim = Scim(client, acme["provider_p"])
    before = Worker.objects.count()
    _assert_scim_error(scim.post(USERS, _user(addresses=[{"country": "Germany"}])), 400, "invalidValue")
    _assert_scim_error(scim.post(USERS, _user(emails=[{"value": "not-an-email"}])), 400, "invalidValue")
    missing_org = _user()
    missing_org[ENTERPRISE] = {"employeeNumber": "HR-8", "organization": "Nobody Inc"}
    _assert_scim_error(scim.post(USERS, missing_org), 400, "invalidValue")
    no_name = _user()
    del no_name["name"]
    _assert_scim_error(scim.post(USERS, no_name), 400)
    response = client.post(USERS, "{not json", content_type="application/scim+json", **scim.headers)
    _assert_scim_error(response, 400, "invalidSyntax")
    assert Worker.objects.count() == before and not ScimIdentity.objects.exists()
    # userName is unique per provider.
    assert scim.post(USERS, _user()).status_code == 201
    _assert_scim_error(
        scim.post(USERS, _user(externalId="other", **{ENTERPRISE: {"organization": "Acme Robotics"}})), 409
    )


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_a_body_too_large_or_too_deep_is_a_scim_error_never_a_500(acme, client, settings, method):
    scim = Scim(client, acme["provider_p"])
    before = Worker.objects.count()
    path = USERS if method == "post" else f"{USERS}/{acme['mine'].id}"
    send = getattr(client, method)
    deep = '{"schemas": ' + "[" * 1000 + "]" * 1000 + "}"
    _assert_scim_error(send(path, deep, content_type="application/scim+json", **scim.headers), 400, "invalidSyntax")
    nested = {"schemas": [CORE], "userName": "x"}
    for _ in range(40):
        nested = {"a": nested}
    response = send(path, json.dumps(nested), content_type="application/scim+json", **scim.headers)
    _assert_scim_error(response, 400, "invalidSyntax")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = json.dumps(_user(title="x" * 2000))
    response = send(path, big, content_type="application/scim+json", **scim.headers)
    _assert_scim_error(response, 413)
    assert "1000 bytes" in response.json()["detail"]
    assert Worker.objects.count() == before


def test_patch_active_false_offboards_and_delete_deactivates_without_deleting(acme, client):
    scim = Scim(client, acme["provider_p"])
    first = scim.post(USERS, _user()).json()["id"]
    response = scim.patch(f"{USERS}/{first}", [{"op": "replace", "path": "active", "value": False}])
    assert response.status_code == 200 and response.json()["active"] is False
    worker = Worker.objects.get(id=first)
    assert (worker.status, worker.exit_reason, worker.exit_date) == ("offboarded", "not_stated", timezone.localdate())
    # Still a User (inactive) until the IdP deletes it.
    assert scim.get(f"{USERS}/{first}").json()["active"] is False

    second = scim.post(USERS, _user(userName="grace@idp.test", **{ENTERPRISE: {"organization": "Acme Robotics"}}))
    second = second.json()["id"]
    assert scim.delete(f"{USERS}/{second}").status_code == 204
    worker = Worker.objects.get(id=second)  # the row stays: history, payroll and compliance with it
    assert worker.status == "offboarded" and worker.scim_identity.deprovisioned_at is not None
    _assert_scim_error(scim.get(f"{USERS}/{second}"), 404)
    assert second not in {u["id"] for u in scim.get(USERS).json()["Resources"]}
    assert not Tombstone.objects.filter(object_id=second).exists()


def test_patch_add_replace_remove_go_through_the_worker(acme, client):
    scim = Scim(client, acme["provider_p"])
    user_id = scim.post(USERS, _user()).json()["id"]
    response = scim.patch(
        f"{USERS}/{user_id}",
        [
            {"op": "replace", "path": "name.familyName", "value": "King"},
            {"op": "add", "path": f"{ENTERPRISE}:employeeNumber", "value": "HR-70"},
            {"op": "remove", "path": "title"},
        ],
    )
    assert response.status_code == 200, response.content
    worker = Worker.objects.get(id=user_id)
    assert (worker.last_name, worker.external_id, worker.role_title) == ("King", "HR-70", "")
    assert "title" not in response.json()
    # The client is immutable.
    response = scim.patch(f"{USERS}/{user_id}", [{"op": "replace", "path": f"{ENTERPRISE}:organization", "value": "X"}])
    assert response.status_code == 400 and Worker.objects.get(id=user_id).client == acme["client_a"]
    # Reactivating an offboarded worker reinstates them to onboarding (activation needs the gate).
    scim.patch(f"{USERS}/{user_id}", [{"op": "replace", "path": "active", "value": False}])
    scim.patch(f"{USERS}/{user_id}", [{"op": "replace", "path": "active", "value": True}])
    assert Worker.objects.get(id=user_id).status == "onboarding"


def test_filters_and_paging(acme, client):
    scim = Scim(client, acme["provider_p"])
    created = [
        scim.post(
            USERS,
            _user(userName=f"u{i}@idp.test", externalId=f"ext-{i}", **{ENTERPRISE: {"organization": "Acme Robotics"}}),
        ).json()["id"]
        for i in range(3)
    ]

    def ids(**params):
        response = scim.get(USERS, **params)
        assert response.status_code == 200, response.content
        return [user["id"] for user in response.json()["Resources"]] if response.json().get("Resources") else []

    assert ids(filter='userName eq "U1@IDP.test"') == [created[1]]
    assert ids(filter='externalId eq "ext-2"') == [created[2]]
    # A worker created outside SCIM is a User whose userName is the work e-mail.
    assert ids(filter=f'userName eq "{acme["mine"].work_email}"') == [str(acme["mine"].id)]
    Worker.objects.filter(id=created[0]).update(updated_at=timezone.now() - dt.timedelta(days=3))
    ScimIdentity.objects.filter(worker_id=created[0]).update(updated_at=timezone.now() - dt.timedelta(days=3))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    recent = {str(acme["mine"].id), created[1], created[2]}
    assert set(ids(filter=f'meta.lastModified gt "{since}"')) == recent
    # Paging is 1-based and ordered by creation: the existing worker first.
    body = scim.get(USERS, startIndex=2, count=2).json()
    assert (body["totalResults"], body["startIndex"], body["itemsPerPage"]) == (4, 2, 2)
    assert [u["id"] for u in body["Resources"]] == created[:2]
    assert scim.get(USERS, count=0).json()["totalResults"] == 4
    _assert_scim_error(scim.get(USERS, filter="userName eq"), 400, "invalidFilter")
    _assert_scim_error(scim.get(USERS, filter='nickName eq "x"'), 400, "invalidFilter")
    _assert_scim_error(scim.get(USERS, startIndex="first"), 400, "invalidValue")


def test_department_and_manager_come_from_the_current_assignment(acme, client):
    manager = UserFactory(first_name="Grace", last_name="Hopper")
    assignment = AssignmentFactory(worker=acme["mine"], manager=manager, starts_on=dt.date(2020, 1, 1))
    body = Scim(client, acme["provider_p"]).get(f"{USERS}/{acme['mine'].id}").json()
    assert body[ENTERPRISE]["department"] == assignment.team.name
    assert body[ENTERPRISE]["manager"] == {"value": str(manager.id), "displayName": "Grace Hopper"}


def test_another_tenant_can_neither_see_nor_change_a_user(acme, client):
    mine = str(acme["mine"].id)
    other_provider = Scim(client, acme["provider_q"])
    for response in (
        other_provider.get(f"{USERS}/{mine}"),
        other_provider.put(f"{USERS}/{mine}", _user()),
        other_provider.patch(f"{USERS}/{mine}", [{"op": "replace", "path": "active", "value": False}]),
        other_provider.delete(f"{USERS}/{mine}"),
    ):
        _assert_scim_error(response, 404)
    assert {u["id"] for u in other_provider.get(USERS).json()["Resources"]} == {str(acme["theirs"].id)}
    assert other_provider.get(USERS, filter=f'userName eq "{acme["mine"].work_email}"').json()["totalResults"] == 0
    assert Worker.objects.get(id=mine).status != "offboarded"
    # The worker's client reads its dedicated workers but cannot provision them.
    client_scim = Scim(client, acme["client_a"])
    assert {u["id"] for u in client_scim.get(USERS).json()["Resources"]} == {mine}
    _assert_scim_error(client_scim.post(USERS, _user()), 403)
    _assert_scim_error(client_scim.delete(f"{USERS}/{mine}"), 403)


def test_auth_errors_are_scim_errors(acme, client):
    response = Scim(client).get(USERS)
    _assert_scim_error(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    _assert_scim_error(Scim(client, acme["provider_p"], scopes=["workers:write"]).get(USERS), 403)
    _assert_scim_error(Scim(client, acme["provider_p"], scopes=["scim:read"]).post(USERS, _user()), 403)
    assert Scim(client, acme["provider_p"], scopes=["scim:read"]).get(USERS).status_code == 200
    _assert_scim_error(Scim(client, acme["provider_p"]).get("/scim/v2/Groups"), 404)
    # Discovery answers without a key.
    assert Scim(client).get("/scim/v2/ServiceProviderConfig").json()["patch"] == {"supported": True}


def test_the_users_list_costs_the_same_queries_for_3_or_30_workers(acme, client):
    scim = Scim(client, acme["provider_p"])
    provider = acme["mine"].provider

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = scim.get(USERS, count=100)
        assert response.status_code == 200
        return len(queries), response.json()["totalResults"]

    for _ in range(2):
        AssignmentFactory(worker=WorkerFactory(provider=provider, client=acme["client_a"]), manager=UserFactory())
    count()  # the first request of a key also records its use
    small = count()
    for _ in range(27):
        AssignmentFactory(worker=WorkerFactory(provider=provider, client=acme["client_a"]), manager=UserFactory())
    large = count()
    assert (small[1], large[1]) == (3, 30)
    assert small[0] == large[0]
