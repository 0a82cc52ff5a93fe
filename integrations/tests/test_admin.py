import pytest

from integrations.models import WebhookDelivery
from integrations.tests.factories import announce_worker_change

pytestmark = pytest.mark.django_db


def test_admin_pages_load_and_never_show_the_secret(admin_client, tenants, endpoint_factory):
    endpoint = endpoint_factory(organization=tenants["client_a"])
    announce_worker_change(tenants["mine"])
    delivery = WebhookDelivery.objects.get()
    for url in (
        "/admin/integrations/webhookendpoint/",
        f"/admin/integrations/webhookendpoint/{endpoint.id}/change/",
        "/admin/integrations/webhookevent/",
        "/admin/integrations/webhookdelivery/",
        f"/admin/integrations/webhookdelivery/{delivery.id}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert endpoint.secret not in response.content.decode()
