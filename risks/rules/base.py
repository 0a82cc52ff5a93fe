"""What a rule is and what it returns. A rule is a small named unit with a stable code (integrators
filter on it) that reads one worker's facts and returns findings with evidence: a plain-words
summary, the facts that fired it, the numbers observed, and the legal or research source."""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from uuid import UUID

from jurisdictions import Jurisdiction
from risks.choices import RiskCategory, Severity

from .facts import DERIVED_FACTS, FACT_KINDS, WorkerFacts

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
    def _stable(self):
        return _jsonable(self.facts)

    @cached_property
    def evidence(self) -> dict:
        evidence = {
            "summary": self.summary,
            "facts": self._stable,
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
            "facts": self._stable,  # without building the rest of the evidence (most flags are unchanged)
            "jurisdiction": self.jurisdiction,
        }
        return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()


Matcher = Callable[[WorkerFacts, list[Finding]], Iterable[dict]]


@dataclass(frozen=True)
class Rule:
    """One rule, stated declaratively: what it is (code, category, title, description), the facts it
    reads (`reads`, shown in the docs), its predicate (`match`: yields one dict per finding, naming its
    subject `assignment`, if any, and the values the finding quotes; yields nothing when the rule does
    not fire), and how the finding reads:

    - `severity`: a Severity, or a callable of the match namespace;
    - `summary`: a `str.format` template over the namespace (`{assignment.client_name}`; a date
      prints as its ISO date), or a callable of it;
    - `evidence`: the stable facts (they feed the evidence hash) as {name: path}, a path being a dotted
      name into the namespace (`"contract.id"`, `"pack.full_time_threshold_hours"`), or one path to a
      dict the match built;
    - `observed`: numbers that move day by day (shown, not hashed), {name: path} or a path to a dict;
    - `sources`: paths to the jurisdiction pack's citations (`"pack.written_contract_source"`; a path
      to a list adds each), and `cites`: fixed citations (research, DESIGN).

    The namespace holds the match's values plus `facts`, `worker`, `pack` (the worker's jurisdiction)
    and `today`. A new country's rule is a matcher and a few declarative lines.

    `reads` also decides what the scan loads: a kind of fact (risks.rules.facts.FACT_KINDS, or what is
    derived from one, e.g. `active_assignments`) is loaded for a worker only when a rule that applies
    to the worker names it. Two optional preconditions say when a rule cannot fire, so the scan skips
    it (and the facts only it reads): `applies_in(pack)`, decided once per pack, and
    `applies_to(facts)`, which may read only `facts.worker`, `facts.jurisdiction`, `facts.today` and
    what is derived from them (`is_offboarded`, `days_since_start`). The matcher still checks what
    it needs itself; a precondition only has to be true whenever the matcher could yield."""

    code: str
    category: str
    title: str
    description: str
    match: Matcher
    severity: str | Callable[[dict], str]
    summary: str | Callable[[dict], str]
    evidence: dict[str, str] | str
    sources: tuple[str, ...] = ()
    cites: tuple[str, ...] = ()
    observed: dict[str, str] | str | None = None
    reads: tuple[str, ...] = ()
    # What a person does about a flag of this rule, in a sentence (shown with every flag).
    next_step: str = ""
    applies_in: Callable[[Jurisdiction], bool] | None = None
    applies_to: Callable[[WorkerFacts], bool] | None = None

    def evaluate(self, facts: WorkerFacts, prior: list[Finding]) -> Iterator[Finding]:
        for matched in self.match(facts, prior):
            yield self.finding(facts, matched)

    def finding(self, facts: WorkerFacts, matched: dict) -> Finding:
        namespace = {"facts": facts, "worker": facts.worker, "pack": facts.jurisdiction, "today": facts.today}
        namespace.update(matched)
        details = _fields(namespace, self.evidence)
        sources: list[str] = []
        for path in self.sources:
            value = resolve(namespace, path)
            sources.extend(value if isinstance(value, list | tuple) else [value])
        # The client comes from the assignment (or the worker); a misclassification finding records
        # the jurisdiction pack it was judged by (attrition signals are not country law).
        assignment = matched.get("assignment")
        return Finding(
            rule_code=self.code,
            category=self.category,
            severity=self.severity(namespace) if callable(self.severity) else self.severity,
            summary=self.summary(namespace) if callable(self.summary) else self.summary.format_map(namespace),
            facts=details,
            sources=(*sources, *self.cites),
            observed=_fields(namespace, self.observed or {}),
            assignment_id=assignment.id if assignment else None,
            client_id=assignment.client_id if assignment else facts.worker.client_id,
            jurisdiction=facts.jurisdiction.reference if self.category == RiskCategory.MISCLASSIFICATION else None,
        )


