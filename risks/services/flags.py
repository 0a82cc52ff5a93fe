"""The flag lifecycle: open → acknowledged → resolved, or dismissed with a reason. Each transition
records who (user, or API key) and when on the flag, and pghistory keeps every version (DESIGN §9)."""

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.actors import Actor
from accounts.choices import Scope
from outstaff.signals import ResourceChange, record_resource_changes
from risks.choices import FlagStatus
from risks.models import RiskFlag
from risks.selectors import risk_scan_last_full_started_at

ALLOWED_FROM = {
    FlagStatus.ACKNOWLEDGED: {FlagStatus.OPEN},
    FlagStatus.RESOLVED: {FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED},
    FlagStatus.DISMISSED: {FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED},
}


def _who(actor: Actor) -> str:
    if actor.api_key is not None:
        return f"api key {actor.api_key.prefix}"
    return "web"


def _transition(*, actor: Actor, flag: RiskFlag, to: str, reason: str) -> RiskFlag:
    if not actor.can_write(Scope.RISKS):
        raise PermissionDenied("Your role or API key cannot triage risk flags.")
    # A flag is shared by the client and the provider, and the client carries the misclassification
    # and attrition risk: a provider may acknowledge a flag (it is working on it), but only the
    # client may close one by hand. Otherwise a provider could dismiss, say, its own lapsed staffing
    # licence off the client's board.
    if actor.is_provider and to in (FlagStatus.RESOLVED, FlagStatus.DISMISSED):
        raise PermissionDenied(
            "Only the client can resolve or dismiss a flag. Acknowledge it instead: it resolves itself "
            "once the condition clears."
        )
    locked = RiskFlag.objects.select_for_update().get(pk=flag.pk)
    if locked.status not in ALLOWED_FROM[to]:
        current, wanted = locked.get_status_display().lower(), FlagStatus(to).label.lower()
        if locked.status == to:
            message = f"This flag is already {current}."
        else:
            allowed = " or ".join(FlagStatus(s).label.lower() for s in sorted(ALLOWED_FROM[to]))
            message = f"This flag is {current}, so it cannot be {wanted}: only an {allowed} flag can."
        raise ValidationError({"status": message})
    now = timezone.now()
    locked.status = to
    locked.status_reason = reason.strip()
    locked.status_changed_by = actor.user
    locked.status_changed_via = _who(actor)
    locked.status_changed_at = now
    if to == FlagStatus.RESOLVED:
        locked.resolved_at = now
        # Its last sighting stops moving with the scans now: freeze it (see RiskFlag.last_sighting).
        last_scan = risk_scan_last_full_started_at()
        if last_scan and last_scan > locked.last_seen_at:
            locked.last_seen_at = last_scan
    locked.full_clean(validate_constraints=False)
    context = {"action": f"risk_flag.{to}", "organization": str(actor.organization.pk)}
    if actor.user is not None:
        context["user"] = str(actor.user.pk)
    if actor.api_key is not None:
        context["api_key"] = actor.api_key.prefix
    with pghistory.context(**context):
        locked.save()
    event = {FlagStatus.RESOLVED: "risk_flag.resolved", FlagStatus.DISMISSED: "risk_flag.dismissed"}.get(to, "")
    fields = ["status", "status_reason", "status_changed_by", "status_changed_at"]
    record_resource_changes(changes=[ResourceChange.of(locked, "updated", fields, event=event)])
    return locked


@transaction.atomic
def risk_flag_acknowledge(*, actor: Actor, flag: RiskFlag, note: str = "") -> RiskFlag:
    """Someone has seen the flag and owns it; it stays current until its condition clears."""
    return _transition(actor=actor, flag=flag, to=FlagStatus.ACKNOWLEDGED, reason=note or "")


@transaction.atomic
def risk_flag_resolve(*, actor: Actor, flag: RiskFlag, reason: str = "") -> RiskFlag:
    """Closed by hand. If the condition still holds, the next scan opens a new flag."""
    return _transition(actor=actor, flag=flag, to=FlagStatus.RESOLVED, reason=reason or "Resolved by hand.")


@transaction.atomic
def risk_flag_dismiss(*, actor: Actor, flag: RiskFlag, reason: str = "") -> RiskFlag:
    """Not a risk in this case, with a written reason. Stays dismissed until its evidence changes."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why this flag is not a risk."})
    return _transition(actor=actor, flag=flag, to=FlagStatus.DISMISSED, reason=reason)
