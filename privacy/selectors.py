"""The export: one JSON document of everything held on a worker, as the requester may see it. Every
section is read through the owning app's selector for this actor, so an export never shows more
than the product's own pages and API would (a provider gets screening outcomes, never scores)."""

import datetime as dt

from django.db.models import Model, QuerySet
from django.utils import timezone

from accounts.actors import Actor
from accounts.choices import Role
from assignments.selectors import assignment_list
from outstaff.audit import history_rows, plain_value
from providers.selectors import compliance_item_list, contract_list, payroll_entry_list
from risks.selectors import risk_flag_list
from screening.models import AssessmentResult, InterviewScorecard
from screening.selectors import candidate_list, screening_list
from workers.models import Worker
from workers.selectors import check_in_list, worker_list

EXPORT_FORMAT = "outstaff.worker-export/1"
PRIVACY_ROLES = {Role.CLIENT_ADMIN, Role.PROVIDER_ADMIN}
# What a provider may know of a screening (DESIGN §9: outcomes, not scores).
PROVIDER_SCREENING_FIELDS = ("id", "candidate_id", "status", "decided_at", "created_at", "updated_at")


def privacy_allowed(*, actor: Actor, write: bool = False) -> bool:
    """Client and provider admins on pages; API keys with the workers scope (write to erase)."""
    if actor.api_key is not None:
        return actor.can_write("workers") if write else actor.can_read("workers")
    return actor.role in PRIVACY_ROLES


def privacy_worker_list(*, actor: Actor) -> QuerySet[Worker]:
    """The workers whose data the actor may export or erase: those it sees."""
    return worker_list(actor=actor)


def privacy_worker_get(*, actor: Actor, worker_id) -> Worker:
    """The worker, if the actor may see them (Worker.DoesNotExist otherwise: another tenant's 404)."""
    return worker_list(actor=actor).get(id=worker_id)


def _row(obj: Model, fields: tuple[str, ...] | None = None) -> dict:
    names = fields or tuple(field.attname for field in obj._meta.concrete_fields)
    return {
        name.removesuffix("_id") if name.endswith("_id") and name != "external_id" else name: plain_value(
            getattr(obj, name)
        )
        for name in names
    }


def _rows(queryset: QuerySet, fields: tuple[str, ...] | None = None) -> list[dict]:
    return [_row(obj, fields) for obj in queryset]


def worker_export(*, actor: Actor, worker: Worker) -> dict:
    """Everything held on `worker` that `actor` may see, with its audit history."""
    sections: dict[str, list] = {
        "contracts": list(contract_list(actor=actor).filter(worker=worker).order_by("starts_on", "id")),
        "assignments": list(assignment_list(actor=actor).filter(worker=worker).order_by("starts_on", "id")),
        "check_ins": list(check_in_list(actor=actor).filter(worker=worker).order_by("due_on", "id")),
        "payroll_entries": list(payroll_entry_list(actor=actor).filter(worker=worker).order_by("created_at", "id")),
        "compliance_items": list(compliance_item_list(actor=actor).filter(worker=worker).order_by("kind", "id")),
        "risk_flags": list(risk_flag_list(actor=actor).filter(worker=worker).order_by("first_seen_at", "id")),
        "candidates": list(candidate_list(actor=actor).filter(worker=worker)),
        "screenings": list(screening_list(actor=actor).filter(candidate__worker=worker).order_by("created_at", "id")),
    }
    screening_ids = [screening.id for screening in sections["screenings"]]
    client_side = actor.is_client
    if client_side:
        sections["scorecards"] = list(InterviewScorecard.objects.filter(screening_id__in=screening_ids))
        sections["assessments"] = list(AssessmentResult.objects.filter(screening_id__in=screening_ids))
    document: dict = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "exported_by": {
            "organization": actor.organization.name,
            "user": actor.user.email if actor.user else None,
            "api_key": actor.api_key.name if actor.api_key else None,
        },
        "worker": _row(worker),
    }
    for name, objects in sections.items():
        fields = PROVIDER_SCREENING_FIELDS if name == "screenings" and not client_side else None
        document[name] = [_row(obj, fields) for obj in objects]
    document["history"] = _history(worker, sections, client_side)
    return document


def _history(worker: Worker, sections: dict[str, list], client_side: bool) -> list[dict]:
    """Audit history of the worker and of every exported row that is tracked, newest first (one
    query per tracked table, whatever the number of rows)."""
    targets: dict[type, list] = {type(worker): [worker.pk]}
    for name, objects in sections.items():
        if name == "screenings" and not client_side:
            continue  # screening versions carry scores
        for obj in objects:
            if hasattr(type(obj), "pgh_event_model"):
                targets.setdefault(type(obj), []).append(obj.pk)
    events = []
    for model, ids in targets.items():
        for event in model.pgh_event_model.objects.filter(pgh_obj_id__in=ids).select_related("pgh_context"):
            event.audit_resource = model._meta.verbose_name_plural.replace(" ", "-")
            events.append(event)
    events.sort(key=lambda event: (event.pgh_created_at, event.pgh_id), reverse=True)
    rows = history_rows(events)
    for row in rows:
        row["at"] = row["at"].isoformat() if isinstance(row["at"], dt.datetime) else row["at"]
    return rows
