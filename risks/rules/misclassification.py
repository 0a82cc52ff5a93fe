"""Misclassification rules (DESIGN §6): set-ups that can make the client the legal employer. Every
finding cites its source from the worker's jurisdiction pack.

Each rule is declared once (`declare`, see risks.rules.base.Rule): its predicate is the decorated
matcher, which yields one dict per finding (the subject `assignment` and the values it quotes); the
severity, summary template, evidence fields and pack sources are data beside it."""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from risks.choices import RiskCategory, Severity

from .base import declare, hours
from .facts import AssignmentFact, WorkerFacts
from .tenure import (
    add_months,
    consecutive_tenure,
    per_contract_cap_date,
    rolling_window_tenure,
    summed_tenure,
    whole_months_between,
)

CATEGORY = RiskCategory.MISCLASSIFICATION
CONTRACTOR = "contractor"
CLIENT = "client"


def _client_directed(facts: WorkerFacts) -> list[AssignmentFact]:
    return [a for a in facts.active_assignments if a.directed_by == CLIENT]


@declare(
    code="contractor_full_time_direction",
    category=CATEGORY,
    title="Contractor under full-time client direction",
    description="A contractor/freelance contract while the client directs the work at full-time hours or sets "
    "the schedule: a freelance contract dressed up as full-time direction.",
    reads=("current_contract", "active_assignments", "pack.full_time_threshold_hours", "pack.contractor_control_tests"),
    severity=lambda m: Severity.CRITICAL if (m["full_time"] and m["schedule"]) else Severity.HIGH,
    summary="contractor working {hours} h/week {how} since {assignment.starts_on} — {pack.contractor_control_summary}",
    evidence={
        "contract_type": "contract.contract_type",
        "contract_id": "contract.id",
        "weekly_hours": "assignment.weekly_hours",
        "full_time_threshold_hours": "pack.full_time_threshold_hours",
        "directed_by": "assignment.directed_by",
        "schedule_set_by_client": "schedule",
        "client": "assignment.client_name",
        "since": "assignment.starts_on",
    },
    sources=("pack.contractor_control_tests",),
    next_step="Move the worker to an employment contract with the provider, or stop directing their hours and "
    "schedule.",
)
def contractor_full_time_direction(facts: WorkerFacts, prior) -> Iterator[dict]:
    contract = facts.current_contract
    if contract is None or contract.contract_type != CONTRACTOR:
        return
    pack = facts.jurisdiction
    for assignment in _client_directed(facts):
        full_time = assignment.weekly_hours >= pack.full_time_threshold_hours
        schedule = assignment.schedule_set_by_client
        if not (full_time or schedule or pack.contractor_any_control_fires):
            continue
        how = f"on a schedule set by {assignment.client_name}" if schedule else f"directed by {assignment.client_name}"
        yield {
            "assignment": assignment,
            "contract": contract,
            "full_time": full_time,
            "schedule": schedule,
            "how": how,
            "hours": hours(assignment.weekly_hours),
        }


@declare(
    code="outsourcing_directed_individually",
    category=CATEGORY,
    title="Outsourcing contract, client directs individuals",
    description="The contract says outsourcing (the vendor directs and owns the outcome) while the client directs "
    "the individual day to day: a dedicated team drifting into outstaffing.",
    reads=("current_contract.engagement_model", "active_assignments.directed_by", "pack.outsourcing_direction"),
    severity=Severity.HIGH,
    summary="contract says outsourcing, but {assignment.client_name} directs {worker.full_name}{manager} "
    "day to day since {assignment.starts_on}",
    evidence={
        "engagement_model": "contract.engagement_model",
        "contract_id": "contract.id",
        "directed_by": "assignment.directed_by",
        "manager": "assignment.manager_name",
        "client": "assignment.client_name",
        "since": "assignment.starts_on",
    },
    sources=("pack.outsourcing_direction_source",),
    next_step="Record the arrangement as outstaffing on the contract, or let the vendor direct the work again.",
)
def outsourcing_directed_individually(facts: WorkerFacts, prior) -> Iterator[dict]:
    contract = facts.current_contract
    if contract is None or contract.engagement_model != "outsourcing":
        return
    for assignment in _client_directed(facts):
        manager = f" through {assignment.manager_name}" if assignment.manager_name else ""
        yield {"assignment": assignment, "contract": contract, "manager": manager}


