"""Tenant isolation, proven for every route (DESIGN §9).

The URL resolver is walked: every page and every API route must be classified in ROUTES below, or
this test fails and names it. Then, with two clients and two providers holding data, each role of
tenant A and the admins of tenant B list, read, update, delete and act on tenant A's objects, and the
answers are checked against the readers and writers the classification states.

To classify a new route, add one line to ROUTES: `public()`, `signed_in()`, `admin_site()`,
`collection(key, readers)` for a list (the A object's id must show to readers and to nobody else),
or `obj(key, readers, writers)` for a route about one object. `key` names an object of WORLD.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.choices import Role
from accounts.services import api_key_create
from accounts.tests.factories import ClientFactory, MembershipFactory, UserFactory
from assignments.tests.factories import AssignmentFactory, TeamFactory
from integrations.models import WebhookDelivery, WebhookEvent
from integrations.tests.factories import WebhookEndpointFactory
from providers.models import CsvImport
from providers.tests.factories import (
    ComplianceItemFactory,
    EmploymentContractFactory,
    LegalEntityFactory,
    PayrollEntryFactory,
    PayrollRunFactory,
    ProviderFactory,
)
from risks.tests.factories import RiskFlagFactory
from screening.tests.factories import (
    AssessmentResultFactory,
    CandidateFactory,
    InterviewScorecardFactory,
    ScreeningFactory,
    ScreeningTemplateFactory,
)
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db

# --- Who acts -------------------------------------------------------------------------------------
# Tenant A: client admin, a hiring manager of A's team, a hiring manager of another team, a viewer,
# and the three provider roles. Tenant B: its client admin and provider admin.
CA, HM, HM_OTHER, VW, PA, PO, CO = "ca", "hm", "hm_other", "vw", "pa", "po", "co"
CB, PB = "cb", "pb"
A_CLIENT = {CA, HM, HM_OTHER, VW}
A_PROVIDER = {PA, PO, CO}
A_ALL = A_CLIENT | A_PROVIDER
B_ALL = {CB, PB}
ACTORS = sorted(A_ALL | B_ALL)

# DESIGN §9: clients see the workers dedicated to them (a hiring manager: their own teams); providers
# see the workers they employ, their payroll and compliance, the assignment facts; not screening scores.
WORKER_SIDE = {CA, HM, VW} | A_PROVIDER
CLIENT_WIDE = {CA, HM, HM_OTHER, VW}
CLIENT_TEAM = {CA, HM, VW}
PROVIDER_ONLY = A_PROVIDER
ADMINS_A = {CA, PA}


@dataclass(frozen=True)
class Route:
    kind: str  # public | signed_in | admin | collection | object
    key: str = ""  # the WORLD object the route is about (object) or must list (collection)
    readers: frozenset = frozenset()  # of tenant A's actors; B's never
    writers: frozenset = frozenset()  # of tenant A's actors allowed to change / act
    # collection: what of the A object must show to readers and to nobody else: its id ("pk"), or
    # "name" for pages that show the worker by name; "" for aggregates (counts, rates) with no rows.
    marker: str = "pk"


def public() -> Route:
    return Route("public")


def signed_in() -> Route:
    """Needs a login, shows only the user's own things (no other tenant's data to leak)."""
    return Route("signed_in")


def admin_site() -> Route:
    return Route("admin")


def scim(key: str = "", readers: set = frozenset()) -> Route:
    """SCIM (API keys with the `scim` scope only): `key` given, one object (or, with `/Users`, the
    collection) that keys of the organizations in `readers` see and other tenants' keys do not;
    no key: metadata with no tenant data. A session never gets SCIM data."""
    return Route("scim", key, frozenset(readers))


def collection(key: str, readers: set, marker: str = "pk") -> Route:
    return Route("collection", key, frozenset(readers), marker=marker)


def aggregate(readers: set) -> Route:
    """Counts and rates of the caller's own organization: readers get 200, nothing row-level to leak."""
    return Route("collection", "worker", frozenset(readers), marker="")


def obj(key: str, readers: set, writers: set = frozenset()) -> Route:
    return Route("object", key, frozenset(readers), frozenset(writers))


