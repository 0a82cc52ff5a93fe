"""`/api/v1/risk-flags/` and `/api/v1/metrics/retention`: tenant scoping, filters, lifecycle actions
with audit, query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, make_actor
from assignments.tests.factories import AssignmentFactory, TeamFactory
from providers.tests.factories import ProviderFactory
from risks.models import RiskFlag
from risks.tests.factories import RiskFlagFactory
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/risk-flags/"


@pytest.fixture
def tenants():
    client_a, client_b = ClientFactory(), ClientFactory()
    provider_a, provider_b = ProviderFactory(), ProviderFactory()
    mine = RiskFlagFactory(worker=WorkerFactory(client=client_a, provider=provider_a))
    # Employed by provider A, dedicated to client B: provider A sees it, client A does not.
    other_client = RiskFlagFactory(
        worker=WorkerFactory(client=client_b, provider=provider_a), rule_code="checkin_overdue", category="attrition"
    )
    theirs = RiskFlagFactory(worker=WorkerFactory(client=client_b, provider=provider_b), severity="low")
    return {
        "client_a": client_a,
        "client_b": client_b,
        "provider_a": provider_a,
        "mine": mine,
        "other_client": other_client,
        "theirs": theirs,
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_client_sees_only_its_flags(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["risks:read"])
    assert ids(api.get(URL)) == {str(tenants["mine"].id)}


def test_provider_sees_flags_about_workers_it_employs(tenants, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["risks:read"])
    assert ids(api.get(URL)) == {str(tenants["mine"].id), str(tenants["other_client"].id)}


def test_hiring_manager_sees_only_flags_of_their_teams(tenants, client):
    actor = make_actor(tenants["client_a"], role=Role.HIRING_MANAGER)
    managed = WorkerFactory(client=tenants["client_a"], provider=tenants["provider_a"])
    team = TeamFactory(client=tenants["client_a"])
    team.managers.add(actor.user)
    AssignmentFactory(worker=managed, team=team)
    visible = RiskFlagFactory(worker=managed)
    client.force_login(actor.user)
    assert ids(client.get(URL)) == {str(visible.id)}


def test_hiring_manager_does_not_see_flags_about_another_teams_assignment(tenants, client):
    """The worker moved from the manager's team to another one: the flag about the new team's
    assignment belongs to that team's manager; the worker-level flag stays visible to both."""
    acme = tenants["client_a"]
    former = make_actor(acme, role=Role.HIRING_MANAGER)
    current_manager = make_actor(acme, role=Role.HIRING_MANAGER)
    worker = WorkerFactory(client=acme, provider=tenants["provider_a"])
    old_team, new_team = TeamFactory(client=acme), TeamFactory(client=acme)
    old_team.managers.add(former.user)
    new_team.managers.add(current_manager.user)
    AssignmentFactory(
        worker=worker, team=old_team, starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 6, 30), status="ended"
    )
    placement = AssignmentFactory(worker=worker, team=new_team, starts_on=dt.date(2025, 7, 1))
    about_new_team = RiskFlagFactory(worker=worker, assignment=placement, rule_code="tenure_cap_approaching")
    about_worker = RiskFlagFactory(worker=worker, rule_code="checkin_overdue", category="attrition")
    client.force_login(former.user)
    assert ids(client.get(URL)) == {str(about_worker.id)}
    assert client.get(f"{URL}{about_new_team.id}/").status_code == 404
    client.force_login(current_manager.user)
    assert ids(client.get(URL)) == {str(about_worker.id), str(about_new_team.id)}