@declare(
    code="engagement_model_unspecified",
    category=CATEGORY,
    title="Engagement model not stated",
    description="The contract does not state whether this is outstaffing or outsourcing while an assignment is active.",
    reads=("current_contract.engagement_model", "active_assignments", "pack.engagement_model"),
    severity=Severity.MEDIUM,
    summary="contract from {contract.starts_on} does not say whether {assignment.client_name} "
    "directs the work (outstaffing) or buys an outcome (outsourcing)",
    evidence={
        "contract_id": "contract.id",
        "engagement_model": "contract.engagement_model",
        "client": "assignment.client_name",
    },
    sources=("pack.engagement_model_source",),
    next_step="Ask the provider to state on the contract whether this is outstaffing or outsourcing.",
)
def engagement_model_unspecified(facts: WorkerFacts, prior) -> Iterator[dict]:
    contract = facts.current_contract
    if contract is None or contract.engagement_model != "unspecified" or not facts.active_assignments:
        return
    yield {"assignment": facts.active_assignments[0], "contract": contract}


@declare(
    code="employment_contract_missing",
    category=CATEGORY,
    title="No signed contract during an active assignment",
    description="The worker is on an active assignment without a current, signed contract with the provider.",
    reads=("active_assignments", "current_contract.signed_on", "pack.written_contract"),
    severity=Severity.HIGH,
    summary="{text}",
    evidence="details",
    sources=("pack.written_contract_source",),
    next_step="Ask the provider for a signed, current employment contract before the worker carries on.",
)
def employment_contract_missing(facts: WorkerFacts, prior) -> Iterator[dict]:
    if not facts.active_assignments:
        return
    assignment = facts.active_assignments[0]
    contract = facts.current_contract
    if contract is not None and contract.signed_on is not None:
        return
    if contract is None:
        text = (
            f"on an assignment with {assignment.client_name} since {assignment.starts_on.isoformat()} "
            f"with no current contract with {facts.worker.provider_name}"
        )
        details = {"contract_id": None, "client": assignment.client_name, "assignment_since": assignment.starts_on}
    else:
        text = (
            f"contract from {contract.starts_on.isoformat()} is not signed, yet the assignment with "
            f"{assignment.client_name} has run since {assignment.starts_on.isoformat()}"
        )
        details = {"contract_id": contract.id, "signed_on": None, "client": assignment.client_name}
    yield {"assignment": assignment, "text": text, "details": details}


@declare(
    code="no_legal_entity_in_country",
    category=CATEGORY,
    title="Provider has no legal entity in the worker's country",
    description="The provider has no active legal entity in the country where the worker works, so it cannot be "
    "the employer there.",
    reads=("worker.country", "legal_entities", "pack.employer_registration"),
    applies_to=lambda facts: not facts.is_offboarded,
    severity=Severity.CRITICAL,
    summary="{worker.provider_name} has no active legal entity in {worker.country}{inactive_text}",
    evidence={"country": "worker.country", "provider": "worker.provider_name", "inactive_entities": "inactive"},
    sources=("pack.employer_registration_source",),
    next_step="Move the worker to a provider with a legal entity in their country, or pause the assignment.",
)
def no_legal_entity_in_country(facts: WorkerFacts, prior) -> Iterator[dict]:
    if facts.is_offboarded:
        return
    country = facts.worker.country
    if any(e.is_active and e.country == country for e in facts.legal_entities):
        return
    inactive = [e.name for e in facts.legal_entities if e.country == country]
    yield {"inactive": inactive, "inactive_text": f" ({', '.join(inactive)} inactive)" if inactive else ""}