ROUTES: dict[str, Route] = {
    # Pages
    "home": signed_in(),
    "login": public(),
    "logout": signed_in(),
    "two-factor": signed_in(),
    "switch-organization": signed_in(),
    # The organization's own keys; another tenant's keys are tested in accounts/tests/test_api_keys_page.py.
    "api-keys": signed_in(),
    "healthz": public(),
    "api-schema": public(),
    "api-docs": public(),
    "api-redoc": public(),
    "workers:list": collection("worker", WORKER_SIDE),
    "workers:check-ins": collection("worker", WORKER_SIDE, marker="name"),
    "workers:detail": obj("worker", WORKER_SIDE, {CA, HM, PA}),
    "workers:dates": obj("worker", {CA, HM, PA}, {CA, HM, PA}),
    "providers:home": aggregate(PROVIDER_ONLY),
    "providers:runs": collection("run", PROVIDER_ONLY),
    "providers:run": obj("run", PROVIDER_ONLY, {PA, PO}),
    "providers:entry": obj("entry", PROVIDER_ONLY, {PA, PO}),
    "providers:compliance": collection("item", PROVIDER_ONLY),
    "providers:compliance-item": obj("item", PROVIDER_ONLY, {PA, CO}),
    "providers:compliance-new": obj("worker", PROVIDER_ONLY, {PA, CO}),
    "providers:contract-edit": obj("contract", PROVIDER_ONLY, {PA, CO}),
    "providers:imports": collection("csv", PROVIDER_ONLY),
    "providers:import": obj("csv", PROVIDER_ONLY, {PA, PO, CO}),
    "providers:import-template": signed_in(),
    "screening:board": collection("worker", CLIENT_WIDE | PROVIDER_ONLY, marker="name"),
    "screening:templates": collection("template", CLIENT_WIDE),
    "screening:template": obj("template", CLIENT_WIDE, {CA}),
    "screening:detail": obj("screening", CLIENT_WIDE, {CA, HM, HM_OTHER}),
    "screening:stage": obj("screening", set(), {CA, HM, HM_OTHER}),
    "screening:scorecard": obj("screening", set(), {CA, HM, HM_OTHER}),
    "screening:review-only": obj("screening", set(), {CA, HM, HM_OTHER}),
    "screening:assessment": obj("screening", set(), {CA, HM, HM_OTHER}),
    "screening:checklist": obj("screening", set(), {CA, HM, HM_OTHER}),
    "screening:decide": obj("screening", set(), {CA, HM, HM_OTHER}),
    "screening:hire": obj("screening", set(), {CA, HM, HM_OTHER}),
    "screening:activate": obj("screening", set(), {CA, HM, HM_OTHER}),
    "assignments:list": collection("team", CLIENT_TEAM),
    "assignments:team-create": signed_in(),
    "assignments:detail": obj("team", CLIENT_TEAM, {CA, HM}),
    "assignments:team-edit": obj("team", {CA}, {CA}),
    "assignments:assignment-create": obj("team", {CA, HM}, {CA, HM}),
    # No object in the URL: the worker comes in the query and the form lists only the client's own.
    "assignments:assignment-new": signed_in(),
    "assignments:assignment-edit": obj("assignment", {CA, HM}, {CA, HM}),
    "assignments:assignment-end": obj("assignment", set(), {CA, HM}),
    "assignments:assignment-cancel": obj("assignment", set(), {CA, HM}),
    "risks:board": collection("flag", WORKER_SIDE),
    "risks:open-count": signed_in(),
    "risks:flag-detail": obj("flag", WORKER_SIDE, {CA, HM, PA}),
    "risks:flag-transition": obj("flag", set(), {CA, HM, PA}),
    "risks:jurisdictions": public(),
    "risks:retention": aggregate(CLIENT_WIDE | A_PROVIDER),
    "integrations:home": collection("endpoint", {CA}),
    "audit:log": collection("worker", ADMINS_A, marker="name"),
    "privacy:worker": obj("worker", ADMINS_A, ADMINS_A),
    # API
    "api:worker-export": obj("worker", ADMINS_A),
    "api:worker-erase": obj("worker", set(), ADMINS_A),
    # Keys, endpoints and deliveries: every member reads them (no secret is ever shown), the admin changes them.
    "api:api-key-list": collection("apikey", CLIENT_WIDE),
    "api:api-key-detail": obj("apikey", CLIENT_WIDE, {CA}),
    "api:api-key-history": obj("apikey", CLIENT_WIDE),
    "api:api-key-revoke": obj("apikey", set(), {CA}),
    # Provider profiles are a directory clients choose from (legal name, country); a provider sees its own.
    "api:provider-list": collection("provider", A_ALL | {CB}),
    "api:provider-detail": obj("provider", A_ALL | {CB}, {PA}),
    # Who at the provider changed its profile is the provider's own: clients read the entry, not that.
    "api:provider-history": obj("provider", A_PROVIDER),
    "api:legal-entity-list": collection("entity", WORKER_SIDE),
    "api:legal-entity-detail": obj("entity", WORKER_SIDE, {PA}),
    "api:legal-entity-history": obj("entity", WORKER_SIDE),
    "api:contract-list": collection("contract", WORKER_SIDE),
    "api:contract-detail": obj("contract", WORKER_SIDE, {PA, CO}),
    "api:contract-history": obj("contract", WORKER_SIDE),
    "api:payroll-run-list": collection("run", PROVIDER_ONLY),
    "api:payroll-run-detail": obj("run", PROVIDER_ONLY, {PA, PO}),
    "api:payroll-run-history": obj("run", PROVIDER_ONLY),
    "api:payroll-entry-list": collection("entry", WORKER_SIDE),
    "api:payroll-entry-bulk": signed_in(),
    "api:payroll-entry-detail": obj("entry", WORKER_SIDE, {PA, PO}),
    "api:payroll-entry-history": obj("entry", WORKER_SIDE),
    "api:compliance-item-list": collection("item", WORKER_SIDE),
    "api:compliance-item-bulk": signed_in(),
    "api:compliance-item-detail": obj("item", WORKER_SIDE, {PA, CO}),
    "api:compliance-item-history": obj("item", WORKER_SIDE),
    "api:worker-list": collection("worker", WORKER_SIDE),
    "api:worker-detail": obj("worker", WORKER_SIDE, {CA, HM, PA}),
    "api:worker-activate": obj("worker", set(), {CA, HM, PA}),
    "api:worker-history": obj("worker", WORKER_SIDE),
    "api:worker-offboard": obj("worker", set(), {CA, HM, PA}),
    "api:check-in-list": collection("checkin", WORKER_SIDE),
    "api:check-in-detail": obj("checkin", WORKER_SIDE, {CA, HM, PA}),
    "api:check-in-history": obj("checkin", WORKER_SIDE),
    "api:candidate-list": collection("candidate", CLIENT_WIDE),
    "api:candidate-detail": obj("candidate", CLIENT_WIDE, {CA, HM, HM_OTHER}),
    "api:candidate-history": obj("candidate", CLIENT_WIDE),
    "api:screening-list": collection("screening", CLIENT_WIDE | PROVIDER_ONLY),
    "api:screening-detail": obj("screening", CLIENT_WIDE | PROVIDER_ONLY, {CA, HM, HM_OTHER}),
    "api:screening-activate": obj("screening", set(), {CA, HM, HM_OTHER}),
    "api:screening-checklist": obj("screening", set(), {CA, HM, HM_OTHER}),
    # The checklist is the client's: a provider reads a screening's outcome only.
    "api:screening-checklist-history": obj("screening", CLIENT_WIDE),
    "api:screening-decide": obj("screening", set(), {CA, HM, HM_OTHER}),
    "api:screening-hire": obj("screening", set(), {CA, HM, HM_OTHER}),
    "api:screening-history": obj("screening", CLIENT_WIDE | PROVIDER_ONLY),
    "api:scorecard-list": collection("scorecard", {CA}),
    "api:scorecard-detail": obj("scorecard", {CA}, {CA}),
    "api:scorecard-history": obj("scorecard", {CA}),
    "api:assessment-list": collection("assessment", CLIENT_WIDE),
    "api:assessment-detail": obj("assessment", CLIENT_WIDE, {CA, HM, HM_OTHER}),
    "api:assessment-history": obj("assessment", CLIENT_WIDE),
    "api:team-list": collection("team", CLIENT_TEAM),
    "api:team-detail": obj("team", CLIENT_TEAM, {CA}),
    "api:team-history": obj("team", CLIENT_TEAM),
    "api:assignment-list": collection("assignment", WORKER_SIDE),
    "api:assignment-detail": obj("assignment", WORKER_SIDE, {CA, HM}),
    "api:assignment-cancel": obj("assignment", set(), {CA, HM}),
    "api:assignment-end": obj("assignment", set(), {CA, HM}),
    "api:assignment-history": obj("assignment", WORKER_SIDE),
    "api:metrics-retention": aggregate(CLIENT_WIDE | A_PROVIDER),
    "api:risk-flag-list": collection("flag", WORKER_SIDE),
    "api:risk-flag-detail": obj("flag", WORKER_SIDE, {CA, HM, PA}),
    "api:risk-flag-acknowledge": obj("flag", set(), {CA, HM, PA}),
    "api:risk-flag-dismiss": obj("flag", set(), {CA, HM, PA}),
    "api:risk-flag-history": obj("flag", WORKER_SIDE),
    "api:risk-flag-resolve": obj("flag", set(), {CA, HM, PA}),
    "api:webhook-endpoint-list": collection("endpoint", CLIENT_WIDE),
    "api:webhook-endpoint-detail": obj("endpoint", CLIENT_WIDE, {CA}),
    "api:webhook-endpoint-rotate-secret": obj("endpoint", set(), {CA}),
    "api:webhook-endpoint-history": obj("endpoint", CLIENT_WIDE),
    "api:webhook-delivery-list": collection("delivery", CLIENT_WIDE),
    "api:webhook-delivery-detail": obj("delivery", CLIENT_WIDE),
    "api:webhook-delivery-redeliver": obj("delivery", set(), {CA}),
    "api:deletion-list": signed_in(),
    "api:worker-bulk": signed_in(),
    # Bulk upserts by external_id: each endpoint's own tests show another tenant's rows are never
    # reached (workers/, providers/tests/test_bulk_contracts.py, assignments/tests/test_bulk_api.py).
    "api:contract-bulk": signed_in(),
    "api:assignment-bulk": signed_in(),
    # SCIM: keys of the client and of the provider of a worker see them as a User (scoped like the API).
    "scim-users": scim("worker", {"client", "provider"}),
    "scim-user": scim("worker", {"client", "provider"}),
    "scim-users-search": scim(),
    "scim-search": scim(),
    "scim-service-provider-config": scim(),
    "scim-resource-types": scim(),
    "scim-resource-type": scim(),
    "scim-schemas": scim(),
    "scim-schema": scim(),
    "scim-not-found": scim(),
}


