"""The home page is cached under the client's data version (outstaff/dataversion.py): a write to any
table it reads, committed through any path, is on the next page; another tenant's write neither
changes nor shows on it; a client admin's and a hiring manager's pages never mix; a warm page costs
a pinned number of queries.

Each test runs in a transaction, as the suite does: `flush_pending()` does what COMMIT does to the
versions (tests/test_dataversion.py checks the real COMMIT in its own transactions). Without it, a
page read after an uncommitted write of its own transaction is computed, never cached."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Organization
from accounts.tests.factories import ClientFactory, make_actor
from assignments.models import Assignment
from assignments.services import team_update
from assignments.tests.factories import AssignmentFactory, TeamFactory
from outstaff.dataversion import data_versions, flush_pending
from providers.tests.factories import ProviderFactory
from risks.models import RiskFlag
from risks.services.flags import risk_flag_resolve
from risks.tests.factories import RiskFlagFactory
from screening.models import ScreeningTemplate
from screening.services.screenings import candidate_update
from screening.tests.factories import InterviewScorecardFactory, ScreeningFactory
from workers.models import CheckIn
from workers.services import check_in_record, worker_update
from workers.tests.factories import CheckInFactory, WorkerFactory

pytestmark = pytest.mark.django_db

# A warm page: the session, its user, the user's memberships (read once for the actor and the
# organization switcher), the data version; nothing that grows with the tenant's rows.
WARM_HOME_QUERIES = 4


def _stat_before(body: str, label: str) -> str:
    head = body.split(f'aria-hidden="true">{label}')[0]
    return head.rsplit('class="stat"', 1)[1].split(">", 1)[1].split("<")[0].strip()


def _browser(actor) -> Client:
    browser = Client()
    browser.force_login(actor.user)
    return browser


def _page(browser: Client) -> str:
    response = browser.get("/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def acme():
    today = timezone.localdate()
    client = ClientFactory(name="Acme")
    provider = ProviderFactory()
    admin = make_actor(client, role=Role.CLIENT_ADMIN)
    manager = make_actor(client, role=Role.HIRING_MANAGER)
    team = TeamFactory(client=client)
    team.managers.add(manager.user)
    other_team = TeamFactory(client=client)
    mine = WorkerFactory(client=client, provider=provider, first_name="Mina", start_date=today - dt.timedelta(days=400))
    theirs = WorkerFactory(
        client=client, provider=provider, first_name="Theo", start_date=today - dt.timedelta(days=400)
    )
    AssignmentFactory(worker=mine, team=team, starts_on=today - dt.timedelta(days=300))
    AssignmentFactory(worker=theirs, team=other_team, starts_on=today - dt.timedelta(days=300))
    flush_pending()  # as if the set-up had committed: the pages below are cached
    return {
        "client": client,
        "provider": provider,
        "admin": admin,
        "manager": manager,
        "team": team,
        "other_team": other_team,
        "mine": mine,
        "theirs": theirs,
        "today": today,
    }


def _warm(browser) -> str:
    """Read the page twice: the second is served from the cache (one query for the version)."""
    _page(browser)
    with CaptureQueriesContext(connection) as queries:
        body = _page(browser)
    assert len(queries) == WARM_HOME_QUERIES, [q["sql"][:120] for q in queries]
    return body


def test_a_warm_home_page_is_served_from_the_cache_in_a_pinned_number_of_queries(acme):
    for actor in (acme["admin"], acme["manager"]):
        browser = _browser(actor)
        _page(browser)
        with CaptureQueriesContext(connection) as warm:
            _page(browser)
        assert len(warm) == WARM_HOME_QUERIES, [q["sql"][:120] for q in warm]
        assert not any("workers_worker" in q["sql"] for q in warm)


def test_workers_writes_show_on_the_next_page(acme):
    browser = _browser(acme["admin"])
    assert _stat_before(_warm(browser), "active workers") == "2"
    worker_update(actor=acme["admin"], instance=acme["theirs"], first_name="Theodor")
    flush_pending()
    WorkerFactory(client=acme["client"], provider=acme["provider"])
    flush_pending()
    assert _stat_before(_warm(browser), "active workers") == "3"


def test_a_check_in_recorded_leaves_the_overdue_count(acme):
    check_in = CheckInFactory(worker=acme["mine"], due_on=acme["today"] - dt.timedelta(days=3))
    flush_pending()
    browser = _browser(acme["admin"])
    assert _stat_before(_warm(browser), "check-ins overdue") == "1"
    check_in_record(
        actor=acme["admin"], instance=check_in, engagement=4, role_clarity=4, manager_relationship=4, notes="ok"
    )
    flush_pending()
    assert CheckIn.objects.get(pk=check_in.pk).done_on is not None
    assert _stat_before(_warm(browser), "check-ins overdue") == "0"


def test_a_flag_resolved_leaves_the_counts(acme):
    flag = RiskFlagFactory(worker=acme["mine"], severity="critical")
    flush_pending()
    browser = _browser(acme["admin"])
    assert _stat_before(_warm(browser), "critical or high risk flags") == "1"
    risk_flag_resolve(actor=acme["admin"], flag=flag, reason="fixed the set-up")
    flush_pending()
    assert _stat_before(_warm(browser), "critical or high risk flags") == "0"
    # The scan and the bulk paths write with queryset updates and raw SQL: the same triggers.
    RiskFlag.objects.filter(pk=flag.pk).update(status="open", resolved_at=None)
    flush_pending()
    assert _stat_before(_warm(browser), "critical or high risk flags") == "1"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE risks_riskflag SET severity = 'low' WHERE id = %s", [flag.pk])
    flush_pending()
    assert _stat_before(_warm(browser), "critical or high risk flags") == "0"


def test_a_hiring_managers_scope_follows_assignments_and_team_managers(acme):
    browser = _browser(acme["manager"])
    assert _stat_before(_warm(browser), "active workers") == "1"
    # Made a manager of the other team: Theo is theirs too.
    team_update(actor=acme["admin"], instance=acme["other_team"], managers=[acme["manager"].user])
    flush_pending()
    assert _stat_before(_warm(browser), "active workers") == "2"
    # The many-to-many table by raw SQL (no receiver runs): the trigger still sees it.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM assignments_team_managers WHERE team_id = %s", [acme["other_team"].pk])
    flush_pending()
    assert _stat_before(_warm(browser), "active workers") == "1"
    # Mina's assignment moved to the other team (a bulk update): she is no longer on their teams.
    Assignment.objects.filter(worker=acme["mine"]).update(team=acme["other_team"])
    flush_pending()
    assert _stat_before(_warm(browser), "active workers") == "0"


def test_screenings_candidates_templates_and_scorecards_show_on_the_next_page(acme):
    screening = ScreeningFactory(client=acme["client"], stage="interview")
    decision = ScreeningFactory(client=acme["client"], stage="decision")
    flush_pending()
    browser = _browser(acme["admin"])
    body = _warm(browser)
    assert _stat_before(body, "screenings in progress") == "2"
    assert f"Interview {screening.candidate}" in body
    ScreeningFactory(client=acme["client"], stage="interview")
    flush_pending()
    assert _stat_before(_warm(browser), "screenings in progress") == "3"
    candidate_update(actor=acme["admin"], instance=decision.candidate, first_name="Renamed")
    flush_pending()
    assert "Decide on Renamed " in _warm(browser)
    ScreeningTemplate.objects.filter(pk=decision.template_id).update(role_title="Data wrangler")
    flush_pending()
    assert "(Data wrangler)" in _warm(browser)
    InterviewScorecardFactory(screening=screening, interviewer=acme["admin"].user, submitted_at=timezone.now())
    flush_pending()
    assert f"Interview {screening.candidate}" not in _warm(browser)


def test_the_organizations_own_row_shows_on_the_next_page(acme):
    cap = (acme["today"] + dt.timedelta(days=60)).isoformat()
    RiskFlagFactory(
        worker=acme["mine"],
        rule_code="tenure_cap_approaching",
        severity="medium",
        evidence={"facts": {"cap_date": cap}, "summary": "", "sources": []},
    )
    flush_pending()
    browser = _browser(acme["admin"])
    assert "reaches the legal maximum with Acme" in _warm(browser)
    Organization.objects.filter(pk=acme["client"].pk).update(name="Acme Renamed")
    flush_pending()
    assert "reaches the legal maximum with Acme Renamed" in _warm(browser)


def test_another_tenants_writes_neither_change_nor_show_on_the_page(acme):
    browser = _browser(acme["admin"])
    before = _warm(browser)
    version = data_versions([acme["client"].id])
    other = ClientFactory(name="Globex")
    stranger = WorkerFactory(client=other, first_name="Zed", last_name="Stranger")
    RiskFlagFactory(worker=stranger, severity="critical")
    CheckInFactory(worker=stranger, due_on=acme["today"] - dt.timedelta(days=1))
    ScreeningFactory(client=other)
    flush_pending()
    assert data_versions([acme["client"].id]) == version
    with CaptureQueriesContext(connection) as queries:
        after = _page(browser)
    assert len(queries) == WARM_HOME_QUERIES  # still the cached page
    assert _stat_before(after, "active workers") == _stat_before(before, "active workers") == "2"
    assert "Stranger" not in after and _stat_before(after, "critical or high risk flags") == "0"
    # And the other client's page is its own.
    assert "Zed Stranger" in _page(_browser(make_actor(other, role=Role.CLIENT_ADMIN)))


def test_a_client_admin_and_a_hiring_manager_of_one_client_never_share_a_page(acme):
    admin, manager = _browser(acme["admin"]), _browser(acme["manager"])
    for _ in range(2):
        assert _stat_before(_page(admin), "active workers") == "2"
        assert _stat_before(_page(manager), "active workers") == "1"


def test_an_uncommitted_write_of_the_same_transaction_is_read_back(acme):
    browser = _browser(acme["admin"])
    assert _stat_before(_warm(browser), "active workers") == "2"
    WorkerFactory(client=acme["client"], provider=acme["provider"])  # no flush: not committed
    assert data_versions([acme["client"].id]) is None
    assert _stat_before(_page(browser), "active workers") == "3"


# Every table the home page reads for a client (dashboard.selectors.home_page's docstring).
SOURCE_TABLES = (
    "accounts_organization",
    "workers_worker",
    "workers_checkin",
    "risks_riskflag",
    "assignments_assignment",
    "assignments_team",
    "assignments_team_managers",
    "screening_screening",
    "screening_candidate",
    "screening_screeningtemplate",
    "screening_interviewscorecard",
)


def test_every_table_the_page_reads_bumps_the_version_on_every_kind_of_write():
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, count(*) FILTER (WHERE t.tgname LIKE '%%data_version%%' OR t.tgname LIKE '%%_dv_%%')
            FROM pg_class c LEFT JOIN pg_trigger t ON t.tgrelid = c.oid
            WHERE c.relname = ANY(%s) GROUP BY c.relname
            """,
            [list(SOURCE_TABLES)],
        )
        found = dict(cursor.fetchall())
    assert found == dict.fromkeys(SOURCE_TABLES, 4)  # insert, update, delete, truncate