@declare(
    code="staffing_licence_missing",
    category=CATEGORY,
    title="Staffing licence missing or expired",
    description="The worker's country requires a staffing licence for placing workers with a client, and the "
    "provider's entity there has none, or it expired.",
    reads=(
        "legal_entities",
        "active_assignments.directed_by",
        "provider_headcount_in_country",
        "pack.staffing_licence",
    ),
    applies_in=lambda pack: pack.licence_required,
    severity=Severity.CRITICAL,
    summary="{pack.name} requires a staffing licence{why} ({pack.licence_name}); {entity.name}'s licence {state}",
    evidence="details",
    observed="observed",
    sources=("pack.licence_source",),
    next_step="Ask the provider to record a valid staffing licence for its entity in this country, or move "
    "the worker to a licensed provider.",
)
def staffing_licence_missing(facts: WorkerFacts, prior) -> Iterator[dict]:
    pack = facts.jurisdiction
    directed = _client_directed(facts)
    if not pack.licence_required or not directed:
        return
    threshold = pack.licence_headcount_threshold
    if threshold is not None and facts.provider_headcount_in_country < threshold:
        return  # India: the contract-labour licence applies only from the headcount threshold
    entities = [e for e in facts.legal_entities if e.is_active and e.country == facts.worker.country]
    if not entities:
        return  # no_legal_entity_in_country already says the graver thing
    valid = [
        e
        for e in entities
        if e.staffing_licence_number
        and (e.staffing_licence_expires_on is None or e.staffing_licence_expires_on >= facts.today)
    ]
    if valid:
        return
    expired = [e for e in entities if e.staffing_licence_number]
    if expired:
        latest = max(expired, key=lambda e: e.staffing_licence_expires_on)
        state = f"expired on {latest.staffing_licence_expires_on.isoformat()}"
    else:
        latest, state = entities[0], "is missing"
    details = {
        "legal_entity": latest.name,
        "licence_number": latest.staffing_licence_number,
        "licence_expires_on": latest.staffing_licence_expires_on,
        "country": facts.worker.country,
    }
    observed = {}
    if threshold is not None:
        # The headcount moves as workers join and leave; only "at or above the threshold" is a fact.
        details["headcount_threshold"] = threshold
        observed["headcount_in_country"] = facts.provider_headcount_in_country
    yield {
        "assignment": directed[0],
        "entity": latest,
        "state": state,
        "details": details,
        "observed": observed,
        "why": f" for {threshold} or more workers" if threshold is not None else "",
    }


@declare(
    code="personnel_supply_restricted",
    category=CATEGORY,
    title="Supplying personnel under the client's direction is restricted",
    description="The country prohibits a provider from supplying its workers to work under the client's direction "
    "(Mexico: subcontracting of personnel, LFT art. 12–15; the Philippines: labour-only contracting, DOLE "
    "DO 174-17), allowing only genuine specialised services or job contracting that the provider directs.",
    reads=("active_assignments.directed_by", "pack.personnel_supply"),
    applies_in=lambda pack: pack.personnel_supply is not None,
    severity=Severity.CRITICAL,
    summary="{assignment.client_name} directs {worker.full_name} since {assignment.starts_on}: "
    "{pack.name} does not allow supplying personnel to work under the client's direction; allowed only "
    "{restriction.value[allows]}",
    evidence={
        "client": "assignment.client_name",
        "directed_by": "assignment.directed_by",
        "since": "assignment.starts_on",
        "restriction": "restriction.value.rule",
        "allowed_only": "restriction.value.allows",
    },
    sources=("restriction.cited",),
    next_step="Take legal advice: restructure as a specialised service the provider directs, or end the placement.",
)
def personnel_supply_restricted(facts: WorkerFacts, prior) -> Iterator[dict]:
    restriction = facts.jurisdiction.personnel_supply
    if restriction is None:
        return
    for assignment in _client_directed(facts):
        yield {"assignment": assignment, "restriction": restriction}