def test_other_tenants_flag_is_404_for_read_and_actions(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["risks:write"])
    theirs = tenants["theirs"]
    assert api.get(f"{URL}{theirs.id}/").status_code == 404
    for action in ("acknowledge", "resolve"):
        assert api.post(f"{URL}{theirs.id}/{action}/", {}, format="json").status_code == 404
    assert api.post(f"{URL}{theirs.id}/dismiss/", {"reason": "x"}, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "open"


def test_filters(tenants, api_key_client):
    api = api_key_client(tenants["provider_a"].organization, ["risks:read"])
    mine, other = str(tenants["mine"].id), str(tenants["other_client"].id)
    assert ids(api.get(URL, {"category": "attrition"})) == {other}
    assert ids(api.get(URL, {"rule_code": "contractor_full_time_direction"})) == {mine}
    assert ids(api.get(URL, {"severity": "high"})) == {mine, other}
    assert ids(api.get(URL, {"client": str(tenants["client_b"].id)})) == {other}
    assert ids(api.get(URL, {"worker": str(tenants["mine"].worker_id)})) == {mine}
    assert ids(api.get(URL, {"provider": str(tenants["provider_a"].pk)})) == {mine, other}
    assert ids(api.get(URL, {"status": "dismissed"})) == set()
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert ids(api.get(URL, {"updated_since": future})) == set()
    bad = api.get(URL, {"severity": "apocalyptic"})
    assert bad.status_code == 400


def test_lifecycle_actions_are_audited_with_who_and_when(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["risks:write"])
    flag = tenants["mine"]
    response = api.post(f"{URL}{flag.id}/acknowledge/", {"note": "Looking into it"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "acknowledged" and body["status_reason"] == "Looking into it"
    assert body["status_changed_via"].startswith("api key ") and body["status_changed_at"]
    again = api.post(f"{URL}{flag.id}/acknowledge/", {}, format="json")  # not open any more
    assert again.status_code == 400 and again.json()["errors"][0]["message"] == "This flag is already acknowledged."
    response = api.post(f"{URL}{flag.id}/resolve/", {"reason": "Contract changed to employment"}, format="json")
    assert response.json()["status"] == "resolved" and response.json()["resolved_at"]
    events = list(RiskFlag.pgh_event_model.objects.filter(pgh_obj_id=flag.id).order_by("pgh_id"))
    assert [e.status for e in events] == ["open", "acknowledged", "resolved"]
    assert events[-1].pgh_context.metadata["api_key"] == body["status_changed_via"].removeprefix("api key ")
    assert events[-1].pgh_context.metadata["action"] == "risk_flag.resolved"
    late = api.post(f"{URL}{flag.id}/dismiss/", {"reason": "Not a risk"}, format="json")
    assert late.status_code == 400
    assert late.json()["errors"][0] == {
        "field": "status",
        "message": "This flag is resolved, so it cannot be dismissed: only an acknowledged or open flag can.",
    }


def test_session_user_transition_records_the_user(tenants, client):
    actor = make_actor(tenants["client_a"])
    client.force_login(actor.user)
    flag = tenants["mine"]
    response = client.post(
        f"{URL}{flag.id}/dismiss/", {"reason": "Known, contract being fixed"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    flag.refresh_from_db()
    assert flag.status == "dismissed" and flag.status_changed_by == actor.user
    event = RiskFlag.pgh_event_model.objects.filter(pgh_obj_id=flag.id).latest("pgh_id")
    assert event.status_changed_by_id == actor.user.id


def test_dismiss_needs_a_reason(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["risks:write"])
    response = api.post(f"{URL}{tenants['mine'].id}/dismiss/", {}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert {e["field"] for e in response.json()["errors"]} == {"reason"}
    tenants["mine"].refresh_from_db()
    assert tenants["mine"].status == "open"


def test_provider_may_acknowledge_but_only_the_client_closes_a_flag(tenants, api_key_client, client):
    api = api_key_client(tenants["provider_a"].organization, ["risks:write"])
    flag = tenants["mine"]
    for action in ("dismiss", "resolve"):
        response = api.post(f"{URL}{flag.id}/{action}/", {"reason": "our licence is fine"}, format="json")
        assert response.status_code == 403
        assert "Only the client" in response.json()["detail"]
    flag.refresh_from_db()
    assert flag.status == "open"
    assert api.post(f"{URL}{flag.id}/acknowledge/", {}, format="json").status_code == 200
    provider_admin = make_actor(tenants["provider_a"].organization)
    client.force_login(provider_admin.user)
    page = client.get("/risks/").content.decode()
    assert "only the client can dismiss it" in page and "Why is this not a risk?" not in page


def test_read_scope_or_viewer_cannot_triage(tenants, api_key_client, client):
    api = api_key_client(tenants["client_a"], ["risks:read"])
    assert api.post(f"{URL}{tenants['mine'].id}/acknowledge/", {}, format="json").status_code == 403
    viewer = make_actor(tenants["client_a"], role=Role.VIEWER)
    client.force_login(viewer.user)
    response = client.post(f"{URL}{tenants['mine'].id}/acknowledge/", {}, content_type="application/json")
    assert response.status_code == 403
    tenants["mine"].refresh_from_db()
    assert tenants["mine"].status == "open"


def test_flags_are_read_only_otherwise(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["risks:write"])
    assert api.post(URL, {"rule_code": "x"}, format="json").status_code == 405
    assert api.patch(f"{URL}{tenants['mine'].id}/", {"severity": "low"}, format="json").status_code == 405
    assert api.delete(f"{URL}{tenants['mine'].id}/").status_code == 405


def test_stale_if_match_is_412(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["risks:write"])
    url = f"{URL}{tenants['mine'].id}/"
    etag = api.get(url)["ETag"]
    assert api.post(f"{url}acknowledge/", {}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert api.post(f"{url}resolve/", {}, format="json", HTTP_IF_MATCH=etag).status_code == 412


def test_list_query_count_does_not_grow_with_rows(tenants, api_key_client):
    api = api_key_client(tenants["client_a"], ["risks:read"])
    api.get(URL)
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    for _ in range(15):
        RiskFlagFactory(worker=WorkerFactory(client=tenants["client_a"], provider=tenants["provider_a"]))
    with CaptureQueriesContext(connection) as many:
        response = api.get(URL)
    assert len(response.json()["results"]) == 16
    assert len(many) == len(few)


# --- /api/v1/metrics/retention ----------------------------------------------------------------------
RETENTION = "/api/v1/metrics/retention"


def test_retention_is_scoped_and_marks_incomplete_cohorts(api_key_client):
    client_a, client_b = ClientFactory(), ClientFactory()
    today = dt.date.today()
    old_start = (today - dt.timedelta(days=200)).replace(day=1)
    WorkerFactory.create_batch(3, client=client_a, start_date=old_start)
    WorkerFactory(
        client=client_a,
        start_date=old_start,
        status="offboarded",
        exit_date=old_start + dt.timedelta(days=20),
        exit_reason="voluntary",
    )
    WorkerFactory(client=client_a, start_date=today.replace(day=1))  # this month: day 90 not reached
    WorkerFactory.create_batch(4, client=client_b, start_date=old_start)
    api = api_key_client(client_a, ["risks:read"])
    response = api.get(RETENTION, {"group_by": "client", "months": 12})
    assert response.status_code == 200, response.json()
    body = response.json()
    (old,) = [c for c in body["cohorts"] if c["cohort"] == old_start.strftime("%Y-%m")]
    assert old["starters"] == 4 and old["retained"] == 3 and old["complete"] is True
    assert old["retention_rate"] == 0.75 and old["exit_reasons"] == {"voluntary": 1}
    (new,) = [c for c in body["cohorts"] if c["cohort"] == today.strftime("%Y-%m")]
    assert new["complete"] is False and new["retention_rate"] is None
    assert {c["label"] for c in body["cohorts"]} == {client_a.name}


def test_retention_by_team_keeps_same_named_teams_of_two_clients_apart(api_key_client):
    """A provider's workers on two clients' teams that happen to share a name are two groups,
    labelled with the client, not one merged cohort."""
    provider = ProviderFactory()
    start = (dt.date.today() - dt.timedelta(days=200)).replace(day=1)
    for client_org, leaves in ((ClientFactory(name="Acme"), False), (ClientFactory(name="Globex"), True)):
        worker = WorkerFactory(
            client=client_org,
            provider=provider,
            start_date=start,
            status="offboarded" if leaves else "active",
            exit_date=start + dt.timedelta(days=10) if leaves else None,
            exit_reason="voluntary" if leaves else "",
        )
        AssignmentFactory(worker=worker, team=TeamFactory(client=client_org, name="Platform"), starts_on=start)
    api = api_key_client(provider.organization, ["risks:read"])
    response = api.get(RETENTION, {"group_by": "team"})
    assert response.status_code == 200, response.json()
    rows = {c["label"]: c for c in response.json()["cohorts"] if c["cohort"] == start.strftime("%Y-%m")}
    assert set(rows) == {"Platform · Acme", "Platform · Globex"}
    assert rows["Platform · Acme"]["retention_rate"] == 1.0
    assert rows["Platform · Globex"]["retention_rate"] == 0.0
    assert rows["Platform · Globex"]["exit_reasons"] == {"voluntary": 1}


def test_retention_query_count_does_not_grow_with_workers(api_key_client):
    client_org = ClientFactory()
    api = api_key_client(client_org, ["risks:read"])
    start = (dt.date.today() - dt.timedelta(days=200)).replace(day=1)

    def add(count):
        for _ in range(count):
            AssignmentFactory(worker=WorkerFactory(client=client_org, start_date=start), starts_on=start)

    add(1)
    api.get(RETENTION)  # the key's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert api.get(RETENTION, {"group_by": "team"}).status_code == 200
    add(12)
    with CaptureQueriesContext(connection) as many:
        response = api.get(RETENTION, {"group_by": "team"})
    assert sum(c["starters"] for c in response.json()["cohorts"]) == 13
    assert len(many) == len(few)


def test_retention_bad_group_is_400(api_key_client):
    api = api_key_client(ClientFactory(), ["risks:read"])
    response = api.get(RETENTION, {"group_by": "galaxy"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "group_by"
    assert api_key_client(ClientFactory(), ["workers:read"]).get(RETENTION).status_code == 403