# --- The resolver walk ----------------------------------------------------------------------------
def all_routes() -> list[tuple[str, str, object]]:
    """(name, pattern, callback) of every URL pattern, API routers included."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace
                ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else (pattern.name or "")
                yield name or f"<unnamed {prefix}{pattern.pattern}>", prefix + str(pattern.pattern), pattern.callback

    return list(walk(get_resolver().url_patterns))


def test_every_route_is_classified():
    names = {name for name, _, _ in all_routes()}
    # The Django admin is staff-only as a whole (and needs a second factor): one rule for all of it.
    unclassified = sorted(n for n in names if n not in ROUTES and not n.startswith(("admin:", "<unnamed admin/")))
    assert unclassified == [], f"Classify these routes in ROUTES (tenant isolation, DESIGN §9): {unclassified}"
    stale = sorted(n for n in ROUTES if n not in names)
    assert stale == [], f"ROUTES names routes that no longer exist: {stale}"


# --- The world ------------------------------------------------------------------------------------
def _tenant(suffix: str) -> dict:
    client_org = ClientFactory(name=f"Client {suffix}")
    provider = ProviderFactory()
    provider_org = provider.organization
    users = {}
    for actor, org, role in [
        (f"ca{suffix}", client_org, Role.CLIENT_ADMIN),
        (f"hm{suffix}", client_org, Role.HIRING_MANAGER),
        (f"hm_other{suffix}", client_org, Role.HIRING_MANAGER),
        (f"vw{suffix}", client_org, Role.VIEWER),
        (f"pa{suffix}", provider_org, Role.PROVIDER_ADMIN),
        (f"po{suffix}", provider_org, Role.PAYROLL_OFFICER),
        (f"co{suffix}", provider_org, Role.COMPLIANCE_OFFICER),
    ]:
        users[actor] = MembershipFactory(organization=org, role=role, user=UserFactory()).user
    team = TeamFactory(client=client_org)
    team.managers.add(users[f"hm{suffix}"])
    TeamFactory(client=client_org).managers.add(users[f"hm_other{suffix}"])
    worker = WorkerFactory(
        client=client_org,
        provider=provider,
        country="DE",
        external_id=f"W-{suffix}",
        last_name=MARKER_NAME if not suffix else "Bravoworkerson",
    )
    run = PayrollRunFactory(provider=provider)
    template = ScreeningTemplateFactory(client=client_org)
    candidate = CandidateFactory(client=client_org, worker=worker, last_name=worker.last_name)
    screening = ScreeningFactory(
        client=client_org,
        candidate=candidate,
        template=template,
        provider=provider,
        status="passed",
        decided_at=timezone.now(),
    )
    endpoint = WebhookEndpointFactory(organization=client_org)
    event = WebhookEvent.objects.create(organization=client_org, type="worker.updated", payload={"id": "x"})
    objects = {
        "worker": worker,
        "provider": provider,
        "entity": LegalEntityFactory(provider=provider),
        "contract": EmploymentContractFactory(worker=worker),
        "assignment": AssignmentFactory(
            worker=worker, team=team, manager=users[f"hm{suffix}"], starts_on=dt.date(2026, 2, 1)
        ),
        "team": team,
        "checkin": CheckInFactory(worker=worker),
        "run": run,
        "entry": PayrollEntryFactory(worker=worker, run=run),
        "item": ComplianceItemFactory(worker=worker),
        "template": template,
        "candidate": candidate,
        "screening": screening,
        "scorecard": InterviewScorecardFactory(screening=screening, interviewer=users[f"ca{suffix}"]),
        "assessment": AssessmentResultFactory(screening=screening),
        "flag": RiskFlagFactory(worker=worker),
        "endpoint": endpoint,
        "delivery": WebhookDelivery.objects.create(event=event, endpoint=endpoint),
        "apikey": api_key_create(organization=client_org, name=f"key {suffix}", scopes=["workers:read"])[0],
        "csv": CsvImport.objects.create(provider=provider, kind="payroll_entries", file_name="p.csv", content="a\n"),
    }
    return {"users": users, "objects": objects}


@pytest.fixture
def world():
    a, b = _tenant(""), _tenant("_b")
    users = {**a["users"], CB: b["users"]["ca_b"], PB: b["users"]["pa_b"]}
    return {"users": users, "objects": a["objects"], "b_objects": b["objects"]}


def _url(pattern: str, obj_id) -> str:
    """The path of a route pattern for one object: every converter or regex group gets the id."""
    path = pattern.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<[a-z_]+>[^)]*\)", str(obj_id), path)
    path = re.sub(r"<uuid:[a-z_]+>", str(obj_id), path)
    path = re.sub(r"<slug:action>", "acknowledge", path)
    path = re.sub(r"<str:kind>", "payroll_entries", path)
    path = re.sub(r"<str:worker_id>", str(obj_id), path)
    return "/" + path


def _login(client, user):
    client.force_login(user)


# Another tenant gets 403, 404 or 405; within the tenant a role refused by a service may also get 400
# (with a message), as long as nothing changed.
ALLOWED_DENIALS = {403, 404, 405}
MARKER_NAME = "Alphaworkerson"


def test_each_role_reads_lists_and_changes_only_what_design_9_allows(world):
    from django.test import Client

    # One logged-in client per actor, reused for every route (a login per request would dominate).
    clients = {}
    for actor in ACTORS:
        clients[actor] = Client()
        clients[actor].force_login(world["users"][actor])
    problems = []
    routes = {name: (pattern, callback) for name, pattern, callback in all_routes()}
    for name, route in sorted(ROUTES.items()):
        if route.kind not in ("object", "collection"):
            continue
        pattern, callback = routes[name]
        target = world["objects"][route.key]
        url = _url(pattern, target.pk)
        actions = getattr(callback, "actions", None) or {}
        view_methods = _methods(callback, actions)
        for actor in ACTORS:
            client = clients[actor]
            may_read = actor in route.readers
            may_write = actor in route.writers
            if route.kind == "collection":
                response = _call(client, "GET", url)
                body = response.content.decode()
                marker = {"pk": str(target.pk), "name": MARKER_NAME, "": None}[route.marker]
                shown = marker is not None and marker in body
                if may_read:
                    if response.status_code != 200 or (marker is not None and not shown):
                        problems.append(f"{name} GET as {actor}: {response.status_code}, own row shown={shown}")
                elif response.status_code == 200 and shown:
                    problems.append(f"{name} GET as {actor}: lists tenant A's row it must not see")
                elif response.status_code not in {200, *ALLOWED_DENIALS}:
                    problems.append(f"{name} GET as {actor}: {response.status_code}")
                continue
            if "GET" in view_methods and route.readers | route.writers:
                response = _call(client, "GET", url)
                if may_read and response.status_code != 200:
                    problems.append(f"{name} GET as {actor}: {response.status_code}, expected 200")
                if not may_read and not may_write and response.status_code not in ALLOWED_DENIALS:
                    problems.append(f"{name} GET as {actor}: {response.status_code}, expected a denial")
                if actor in B_ALL and not may_read and response.status_code not in ALLOWED_DENIALS:
                    problems.append(f"{name} GET as {actor} (tenant B): {response.status_code}")
            for method in ("POST", "PATCH", "DELETE"):
                if method not in view_methods or may_write:
                    continue
                before = type(target).objects.filter(pk=target.pk).values().first()
                response = _call(client, method, url)
                after = type(target).objects.filter(pk=target.pk).values().first()
                denials = ALLOWED_DENIALS if actor in B_ALL else ALLOWED_DENIALS | {400}
                if method == "DELETE" and actor in _b_writers(route):
                    # The other tenant's writer of this kind of object may delete its own (see
                    # test_other_tenants_writers_delete_nothing): here the object is not found.
                    denials = {404}
                if response.status_code not in denials:
                    problems.append(f"{name} {method} as {actor}: {response.status_code}, expected {sorted(denials)}")
                if before != after:
                    problems.append(f"{name} {method} as {actor}: changed tenant A's object")
            if may_write and "PATCH" in view_methods:
                # A writer's empty PATCH is allowed (and changes nothing): the permission is real.
                response = _call(client, "PATCH", url)
                if response.status_code in (403, 404):
                    problems.append(f"{name} PATCH as {actor} (a writer): {response.status_code}")
    assert problems == [], "\n".join(problems)


def _b_writers(route: Route) -> set[str]:
    """Tenant B's actors in the role that writes this kind of object in tenant A."""
    return ({CB} if CA in route.writers else set()) | ({PB} if PA in route.writers else set())


