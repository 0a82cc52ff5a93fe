"""An unfiltered API list page is read with its shape's prebuilt SQL (outstaff/api/prepared.py): a
template derived from two sentinel actors, shared by every actor of the same signature, run as a
prepared statement. These tests pin what a caller would notice if that went wrong: another tenant's
rows, a stale answer, a 500 where there was a 400, different bytes from DRF's, or a page that is
never templated at all. Each test starts with no template, so derivation itself is exercised."""

import base64
import datetime as dt
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from accounts.actors import actor_for_membership
from accounts.choices import Scope
from accounts.models import Membership, Organization
from accounts.selectors import ACTIVE_ORG_SESSION_KEY
from accounts.services import api_key_create
from assignments.api.views import AssignmentViewSet
from assignments.selectors import assignment_list
from demo.services import demo_seed
from outstaff.api import lean, prepared
from outstaff.models import reads
from risks.api.views import RiskFlagViewSet
from risks.models import RiskFlag
from risks.services.scan import risk_scan_run
from workers.api.views import WorkerViewSet
from workers.models import Worker
from workers.selectors import worker_list

from .api_lists import drf_only, session_clients

pytestmark = pytest.mark.django_db

MEASURED = ("/api/v1/workers/", "/api/v1/assignments/", "/api/v1/payroll-entries/", "/api/v1/risk-flags/")
READ_SCOPES = [f"{family}:read" for family in Scope.values]
WORKERS = "/api/v1/workers/"


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo_seed()
        risk_scan_run()
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_templates(no_templates):
    """Every test derives its templates itself."""


@pytest.fixture
def fetched(monkeypatch):
    """The templates `prepared.fetch` ran, one per page read through a template."""
    calls = []
    original = prepared.fetch

    def spy(template, actor, **kwargs):
        calls.append(template)
        return original(template, actor, **kwargs)

    monkeypatch.setattr(prepared, "fetch", spy)
    return calls


@pytest.fixture
def derived(monkeypatch):
    """The shapes `prepared._derive` was asked for."""
    calls = []
    original = prepared._derive

    def spy(view, actor, **kwargs):
        calls.append(type(view))
        return original(view, actor, **kwargs)

    monkeypatch.setattr(prepared, "_derive", spy)
    return calls