@declare(
    code="deemed_employment_by_client",
    category=CATEGORY,
    title="Deemed employee of the client",
    description="Below the country's earnings threshold, a placement through a temporary employment service for "
    "longer than the statutory period makes the client the employer (South Africa: LRA s.198A(3)(b), more "
    "than three months).",
    reads=("active_assignments", "person_assignments", "payroll_entries", "pack.deemed_employment"),
    applies_in=lambda pack: pack.deemed_employment is not None,
    applies_to=lambda facts: not facts.is_offboarded,
    severity=lambda m: Severity.HIGH if m["below"] else Severity.MEDIUM,
    summary=lambda m: (
        f"placed with {m['assignment'].client_name} since {m['tenure'].chain_started_on.isoformat()}, more than "
        f"{m['months']} months: below {m['pack'].name}'s earnings threshold ({m['currency']} {m['threshold']:,.2f} a "
        f"year) the client is the deemed employer from {m['tenure'].cap_date.isoformat()}"
        + ("" if m["below"] else " — the worker's earnings are not on record, so the threshold cannot be ruled out")
    ),
    evidence={
        "client": "assignment.client_name",
        "placed_since": "tenure.chain_started_on",
        "deemed_from": "tenure.cap_date",
        "after_months": "months",
        "earnings_threshold": "threshold",
        "currency": "currency",
        "earnings_below_threshold": "below_or_unknown",
    },
    observed={"annual_earnings": "earnings"},
    sources=("rule_fact.cited",),
    next_step="Decide with legal advice: offer the worker equal terms as your own employee would get, or end "
    "the placement before the statutory period.",
)
def deemed_employment_by_client(facts: WorkerFacts, prior) -> Iterator[dict]:
    pack = facts.jurisdiction
    rule_fact = pack.deemed_employment
    if rule_fact is None or facts.is_offboarded:
        return
    months, threshold, currency = (
        rule_fact.get("after_months"),
        rule_fact.get("below_annual_earnings"),
        rule_fact.get("currency"),
    )
    earnings = facts.annual_earnings(currency)
    if earnings is not None and earnings >= Decimal(str(threshold)):
        return  # above the threshold s.198A does not apply
    for assignment in facts.active_assignments:
        periods, _ = _person_periods(facts, assignment.client_id)
        # One unbroken placement with the client (any break restarts the period), counted in months.
        tenure = summed_tenure(periods, today=facts.today, max_months=months, required_gap_days=0)
        if tenure is None or tenure.cap_date is None or facts.today < tenure.cap_date:
            continue
        below = earnings is not None
        yield {
            "assignment": assignment,
            "rule_fact": rule_fact,
            "tenure": tenure,
            "months": months,
            "threshold": threshold,
            "currency": currency,
            "earnings": earnings,
            "below": below,
            "below_or_unknown": True if below else None,
        }


def _person_periods(facts: WorkerFacts, client_id, *, provider_id=None) -> tuple[list, list]:
    """The person's placements with `client_id` (across records and providers, or through
    `provider_id` only, where the pack says a provider change resets the count)."""
    rows = sorted(
        (
            a
            for a in facts.person_assignments
            if a.client_id == client_id and (provider_id is None or a.provider_id == provider_id)
        ),
        key=lambda a: a.starts_on,
    )
    return [(a.starts_on, a.ends_on) for a in rows], rows


def _placements(rows) -> list[dict]:
    return [{"from": a.starts_on, "to": a.ends_on, "provider": a.provider_name} for a in rows]


def _placements(rows) -> list[dict]:
    return [{"from": a.starts_on, "to": a.ends_on, "provider": a.provider_name} for a in rows]


