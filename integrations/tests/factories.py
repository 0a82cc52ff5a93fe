import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import ClientFactory
from integrations.models import WebhookEndpoint
from integrations.services import webhook_secret_generate


class WebhookEndpointFactory(DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    organization = factory.SubFactory(ClientFactory)
    url = factory.Sequence(lambda n: f"https://hr{n}.example.test/hooks")
    event_types = factory.LazyFunction(list)
    secret = factory.LazyFunction(webhook_secret_generate)
    is_active = True


def announce_worker_change(worker, fields=("role_title",)) -> None:
    """Announce a change of `worker` as a service does (with its ResourceChange), so the outbox
    writes the `worker.changed` event carrying the worker."""
    from outstaff.signals import ResourceChange, send_worker_changed_on_commit

    send_worker_changed_on_commit(
        worker_id=worker.id, source="workers.Worker", changes=[ResourceChange.of(worker, "updated", fields)]
    )
