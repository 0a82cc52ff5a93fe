"""What a rule is and what it returns. A rule is a small named unit with a stable code (integrators
filter on it) that reads one worker's facts and returns findings with evidence: a plain-words
summary, the facts that fired it, the numbers observed, and the legal or research source."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from uuid import UUID

from risks.choices import RiskCategory, Severity

from .facts import WorkerFacts

SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


def _jsonable(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Finding:
    """One rule firing for one subject.

    `facts` are the stable reasons (they change only when the situation changes) and feed the
    evidence hash, so a dismissed flag stays dismissed until they change. `observed` holds numbers
    that move day by day (days overdue, days until a cap) and are shown but not hashed."""

    rule_code: str
    category: str
    severity: str
    summary: str
    facts: dict
    sources: tuple[str, ...]
    observed: dict = field(default_factory=dict)
    assignment_id: UUID | None = None
    client_id: UUID | None = None
    jurisdiction: dict | None = None

    @cached_property
    def evidence(self) -> dict:
        evidence = {
            "summary": self.summary,
            "facts": _jsonable(self.facts),
            "observed": _jsonable(self.observed),
            "sources": list(self.sources),
        }
        if self.jurisdiction:
            evidence["jurisdiction"] = self.jurisdiction
        return evidence

    @cached_property
    def evidence_hash(self) -> str:
        stable = {
            "rule": self.rule_code,
            "severity": self.severity,
            "facts": self.evidence["facts"],
            "jurisdiction": self.jurisdiction,
        }
        return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()


RuleFunction = Callable[[WorkerFacts, list[Finding]], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    category: str
    title: str
    description: str
    evaluate: RuleFunction


RULES: dict[str, Rule] = {}


def rule(*, code: str, category: RiskCategory, title: str, description: str):
    """Register a rule under its stable code. Rules run in registration order and receive the
    findings of the rules before them (the attrition score combines earlier signals)."""

    def register(function: RuleFunction) -> RuleFunction:
        if code in RULES:
            raise ValueError(f"Duplicate rule code {code}")
        RULES[code] = Rule(code=code, category=category, title=title, description=description, evaluate=function)
        return function

    return register


def finding(
    facts: WorkerFacts,
    code: str,
    severity: str,
    summary: str,
    details: dict,
    sources,
    *,
    assignment=None,
    observed: dict | None = None,
) -> Finding:
    """The one way a rule states a finding: its category comes from the registered rule, the client
    from the assignment (or the worker), and a misclassification finding records the jurisdiction
    pack it was judged by (attrition signals are not country law)."""
    category = RULES[code].category
    return Finding(
        rule_code=code,
        category=category,
        severity=severity,
        summary=summary,
        facts=details,
        sources=tuple(sources),
        observed=observed or {},
        assignment_id=assignment.id if assignment else None,
        client_id=assignment.client_id if assignment else facts.worker.client_id,
        jurisdiction=facts.jurisdiction.reference if category == RiskCategory.MISCLASSIFICATION else None,
    )


def evaluate_rules(facts: WorkerFacts, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """All findings for one worker, in rule order."""
    findings: list[Finding] = []
    for each in rules if rules is not None else RULES.values():
        findings.extend(each.evaluate(facts, findings))
    return findings


def hours(value) -> str:
    """40.0 → "40", 37.5 → "37.5"."""
    number = Decimal(value)
    return str(number.quantize(Decimal(1))) if number == number.to_integral_value() else str(number.normalize())
