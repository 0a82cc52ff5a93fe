"""The API lists' lean read path (outstaff.api.lean: rows as tuples of the printed columns, fields
compiled once per serializer class) prints exactly what DRF's own serializers print: for every list
endpoint, every kind of actor (sessions of three roles, client and provider API keys), page sizes
1, 50 and 500, the cursor's next and previous pages, a filter, and null relations. The comparison
runs the same request with the lean and fast paths switched off (DRF's `serializer.data`)."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection, transaction
from django.db.utils import ConnectionDoesNotExist
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.test import APIClient

from accounts.choices import Scope
from accounts.models import ApiKey, Membership, Organization, User
from accounts.selectors import ACTIVE_ORG_SESSION_KEY
from accounts.services import api_key_create
from demo.services import demo_seed
from outstaff.api import lean
from outstaff.models import reads
from risks.models import RiskFlag
from risks.services.scan import risk_scan_run
from workers.filters import WorkerFilterSet
from workers.models import Worker

from .api_lists import drf_only, list_urls, session_clients

pytestmark = pytest.mark.django_db

# The lists issue #13 measures: each must take the lean path.
MEASURED = ("/api/v1/workers/", "/api/v1/assignments/", "/api/v1/payroll-entries/", "/api/v1/risk-flags/")
READ_SCOPES = [f"{family}:read" for family in Scope.values]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_seed()
        risk_scan_run()  # the demo's flags, with their evidence
        # Null and set relations side by side: a flag whose status a user with a name changed, one
        # changed by a user without a name (the e-mail is printed), the rest changed by no one. Both
        # of one client, whose admin reads them (the two oldest flags may be of two clients: their
        # order among equal creation times is their random ids').
        oldest = RiskFlag.objects.order_by("created_at", "id").first()
        flags = list(RiskFlag.objects.filter(client_id=oldest.client_id).order_by("created_at", "id")[:2])
        named = User.objects.exclude(first_name="").first()
        nameless = User.objects.create(username="nameless@example.com", email="nameless@example.com")
        for flag, user in zip(flags, (named, nameless), strict=True):
            RiskFlag.objects.filter(pk=flag.pk).update(status_changed_by=user)
        yield
        transaction.set_rollback(True)


def _actors():
    for role, client in session_clients():
        yield f"session {role}", client
    for kind in ("client", "provider"):
        organization = (
            Organization.objects.filter(kind=kind, api_keys__isnull=True).order_by("slug").first()
            or Organization.objects.filter(kind=kind).order_by("slug").first()
        )
        ApiKey.objects.filter(organization=organization, name="lean test").delete()
        _, raw = api_key_create(organization=organization, name="lean test", scopes=READ_SCOPES)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        yield f"{kind} API key", client


def _path(link: str) -> str:
    return link.removeprefix("http://testserver")


def test_every_api_list_prints_what_drfs_serializers_print(seeded, monkeypatch):
    monkeypatch.setattr(lean, "STRICT", True)  # a lean failure fails here instead of falling back
    served_lean = set()
    presenter = lean.Plan.presenter

    def spying_presenter(plan, context):
        served_lean.add(context["request"].path)
        return presenter(plan, context)

    monkeypatch.setattr(lean.Plan, "presenter", spying_presenter)
    compared = 0
    for actor, client in _actors():
        for url in list_urls():
            queue = [f"{url}?page_size={size}" for size in (1, 50, 500)]
            queue.append(f"{url}?page_size=500&updated_since=2000-01-01T00:00:00Z")
            walked = 0
            while queue:
                path = queue.pop(0)
                # The first request of a shape derives its template (prepared.py) and prepares it,
                # in a savepoint inside the test's transaction; the second is what every later one
                # costs. Both must print DRF's bytes.
                first_response = client.get(path)
                with CaptureQueriesContext(connection) as lean_queries:
                    lean_response = client.get(path)
                with monkeypatch.context() as patch:
                    drf_only(patch)
                    with CaptureQueriesContext(connection) as drf_queries:
                        drf_response = client.get(path)
                assert lean_response.status_code == drf_response.status_code, (actor, path)
                if lean_response.status_code != 200:
                    continue
                assert lean_response.content == drf_response.content, (actor, path)
                assert first_response.content == drf_response.content, (actor, path)
                # Never more queries than the instance path (an API key's last-use write aside).
                assert len(lean_queries) <= len(drf_queries) + 1, (actor, path)
                body = lean_response.json()
                compared += len(body["results"])
                if parse_qs(urlsplit(path).query).get("page_size") == ["1"] and walked < 4:
                    # At page size 1, two pages on with `next`, then back with `previous`.
                    link = body.get("next") if walked < 2 else body.get("previous")
                    if link:
                        walked += 1
                        queue.insert(0, _path(link))
    assert compared > 1000
    missing = [url for url in MEASURED if url not in served_lean]
    assert not missing, f"not served by the lean path: {missing}"


def test_null_relations_print_as_drf_prints_them(seeded, monkeypatch):
    """Flags changed by a named user, a nameless one and no one; assignments with and without a
    manager: the same bytes as DRF's serializer."""
    monkeypatch.setattr(lean, "STRICT", True)
    flags = RiskFlag.objects.filter(status_changed_by__isnull=False)
    assert flags.count() >= 2 and RiskFlag.objects.filter(status_changed_by__isnull=True).exists()
    membership = Membership.objects.filter(role="client_admin", organization=flags[0].client).first()
    client = APIClient()
    client.force_login(membership.user)
    session = client.session
    session[ACTIVE_ORG_SESSION_KEY] = str(membership.organization.id)
    session.save()
    for url in ("/api/v1/risk-flags/?page_size=500", "/api/v1/assignments/?page_size=500"):
        lean_response = client.get(url)
        with monkeypatch.context() as patch:
            drf_only(patch)
            drf_response = client.get(url)
        assert lean_response.status_code == 200
        assert lean_response.content == drf_response.content, url
    printed = {row["status_changed_by"] for row in client.get("/api/v1/risk-flags/?page_size=500").json()["results"]}
    assert None in printed and "nameless@example.com" in printed


