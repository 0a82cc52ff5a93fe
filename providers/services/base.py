"""What every provider-side write shares: the acting provider, ownership, optimistic versions and
one announcement of the workers a change touched."""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.actors import Actor
from outstaff.signals import ResourceChange, send_worker_changed_on_commit, send_workers_changed_on_commit

from .. import bulk
from ..models import Provider

BULK_LIMIT = 1000


class StaleEdit(ValidationError):
    """The row changed since the form was loaded; the user must reload rather than overwrite."""


def _provider_of(actor: Actor) -> Provider:
    if not actor.is_provider:
        raise PermissionDenied("Only the provider that employs the worker can change this.")
    return Provider.objects.get(organization_id=actor.organization.id)


def _own(actor: Actor, instance) -> None:
    if instance.provider_id != actor.organization.id:
        raise PermissionDenied("This belongs to another provider.")


def _check_version(instance, expected_updated_at) -> None:
    """A form carries the row's updated_at from when it was loaded; a different value now means
    someone else saved in between, so the save is refused instead of silently overwriting."""
    if expected_updated_at is None:
        return
    if isinstance(expected_updated_at, str):
        expected_updated_at = dt.datetime.fromisoformat(expected_updated_at)
    if instance.updated_at != expected_updated_at:
        raise StaleEdit(
            "Someone else changed this since you opened it. Reload the page to see their change, then try again."
        )


def notify_workers_changed(worker_ids, source: str, changes=()) -> None:
    """One announcement for the whole change: a 10,000-row import must not become 10,000 tasks.
    `changes` (ResourceChange) say which rows changed how, for the webhook events."""
    ids = {uuid.UUID(str(w)) for w in worker_ids if w}
    if len(ids) == 1:
        send_worker_changed_on_commit(worker_id=ids.pop(), source=source, changes=changes)
    else:
        send_workers_changed_on_commit(worker_ids=ids, source=source, changes=changes)


def plan_changes(plan, source: str) -> list[ResourceChange]:
    """The ResourceChanges of an applied bulk plan (its created and updated rows)."""
    return [
        ResourceChange(
            source=source,
            object_id=str(result.target_id),
            change="created" if result.action == "create" else "updated",
            changed_fields=tuple(result.changes or ()),
        )
        for result in plan.results
        if result.action in ("create", "update") and result.target_id
    ]


def _check_bulk_size(items: list) -> None:
    if len(items) > BULK_LIMIT:
        raise ValidationError({"items": f"Send at most {BULK_LIMIT} items per call."})


def _bulk_results(plan: bulk.Plan) -> list[dict]:
    return [result.as_dict() for result in plan.results]


def _bulk_items(items: list, known: tuple[str, ...]) -> tuple[list[dict], dict[int, str]]:
    """The items without their `etag`s (kept by index for `bulk.check_etags`), after refusing
    unknown fields."""
    bulk.reject_unknown_fields(items, (*known, "etag"))
    rows, etags = [], {}
    for index, item in enumerate(items):
        row = dict(item)
        if row.get("etag"):
            etags[index] = row.pop("etag")
        row.pop("etag", None)
        rows.append(row)
    return rows, etags
