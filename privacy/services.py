"""Erasure of a worker's personal data (DESIGN §9, docs/privacy.md).

The person's identifying fields and every free text about them are replaced, in the live rows and
in their audit versions; the rows themselves stay, because payroll, contracts and the audit trail
must be kept for their legal retention periods (docs/privacy.md). The worker leaves every list and
the API, and a tombstone tells syncing systems so."""

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from integrations.erasure import webhook_events_pseudonymise
from outstaff.pseudonymise import ERASED_TEXT, Person
from outstaff.tombstones import tombstone_record
from providers.erasure import csv_imports_pseudonymise
from providers.models import ComplianceItem
from risks.models import RiskFlag
from screening.models import Candidate, ChecklistItem, InterviewScorecard, Screening
from workers.choices import WorkerStatus
from workers.models import CheckIn, Worker

from .selectors import privacy_allowed

# Keys of the API representations (and so of webhook payloads) that hold free text about the person.
FREE_TEXT_FIELDS = frozenset(
    {
        "notes",
        "note",
        "exit_notes",
        "gate_override_reason",
        "decision_notes",
        "override_reason",
        "checklist_override_reason",
        "status_reason",
    }
)


def _pseudonyms(worker: Worker) -> dict[str, str]:
    tag = worker.pk.hex[:8]
    return {
        "first_name": "Erased",
        "last_name": f"person {tag}",
        "email": f"erased-{worker.pk.hex}@erased.invalid",
    }


def _free_text(value: str) -> str:
    """Free text is replaced, not blanked, where its presence is itself a fact (an override happened)."""
    return ERASED_TEXT if value else ""


def _scrub(model, rows_filter: dict, changes: dict) -> int:
    """Apply `changes` to the live rows and to every audit version of those rows."""
    ids = list(model.objects.filter(**rows_filter).values_list("pk", flat=True))
    if not ids:
        return 0
    model.objects.filter(pk__in=ids).update(**changes)
    event_model = getattr(model, "pgh_event_model", None)
    if event_model is not None:
        event_model.objects.filter(pgh_obj_id__in=ids).update(**changes)
    return len(ids)


@transaction.atomic
def worker_erase(*, actor: Actor, worker: Worker, reason: str) -> Worker:
    """Pseudonymise `worker` and clear the free text about them; keep payroll, contracts, compliance
    status and the audit trail. Only for an offboarded worker: someone still employed is not erased."""
    if not privacy_allowed(actor=actor, write=True):
        raise PermissionDenied("Only client and provider admins (or a key with workers:write) erase personal data.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the data is erased (e.g. the person's request of 2026-11-30)."})
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if worker.erased_at is not None:
        raise ValidationError("This worker's personal data was already erased.")
    if worker.status != WorkerStatus.OFFBOARDED:
        raise ValidationError(
            {"status": "Only an offboarded worker can be erased: offboard them first (their data is still needed)."}
        )
    names = _pseudonyms(worker)
    external_id = worker.external_id
    person = _person(worker, names)
    with pghistory.context(erasure=True, erasure_reason=reason):
        _scrub(CheckIn, {"worker_id": worker.pk}, {"notes": ""})
        _scrub(ComplianceItem, {"worker_id": worker.pk}, {"notes": ""})
        candidates = {"worker_id": worker.pk}
        _scrub(
            Candidate,
            candidates,
            {
                "first_name": names["first_name"],
                "last_name": names["last_name"],
                "email": names["email"],
                "external_id": "",
            },
        )
        screenings = {"candidate__worker_id": worker.pk}
        for field in ("decision_notes", "override_reason", "checklist_override_reason"):
            _scrub(Screening, {**screenings, f"{field}__gt": ""}, {field: ERASED_TEXT})
        _scrub(InterviewScorecard, {"screening__candidate__worker_id": worker.pk}, {"notes": ""})
        _scrub(ChecklistItem, {"screening__candidate__worker_id": worker.pk, "note__gt": ""}, {"note": ERASED_TEXT})
        _scrub(RiskFlag, {"worker_id": worker.pk, "status_reason__gt": ""}, {"status_reason": ERASED_TEXT})
        worker_changes = {
            "first_name": names["first_name"],
            "last_name": names["last_name"],
            "work_email": names["email"],
            "external_id": "",
            "exit_notes": "",
            "gate_override_reason": _free_text(worker.gate_override_reason),
        }
        # Earlier versions first (raw rows, no new version), then the live row through save(), so the
        # erasure itself is one audited change with who, when and why.
        Worker.pgh_event_model.objects.filter(pgh_obj_id=worker.pk).update(**worker_changes)
        for field, value in worker_changes.items():
            setattr(worker, field, value)
        worker.erased_at = timezone.now()
        worker.save()
    # Copies outside the person's rows: stored webhook payloads (an undelivered event must not send
    # the name later) and stored CSV import files and their reports.
    webhook_events_pseudonymise(organization_ids=[worker.client_id, worker.provider_id], person=person)
    csv_imports_pseudonymise(provider_id=worker.provider_id, person=person)
    _tombstone(worker=worker, external_id=external_id)
    return worker


def _person(worker: Worker, names: dict[str, str]) -> Person:
    """The worker's (and their candidate records') names, e-mails and external ids, read before the
    rows are pseudonymised, mapped to the pseudonyms."""
    full_name = f"{names['first_name']} {names['last_name']}"
    phrases, identifiers, names_alone = {}, {}, {}
    people = [(worker.first_name, worker.last_name, worker.work_email, worker.external_id)]
    people += list(
        Candidate.objects.filter(worker_id=worker.pk).values_list("first_name", "last_name", "email", "external_id")
    )
    for first, last, email, external_id in people:
        if first and last:
            phrases[f"{first} {last}"] = full_name
            phrases[f"{last}, {first}"] = full_name
        if email:
            phrases[email] = names["email"]
        if first:
            names_alone[first] = names["first_name"]
        if last:
            names_alone[last] = names["last_name"]
        if external_id:
            identifiers[external_id] = ERASED_TEXT
    return Person(
        phrases=phrases,
        identifiers=identifiers,
        names=names_alone,
        ids=(str(worker.pk),),
        free_text_fields=FREE_TEXT_FIELDS,
    )


def _tombstone(*, worker: Worker, external_id: str) -> None:
    """The worker left the API: syncing systems read that from /api/v1/deletions/ like a delete."""
    tombstone_record(
        resource_type="workers",
        object_id=worker.pk,
        organization_ids=[worker.client_id, worker.provider_id],
        external_id=external_id,
    )
