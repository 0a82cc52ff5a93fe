"""Audit history rows from pghistory events, the same for every resource (DESIGN §9): who (user, API
key or the system), when, through which channel and request, and each changed field before and
after. Plumbing only: it reads event models and their pghistory context, never a domain app."""

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import OuterRef, Subquery

# Bookkeeping columns, never a change worth showing; secrets (even hashed) never leave the table.
NOT_AUDITED = {"id", "created_at", "updated_at", "key_hash", "secret", "password"}


def audited_fields(event_model: type[models.Model]) -> list[str]:
    """The snapshot columns of an event model (foreign keys by their `_id` column)."""
    return [
        field.attname
        for field in event_model._meta.concrete_fields
        if not field.name.startswith("pgh_") and field.name not in NOT_AUDITED and field.attname not in NOT_AUDITED
    ]


def plain_value(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain_value(item) for item in value]
    return value


def _event_kind(label: str) -> str:
    return {"insert": "created", "update": "updated", "delete": "deleted"}.get(label, label)


def _actor(metadata: dict, users: dict) -> dict:
    user_id = metadata.get("user")
    if metadata.get("api_key"):
        return {"kind": "api_key", "id": metadata["api_key"], "name": metadata.get("api_key_name", "")}
    if user_id:
        user = users.get(str(user_id))
        name = (user.get_full_name() or user.email) if user else ""
        return {"kind": "user", "id": str(user_id), "name": name}
    system = metadata.get("source") or metadata.get("task") or ""
    return {"kind": "system", "id": None, "name": system or "system"}


def history_rows(
    events: Sequence[models.Model],
    *,
    previous: dict | None = None,
    resource: str = "",
    fields_by_model: dict | None = None,
) -> list[dict]:
    """Rows for `events` (newest first, contexts selected). `previous` maps (event model, pgh_id) to
    the version before it (None for the first), so each row shows what changed; by default each
    event's predecessor is the next one in `events` for the same object."""
    fields_by_model = fields_by_model if fields_by_model is not None else {}
    if previous is None:
        previous, seen = {}, {}
        for event in reversed(events):
            previous[(type(event), event.pgh_id)] = seen.get((type(event), event.pgh_obj_id))
            seen[(type(event), event.pgh_obj_id)] = event
    user_ids = {
        str(event.pgh_context.metadata.get("user"))
        for event in events
        if event.pgh_context_id and event.pgh_context and event.pgh_context.metadata.get("user")
    }
    users = {str(user.pk): user for user in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
    rows = []
    for event in events:
        model = type(event)
        fields = fields_by_model.get(model)
        if fields is None:
            fields = fields_by_model[model] = audited_fields(model)
        before = previous.get((model, event.pgh_id))
        changes = {}
        for field in fields:
            new = getattr(event, field)
            old = getattr(before, field) if before is not None else None
            if event.pgh_label == "delete":
                continue
            if before is None and new in ("", None, [], {}):
                continue
            if before is None or old != new:
                changes[field.removesuffix("_id") if field.endswith("_id") else field] = {
                    "old": plain_value(old),
                    "new": plain_value(new),
                }
        metadata = (event.pgh_context.metadata if event.pgh_context_id and event.pgh_context else {}) or {}
        rows.append(
            {
                "id": event.pgh_id,
                "at": event.pgh_created_at,
                "event": _event_kind(event.pgh_label),
                "resource": resource or getattr(event, "audit_resource", ""),
                "object_id": str(event.pgh_obj_id),
                "changes": changes,
                "actor": _actor(metadata, users),
                "channel": metadata.get("channel", "system" if not metadata else ""),
                "request": {
                    "method": metadata.get("method", ""),
                    "url": metadata.get("url", ""),
                    "request_id": metadata.get("request_id", ""),
                    "ip": metadata.get("ip", ""),
                },
            }
        )
    return rows


def predecessors(events: Iterable[models.Model]) -> dict:
    """For a page of events of several objects and models, each event's previous version, keyed by
    (event model, pgh_id) as ids are per table: two queries per event model on the page, whatever
    the number of rows or of older versions."""
    by_model: dict[type, list] = {}
    for event in events:
        by_model.setdefault(type(event), []).append(event)
    previous: dict = {}
    for model, rows in by_model.items():
        earlier = model.objects.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id"))
        links = dict(
            model.objects.filter(pgh_id__in=[row.pgh_id for row in rows])
            .annotate(before=Subquery(earlier.order_by("-pgh_id").values("pgh_id")[:1]))
            .values_list("pgh_id", "before")
        )
        versions = model.objects.in_bulk([before for before in links.values() if before is not None])
        for row in rows:
            previous[(model, row.pgh_id)] = versions.get(links.get(row.pgh_id))
    return previous
