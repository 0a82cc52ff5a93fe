"""Warn before saving on the contract and worker-dates pages (issue #12): the change is previewed by
the scan's rules; a change that raises flags shows them and saves only when confirmed; another
tenant cannot see or change the page; its query count does not grow with rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import ClientFactory, make_actor
from providers.models import EmploymentContract
from providers.tests.factories import EmploymentContractFactory, LegalEntityFactory, ProviderFactory
from risks.rules.tenure import add_months

from .conftest import preview_counts

pytestmark = pytest.mark.django_db


def _login(client, organization, role=None):
    actor = make_actor(organization, role)
    client.force_login(actor.user)
    return actor


def _contract_data(contract, **changes):
    data = {
        "legal_entity": contract.legal_entity_id,
        "contract_type": contract.contract_type,
        "engagement_model": contract.engagement_model,
        "signed_on": contract.signed_on.isoformat() if contract.signed_on else "",
        "starts_on": contract.starts_on.isoformat(),
        "ends_on": "",
        "weekly_hours": "40.0",
    }
    data.update(changes)
    return data


def test_contract_page_warns_of_a_contractor_at_full_time_direction_and_saves_when_confirmed(german_placement, client):
    worker = german_placement["worker"]
    contract = EmploymentContract.objects.get(worker=worker)
    _login(client, worker.provider.organization)
    url = f"/provider/contracts/{contract.id}/edit/"
    page = client.get(url)
    assert page.status_code == 200 and "Edit the contract of" in page.content.decode()
    data = _contract_data(contract, contract_type="contractor")
    before = preview_counts()
    warned = client.post(url, data)
    html = warned.content.decode()
    assert warned.status_code == 200
    assert (
        "This change raises risk flags" in html
        and "Contractor under full-time client direction" in html
        and "Save anyway" in html
    )
    assert preview_counts() == before
    contract.refresh_from_db()
    assert contract.contract_type == "employment"
    saved = client.post(url, {**data, "confirm_risks": warned.context["risk_confirmation"]})
    assert saved.status_code == 302 and saved["Location"] == f"/workers/{worker.id}/"
    contract.refresh_from_db()
    assert contract.contract_type == "contractor"


def test_contract_page_saves_a_harmless_change_at_once_and_reports_bad_input(german_placement, client):
    worker = german_placement["worker"]
    contract = EmploymentContract.objects.get(worker=worker)
    _login(client, worker.provider.organization)
    url = f"/provider/contracts/{contract.id}/edit/"
    bad = client.post(url, _contract_data(contract, ends_on="2000-01-01"))
    assert bad.status_code == 200 and "cannot end before it starts" in bad.content.decode()
    contract.refresh_from_db()
    assert contract.ends_on is None
    fine = client.post(url, _contract_data(contract, weekly_hours="38.0"))
    assert fine.status_code == 302
    contract.refresh_from_db()
    assert str(contract.weekly_hours) == "38.0"


def test_another_provider_or_a_client_cannot_open_or_change_the_contract_page(german_placement, client):
    contract = EmploymentContract.objects.get(worker=german_placement["worker"])
    url = f"/provider/contracts/{contract.id}/edit/"
    _login(client, ProviderFactory().organization)
    assert client.get(url).status_code == 404
    assert client.post(url, _contract_data(contract, contract_type="contractor")).status_code == 404
    _login(client, german_placement["client"])
    assert client.get(url).status_code == 404
    contract.refresh_from_db()
    assert contract.contract_type == "employment"


def test_contract_page_query_count_does_not_grow_with_the_providers_entities(german_placement, client):
    worker = german_placement["worker"]
    contract = EmploymentContract.objects.get(worker=worker)
    _login(client, worker.provider.organization)
    url = f"/provider/contracts/{contract.id}/edit/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.get(url)  # warm up
    few = count()
    for country in ("FR", "PL", "ES", "IT", "NL"):
        LegalEntityFactory(provider=worker.provider, country=country)
    assert count() == few


def test_worker_dates_page_warns_of_an_overdue_check_in_and_saves_when_confirmed(german_placement, client):
    worker, today = german_placement["worker"], german_placement["today"]
    _login(client, german_placement["client"])
    url = f"/workers/{worker.id}/dates/"
    assert "Change the start date" in client.get(f"/workers/{worker.id}/").content.decode()
    assert client.get(url).status_code == 200
    moved = (today - dt.timedelta(days=40)).isoformat()
    before = preview_counts()
    warned = client.post(url, {"start_date": moved})
    html = warned.content.decode()
    assert (
        warned.status_code == 200
        and "This change raises risk flags" in html
        and "30/60/90-day check-in overdue" in html
    )
    assert preview_counts() == before
    worker.refresh_from_db()
    assert worker.start_date == add_months(today, -17)
    saved = client.post(url, {"start_date": moved, "confirm_risks": warned.context["risk_confirmation"]})
    assert saved.status_code == 302
    worker.refresh_from_db()
    assert worker.start_date.isoformat() == moved


def test_another_client_cannot_open_or_change_the_worker_dates_page(german_placement, client):
    worker = german_placement["worker"]
    url = f"/workers/{worker.id}/dates/"
    _login(client, ClientFactory())
    assert client.get(url).status_code == 404
    assert client.post(url, {"start_date": "2020-01-01"}).status_code == 404
    _login(client, german_placement["client"], "viewer")
    assert client.post(url, {"start_date": "2020-01-01"}).status_code == 403
    worker.refresh_from_db()
    assert worker.start_date == add_months(german_placement["today"], -17)


def test_worker_dates_page_and_preview_query_count_does_not_grow_with_contracts(german_placement, client):
    worker = german_placement["worker"]
    _login(client, german_placement["client"])
    url = f"/workers/{worker.id}/dates/"

    moved = {"start_date": (german_placement["today"] - dt.timedelta(days=40)).isoformat()}

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
            assert "30/60/90-day check-in overdue" in client.post(url, moved).content.decode()  # the preview
        return len(queries)

    client.get(url)
    few = count()
    for year in (2019, 2020, 2021, 2022):
        EmploymentContractFactory(
            worker=worker,
            legal_entity=german_placement["entity"],
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
        )
    assert count() == few
