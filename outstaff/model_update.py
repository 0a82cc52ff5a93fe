"""The one way a service copies submitted values onto a stored row (HackSoft's `model_update`).

Only fields whose value differs from what is stored are set and saved (`save(update_fields=...)`),
and the caller learns which ones changed. An update that changes nothing therefore does not save:
`updated_at` (and with it the ETag) stays, no pghistory trigger fires, and the caller sends no
event and queues no rescan (DESIGN §8: an unchanged write is silent)."""

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def field_value_differs(instance: models.Model, name: str, value) -> bool:
    """Whether `value` differs from what `instance` holds for the field `name`. A foreign key is
    compared by id, so passing the same related object (or its id) is no change."""
    field = instance._meta.get_field(name)
    if field.many_to_one or field.one_to_one:
        new_id = value.pk if isinstance(value, models.Model) else value
        return getattr(instance, field.attname) != new_id
    return getattr(instance, name) != value


def model_set(*, instance: M, fields: Iterable[str], data: dict) -> list[str]:
    """Set on `instance` (in memory) the `fields` present in `data` whose value differs; return
    their names in the order of `fields`."""
    changed = []
    for name in fields:
        if name in data and field_value_differs(instance, name, data[name]):
            setattr(instance, name, data[name])
            changed.append(name)
    return changed


def model_save_changed(
    *, instance: M, changed: Iterable[str], validate: Callable[[M], None] | None = None
) -> tuple[M, list[str]]:
    """Validate (`validate`, then `full_clean`) and save only the `changed` fields, plus
    `updated_at` when the model has one. Nothing changed: nothing is validated or saved."""
    # update_fields wants field names; a foreign key may have been set by its attname (`verified_by_id`).
    changed = list(dict.fromkeys(instance._meta.get_field(name).name for name in changed))
    if not changed:
        return instance, []
    if validate is not None:
        validate(instance)
    instance.full_clean()
    update_fields = [*changed]
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields) and "updated_at" not in update_fields:
        update_fields.append("updated_at")
    instance.save(update_fields=update_fields)
    return instance, changed


def model_update(
    *,
    instance: M,
    fields: Iterable[str],
    data: dict,
    validate: Callable[[M], None] | None = None,
) -> tuple[M, list[str]]:
    """Copy the `fields` present in `data` onto `instance`, and when any value differs validate
    (`validate(instance)` for the service's own rules, then `full_clean`) and save just those
    fields. Returns the instance and the names of the fields that changed (empty: nothing saved)."""
    changed = model_set(instance=instance, fields=fields, data=data)
    return model_save_changed(instance=instance, changed=changed, validate=validate)
