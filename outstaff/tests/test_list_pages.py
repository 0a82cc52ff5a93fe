"""Every list page people work with (issue 11, point 5): sortable by its headers, filtered by the API's
FilterSet, paginated, exported to CSV (streamed, every filtered row, formula-safe) — each scoped to
the viewer's organization, each at a query count that does not grow with its rows."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pghistory
import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.tests.factories import make_actor
from assignments.tests.factories import AssignmentFactory, TeamFactory
from audit.registry import BY_NAME
from providers.choices import ComplianceKind
from providers.tests.factories import ComplianceItemFactory, PayrollEntryFactory, PayrollRunFactory
from risks.tests.factories import RiskFlagFactory
from screening.tests.factories import ScreeningFactory, ScreeningTemplateFactory
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _login(client, organization, role=None):
    actor = make_actor(organization, role)
    client.force_login(actor.user)
    return actor


# --- each page: how to make one more row of the viewer's, one of a stranger's, and the page's URL ---


def _risk_flags(world, n, name="Ada"):
    for i in range(n):
        worker = WorkerFactory(client=world["client"], provider=world["provider"], first_name=f"{name}{i}")
        RiskFlagFactory(worker=worker)


def _screenings(world, n, name="Ada"):
    for i in range(n):
        ScreeningFactory(
            client=world["client"], candidate__first_name=f"{name}{i}", status="passed", decided_at=timezone.now()
        )


def _runs(world, n, name="Ada"):
    for i in range(n):
        run = PayrollRunFactory(provider=world["provider"])
        worker = WorkerFactory(client=world["client"], provider=world["provider"], first_name=f"{name}{i}")
        PayrollEntryFactory(run=run, worker=worker, gross_amount=Decimal("1000.00"), currency="EUR")


def _compliance(world, n, name="Ada"):
    for i in range(n):
        worker = WorkerFactory(client=world["client"], provider=world["provider"], first_name=f"{name}{i}")
        ComplianceItemFactory(worker=worker, expires_on=timezone.localdate() + dt.timedelta(days=10 + i))


def _workforce(world, n, name="Ada"):
    for i in range(n):
        WorkerFactory(client=world["client"], provider=world["provider"], first_name=f"{name}{i}")


def _teams(world, n, name="Ada"):
    for i in range(n):
        TeamFactory(client=world["client"], name=f"{name}{i} team")


def _imports(world, n, name="Ada"):
    from providers.models import CsvImport

    for i in range(n):
        CsvImport.objects.create(
            provider=world["provider"], kind="payroll_entries", file_name=f"{name}{i}.csv", content="x", total_rows=i
        )


def _api_keys(world, n, name="Ada"):
    from accounts.tests.factories import ApiKeyFactory

    for i in range(n):
        ApiKeyFactory(organization=world["client"], name=f"{name}{i} sync")


def _audit(world, n, name="Ada"):
    author = world.setdefault("author", make_actor(world["client"]).user)
    with pghistory.context(user=str(author.pk), channel="web"):  # as a request would
        for i in range(n):  # each worker's creation is a version in the organization's audit log
            WorkerFactory(client=world["client"], provider=world["provider"], first_name=f"{name}{i}")


def _role_templates(world, n, name="Ada"):
    for i in range(n):
        ScreeningTemplateFactory(client=world["client"], name=f"{name}{i} template", role_title="Backend engineer")


PAGES = {
    # page: (URL, who views it, row maker, the CSV column that names the row)
    "risk board": ("/risks/", "client", _risk_flags, "Worker"),
    "screening board": ("/screening/", "client", _screenings, "Candidate"),
    "payroll runs": ("/provider/payroll/", "provider", _runs, None),
    "compliance items": ("/provider/compliance/", "provider", _compliance, "Worker"),
    "provider workforce": ("/provider/", "provider", _workforce, "Worker"),
    "teams": ("/teams/", "client", _teams, "Team"),
    "csv imports": ("/provider/imports/", "provider", _imports, "File"),
    "api keys": ("/api-keys/", "client", _api_keys, "Name"),
    "audit log": ("/audit/", "client", _audit, None),
    "role templates": ("/screening/templates/", "client", _role_templates, "Template"),
}


@pytest.fixture
def worlds():
    mine, theirs = WorkerFactory(), WorkerFactory()
    return (
        {"client": mine.client, "provider": mine.provider},
        {"client": theirs.client, "provider": theirs.provider},
    )


def _viewer(world, side):
    return world["client"] if side == "client" else world["provider"].organization


@pytest.mark.parametrize("page", PAGES)
def test_the_csv_has_every_filtered_row_of_mine_and_none_of_another_tenants(client, worlds, page):
    url, side, make, name_column = PAGES[page]
    mine, theirs = worlds
    make(mine, 2, name="Mine")
    make(theirs, 2, name="Stranger")
    _login(client, _viewer(mine, side))
    rows = _csv(client.get(url, {"format": "csv"}))
    body = "\n".join(",".join(row) for row in rows)
    assert "Stranger" not in body
    if name_column:
        column = rows[0].index(name_column)
        assert sum(row[column].startswith("Mine") for row in rows[1:]) == 2
    assert client.get(url).content.decode().count("format=csv") >= 1  # the page links to its CSV


@pytest.mark.parametrize("page", PAGES)
def test_the_page_and_its_csv_cost_the_same_queries_for_more_rows(client, worlds, page):
    url, side, make, _ = PAGES[page]
    mine, _theirs = worlds
    make(mine, 1)
    _login(client, _viewer(mine, side))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as few_csv:
        _csv(client.get(url, {"format": "csv"}))
    make(mine, 6, name="More")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as many_csv:
        _csv(client.get(url, {"format": "csv"}))
    assert len(many) == len(few), page
    assert len(many_csv) == len(few_csv), page


def test_risk_board_sorts_by_worker_and_says_what_to_do_next(client, worlds):
    mine, _ = worlds
    _login(client, mine["client"])
    for first in ("Zed", "Abe"):
        RiskFlagFactory(worker=WorkerFactory(client=mine["client"], provider=mine["provider"], last_name=first))
    body = client.get("/risks/", {"sort": "worker"}).content.decode()
    assert body.index("Abe") < body.index("Zed")
    body = client.get("/risks/", {"sort": "-worker"}).content.decode()
    assert body.index("Zed") < body.index("Abe")
    assert "Move the worker to an employment contract" in body  # the rule's next step
    shown = re.sub(r"<[^>]+>", " ", body)  # the text a person reads, not attribute values
    assert "Contractor under full-time client direction" in shown
    assert "contractor_full_time_direction" not in shown  # the rule's name, not its code


def test_screening_board_decided_list_sorts_and_hides_no_rule(client, worlds):
    mine, _ = worlds
    _login(client, mine["client"])
    for last, day in (("Older", 1), ("Newer", 20)):
        ScreeningFactory(
            client=mine["client"],
            candidate__last_name=last,
            status="passed",
            decided_at=timezone.make_aware(dt.datetime(2026, 3, day)),
        )
    body = client.get("/screening/", {"sort": "decided"}).content.decode()
    assert body.index("Older") < body.index("Newer")
    body = client.get("/screening/", {"sort": "-decided"}).content.decode()
    assert body.index("Newer") < body.index("Older")


def test_screening_csv_keeps_a_composite_blind_until_the_viewer_may_see_it(client, worlds):
    mine, _ = worlds
    _login(client, mine["client"], Role.HIRING_MANAGER)
    ScreeningFactory(client=mine["client"], candidate__first_name="Blind", composite_score=Decimal("71.5"))
    rows = _csv(client.get("/screening/", {"format": "csv"}))
    row = next(r for r in rows if r[0].startswith("Blind"))
    assert row[rows[0].index("Composite")] == ""


def test_payroll_runs_show_amounts_and_totals(client, worlds):
    mine, _ = worlds
    _login(client, mine["provider"].organization)
    run = PayrollRunFactory(provider=mine["provider"])
    a = WorkerFactory(client=mine["client"], provider=mine["provider"])
    b = WorkerFactory(client=mine["client"], provider=mine["provider"])
    c = WorkerFactory(client=mine["client"], provider=mine["provider"])
    PayrollEntryFactory(run=run, worker=a, gross_amount=Decimal("1200.50"), currency="EUR", status="paid")
    PayrollEntryFactory(run=run, worker=b, gross_amount=Decimal("800.00"), currency="EUR")
    PayrollEntryFactory(run=run, worker=c)
    listing = client.get("/provider/payroll/").content.decode()
    assert "2,000.50 EUR" in listing and "1,200.50 EUR" in listing  # gross total, paid so far
    assert "1 without an amount" in listing
    detail = client.get(f"/provider/payroll/{run.id}/").content.decode()
    assert "Gross total 2,000.50 EUR" in detail and "paid so far 1,200.50 EUR" in detail
    body = client.get(f"/provider/payroll/{run.id}/", {"sort": "-amount"}).content.decode()
    assert body.index("1200.50") < body.index("800.00")
    rows = _csv(client.get(f"/provider/payroll/{run.id}/", {"format": "csv"}))
    assert "Gross amount" in rows[0]


def test_compliance_items_say_how_many_days_are_left(client, worlds):
    mine, _ = worlds
    _login(client, mine["provider"].organization)
    today = timezone.localdate()
    soon = WorkerFactory(client=mine["client"], provider=mine["provider"], last_name="Soon")
    gone = WorkerFactory(client=mine["client"], provider=mine["provider"], last_name="Gone")
    ComplianceItemFactory(worker=soon, expires_on=today + dt.timedelta(days=12))
    expired = today - dt.timedelta(days=3)
    item = ComplianceItemFactory(worker=gone, kind=ComplianceKind.RIGHT_TO_WORK, expires_on=expired)
    body = client.get("/provider/compliance/").content.decode()
    assert "12 days left" in body and "expired 3 days ago" in body
    body = client.get("/provider/compliance/", {"sort": "expires"}).content.decode()
    body = body[body.index("All items") :]
    assert body.index("Gone") < body.index("Soon")
    assert "expired 3 days ago" in client.get(f"/provider/compliance/{item.id}/").content.decode()
    rows = _csv(client.get("/provider/compliance/", {"format": "csv"}))
    days = {row[0].split()[-1]: row[rows[0].index("Days left")] for row in rows[1:]}
    assert days == {"Soon": "12", "Gone": "-3"}


def test_team_page_has_tenure_and_a_first_90_days_filter(client, worlds):
    mine, _ = worlds
    _login(client, mine["client"])
    team = TeamFactory(client=mine["client"])
    today = timezone.localdate()
    new = WorkerFactory(
        client=mine["client"], provider=mine["provider"], last_name="Newcomer", start_date=today - dt.timedelta(days=9)
    )
    old = WorkerFactory(
        client=mine["client"], provider=mine["provider"], last_name="Veteran", start_date=today - dt.timedelta(days=400)
    )
    for worker in (new, old):
        AssignmentFactory(team=team, worker=worker)
    body = client.get(f"/teams/{team.id}/").content.decode()
    assert "day 10" in body and "first 90 days" in body and "day 401" in body
    body = client.get(f"/teams/{team.id}/", {"worker_in_first_90_days": "true"}).content.decode()
    assert "Newcomer" in body and "Veteran" not in body
    body = client.get(f"/teams/{team.id}/", {"worker_in_first_90_days": "false"}).content.decode()
    assert "Veteran" in body and "Newcomer" not in body
    rows = _csv(client.get(f"/teams/{team.id}/", {"format": "csv"}))
    assert "Worker tenure (days)" in rows[0] and "Worker in the first 90 days" in rows[0]


def test_audit_log_sorts_by_who_channel_resource_and_when_and_exports_the_filtered_rows(client, worlds):
    mine, _ = worlds
    admin = _login(client, mine["client"])
    zed = make_actor(mine["client"]).user
    abe = make_actor(mine["client"]).user
    type(zed).objects.filter(pk=zed.pk).update(first_name="Zed", last_name="Zulu")
    type(abe).objects.filter(pk=abe.pk).update(first_name="Abe", last_name="Alpha")
    first, second = (WorkerFactory(client=mine["client"], provider=mine["provider"]) for _ in range(2))
    team = TeamFactory(client=mine["client"], name="Audited team")
    with pghistory.context(user=str(zed.pk), channel="web"):
        Worker.objects.filter(pk=first.pk).update(role_title="Renamed by Zed")
    with pghistory.context(user=str(abe.pk), channel="api"):
        Worker.objects.filter(pk=second.pk).update(role_title="Renamed by Abe")
    # One transaction gives every version the same time: spread them over three days.
    for resource, pk, day in (("workers", first.pk, 1), ("workers", second.pk, 2), ("teams", team.pk, 3)):
        BY_NAME[resource].event_model.objects.filter(pgh_obj_id=pk).update(
            pgh_created_at=timezone.make_aware(dt.datetime(2026, 3, day))
        )

    def table(params):
        body = client.get("/audit/", params).content.decode()
        return body.split('<table class="audit-log">', 1)[1]

    body = table({})  # newest first by default
    assert body.index("Audited team") < body.index("Renamed by Abe") < body.index("Renamed by Zed")
    body = table({"sort": "when"})
    assert body.index("Renamed by Zed") < body.index("Renamed by Abe") < body.index("Audited team")
    for sort, before, after in (
        ("who", "Renamed by Abe", "Renamed by Zed"),
        ("-who", "Renamed by Zed", "Renamed by Abe"),
        ("channel", "Renamed by Abe", "Renamed by Zed"),  # "api" before "web"
        ("-channel", "Renamed by Zed", "Renamed by Abe"),
        ("resource", "Audited team", "Renamed by Abe"),  # "Team" before "Worker"
        ("-resource", "Renamed by Abe", "Audited team"),
    ):
        body = table({"sort": sort})
        assert body.index(before) < body.index(after), sort
    assert 'data-sort="descending"' in table({"sort": "-who"})
    rows = _csv(client.get("/audit/", {"format": "csv", "who": f"user:{abe.pk}", "sort": "who"}))
    header, *data = rows
    assert header[:4] == ["When", "Who", "Channel", "Resource"]
    assert [(row[1], row[2], row[3]) for row in data] == [("Abe Alpha", "api", "Worker")]
    assert "role_title: Backend engineer → Renamed by Abe" in data[0][header.index("Change")]
    assert admin.user.pk != abe.pk


def test_audit_csv_writes_a_formula_as_text(client, worlds):
    mine, _ = worlds
    _login(client, mine["client"])
    worker = WorkerFactory(client=mine["client"], provider=mine["provider"])
    with pghistory.context(channel="=HYPERLINK(1)"):
        Worker.objects.filter(pk=worker.pk).update(role_title="x")
    rows = _csv(client.get("/audit/", {"format": "csv", "sort": "channel"}))
    assert rows[1][rows[0].index("Channel")] == "'=HYPERLINK(1)"  # "'" sorts before every letter


def test_role_templates_sort_filter_and_export(client, worlds):
    mine, _ = worlds
    _login(client, mine["client"])
    ScreeningTemplateFactory(client=mine["client"], name="Alpha kit", role_title="Zookeeper", pass_threshold=80)
    ScreeningTemplateFactory(client=mine["client"], name="Omega kit", role_title="Accountant", pass_threshold=50)
    ScreeningTemplateFactory(client=mine["client"], name="=Retired kit", role_title="Clerk", is_active=False)
    body = client.get("/screening/templates/", {"sort": "role"}).content.decode()
    assert body.index("Omega kit") < body.index("Alpha kit")
    body = client.get("/screening/templates/", {"sort": "-pass"}).content.decode()
    assert body.index("Alpha kit") < body.index("Omega kit")
    body = client.get("/screening/templates/", {"is_active": "true"}).content.decode()
    assert "Alpha kit" in body and "Retired kit" not in body
    rows = _csv(client.get("/screening/templates/", {"format": "csv", "sort": "name"}))
    assert [row[0] for row in rows[1:]] == ["'=Retired kit", "Alpha kit", "Omega kit"]
    assert rows[0] == ["Template", "Role", "Methods", "Pass mark", "Minimum CEFR", "Expected validity", "Active"]
    assert rows[1][-1] == "no"
