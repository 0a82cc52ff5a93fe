import datetime as dt

import pytest

from accounts.tests.factories import ClientFactory
from providers.tests.factories import LegalEntityFactory, ProviderFactory
from workers.tests.factories import WorkerFactory


@pytest.fixture
def tenants(db):
    """Two providers, two clients; provider A employs `mine` (DE, for client A) and provider B
    employs `theirs` (DE, for client B)."""
    client_a, client_b = ClientFactory(), ClientFactory()
    provider_a, provider_b = ProviderFactory(), ProviderFactory()
    mine = WorkerFactory(client=client_a, provider=provider_a, country="DE", external_id="W-1")
    theirs = WorkerFactory(client=client_b, provider=provider_b, country="DE", external_id="W-1")
    entity_a = LegalEntityFactory(provider=provider_a, country="DE")
    entity_b = LegalEntityFactory(provider=provider_b, country="DE")
    return {
        "client_a": client_a,
        "client_b": client_b,
        "provider_a": provider_a,
        "provider_b": provider_b,
        "mine": mine,
        "theirs": theirs,
        "entity_a": entity_a,
        "entity_b": entity_b,
    }


PERIOD = {"country": "DE", "period_start": dt.date(2026, 10, 1), "period_end": dt.date(2026, 10, 31)}