def _methods(callback, actions: dict) -> set[str]:
    if actions:
        view_class = getattr(callback, "cls", None)
        allowed = {m.upper() for m in getattr(view_class, "http_method_names", [])}
        return {m.upper() for m in actions} & (allowed or {m.upper() for m in actions})
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return {"GET"}
    return {m.upper() for m in ("get", "post", "patch", "delete") if hasattr(view_class, m)}


class _Raised:
    def __init__(self, error: Exception):
        self.status_code = f"raised {type(error).__name__}: {error}"
        self.content = b""


def _call(client, method: str, url: str):
    """One request with an empty body; an exception in the view is reported, not raised."""
    try:
        if method == "GET":
            return client.get(url)
        if method == "POST" and not url.startswith("/api/"):
            return client.post(url, {})
        return getattr(client, method.lower())(url, {}, content_type="application/json")
    except Exception as error:  # noqa: BLE001 - every failure is one line of the report
        return _Raised(error)


def test_tenant_b_cannot_create_rows_pointing_at_tenant_a(client, world):
    """A create naming another tenant's worker, team, run, screening or candidate is refused."""
    objs = world["objects"]
    attempts = {
        ("/api/v1/assignments/", CB): {
            "worker": objs["worker"].pk,
            "team": objs["team"].pk,
            "role": "x",
            "starts_on": "2026-03-01",
            "weekly_hours": "10.0",
        },
        ("/api/v1/contracts/", PB): {
            "worker": objs["worker"].pk,
            "legal_entity": objs["entity"].pk,
            "contract_type": "employment",
            "starts_on": "2026-03-01",
            "weekly_hours": "40.0",
        },
        ("/api/v1/payroll-entries/", PB): {"worker": objs["worker"].pk, "run": objs["run"].pk},
        ("/api/v1/compliance-items/", PB): {"worker": objs["worker"].pk, "kind": "right_to_work"},
        ("/api/v1/check-ins/", CB): {"worker": objs["worker"].pk, "kind": "ad_hoc", "due_on": "2026-03-01"},
        ("/api/v1/screenings/", CB): {"candidate": objs["candidate"].pk, "template": objs["template"].pk},
        ("/api/v1/scorecards/", CB): {"screening": objs["screening"].pk, "ratings": {}},
        ("/api/v1/assessments/", CB): {
            "screening": objs["screening"].pk,
            "kind": "cognitive",
            "instrument": "x",
            "raw_score": 1,
            "scale_max": 10,
        },
    }
    counts_before = _row_counts()
    problems = []
    for (url, actor), payload in attempts.items():
        _login(client, world["users"][actor])
        payload = {key: str(value) if isinstance(value, uuid.UUID) else value for key, value in payload.items()}
        response = client.post(url, payload, content_type="application/json")
        if response.status_code not in (400, 403, 404):
            problems.append(f"POST {url} as {actor}: {response.status_code} {response.content[:200]!r}")
    assert problems == [], "\n".join(problems)
    assert _row_counts() == counts_before