class _UndeclaredReadSerializer(serializers.ModelSerializer):
    shout = serializers.SerializerMethodField()

    class Meta:
        model = Worker
        fields = ["id", "shout", "created_at"]

    @reads("first_name")
    def get_shout(self, worker) -> str:
        return worker.last_name.upper()  # last_name was not declared


def test_a_partial_instance_never_queries_for_what_it_was_not_given(seeded, monkeypatch):
    queryset = Worker.objects.order_by("-created_at", "-id")
    plan = lean.plan_for(_UndeclaredReadSerializer, queryset, ("-created_at", "-id"))
    assert plan is not None
    rows = list(plan.values(queryset)[:3])
    assert rows
    with CaptureQueriesContext(connection) as queries, pytest.raises(ConnectionDoesNotExist):
        plan.presenter({})(rows)
    assert len(queries) == 0


def test_a_serializer_the_lean_path_does_not_understand_takes_the_instance_path():
    class Nested(serializers.ModelSerializer):
        class Meta:
            model = Worker
            fields = ["id"]

    class WithNested(serializers.ModelSerializer):
        worker = Nested()

        class Meta:
            model = RiskFlag
            fields = ["id", "worker"]

    class WithUndeclaredProperty(serializers.ModelSerializer):
        tenure_days = serializers.IntegerField(read_only=True)

        class Meta:
            model = Worker
            fields = ["id", "tenure_days"]

    ordering = ("-created_at", "-id")
    assert lean.plan_for(WithNested, RiskFlag.objects.all(), ordering) is None
    assert lean.plan_for(WithUndeclaredProperty, Worker.objects.all(), ordering) is None


def test_a_list_without_filter_parameters_builds_no_filterset_and_a_filter_is_still_validated(seeded, monkeypatch):
    built = []
    original = WorkerFilterSet.__init__

    def counting_init(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(WorkerFilterSet, "__init__", counting_init)
    membership = Membership.objects.filter(role="client_admin").select_related("organization").first()
    client = APIClient()
    client.force_login(membership.user)
    session = client.session
    session[ACTIVE_ORG_SESSION_KEY] = str(membership.organization.id)
    session.save()
    assert client.get("/api/v1/workers/?page_size=5").status_code == 200
    assert built == []
    assert client.get("/api/v1/workers/?page_size=5&status=bogus").status_code == 400
    assert client.get("/api/v1/workers/?status=active").status_code == 200
    assert len(built) == 2
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.get(f"/api/v1/workers/?updated_since={later}").json()["results"] == []
