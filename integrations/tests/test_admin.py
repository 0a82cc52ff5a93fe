import pytest

from integrations.models import WebhookDelivery
from outstaff.signals import send_worker_changed_on_commit

pytestmark = pytest.mark.django_db


def test_admin_pages_load_and_never_show_the_secret(admin_client, tenants, endpoint_factory):
    endpoint = endpoint_factory(organization=tenants["client_a"])
    send_worker_changed_on_commit(worker_id=tenants["mine"].id, source="workers.Worker")
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