def _row_counts() -> dict:
    from assignments.models import Assignment
    from providers.models import ComplianceItem, EmploymentContract, PayrollEntry
    from screening.models import AssessmentResult, InterviewScorecard, Screening
    from workers.models import CheckIn

    models = (
        Assignment,
        EmploymentContract,
        PayrollEntry,
        ComplianceItem,
        CheckIn,
        Screening,
        InterviewScorecard,
        AssessmentResult,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_scim_answers_keys_of_the_worker_s_organizations_only(client, world):
    """SCIM routes: another tenant's key never sees tenant A's worker; a session gets no SCIM data."""
    from rest_framework.test import APIClient

    worker = world["objects"]["worker"]
    orgs = {
        "client": worker.client,
        "provider": worker.provider.organization,
        "other_client": world["b_objects"]["worker"].client,
        "other_provider": world["b_objects"]["worker"].provider.organization,
    }
    routes = {name: pattern for name, pattern, _ in all_routes()}
    problems = []
    for name, route in ROUTES.items():
        if route.kind != "scim" or not route.key:
            continue
        url = _url(routes[name], worker.pk)
        for org_name, org in orgs.items():
            _, raw = api_key_create(organization=org, name=f"scim {org_name}", scopes=["scim:read"])
            api = APIClient()
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
            response = api.get(url)
            shown = str(worker.pk) in response.content.decode()
            if org_name in route.readers and (response.status_code != 200 or not shown):
                problems.append(f"{name} as {org_name}'s key: {response.status_code}, shown={shown}")
            # A 404 may echo the id it was asked for; a 200 with it, or the worker's name, is a leak.
            leaked = (response.status_code == 200 and shown) or MARKER_NAME in response.content.decode()
            if org_name not in route.readers and leaked:
                problems.append(f"{name} as {org_name}'s key: shows tenant A's worker ({response.status_code})")
        client.force_login(world["users"][CA])
        session = client.get(url)
        if session.status_code == 200 or str(worker.pk) in session.content.decode():
            problems.append(f"{name} with a session: {session.status_code}")
    assert problems == [], "\n".join(problems)


# --- Deletes across tenants -----------------------------------------------------------------------
def test_other_tenants_writers_delete_nothing(world):
    """For every route that deletes: tenant B's writer of that kind of object gets 404 on tenant A's
    and nothing of A is deleted, while the same request on B's own object is not refused (so the 404
    is the isolation, not a route that deletes nothing)."""
    from django.test import Client

    routes = {name: (pattern, callback) for name, pattern, callback in all_routes()}
    deletable = []
    for name, route in sorted(ROUTES.items()):
        if route.kind != "object":
            continue
        pattern, callback = routes[name]
        if "DELETE" in _methods(callback, getattr(callback, "actions", None) or {}):
            deletable.append(name)
    assert deletable, "no route allows DELETE: the walk is broken"
    problems = []
    for name in deletable:
        route = ROUTES[name]
        pattern, _ = routes[name]
        target, own = world["objects"][route.key], world["b_objects"][route.key]
        if not _b_writers(route):
            problems.append(f"{name}: deletes, but neither the client admin nor the provider admin writes it")
        for actor in sorted(_b_writers(route)):
            client = Client()
            client.force_login(world["users"][actor])
            response = _call(client, "DELETE", _url(pattern, target.pk))
            if response.status_code != 404:
                problems.append(f"{name} DELETE of tenant A's object as {actor}: {response.status_code}, expected 404")
            if not type(target).objects.filter(pk=target.pk).exists():
                problems.append(f"{name} DELETE as {actor}: deleted tenant A's object")
            before = type(own).objects.filter(pk=own.pk).values().first()
            response = _call(client, "DELETE", _url(pattern, own.pk))
            after = type(own).objects.filter(pk=own.pk).values().first()
            # A 204 deleted the row, or (an API key's revocation) changed it.
            if response.status_code in (401, 403, 404, 405) or (response.status_code == 204) != (after != before):
                problems.append(
                    f"{name} DELETE of its own as {actor}: {response.status_code}, changed={after != before}"
                )
    assert problems == [], "\n".join(problems)


# --- API-key scopes on every REST route -----------------------------------------------------------
def _scopes_for(callback, method: str) -> list[str]:
    from outstaff.api.scopes import accepted_scopes

    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    view = view_class()
    view.action = (getattr(callback, "actions", None) or {}).get(method.lower())
    return accepted_scopes(view, method)


def _key_client(organization, scopes):
    from rest_framework.test import APIClient

    _, raw = api_key_create(organization=organization, name="matrix", scopes=scopes)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def _without(scopes: list[str]) -> list[str]:
    """Every scope there is, except those that would allow `scopes` (a write scope implies read)."""
    from accounts.choices import ALL_SCOPE_STRINGS

    families = {scope.split(":")[0] for scope in scopes}
    writes_only = all(scope.endswith(":write") for scope in scopes)
    return [
        scope
        for scope in ALL_SCOPE_STRINGS
        if scope.split(":")[0] not in families or (writes_only and scope.endswith(":read"))
    ]


# Routes whose object a key with the scope still cannot see, by a row rule of DESIGN §9 (the scope
# check passes; the selector then answers 404): the reason is the classification.
REST_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}  # HEAD and OPTIONS answer like GET
KEY_ROW_RULES = {
    "api:scorecard-detail": "an unsubmitted scorecard is its interviewer's draft, and a key is nobody's interviewer",
    "api:scorecard-history": "a draft's versions are its interviewer's, and a key is nobody's interviewer",
}


