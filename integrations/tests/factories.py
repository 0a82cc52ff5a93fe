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