def _cap_count(cap, facts: WorkerFacts, assignment: AssignmentFact, periods) -> tuple | None:
    """How the pack's cap method counts this placement: (cap_date, its evidence, observed numbers,
    the words for what was counted), or None when it does not count (yet)."""
    client = assignment.client_name
    if cap.method == "consecutive_with_gap_reset":
        tenure = consecutive_tenure(
            periods, today=facts.today, max_months=cap.max_months, reset_after_gap_months=cap.reset_after_gap_months
        )
        if tenure is None:
            return None
        months = whole_months_between(tenure.chain_started_on, facts.today - dt.timedelta(tenure.interruption_days))
        details = {
            "counted_since": tenure.chain_started_on,
            "interruption_days": tenure.interruption_days,
            "reset_after_gap_months": cap.reset_after_gap_months,
        }
        observed = {"counted_days": tenure.counted_days, "months_counted": months}
        return (
            tenure.cap_date,
            details,
            observed,
            f"{months} months with {client} counted since {tenure.chain_started_on}",
        )
    if cap.method == "per_contract":
        # Contract by contract: this assignment alone, renewals (its extended end) included.
        cap_date = per_contract_cap_date(assignment.starts_on, max_months=cap.max_months)
        observed = {"counted_days": (facts.today - assignment.starts_on).days + 1}
        return (
            cap_date,
            {"contract_from": assignment.starts_on},
            observed,
            f"assignment contract with {client} since {assignment.starts_on.isoformat()}",
        )
    if cap.method == "summed_with_required_gap":
        summed = summed_tenure(
            periods,
            today=facts.today,
            max_months=cap.max_months,
            max_days=cap.max_days,
            required_gap_days=cap.required_gap_days,
            days_per_month=cap.days_per_month,
        )
        if summed is None or summed.cap_date is None:
            return None
        details = {
            "max_days": cap.max_days,
            "counted_since": summed.chain_started_on,
            "required_gap_days": cap.required_gap_days,
        }
        observed = {"counted_days": summed.counted_days, "limit_days": summed.limit_days}
        counted = f"{summed.counted_days} days with {client} counted since {summed.chain_started_on.isoformat()}"
        return summed.cap_date, details, observed, counted
    tenure = rolling_window_tenure(
        periods,
        today=facts.today,
        max_months=cap.max_months,
        window_months=cap.window_months,
        horizon_days=cap.warn_days_before,
        days_per_month=cap.days_per_month,
    )
    if tenure is None or tenure.cap_date is None:
        return None
    observed = {
        "counted_days": tenure.counted_days,
        "cap_days": tenure.cap_days,
        "window_started_on": tenure.window_started_on,
    }
    counted = (
        f"{tenure.counted_days} of {tenure.cap_days} days with {client} "
        f"in the {cap.window_months} months to {facts.today.isoformat()}"
    )
    return tenure.cap_date, {"window_months": cap.window_months}, observed, counted


def _tenure_matches(facts: WorkerFacts, code: str) -> Iterator[dict]:
    """The placements past (`tenure_cap_exceeded`) or within the warning period of
    (`tenure_cap_approaching`) the pack's cap, by the pack's counting method. Both rules read one
    count of the worker's placements, made once."""
    for fired, match in facts.shared("tenure_cap_matches", _tenure_cap_matches):
        if fired == code:
            yield match


def _tenure_cap_matches(facts: WorkerFacts) -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = []
    cap = facts.jurisdiction.tenure_cap
    if cap is None:
        return found
    for assignment in facts.active_assignments:
        periods, rows = _person_periods(
            facts, assignment.client_id, provider_id=assignment.provider_id if cap.provider_change_resets else None
        )
        counted = _cap_count(cap, facts, assignment, periods)
        if counted is None:
            continue
        cap_date, method_details, observed, counted_text = counted
        providers = sorted({a.provider_name for a in rows})
        if facts.today >= cap_date:
            fired = "tenure_cap_exceeded"
        elif (cap_date - facts.today).days <= cap.warn_days_before and (
            assignment.ends_on is None or assignment.ends_on >= cap_date
        ):
            fired = "tenure_cap_approaching"
        else:
            continue
        if len(providers) > 1:
            counted_text += f", across providers {', '.join(providers)}"
        details = {
            "client": assignment.client_name,
            "max_months": cap.max_months,
            "counting_rule": cap.counting_rule,
            "provider_change_resets": cap.provider_change_resets,
            "placements": _placements(rows),
            "providers": providers,
            **method_details,
            "cap_date": cap_date,
        }
        match = {
            "assignment": assignment,
            "cap": cap,
            "cap_date": cap_date,
            "cap_text": f"{cap.max_months}-month" if cap.max_months else f"{cap.max_days}-day",
            "counted_text": counted_text,
            "days_until_cap": (cap_date - facts.today).days,
            "details": details,
            "observed": {**observed, "days_until_cap": (cap_date - facts.today).days},
        }
        found.append((fired, match))
    return found


