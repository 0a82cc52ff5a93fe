"""The field-copy helper every update service uses: only what changed is saved, and the caller
learns what changed (an unchanged write is silent, DESIGN §8)."""

import pghistory.models
import pytest
from django.core.exceptions import ValidationError

from outstaff.model_update import model_update
from workers.models import Worker
from workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def _events(worker) -> int:
    return pghistory.models.Events.objects.filter(pgh_obj_model="workers.Worker", pgh_obj_id=str(worker.pk)).count()


def test_equal_values_save_nothing():
    worker = WorkerFactory(first_name="Ana")
    stamp, events = worker.updated_at, _events(worker)
    same = Worker.objects.get(pk=worker.pk)
    same, changed = model_update(
        instance=same,
        fields=("first_name", "provider", "client"),
        data={"first_name": "Ana", "provider": worker.provider, "client": worker.client_id},
    )
    assert changed == []
    same.refresh_from_db()
    assert same.updated_at == stamp
    assert _events(worker) == events


def test_only_changed_fields_are_saved_and_reported():
    worker = WorkerFactory(first_name="Ana", last_name="Lopez")
    stamp = worker.updated_at
    loaded = Worker.objects.get(pk=worker.pk)
    # Another writer changes last_name meanwhile; our save of first_name must not put it back.
    Worker.objects.filter(pk=worker.pk).update(last_name="Other")
    loaded, changed = model_update(
        instance=loaded, fields=("first_name", "last_name"), data={"first_name": "Anna", "last_name": "Lopez"}
    )
    assert changed == ["first_name"]
    loaded.refresh_from_db()
    assert (loaded.first_name, loaded.last_name) == ("Anna", "Other")
    assert loaded.updated_at > stamp


def test_invalid_change_is_refused_before_saving():
    worker = WorkerFactory(work_email="a@example.com")
    loaded = Worker.objects.get(pk=worker.pk)

    def refuse(instance):
        raise ValidationError({"first_name": "no"})

    with pytest.raises(ValidationError):
        model_update(instance=loaded, fields=("first_name",), data={"first_name": "X"}, validate=refuse)
    with pytest.raises(ValidationError):
        model_update(instance=Worker.objects.get(pk=worker.pk), fields=("work_email",), data={"work_email": "bad"})
    worker.refresh_from_db()
    assert worker.work_email == "a@example.com"


def test_unknown_fields_in_patch_and_put_are_a_400_naming_them(api_key_client):
    worker = WorkerFactory(first_name="Ana")
    api = api_key_client(worker.client, ["workers:write"])
    url = f"/api/v1/workers/{worker.id}/"
    response = api.patch(url, {"frist_name": "Anna", "last_name": "X"}, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["frist_name"]
    # What a GET returned (read-only fields included) may be PUT back as is.
    body = api.get(url).json()
    put = api.put(url, {**body, "colour": "blue"}, format="json")
    assert put.status_code == 400 and {e["field"] for e in put.json()["errors"]} == {"colour"}
    worker.refresh_from_db()
    assert (worker.first_name, worker.last_name) != ("Anna", "X")
    assert api.put(url, body, format="json").status_code == 200
