import datetime as dt

import pytest
from django.utils import timezone

from accounts.tests.factories import ClientFactory, make_actor
from assignments.tests.factories import TeamFactory
from providers.tests.factories import ProviderFactory
from screening.choices import ScreeningStage, ScreeningStatus
from screening.tests.factories import CandidateFactory, ScreeningFactory
from workers.tests.factories import WorkerFactory


def pass_screening(worker):
    """Give `worker` a decided, passed screening so the onboarding gate lets them through."""
    candidate = CandidateFactory(client=worker.client, worker=worker)
    return ScreeningFactory(
        client=worker.client,
        candidate=candidate,
        status=ScreeningStatus.PASSED,
        stage=ScreeningStage.DECISION,
        composite_score=80,
        decided_at=timezone.now(),
    )


def screened_worker(**kwargs):
    worker = WorkerFactory(**kwargs)
    pass_screening(worker)
    return worker


@pytest.fixture
def world():
    """Two clients, a provider employing workers of both, a team each, admins for each."""
    client_a, client_b = ClientFactory(), ClientFactory()
    provider = ProviderFactory()
    other_provider = ProviderFactory()
    admin_a = make_actor(client_a)
    admin_b = make_actor(client_b)
    team_a = TeamFactory(client=client_a, name="Platform")
    team_b = TeamFactory(client=client_b, name="Payments")
    worker_a = screened_worker(client=client_a, provider=provider, first_name="Ada", last_name="Lovelace")
    worker_b = screened_worker(client=client_b, provider=other_provider, first_name="Bob", last_name="Brown")
    return {
        "client_a": client_a,
        "client_b": client_b,
        "provider": provider,
        "other_provider": other_provider,
        "admin_a": admin_a,
        "admin_b": admin_b,
        "team_a": team_a,
        "team_b": team_b,
        "worker_a": worker_a,
        "worker_b": worker_b,
    }


JAN_15 = dt.date(2026, 1, 15)
