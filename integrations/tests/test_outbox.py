import pytest
from django.db import transaction

from integrations.choices import DeliveryStatus, EventType
from integrations.models import WebhookDelivery, WebhookEvent
from outstaff.signals import ResourceChange, send_worker_changed_on_commit, send_workers_changed_on_commit
from workers.services import worker_update
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def _changed(*workers) -> list[ResourceChange]:
    return [ResourceChange.of(worker, "updated", ["role_title"]) for worker in workers]


def test_a_service_change_writes_the_event_inside_its_own_transaction(tenants, endpoint_factory):
    from accounts.tests.factories import make_actor

    endpoint = endpoint_factory(organization=tenants["client_a"])
    actor = make_actor(tenants["client_a"])
    with transaction.atomic():
        worker_update(actor=actor, instance=tenants["mine"], role_title="Staff engineer")
        # Still inside the transaction: the outbox row is already there, before any commit.
        event = WebhookEvent.objects.get()
    assert event.organization_id == tenants["client_a"].id
    assert event.type == EventType.WORKER_CHANGED
    assert event.payload["type"] == "worker.changed"
    data = event.payload["data"]
    assert (data["resource_type"], data["id"], data["change"]) == ("workers", str(tenants["mine"].id), "updated")
    assert data["changed_fields"] == ["role_title"] and data["object"]["role_title"] == "Staff engineer"
    assert set(event.payload) == {"type", "timestamp", "data"}
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == endpoint and delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at is not None


def test_a_rolled_back_change_leaves_no_event(tenants, endpoint_factory):
    from accounts.tests.factories import make_actor

    endpoint_factory(organization=tenants["client_a"])
    actor = make_actor(tenants["client_a"])
    with pytest.raises(Boom), transaction.atomic():
        worker_update(actor=actor, instance=tenants["mine"], role_title="Staff engineer")
        assert WebhookEvent.objects.count() == 1
        raise Boom
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_events_go_only_to_the_workers_own_client_and_provider(tenants, endpoint_factory):
    a = endpoint_factory(organization=tenants["client_a"])
    p = endpoint_factory(organization=tenants["provider_p"])
    endpoint_factory(organization=tenants["client_b"])
    endpoint_factory(organization=tenants["provider_q"])
    send_worker_changed_on_commit(
        worker_id=tenants["mine"].id, source="workers.Worker", changes=_changed(tenants["mine"])
    )
    events = {e.organization_id: e for e in WebhookEvent.objects.all()}
    assert set(events) == {tenants["client_a"].id, tenants["provider_p"].id}
    assert {e.type for e in events.values()} == {"worker.changed"}
    assert {d.endpoint_id for d in WebhookDelivery.objects.all()} == {a.id, p.id}


def test_subscriptions_filter_by_type_and_disabled_endpoints_get_nothing(tenants, endpoint_factory):
    wanted = endpoint_factory(organization=tenants["client_a"], event_types=["worker.changed"])
    endpoint_factory(organization=tenants["client_a"], event_types=["contract.changed"])
    endpoint_factory(organization=tenants["client_a"], is_active=False)
    send_worker_changed_on_commit(
        worker_id=tenants["mine"].id, source="workers.Worker", changes=_changed(tenants["mine"])
    )
    assert [d.endpoint_id for d in WebhookDelivery.objects.all()] == [wanted.id]
    assert WebhookEvent.objects.get().type == "worker.changed"


def test_without_endpoints_a_change_costs_two_queries_and_writes_nothing(tenants, django_assert_num_queries):
    # Three in all: the rows' parties and the endpoint lookup (integrations.events), and risks'
    # upsert of the pending rescan (its outbox).
    with django_assert_num_queries(3) as captured:
        send_worker_changed_on_commit(
            worker_id=tenants["mine"].id, source="workers.Worker", changes=_changed(tenants["mine"])
        )
    assert sum("integrations_webhookendpoint" in query["sql"] for query in captured.captured_queries) == 1
    assert WebhookEvent.objects.count() == 0


@pytest.mark.parametrize("source", ["workers.Worker", "providers.LegalEntity", "assignments.Team", "demo.seed_demo"])
def test_an_announcement_that_does_not_say_what_changed_sends_no_event(tenants, endpoint_factory, source):
    """The id-only event (`worker_id` and `source`) is gone: every event carries the resource, so
    an announcement without its ResourceChanges (a rescan trigger only) writes no outbox row."""
    endpoint_factory(organization=tenants["client_a"])
    send_worker_changed_on_commit(worker_id=tenants["mine"].id, source=source)
    send_workers_changed_on_commit(worker_ids=[tenants["mine"].id, tenants["theirs"].id], source=source)
    assert WebhookEvent.objects.count() == 0


def test_a_bulk_change_writes_one_event_per_worker_and_organization(tenants, endpoint_factory):
    endpoint_factory(organization=tenants["provider_p"])
    endpoint_factory(organization=tenants["client_b"])
    second = WorkerFactory(client=tenants["client_a"], provider=tenants["mine"].provider)
    ids = [tenants["mine"].id, second.id, tenants["theirs"].id]
    changes = _changed(tenants["mine"], second, tenants["theirs"])
    send_workers_changed_on_commit(worker_ids=ids, source="workers.Worker", changes=changes)
    rows = sorted((str(e.organization_id), e.payload["data"]["id"]) for e in WebhookEvent.objects.all())
    assert rows == sorted(
        [
            (str(tenants["provider_p"].id), str(tenants["mine"].id)),
            (str(tenants["provider_p"].id), str(second.id)),
            (str(tenants["client_b"].id), str(tenants["theirs"].id)),
        ]
    )
    assert WebhookDelivery.objects.count() == 3


def test_dispatch_is_kicked_after_commit_and_a_broker_outage_does_not_break_the_change(
    tenants, endpoint_factory, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from integrations import tasks

    endpoint_factory(organization=tenants["client_a"])

    def broker_down():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.webhook_deliveries_dispatch_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        send_worker_changed_on_commit(
            worker_id=tenants["mine"].id, source="workers.Worker", changes=_changed(tenants["mine"])
        )
    assert "periodic dispatch will deliver" in caplog.text
    # The outbox still holds the delivery for the beat task.
    assert WebhookDelivery.objects.filter(status="pending").count() == 1


def test_several_changes_in_one_transaction_enqueue_one_dispatch(
    tenants, endpoint_factory, django_capture_on_commit_callbacks, monkeypatch
):
    from integrations import tasks

    calls = []
    monkeypatch.setattr(tasks.webhook_deliveries_dispatch_task, "delay", lambda: calls.append(1))
    endpoint_factory(organization=tenants["client_a"])
    second = WorkerFactory(client=tenants["client_a"], provider=tenants["mine"].provider)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        send_worker_changed_on_commit(
            worker_id=tenants["mine"].id, source="workers.Worker", changes=_changed(tenants["mine"])
        )
        send_worker_changed_on_commit(worker_id=second.id, source="workers.Worker", changes=_changed(second))
    assert calls == [1]
    assert WebhookDelivery.objects.count() == 2
