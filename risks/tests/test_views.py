"""Risk pages: the board per client and per provider, flag detail with its history, triage
buttons, jurisdictions and retention pages; cross-tenant 404s and constant query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, make_actor
from providers.tests.factories import ProviderFactory
from risks import services
from risks.models import RiskFlag
from risks.services import risk_scan_run
from risks.tests.factories import RiskFlagFactory
from workers.models import Worker
from workers.tests.factories import WorkerFactory

from .scenarios import TODAY, contractor_directed_full_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    client_a, client_b = ClientFactory(name="Acme"), ClientFactory(name="Globex")
    provider_a, provider_b = ProviderFactory(), ProviderFactory()
    worker, _ = contractor_directed_full_time(client=client_a, provider=provider_a)
    other, _ = contractor_directed_full_time(client=client_b, provider=provider_b)
    risk_scan_run(today=TODAY)
    return {
        "client_a": client_a,
        "client_b": client_b,
        "provider_a": provider_a,
        "worker": worker,
        "other": other,
        "mine": RiskFlag.objects.get(worker=worker, rule_code="contractor_full_time_direction"),
        "theirs": RiskFlag.objects.get(worker=other, rule_code="contractor_full_time_direction"),
    }


def login(client, organization, role=None):
    actor = make_actor(organization, role=role)
    client.force_login(actor.user)
    return actor


def test_client_board_groups_by_severity_with_evidence_and_triage(setup, client):
    login(client, setup["client_a"])
    response = client.get("/risks/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "contractor working 40 h/week on a schedule set by Acme since 2026-02-01 — IR35 control test" in html
    assert setup["other"].full_name not in html
    assert 'class="badge critical"' in html
    assert f"/risks/flags/{setup['mine'].id}/dismiss/" in html
    assert "United Kingdom" in html  # the jurisdiction facts used
    assert "attrition_risk_high" in html and "<svg" in html
    assert 'class="nav-count"' in html


def test_provider_board_shows_flags_about_workers_it_employs(setup, client):
    login(client, setup["provider_a"].organization)
    html = client.get("/risks/").content.decode()
    assert setup["worker"].full_name in html and setup["other"].full_name not in html


def test_viewer_sees_no_triage_buttons_and_cannot_post(setup, client):
    login(client, setup["client_a"], role=Role.VIEWER)
    html = client.get("/risks/").content.decode()
    assert "/dismiss/" not in html
    assert client.post(f"/risks/flags/{setup['mine'].id}/acknowledge/").status_code == 403
    setup["mine"].refresh_from_db()
    assert setup["mine"].status == "open"


def test_triage_buttons_move_the_flag_and_history_shows_who(setup, client):
    actor = login(client, setup["client_a"])
    flag = setup["mine"]
    response = client.post(f"/risks/flags/{flag.id}/acknowledge/", {"note": "on it"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "acknowledged" and flag.status_changed_by == actor.user
    response = client.post(f"/risks/flags/{flag.id}/dismiss/", {"reason": ""}, follow=True)
    assert "Say why this flag is not a risk." in response.content.decode()
    flag.refresh_from_db()
    assert flag.status == "acknowledged"
    client.post(f"/risks/flags/{flag.id}/dismiss/", {"reason": "Renegotiating the contract"})
    html = client.get(f"/risks/flags/{flag.id}/").content.decode()
    assert "Renegotiating the contract" in html and str(actor.user) in html
    assert "<dt>Weekly hours</dt><dd>40</dd>" in html and "<dt>Schedule set by client</dt><dd>yes</dd>" in html
    assert html.count("<td>update</td>") == 2


def test_open_redirect_is_refused(setup, client):
    login(client, setup["client_a"])
    response = client.post(f"/risks/flags/{setup['mine'].id}/acknowledge/", {"next": "https://evil.test/"})
    assert response["Location"] == "/risks/"


def test_other_tenants_flag_page_and_actions_are_404(setup, client):
    login(client, setup["client_a"])
    theirs = setup["theirs"]
    assert client.get(f"/risks/flags/{theirs.id}/").status_code == 404
    assert client.post(f"/risks/flags/{theirs.id}/resolve/").status_code == 404
    assert client.post(f"/risks/flags/{setup['mine'].id}/explode/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "open"


def test_board_query_count_does_not_grow_with_flags(setup, client):
    login(client, setup["client_a"])
    client.get("/risks/")
    with CaptureQueriesContext(connection) as few:
        client.get("/risks/")
    for _ in range(12):
        RiskFlagFactory(worker=WorkerFactory(client=setup["client_a"], provider=setup["provider_a"]))
    with CaptureQueriesContext(connection) as many:
        response = client.get("/risks/")
    assert response.content.decode().count("/acknowledge/") >= 13
    assert len(many) == len(few)


def test_jurisdictions_page_shows_every_pack(setup, client):
    login(client, setup["client_a"])
    html = client.get("/risks/jurisdictions/").content.decode()
    for name in ("Germany", "Poland", "United Kingdom", "United States (federal)", "California", "Any other country"):
        assert name in html
    assert "AÜG §1(1b)" in html and "version 2026.2" in html


def test_jurisdictions_page_shows_every_fact_with_its_source_and_whether_it_is_verified(setup, client):
    from jurisdictions import all_jurisdictions  # noqa: PLC0415

    login(client, setup["client_a"])
    html = client.get("/risks/jurisdictions/").content.decode()
    for pack in all_jurisdictions().values():
        for name, fact in pack.facts.items():
            row = html.split(f'id="fact-{pack.code}-{name}"', 1)[1].split("</tr>", 1)[0]
            assert escape(fact.source) in row, (pack.code, name)
            assert ("verified</span>" in row) and (("unverified" in row) != fact.verified), (pack.code, name)


def test_retention_page_groups_and_is_scoped(setup, client):
    recent = dt.date.today() - dt.timedelta(days=100)
    Worker.objects.filter(pk__in=[setup["worker"].pk, setup["other"].pk]).update(start_date=recent)
    login(client, setup["client_a"])
    html = client.get("/risks/retention/?group_by=provider").content.decode()
    assert setup["provider_a"].legal_name in html
    assert "Globex" not in client.get("/risks/retention/?group_by=client").content.decode()
    assert client.get("/risks/retention/?group_by=nonsense").status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get("/risks/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_provider_filters_its_board_by_client_and_sees_last_scan(setup, client):
    acme_worker = setup["worker"]
    globex_worker, _ = contractor_directed_full_time(client=setup["client_b"], provider=setup["provider_a"])
    risk_scan_run(today=TODAY)
    login(client, setup["provider_a"].organization)
    html = client.get("/risks/").content.decode()
    assert f'<option value="{setup["client_b"].id}"' in html and "Last full scan:" in html
    html = client.get(f"/risks/?client={setup['client_b'].id}").content.decode()
    assert globex_worker.full_name in html and acme_worker.full_name not in html


def test_htmx_triage_swaps_the_row_and_refreshes_the_count(setup, client):
    login(client, setup["client_a"])
    flag = setup["mine"]
    for code in ("checkin_overdue", "checkin_low_rating"):
        RiskFlagFactory(worker=setup["worker"], rule_code=code, category="attrition")
    before = RiskFlag.objects.filter(client=setup["client_a"], status="open").count()
    assert before >= 3
    response = client.post(f"/risks/flags/{flag.id}/acknowledge/", {"next": "/risks/"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<tr id="flag-{flag.id}">' in html and "Acknowledged" in html
    assert 'hx-swap-oob="true"' in html and f">{before - 1}</span>" in html
    flag.refresh_from_db()
    assert flag.status == "acknowledged"
    response = client.post(f"/risks/flags/{flag.id}/dismiss/", {"reason": " "}, HTTP_HX_REQUEST="true")
    assert "Say why this flag is not a risk." in response.content.decode()


def test_open_count_badge_is_live_and_scoped(setup, client):
    login(client, setup["client_a"])
    mine = RiskFlag.objects.filter(client=setup["client_a"], status="open").count()
    html = client.get("/risks/open-count/").content.decode()
    assert f">{mine}</span>" in html and 'hx-trigger="every 60s"' in html
    RiskFlag.objects.filter(client=setup["client_a"]).update(status="acknowledged")
    assert "></span>" in client.get("/risks/open-count/").content.decode()  # nothing open: empty badge
    assert setup["theirs"].status == "open"  # the other tenant's open flag is not counted


def test_retention_page_query_count_does_not_grow_with_workers(setup, client):
    login(client, setup["client_a"])
    start = (dt.date.today() - dt.timedelta(days=200)).replace(day=1)
    client.get("/risks/retention/?group_by=team")
    with CaptureQueriesContext(connection) as few:
        client.get("/risks/retention/?group_by=team")
    for _ in range(10):
        contractor_directed_full_time(client=setup["client_a"], provider=setup["provider_a"])
    Worker.objects.filter(client=setup["client_a"]).update(start_date=start)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/risks/retention/?group_by=team")
    assert response.status_code == 200
    assert len(many) == len(few)


def test_flag_page_query_count_does_not_grow_with_its_history(setup, client):
    actor = login(client, setup["client_a"])
    flag = setup["mine"]
    client.get(f"/risks/flags/{flag.id}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/risks/flags/{flag.id}/")
    for _ in range(5):
        services.risk_flag_acknowledge(actor=actor, flag=flag, note="looking")
        RiskFlag.objects.filter(pk=flag.pk).update(status="open")
        services.risk_flag_dismiss(actor=actor, flag=flag, reason="fine")
        RiskFlag.objects.filter(pk=flag.pk).update(status="open")
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/risks/flags/{flag.id}/")
    assert response.content.decode().count("looking") >= 5
    assert len(many) == len(few)
