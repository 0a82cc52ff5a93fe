"""The rules of a payroll entry's status, shared by single edits, bulk edits, CSV and API."""

from .choices import PayrollEntryStatus as S

# How far along an entry is. Moving to a lower rank is a backwards move (e.g. paid → processing,
# a payment recalled): allowed, but only with a written reason, which the audit history keeps.
STATUS_RANK = {S.SCHEDULED: 0, S.PROCESSING: 1, S.ON_HOLD: 1, S.FAILED: 2, S.PAID: 3}


def is_backwards(old: str | None, new: str) -> bool:
    return old is not None and STATUS_RANK[S(new)] < STATUS_RANK[S(old)]


def payroll_transition_errors(*, old: str | None, new: str, failure_reason: str, reason: str) -> dict:
    """Field errors for moving an entry from `old` (None when creating) to `new`."""
    errors = {}
    if new == S.FAILED and not failure_reason.strip():
        errors["failure_reason"] = "Say why the payment failed."
    if is_backwards(old, new) and new != S.FAILED and not reason.strip():
        errors["reason"] = f"Moving an entry back from {S(old).label.lower()} to {S(new).label.lower()} needs a reason."
    return errors


def payroll_status_effects(new: dict, old_status, failure_reason, reason, paid_at, now, creating) -> None:
    """The side effects of a status: paid sets paid_at, failed keeps its reason, leaving either
    clears them; a reason for the move is kept on the entry (and so in its history)."""
    status = new["status"]
    moved = creating or status != old_status
    if status == S.PAID:
        new["paid_at"] = paid_at or (new["paid_at"] if not moved else None) or now
    else:
        new["paid_at"] = None
    if status == S.FAILED:
        new["failure_reason"] = failure_reason or new["failure_reason"]
    else:
        new["failure_reason"] = ""
    if moved or reason:
        new["status_reason"] = reason