# API routes about no one object, and which organization's key uses them.
NO_OBJECT_API_ROUTES = {
    "api:payroll-entry-bulk": "provider",
    "api:compliance-item-bulk": "provider",
    "api:contract-bulk": "provider",
    "api:worker-bulk": "client",
    "api:assignment-bulk": "client",
    "api:deletion-list": "client",
}


def test_every_rest_route_needs_its_scope_and_a_key_with_it_passes(world):
    """For every classified /api/ route and method: a key of the reading (or writing) organization
    lacking the route's scope gets 403 naming it, and changes nothing; a key with only that scope is
    let through (a read answers 200; a write is not refused for want of access — an empty body may
    then be a 400 with a message)."""
    client_org = world["objects"]["worker"].client
    provider_org = world["objects"]["worker"].provider.organization
    routes = {name: (pattern, callback) for name, pattern, callback in all_routes()}
    problems, checked, deletes = [], 0, []
    for name, route in sorted(ROUTES.items()):
        if not name.startswith("api:") or route.kind not in ("object", "collection"):
            continue
        pattern, callback = routes[name]
        target = world["objects"][route.key]
        url = _url(pattern, target.pk)
        methods = _methods(callback, getattr(callback, "actions", None) or {}) & {
            "GET",
            "POST",
            "PUT",
            "PATCH",
            "DELETE",
        }
        for method in sorted(methods):
            allowed = route.readers if method == "GET" else route.writers
            organization = client_org if CA in allowed else provider_org if PA in allowed else None
            if organization is None:
                continue
            scopes = _scopes_for(callback, method)
            if not scopes:
                problems.append(f"{name} {method}: no scope guards it")
                continue
            checked += 1
            needed = scopes[0] if len(scopes) == 1 else "one of " + ", ".join(scopes)
            before = type(target).objects.filter(pk=target.pk).values().first()
            refused = _call(_key_client(organization, _without(scopes)), method, url)
            detail = refused.content.decode()
            if refused.status_code != 403 or f"needs {needed}" not in detail:
                problems.append(f"{name} {method} without {needed}: {refused.status_code} {detail[:120]}")
            if type(target).objects.filter(pk=target.pk).values().first() != before:
                problems.append(f"{name} {method} without {needed}: changed the object")
            if method == "DELETE":
                deletes.append((name, url, organization, scopes[0], target, before))
                continue
            response = _call(_key_client(organization, [scopes[0]]), method, url)
            if name in KEY_ROW_RULES:
                expected = {404}
            elif method == "GET":
                expected = {200}
            else:
                expected = None
            if expected is not None and response.status_code not in expected:
                problems.append(f"{name} {method} with {scopes[0]}: {response.status_code} {response.content[:120]!r}")
            if expected is None and response.status_code in (401, 403, 404, 405):
                problems.append(f"{name} {method} with {scopes[0]}: {response.status_code} {response.content[:120]!r}")
    # API routes about no one object (bulk upserts, the deletions feed): the same scope check, by a
    # key of the organization that writes (or reads) them; every such route must be listed here.
    for name, route in sorted(ROUTES.items()):
        if not name.startswith("api:") or route.kind in ("object", "collection"):
            continue
        if name not in NO_OBJECT_API_ROUTES:
            problems.append(f"{name}: an API route about no object; say whose key uses it in NO_OBJECT_API_ROUTES")
            continue
        organization = provider_org if NO_OBJECT_API_ROUTES[name] == "provider" else client_org
        pattern, callback = routes[name]
        url = _url(pattern, "")
        for method in sorted(_methods(callback, getattr(callback, "actions", None) or {}) & REST_METHODS):
            scopes = _scopes_for(callback, method)
            if not scopes:
                problems.append(f"{name} {method}: no scope guards it")
                continue
            checked += 1
            needed = scopes[0] if len(scopes) == 1 else "one of " + ", ".join(scopes)
            refused = _call(_key_client(organization, _without(scopes)), method, url)
            if refused.status_code != 403 or f"needs {needed}" not in refused.content.decode():
                problems.append(f"{name} {method} without {needed}: {refused.status_code}")
            response = _call(_key_client(organization, [scopes[0]]), method, url)
            if response.status_code in (401, 403, 404, 405) or (method == "GET" and response.status_code != 200):
                problems.append(f"{name} {method} with {scopes[0]}: {response.status_code} {response.content[:120]!r}")
    # Last, as they remove what the other routes read. A 204 deleted the row, or (an API key's
    # revocation) changed it.
    for name, url, organization, scope, target, before in deletes:
        response = _call(_key_client(organization, [scope]), "DELETE", url)
        after = type(target).objects.filter(pk=target.pk).values().first()
        if response.status_code in (401, 403, 404, 405) or (response.status_code == 204) != (after != before):
            problems.append(f"{name} DELETE with {scope}: {response.status_code}, row changed={after != before}")
    assert checked > 50, f"only {checked} route methods checked: the walk is broken"
    assert problems == [], "\n".join(problems)


