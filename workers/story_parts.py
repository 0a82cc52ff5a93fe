"""The worker's own part of the story (see story.py): hire, contracts, compliance, payroll, check-ins
and exit, with the page's own actions (record a check-in, override the gate, offboard). Contracts,
payroll and compliance come from providers, which sits below workers."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from accounts.actors import Actor
from accounts.choices import Scope
from providers import selectors as provider_selectors

from . import selectors
from .choices import WorkerStatus
from .gate import worker_has_passed_screening
from .models import Worker
from .story import StoryAction, StoryEvent, StoryFact, StoryPart

PAYROLL_TONES = {"paid": "paid", "failed": "failed", "on_hold": "failed", "processing": "processing"}


def _in_days(days: int) -> str:
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def employment_story_part(*, actor: Actor, worker: Worker, today: dt.date) -> StoryPart:
    part = StoryPart()
    part.facts.append(StoryFact("Status", worker.get_status_display(), tone=worker.status))
    if worker.start_date:
        days = (today - worker.start_date).days
        if days >= 0:
            value = f"day {days + 1} (started {worker.start_date.isoformat()})"
            if days < 90 and worker.status != WorkerStatus.OFFBOARDED:
                value += f" · {90 - days} days left of the first 90"
        else:
            value = f"starts {_in_days(-days)} ({worker.start_date.isoformat()})"
        part.facts.append(StoryFact("Since start", value))
        part.events.append(
            StoryEvent(
                worker.start_date,
                "hire",
                "Started" if days >= 0 else "Starts",
                f"{worker.role_title or 'Worker'} for {worker.client.name}, employed by {worker.provider.legal_name}",
            )
        )

    check_ins = list(selectors.check_in_list(actor=actor).filter(worker=worker))
    open_check_ins = [c for c in check_ins if c.done_on is None]
    if open_check_ins and worker.status != WorkerStatus.OFFBOARDED:
        nxt = open_check_ins[0]
        overdue = nxt.due_on < today
        part.facts.append(
            StoryFact(
                "Next check-in",
                f"{nxt.get_kind_display()}, due {nxt.due_on.isoformat()} ({_in_days((nxt.due_on - today).days)})",
                tone="failed" if overdue else "",
                url="#check-ins",
            )
        )
    for check_in in check_ins:
        if check_in.done_on:
            ratings = (
                f"engagement {check_in.engagement}, role clarity {check_in.role_clarity}, "
                f"manager relationship {check_in.manager_relationship} (of 5)"
            )
            title = f"{check_in.get_kind_display()} check-in held"
            part.events.append(StoryEvent(check_in.done_on, "check_in", title, ratings))
        elif worker.status != WorkerStatus.OFFBOARDED:
            overdue = check_in.due_on < today
            part.events.append(
                StoryEvent(
                    check_in.due_on,
                    "check_in",
                    f"{check_in.get_kind_display()} check-in {'overdue' if overdue else 'due'}",
                    tone="failed" if overdue else "processing",
                )
            )

    edits_contracts = (
        actor.is_provider and actor.can_write(Scope.CONTRACTS) and worker.status != WorkerStatus.OFFBOARDED
    )
    for contract in provider_selectors.contract_list(actor=actor).filter(worker=worker).select_related("legal_entity"):
        detail = (
            f"{contract.get_contract_type_display()}, {contract.get_engagement_model_display()}, "
            f"{contract.weekly_hours} h/week"
        )
        if edits_contracts and (contract.ends_on is None or contract.ends_on >= today):
            edit = reverse("providers:contract-edit", args=[contract.id])
            part.actions.append(StoryAction(f"Edit the contract from {contract.starts_on.isoformat()}", url=edit))
        if contract.signed_on:
            part.events.append(StoryEvent(contract.signed_on, "contract", "Contract signed", detail))
        part.events.append(
            StoryEvent(
                contract.starts_on,
                "contract",
                "Contract starts" + ("" if contract.signed_on else " (not signed)"),
                detail,
                tone="" if contract.signed_on else "failed",
            )
        )
        if contract.ends_on:
            part.events.append(StoryEvent(contract.ends_on, "contract", "Contract ends", detail))

    payroll = provider_selectors.worker_payroll_and_compliance(actor=actor, worker=worker)
    for entry in payroll["entries"]:
        day = entry.paid_at.date() if entry.paid_at else entry.run.pay_date
        title = f"Payroll {entry.run.period_start:%B %Y}: {entry.get_status_display().lower()}"
        part.events.append(
            StoryEvent(day, "payroll", title, entry.failure_reason or "", tone=PAYROLL_TONES.get(entry.status, ""))
        )
    for row in payroll["compliance"]:
        item = row["item"]
        if item is None:
            continue
        day = item.verified_at.date() if item.verified_at else item.updated_at.date()
        part.events.append(
            StoryEvent(day, "compliance", f"{row['label']}: {item.get_status_display().lower()}", tone=item.status)
        )
        if item.expires_on:
            expired = item.expires_on < today
            part.events.append(
                StoryEvent(
                    item.expires_on,
                    "compliance",
                    f"{row['label']} {'expired' if expired else 'expires'}",
                    tone="expired" if expired else "",
                )
            )
    part.context["payroll_compliance"] = payroll

    if worker.exit_date:
        scheduled = worker.status != WorkerStatus.OFFBOARDED
        reason = worker.get_exit_reason_display() or "no reason given"
        title = "Exit scheduled" if scheduled else "Left"
        part.events.append(StoryEvent(worker.exit_date, "exit", title, f"{reason}. {worker.exit_notes}".strip()))
        if scheduled:
            part.facts.append(
                StoryFact(
                    "Exit",
                    f"scheduled for {worker.exit_date.isoformat()} "
                    f"({_in_days((worker.exit_date - today).days)}): {reason}",
                    tone="processing",
                )
            )

    if worker.gate_override_reason and actor.is_client:
        when = worker.gate_override_at.date() if worker.gate_override_at else today
        part.events.append(
            StoryEvent(
                when,
                "screening",
                "Screening gate overridden by a client admin",
                worker.gate_override_reason,
                tone="high",
            )
        )

    part.actions += _actions(actor=actor, worker=worker, open_check_ins=open_check_ins)
    part.context["open_check_ins"] = open_check_ins
    part.context["check_ins"] = check_ins
    return part


def _actions(*, actor: Actor, worker: Worker, open_check_ins: list) -> list[StoryAction]:
    if not actor.can_write(Scope.WORKERS) or worker.status == WorkerStatus.OFFBOARDED:
        return []
    actions = []
    if actor.is_client and open_check_ins:
        actions.append(StoryAction("Record a check-in", key="check-in"))
    needs_override = not worker.gate_override_reason and not worker_has_passed_screening(worker=worker)
    if actor.is_client_admin and worker.client_id == actor.organization.id and needs_override:
        actions.append(StoryAction("Override the screening gate", key="override"))
    actions.append(StoryAction("Change the start date", url=reverse("workers:dates", args=[worker.id])))
    exit_label = "Change the scheduled exit" if worker.exit_date else "Offboard"
    actions.append(StoryAction(exit_label, key="offboard", destructive=True))
    return actions


def worker_page_url(worker: Worker, action: str = "") -> str:
    url = reverse("workers:detail", args=[worker.id])
    return f"{url}?action={action}#action-panel" if action else url