@declare(
    code="tenure_cap_approaching",
    category=CATEGORY,
    title="Placement approaching the legal maximum",
    description="The placement with one client reaches the country's maximum within the pack's warning period "
    "(90 days), counted across providers and assignments by calendar dates.",
    reads=("person_assignments", "active_assignments", "pack.tenure_cap"),
    applies_in=lambda pack: pack.tenure_cap is not None,
    severity=Severity.MEDIUM,
    summary="reaches {pack.name}'s {cap_text} cap on {cap_date} ({days_until_cap} days): {counted_text}",
    evidence="details",
    observed="observed",
    sources=("cap.source",),
    next_step="Plan now: end or pause the placement before the cap date, or hire the worker directly.",
)
def tenure_cap_approaching(facts: WorkerFacts, prior) -> Iterator[dict]:
    return _tenure_matches(facts, "tenure_cap_approaching")


@declare(
    code="tenure_cap_exceeded",
    category=CATEGORY,
    title="Placement past the legal maximum",
    description="The placement with one client has reached or passed the country's maximum.",
    reads=("person_assignments", "active_assignments", "pack.tenure_cap"),
    applies_in=lambda pack: pack.tenure_cap is not None,
    severity=Severity.HIGH,
    summary="past {pack.name}'s {cap_text} cap since {cap_date}: {counted_text}",
    evidence="details",
    observed="observed",
    sources=("cap.source",),
    next_step="End the placement or hire the worker directly, and take legal advice about the time already "
    "past the cap.",
)
def tenure_cap_exceeded(facts: WorkerFacts, prior) -> Iterator[dict]:
    return _tenure_matches(facts, "tenure_cap_exceeded")


def _contractor_since(facts: WorkerFacts) -> dt.date | None:
    """The day after the last non-contractor contract of this record ended, if it ended before today."""
    ends = [
        c.ends_on
        for c in facts.contracts
        if c.contract_type != CONTRACTOR and c.ends_on is not None and c.ends_on < facts.today
    ]
    return max(ends) + dt.timedelta(days=1) if ends else None