# --- Summary pages ---------------------------------------------------------------------------------
# Pages that summarise an organization (counts, charts, inboxes, boards, logs): besides their status,
# their text must not name another tenant's worker.
SUMMARY_PAGES = ("home", "providers:home", "risks:board", "audit:log", "risks:retention")
OTHER_MARKER_NAME = "Bravoworkerson"


def test_summary_pages_never_name_another_tenants_worker(world):
    from django.test import Client
    from django.urls import reverse

    assert all(name in ROUTES for name in SUMMARY_PAGES)
    problems = []
    for name in SUMMARY_PAGES:
        url = reverse(name)
        for actor in ACTORS:
            client = Client()
            client.force_login(world["users"][actor])
            response = client.get(url)
            body = response.content.decode()
            foreign = MARKER_NAME if actor in B_ALL else OTHER_MARKER_NAME
            if foreign in body:
                problems.append(f"{name} as {actor} ({response.status_code}) names another tenant's worker {foreign}")
            if response.status_code >= 500:
                problems.append(f"{name} as {actor}: {response.status_code}")
    # The check can fail: the own tenant's admins do see their worker on the board and in the log.
    for name, actor, own in [("risks:board", CA, MARKER_NAME), ("audit:log", CB, OTHER_MARKER_NAME)]:
        client = Client()
        client.force_login(world["users"][actor])
        if own not in client.get(reverse(name)).content.decode():
            problems.append(f"{name} as {actor} does not show its own worker {own}: the check proves nothing")
    assert problems == [], "\n".join(problems)
