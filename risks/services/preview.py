"""What a change would do to the risk flags (DESIGN §6, warn before saving): the same rules as the
scan, evaluated on the workers the change touched as they are inside the change's transaction, and
compared with their current flags. Reads only: `outstaff.previews.run` decides whether the change
is kept or rolled back."""

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from risks.choices import FlagStatus
from risks.models import RiskFlag
from risks.rules import SEVERITY_RANK
from workers.models import Worker

from .scan import _with_same_person_records, batch_findings
from .scan_data import worker_rows


def risk_preview(*, worker_ids: Iterable, today: dt.date | None = None) -> list[dict]:
    """The flags the current state of `worker_ids` (and the same people's other records) would open,
    reopen (a dismissed flag whose evidence changed) or escalate, with their evidence. A fixed
    number of queries, as one scan batch."""
    ids = _with_same_person_records({str(worker_id) for worker_id in worker_ids}) if worker_ids else []
    if not ids:
        return []
    today = today or timezone.localdate()
    rows = worker_rows(Worker.objects.filter(id__in=ids).order_by("id"))
    names = {row["id"]: f"{row['first_name']} {row['last_name']}" for row in rows}
    wanted = batch_findings(rows, today=today)
    existing = {
        (flag.worker_id, flag.assignment_id, flag.rule_code): flag
        for flag in RiskFlag.objects.filter(worker_id__in=ids).exclude(status=FlagStatus.RESOLVED)
    }
    preview = []
    for key, finding in wanted.items():
        flag = existing.get(key)
        if flag is None:
            change = "opens"
        elif SEVERITY_RANK[finding.severity] > SEVERITY_RANK.get(flag.severity, 0):
            change = "escalates"
        elif flag.status == FlagStatus.DISMISSED and flag.evidence_hash != finding.evidence_hash:
            change = "reopens"
        else:
            continue  # already flagged as it is
        preview.append(
            {
                "change": change,
                "rule_code": finding.rule_code,
                "category": finding.category,
                "severity": finding.severity,
                "worker": str(key[0]),
                "worker_name": names.get(key[0], ""),
                "assignment": str(finding.assignment_id) if finding.assignment_id else None,
                "summary": finding.summary,
                "evidence": finding.evidence,
            }
        )
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    return sorted(preview, key=lambda item: (order.get(item["severity"], 9), item["rule_code"], item["worker"]))