@declare(
    code="contractor_long_engagement",
    category=CATEGORY,
    title="Contractor engaged continuously for over a year",
    description="A contractor engaged continuously with one client for longer than the pack's permanence period "
    "(12 months): permanence points to employment.",
    reads=(
        "current_contract.contract_type",
        "contracts",
        "active_assignments",
        "person_assignments",
        "pack.contractor_permanence_months",
        "pack.contractor_continuity_gap_days",
    ),
    severity=Severity.MEDIUM,
    summary="contractor engaged continuously by {assignment.client_name} since {since}: "
    "{months} months, past the {pack.contractor_permanence_months}-month mark",
    evidence={
        "client": "assignment.client_name",
        "since": "since",
        "limit_months": "pack.contractor_permanence_months",
        "continuity_gap_days": "pack.contractor_continuity_gap_days",
        "contract_type": "contract.contract_type",
    },
    observed={"months": "months"},
    sources=("pack.contractor_permanence_source", "pack.contractor_continuity_gap_source"),
    next_step="Move the worker to an employment contract with the provider, or end the contractor engagement.",
)
def contractor_long_engagement(facts: WorkerFacts, prior) -> Iterator[dict]:
    contract = facts.current_contract
    if contract is None or contract.contract_type != CONTRACTOR:
        return
    pack = facts.jurisdiction
    limit, bridged = pack.contractor_permanence_months, pack.contractor_continuity_gap_days
    for assignment in facts.active_assignments:
        periods, _ = _person_periods(facts, assignment.client_id)
        since = chain_end = None
        for start, end in periods:
            if start > facts.today:
                break
            # The break is the whole days without work between two placements (the day after one
            # ends to the day before the next starts); a break of up to `bridged` days is bridged.
            if since is None or (chain_end is not None and (start - chain_end).days - 1 > bridged):
                since, chain_end = start, end
            else:
                chain_end = None if end is None or chain_end is None else max(chain_end, end)
        if since is None:
            continue
        # Time spent there as an employee is not time as a contractor: count from the day after this
        # record's last employment contract ended (a provider change keeps counting: a new record
        # has no employment contract of its own to stop it).
        since = max(since, _contractor_since(facts) or since)
        # "More than 12 months": the 12 months from `since` are complete at the end of the day before
        # the anniversary (BGB §188(2), Polish Civil Code art. 112); the anniversary itself is the
        # first day of the 13th month, so the rule fires from the day after it.
        if facts.today <= add_months(since, limit):
            continue
        yield {
            "assignment": assignment,
            "contract": contract,
            "since": since,
            "months": whole_months_between(since, facts.today),
        }


@declare(
    code="not_dedicated",
    category=CATEGORY,
    title="Worker not dedicated to one client",
    description="The worker is placed with another client in the same period (on this record or another record "
    "of the same person), which breaks the dedicated-worker model the contract describes.",
    reads=("assignments", "person_assignments"),
    applies_to=lambda facts: not facts.is_offboarded,
    severity=Severity.HIGH,
    summary="dedicated to {worker.client_name} but also placed with {elsewhere} from {first_from}",
    evidence={"dedicated_to": "worker.client_name", "other_clients_count": "other_count", "overlaps": "overlaps"},
    cites=(
        "DESIGN: an outstaffed worker is dedicated to one client, who directs the work",
        "IRS common-law rules (financial control): offering services to several clients at once points to an "
        "independent business, contradicting the employment the contract claims",
    ),
    next_step="End the overlapping placement, or change the contract to say the worker is shared between clients.",
)
def not_dedicated(facts: WorkerFacts, prior) -> Iterator[dict]:
    if facts.is_offboarded:
        return
    own = facts.worker.client_id
    mine = [a for a in facts.assignments if a.client_id == own]
    theirs = [a for a in facts.person_assignments if a.client_id != own]
    # Any overlap in time, past, present or planned (not only assignments active today): dedication
    # is about the period, and a placement planned elsewhere is as much a breach as a current one.
    overlaps = sorted(
        {
            (max(a.starts_on, b.starts_on), _earliest_end(a.ends_on, b.ends_on), b.client_id, a.id)
            for a in mine
            for b in theirs
            if _overlap(a, b)
        },
        key=lambda o: (o[0], str(o[3])),
    )
    if not overlaps:
        return
    # The evidence is read by this worker's client: it says that, and when, another client has the
    # person, never which client (that is another tenant's business).
    other_count = len({o[2] for o in overlaps})
    first_from, _, _, first_assignment_id = overlaps[0]
    yield {
        "assignment": next(a for a in mine if a.id == first_assignment_id),
        "other_count": other_count,
        "first_from": first_from,
        "elsewhere": "another client" if other_count == 1 else f"{other_count} other clients",
        "overlaps": [{"from": start, "to": end} for start, end, _, _ in overlaps],
    }


def _earliest_end(first: dt.date | None, second: dt.date | None) -> dt.date | None:
    ends = [end for end in (first, second) if end is not None]
    return min(ends) if ends else None


def _overlap(a: AssignmentFact, b: AssignmentFact) -> bool:
    return a.starts_on <= (b.ends_on or dt.date.max) and b.starts_on <= (a.ends_on or dt.date.max)