def _key_client(organization, scopes=READ_SCOPES) -> APIClient:
    _, raw = api_key_create(organization=organization, name="template test", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _session_client(membership) -> APIClient:
    client = APIClient()
    client.force_login(membership.user)
    session = client.session
    session[ACTIVE_ORG_SESSION_KEY] = str(membership.organization.id)
    session.save()
    return client


def _client_org(slug="acme"):
    return Organization.objects.get(slug=slug)


def _drf_body(client, path, monkeypatch, **extra) -> bytes:
    """The same request's bytes on DRF's own path (no template, no lean plan, no fast path)."""
    with monkeypatch.context() as patch:
        drf_only(patch)
        response = client.get(path, **extra)
    assert response.status_code == 200, response.content
    return response.content


def _entries(view_class) -> list:
    """This view's entries in the template cache (a Template or the untemplated marker)."""
    return [value for key, value in prepared._TEMPLATES.items() if key[0] is view_class]


def _walk(client, path) -> tuple[list[str], int]:
    """Every row id of the list, following `next` links; and how many pages that took."""
    ids, pages = [], 0
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.content
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        pages += 1
        path = body["next"] and body["next"].removeprefix("http://testserver")
    return ids, pages


def _ids(queryset) -> list[str]:
    return [str(pk) for pk in queryset.order_by("-created_at", "-id").values_list("id", flat=True)]


# --- 1. the measured lists go through the template and print DRF's bytes --------------------------
def _actors():
    for role, client in session_clients():
        yield f"session {role}", client
    for kind in ("client", "provider"):
        yield f"{kind} API key", _key_client(Organization.objects.filter(kind=kind).order_by("slug").first())


def test_measured_lists_are_served_by_their_template_with_drfs_bytes(seeded, monkeypatch, fetched, derived):
    """If the template path broke, the measured lists would silently fall back to per-request
    building (slow) or print something else than DRF does."""
    rows = 0
    for actor, client in _actors():
        for url in MEASURED:
            prepared._TEMPLATES.clear()
            fetched.clear()
            derived.clear()
            first = client.get(url)
            assert first.status_code == 200, (actor, url, first.content)
            assert len(derived) == 1 and len(fetched) == 1, (actor, url, "first request")
            second = client.get(url)
            assert len(derived) == 1 and len(fetched) == 2, (actor, url, "second request: the template again")
            drf = _drf_body(client, url, monkeypatch)
            assert first.content == drf, (actor, url)
            assert second.content == drf, (actor, url)
            rows += len(second.json()["results"])
    assert rows > 300


# --- 2. one template, many tenants -----------------------------------------------------------------
def test_two_clients_share_a_template_and_each_reads_only_its_own_rows(seeded, settings, fetched):
    """Two client API keys with the same scopes are one shape; each must still get exactly its own
    workers and assignments on every page (verification off: the template alone decides)."""
    settings.API_LIST_TEMPLATES_VERIFY = False
    acme, northwind = _client_org("acme"), _client_org("northwind")
    clients = {acme: _key_client(acme), northwind: _key_client(northwind)}
    for url, view_class in ((WORKERS, WorkerViewSet), ("/api/v1/assignments/", AssignmentViewSet)):
        for client in clients.values():
            assert client.get(f"{url}?page_size=5").status_code == 200
        entries = _entries(view_class)
        assert len(entries) == 1, f"{url}: one shape for both clients, not {len(entries)}"
        assert isinstance(entries[0], prepared.Template)
        model = view_class.serializer_class.Meta.model
        fetched.clear()
        read = 0
        for organization, client in clients.items():
            ids, pages = _walk(client, f"{url}?page_size=5")
            assert ids == _ids(model.objects.filter(client_id=organization.id, **_live(model))), (url, organization)
            assert pages > 2
            read += pages
        assert len(fetched) == read  # every page through the template
        # The first page's shape and the next pages' (a cursor with a position): both shared.
        assert len(_entries(view_class)) == 2 and all(isinstance(e, prepared.Template) for e in _entries(view_class))


def _live(model) -> dict:
    return {"erased_at__isnull": True} if model is Worker else {}


def test_two_hiring_managers_share_a_template_and_each_sees_only_their_teams(seeded, settings, fetched):
    """Two hiring managers of one client are one shape; each sees the workers and assignments of
    the teams they manage, as the selectors say, and not the other's."""
    settings.API_LIST_TEMPLATES_VERIFY = False
    managers = list(
        Membership.objects.filter(role="hiring_manager", organization__slug="acme").select_related(
            "user", "organization"
        )
    )
    assert len(managers) == 2
    for url, view_class, selector in (
        (WORKERS, WorkerViewSet, worker_list),
        ("/api/v1/assignments/", AssignmentViewSet, assignment_list),
    ):
        prepared._TEMPLATES.clear()
        expected = [_ids(selector(actor=actor_for_membership(m))) for m in managers]
        assert expected[0] != expected[1] and all(expected), "the demo's managers see different, non-empty lists"
        for membership, ids in zip(managers, expected, strict=True):
            fetched.clear()
            walked, pages = _walk(_session_client(membership), f"{url}?page_size=2")
            assert walked == ids, (url, membership.user.email)
            assert len(fetched) == pages
        entries = _entries(view_class)
        assert len(entries) == 2 and all(isinstance(e, prepared.Template) for e in entries), url


# --- 3. shapes that cannot be templated are built per request ------------------------------------
def _queries_while_building(*, actor):
    list(Organization.objects.values_list("id"))
    return worker_list(actor=actor)


def _filters_on_the_organizations_name(*, actor):
    return worker_list(actor=actor).filter(client__name=actor.organization.name)


def _filters_on_the_clock(*, actor):
    return worker_list(actor=actor).filter(created_at__lte=timezone.now())


@pytest.mark.parametrize(
    "selector", [_queries_while_building, _filters_on_the_organizations_name, _filters_on_the_clock]
)
def test_a_shape_that_depends_on_more_than_the_actors_ids_is_built_per_request(seeded, monkeypatch, fetched, selector):
    """A selector reading the database, a name or the clock must not be frozen into a template:
    the shape is marked untemplated and every request still gets DRF's answer."""
    monkeypatch.setattr(WorkerViewSet, "selector", selector)
    client = _key_client(_client_org())
    drf = _drf_body(client, WORKERS, monkeypatch)
    for _ in range(2):
        response = client.get(WORKERS)
        assert response.status_code == 200
        assert response.content == drf
        assert _entries(WorkerViewSet) == [prepared._UNTEMPLATED]
    assert fetched == []
    assert len(response.json()["results"]) == 25


# --- 4. verification ------------------------------------------------------------------------------
def test_verification_catches_a_key_that_misses_what_the_queryset_reads(seeded, monkeypatch):
    """A queryset that reads a request header (not in the template's key): with the test settings'
    verification, the second request with another header is a TemplateMismatch, not a stale page."""
    assert prepared.settings.API_LIST_TEMPLATES_VERIFY

    def get_queryset(view):
        return worker_list(actor=view.actor).exclude(last_name=view.request.META.get("HTTP_X_TEST", ""))

    monkeypatch.setattr(WorkerViewSet, "get_queryset", get_queryset)
    client = _key_client(_client_org())
    assert client.get(WORKERS, HTTP_X_TEST="one").status_code == 200
    assert isinstance(_entries(WorkerViewSet)[0], prepared.Template)
    assert client.get(WORKERS, HTTP_X_TEST="one").status_code == 200  # the same value: the same SQL
    with pytest.raises(prepared.TemplateMismatch):
        client.get(WORKERS, HTTP_X_TEST="two")


# --- 5. the clock's day and hour are part of the key ---------------------------------------------
@pytest.mark.parametrize("later", [dt.timedelta(days=1), dt.timedelta(hours=1)], ids=["next day", "next hour"])
def test_a_new_day_or_hour_derives_the_shape_again(seeded, monkeypatch, derived, later):
    """A selector may compare with today: a template of yesterday must not serve today."""
    start = timezone.now()
    monkeypatch.setattr(prepared.timezone, "now", lambda: start)
    client = _key_client(_client_org())
    for _ in range(2):
        assert client.get(WORKERS).status_code == 200
    assert derived == [WorkerViewSet]
    monkeypatch.setattr(prepared.timezone, "now", lambda: start + later)
    for _ in range(2):
        assert client.get(WORKERS).status_code == 200
    assert derived == [WorkerViewSet, WorkerViewSet]


# --- 7. a statement PostgreSQL cannot prepare ----------------------------------------------------
def _unpreparable(*, actor):
    return worker_list(actor=actor).filter(RawSQL("%s IS NULL", (None,), output_field=BooleanField()))


def test_a_statement_postgresql_cannot_prepare_runs_unprepared(seeded, monkeypatch, fetched):
    """`$1 IS NULL` has no type PostgreSQL can infer: PREPARE fails. The page must still be a 200
    with the right rows, and the request's transaction must stay usable."""
    monkeypatch.setattr(WorkerViewSet, "selector", _unpreparable)
    organization = _client_org()
    client = _key_client(organization)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(WORKERS)
    assert response.status_code == 200
    [template] = fetched
    assert template.statement.preparable is False
    assert any("PREPARE lean_" in q["sql"] for q in queries)  # it was tried
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == _ids(Worker.objects.filter(client_id=organization.id, erased_at__isnull=True))
    assert Worker.objects.count() > 0  # the transaction is not aborted
    # PREPARE really fails for this statement (else the test proves nothing).
    with (
        pytest.raises(DatabaseError, match="could not determine data type"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(template.statement.prepare_sql.removesuffix("; "))
    # Later requests run it unprepared at once.
    with CaptureQueriesContext(connection) as queries:
        again = client.get(WORKERS)
    assert again.content == response.content == _drf_body(client, WORKERS, monkeypatch)
    assert not any("lean_" in q["sql"] for q in queries)
    assert len(fetched) == 2


# --- 8. bad cursors ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cursor", ["garbage", base64.urlsafe_b64encode(b"p=notadate").decode()], ids=["garbage", "not a date"]
)
@pytest.mark.parametrize("verify", [True, False], ids=["verified", "unverified"])
def test_a_bad_cursor_is_a_400_naming_the_cursor(seeded, settings, fetched, cursor, verify):
    """Before and after the shape has a template, a forged cursor is a 400 about `cursor`, never
    a 500, and it leaves the shape templated for good cursors."""
    settings.API_LIST_TEMPLATES_VERIFY = verify
    client = _key_client(_client_org())

    def assert_refused():
        response = client.get(WORKERS, {"cursor": cursor})
        assert response.status_code == 400, response.content
        assert [error["field"] for error in response.json()["errors"]] == ["cursor"], response.json()

    assert_refused()  # no template yet: this request would derive it
    next_link = client.get(WORKERS, {"page_size": 5}).json()["next"]
    assert client.get(next_link).status_code == 200  # the shape with a cursor position is templated
    assert all(isinstance(entry, prepared.Template) for entry in _entries(WorkerViewSet))
    assert_refused()
    fetched.clear()
    assert client.get(next_link).status_code == 200
    assert len(fetched) == 1 and all(isinstance(entry, prepared.Template) for entry in _entries(WorkerViewSet))


# --- 9. JSON values come back as they were stored --------------------------------------------------
def test_json_evidence_prints_big_integers_and_floats_exactly(seeded, monkeypatch, fetched):
    """A flag's evidence read through the template: an integer beyond 64 bits must not come back as
    a rounded float, and floats as they were."""
    organization = _client_org()
    flag = RiskFlag.objects.filter(client_id=organization.id).order_by("-created_at", "-id").first()
    evidence = {
        "big": 123456789012345678901234567890,
        "just_beyond_64_bits": 18446744073709551616,
        "below_minus_2_63": -9223372036854775809,
        "ratio": 0.1,
        "hours": 37.5,
        "tiny": -0.000123,
        "nested": [1, 2.25, {"n": 99999999999999999999999}],
    }
    RiskFlag.objects.filter(pk=flag.pk).update(evidence=evidence)
    client = _key_client(organization)
    url = "/api/v1/risk-flags/?page_size=500"
    response = client.get(url)
    assert response.status_code == 200 and len(fetched) == 1
    assert response.lean_native_datetimes is True  # its datetimes left to the renderer
    assert isinstance(_entries(RiskFlagViewSet)[0], prepared.Template)
    [row] = [row for row in json.loads(response.content)["results"] if row["id"] == str(flag.pk)]
    assert row["evidence"] == evidence
    assert type(row["evidence"]["big"]) is int and type(row["evidence"]["nested"][2]["n"]) is int
    assert response.content == _drf_body(client, url, monkeypatch)
    assert b"123456789012345678901234567890" in response.content


# --- 10. settings -----------------------------------------------------------------------------------
def test_a_settings_change_clears_the_templates(seeded, settings, derived):
    """Templates are derived under the settings of their time: a change must drop them all."""
    client = _key_client(_client_org())
    assert client.get(WORKERS).status_code == 200
    assert _entries(WorkerViewSet)
    settings.API_PREPARED_STATEMENTS = False
    assert prepared._TEMPLATES == {}
    assert client.get(WORKERS).status_code == 200
    assert _entries(WorkerViewSet)
    with override_settings(API_LIST_TEMPLATES_VERIFY=False):
        assert prepared._TEMPLATES == {}
        assert client.get(WORKERS).status_code == 200
    assert prepared._TEMPLATES == {}  # leaving the override is a change too
    assert derived == [WorkerViewSet] * 3


# --- 11. datetimes the renderer writes natively ----------------------------------------------------
def test_the_templated_workers_page_is_rendered_with_native_datetimes(seeded, monkeypatch, fetched):
    """The workers page's datetimes are UTC values orjson writes itself (OPT_UTC_Z), with DRF's bytes."""
    client = _key_client(_client_org())
    response = client.get(WORKERS)
    assert len(fetched) == 1
    assert response.lean_native_datetimes is True
    assert response.content == _drf_body(client, WORKERS, monkeypatch)


ODD_OFFSET = dt.timezone(dt.timedelta(hours=5, minutes=30, seconds=15))


class _OddOffsetSerializer(serializers.ModelSerializer):
    seen = serializers.SerializerMethodField()

    class Meta:
        model = Worker
        fields = ["id", "seen", "created_at"]

    @reads("created_at")
    def get_seen(self, worker) -> dt.datetime:
        return worker.created_at.astimezone(ODD_OFFSET)


def test_a_datetime_with_a_seconds_offset_is_left_to_drfs_encoder(seeded, monkeypatch, fetched):
    """A method field returning a datetime whose offset has seconds: orjson cannot write it as DRF
    does, so the page must not be rendered natively, and the bytes are DRF's."""
    queryset = Worker.objects.order_by("-created_at", "-id")
    plan = lean.plan_for(_OddOffsetSerializer, queryset, ("-created_at", "-id"))
    present = plan.presenter({})
    present(list(plan.values(queryset)[:3]))
    assert present.native is False

    monkeypatch.setattr(WorkerViewSet, "serializer_class", _OddOffsetSerializer)
    client = _key_client(_client_org())
    response = client.get(WORKERS)
    assert response.status_code == 200 and len(fetched) == 1
    assert response.lean_native_datetimes is False
    assert response.content == _drf_body(client, WORKERS, monkeypatch)
    assert response.json()["results"][0]["seen"].endswith("+05:30:15")