def _without_csrf(body: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", body)


def test_the_cached_page_is_the_computed_page_byte_for_byte(acme):
    RiskFlagFactory(worker=acme["mine"], severity="high")
    CheckInFactory(worker=acme["mine"], due_on=acme["today"] - dt.timedelta(days=1))
    ScreeningFactory(client=acme["client"], stage="decision")
    for actor in (acme["admin"], acme["manager"]):
        browser = _browser(actor)
        computed = _page(browser)  # this transaction wrote the rows above: computed, not cached
        flush_pending()
        _page(browser)
        with CaptureQueriesContext(connection) as queries:
            cached = _page(browser)
        assert len(queries) == WARM_HOME_QUERIES
        assert _without_csrf(cached) == _without_csrf(computed)


@pytest.mark.django_db(transaction=True)
def test_with_real_commits_a_write_is_on_the_next_page_and_a_warm_page_is_cached():
    today = timezone.localdate()
    client = ClientFactory(name="Initech")
    admin = make_actor(client, role=Role.CLIENT_ADMIN)
    worker = WorkerFactory(client=client, start_date=today - dt.timedelta(days=400))
    check_in = CheckInFactory(worker=worker, due_on=today - dt.timedelta(days=3))
    browser = _browser(admin)
    assert _stat_before(_warm(browser), "check-ins overdue") == "1"
    # Each call below commits on its own (autocommit), as a request or a task would.
    check_in_record(actor=admin, instance=check_in, engagement=3, role_clarity=3, manager_relationship=3)
    assert _stat_before(_warm(browser), "check-ins overdue") == "0"
    WorkerFactory(client=client, start_date=today - dt.timedelta(days=10))
    assert _stat_before(_warm(browser), "active workers") == "2"