def _fields(namespace: dict, spec: dict[str, str] | str) -> dict:
    if isinstance(spec, str):
        return dict(resolve(namespace, spec) or {})
    return {name: resolve(namespace, path) for name, path in spec.items()}


def resolve(namespace: dict, path: str):
    """`"contract.id"` → namespace["contract"].id; None anywhere along the path gives None."""
    head, *rest = path.split(".")
    value = namespace[head]
    for name in rest:
        if value is None:
            return None
        value = value.get(name) if isinstance(value, dict) else getattr(value, name)
    return value


RULES: dict[str, Rule] = {}


def declare(
    *,
    code: str,
    category: RiskCategory,
    title: str,
    description: str,
    severity,
    summary,
    evidence,
    sources: tuple[str, ...] = (),
    cites: tuple[str, ...] = (),
    observed: dict[str, str] | str | None = None,
    reads: tuple[str, ...] = (),
    next_step: str = "",
    applies_in: Callable[[Jurisdiction], bool] | None = None,
    applies_to: Callable[[WorkerFacts], bool] | None = None,
):
    """Register a rule under its stable code; decorates its matcher (the predicate). Rules run in
    registration order and receive the findings of the rules before them (the attrition score
    combines earlier signals)."""

    def register(match: Matcher) -> Matcher:
        if code in RULES:
            raise ValueError(f"Duplicate rule code {code}")
        RULES[code] = Rule(
            code=code,
            category=category,
            title=title,
            description=description,
            match=match,
            severity=severity,
            summary=summary,
            evidence=evidence,
            sources=tuple(sources),
            cites=tuple(cites),
            observed=observed,
            reads=tuple(reads),
            next_step=next_step,
            applies_in=applies_in,
            applies_to=applies_to,
        )
        fact_kinds_read(RULES[code])  # a misspelt fact in `reads` fails at import, not in a scan
        return match

    return register


def evaluate_rules(facts: WorkerFacts, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """All findings for one worker, in rule order."""
    findings: list[Finding] = []
    for each in rules if rules is not None else RULES.values():
        findings.extend(each.evaluate(facts, findings))
    return findings


# Names in `reads` that are no fact of their own: the worker row, its pack, the day, and the findings
# of the rules before (the attrition score).
_NOT_FACTS = frozenset(("worker", "pack", "today", "prior"))


def fact_kinds_read(rule: Rule) -> frozenset[str]:
    """The kinds of fact (FACT_KINDS) the rule reads, from its `reads`."""
    kinds = set()
    for path in rule.reads:
        head = path.split(".", 1)[0]
        if head in _NOT_FACTS:
            continue
        kind = DERIVED_FACTS.get(head, head)
        if kind not in FACT_KINDS:
            raise ValueError(f"Rule {rule.code} reads {path!r}, which is no fact a rule can read")
        kinds.add(kind)
    return frozenset(kinds)


@dataclass(frozen=True)
class PackRules:
    """The registered rules that may fire in one pack (`applies_in`), in registration order, each
    with its worker precondition and the kinds of fact it reads."""

    pack: Jurisdiction
    rules: tuple[tuple[Rule, Callable[[WorkerFacts], bool] | None, frozenset[str]], ...]

    def for_worker(self, light: WorkerFacts) -> tuple[list[Rule], set[str]]:
        """The rules that apply to the worker of `light` (facts holding only the worker, its pack
        and the day) and the kinds of fact they read."""
        rules: list[Rule] = []
        kinds: set[str] = set()
        decided: dict = {None: True}  # several rules share a precondition (the attrition window)
        for rule, applies_to, read in self.rules:
            applies = decided.get(applies_to)
            if applies is None:
                applies = decided[applies_to] = applies_to(light)
            if applies:
                rules.append(rule)
                kinds |= read
        return rules, kinds


_pack_rules: dict[int, PackRules] = {}


def rules_for(pack: Jurisdiction) -> PackRules:
    """The registered rules for a pack, decided once per pack object (a pack is immutable; a test's
    `dataclasses.replace` of one is another object)."""
    found = _pack_rules.get(id(pack))
    if found is None or found.pack is not pack:
        found = PackRules(
            pack=pack,
            rules=tuple(
                (rule, rule.applies_to, fact_kinds_read(rule))
                for rule in RULES.values()
                if rule.applies_in is None or rule.applies_in(pack)
            ),
        )
        _pack_rules[id(pack)] = found
    return found


def hours(value) -> str:
    """40.0 → "40", 37.5 → "37.5"."""
    number = Decimal(value)
    return str(number.quantize(Decimal(1))) if number == number.to_integral_value() else str(number.normalize())
