"""Reads of SCIM Users: the workers the actor may see (the REST API's own scoping), minus those a
SCIM client deleted, with SCIM filters (RFC 7644 §3.4.2.2) parsed by scim2-models and transpiled to
one Django query."""

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from scim2_models import InvalidFilterException, ScimFilter
from scim2_models.path import (
    CompareOperator,
    Comparison,
    FilterVisitor,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)

from accounts.actors import Actor
from assignments.models import Assignment
from assignments.selectors import active_on_q
from workers.choices import WorkerStatus
from workers.models import Worker

from .schema import CORE_USER, ENTERPRISE_USER


def scim_worker_list(*, actor: Actor, today: dt.date | None = None) -> QuerySet[Worker]:
    """Workers visible to the actor as SCIM Users, oldest first (stable `startIndex` paging), with
    what a User shows loaded in a constant number of queries: client, SCIM identity, and the current
    assignment's team and manager."""
    today = today or timezone.localdate()
    current = Assignment.objects.filter(active_on_q(today)).select_related("team", "manager").order_by("-starts_on")
    return (
        Worker.objects.filter(actor.worker_scope())
        .exclude(scim_identity__deprovisioned_at__isnull=False)
        .select_related("client", "scim_identity")
        .prefetch_related(Prefetch("assignments", queryset=current, to_attr="current_assignments"))
        .annotate(last_modified=Greatest("updated_at", Coalesce("scim_identity__updated_at", "updated_at")))
        .order_by("created_at", "id")
    )


def _string(lookup_base: str, op: CompareOperator, value: Any, *, case_exact: bool) -> Q:
    if not isinstance(value, str):
        raise InvalidFilterException(detail=f"Compare this attribute with a string, not {value!r}.")
    prefix = "" if case_exact else "i"
    lookups = {
        CompareOperator.eq: f"{prefix}exact",
        CompareOperator.ne: f"{prefix}exact",
        CompareOperator.co: f"{prefix}contains",
        CompareOperator.sw: f"{prefix}startswith",
        CompareOperator.ew: f"{prefix}endswith",
        CompareOperator.gt: "gt",
        CompareOperator.ge: "gte",
        CompareOperator.lt: "lt",
        CompareOperator.le: "lte",
    }
    q = Q(**{f"{lookup_base}__{lookups[op]}": value})
    return ~q if op == CompareOperator.ne else q


def _user_name(op: CompareOperator, value: Any) -> Q:
    # userName is the identity provider's, or the work e-mail for workers created outside SCIM.
    return (Q(scim_identity__isnull=False) & _string("scim_identity__user_name", op, value, case_exact=False)) | (
        Q(scim_identity__isnull=True) & _string("work_email", op, value, case_exact=False)
    )


def _timestamp(field: str, op: CompareOperator, value: Any) -> Q:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(moment, dt.datetime):
        raise InvalidFilterException(detail=f"{value!r} is not a date-time (e.g. 2026-11-30T08:00:00Z).")
    lookups = {
        CompareOperator.eq: "exact",
        CompareOperator.gt: "gt",
        CompareOperator.ge: "gte",
        CompareOperator.lt: "lt",
        CompareOperator.le: "lte",
    }
    if op == CompareOperator.ne:
        return ~Q(**{field: moment})
    if op not in lookups:
        raise InvalidFilterException(detail=f"Dates compare with eq, ne, gt, ge, lt or le, not {op}.")
    return Q(**{f"{field}__{lookups[op]}": moment})


def _active(op: CompareOperator, value: Any) -> Q:
    if not isinstance(value, bool) or op not in (CompareOperator.eq, CompareOperator.ne):
        raise InvalidFilterException(detail="Filter `active` with eq or ne and true or false.")
    active = value if op == CompareOperator.eq else not value
    offboarded = Q(status=WorkerStatus.OFFBOARDED)
    return ~offboarded if active else offboarded


# Attribute (lower-cased, as SCIM names are case-insensitive) → how to compare it.
_COMPARISONS = {
    "id": lambda op, value: _string("id", op, value, case_exact=True) if op == CompareOperator.eq else Q(pk=None),
    "username": _user_name,
    "externalid": lambda op, value: _string("scim_identity__external_id", op, value, case_exact=True),
    "employeenumber": lambda op, value: _string("external_id", op, value, case_exact=True),
    "name.givenname": lambda op, value: _string("first_name", op, value, case_exact=False),
    "name.familyname": lambda op, value: _string("last_name", op, value, case_exact=False),
    "emails": lambda op, value: _string("work_email", op, value, case_exact=False),
    "emails.value": lambda op, value: _string("work_email", op, value, case_exact=False),
    "title": lambda op, value: _string("role_title", op, value, case_exact=False),
    "active": _active,
    "organization": lambda op, value: _string("client__name", op, value, case_exact=False),
    "meta.lastmodified": lambda op, value: _timestamp("last_modified", op, value),
    "meta.created": lambda op, value: _timestamp("created_at", op, value),
}
_PRESENT = {
    "username": Q(pk__isnull=False),
    "externalid": Q(scim_identity__isnull=False) & ~Q(scim_identity__external_id=""),
    "employeenumber": ~Q(external_id=""),
    "title": ~Q(role_title=""),
}


def _key(attr_path) -> str:
    uri = (attr_path.uri or "").lower()
    if uri and uri not in (CORE_USER.lower(), ENTERPRISE_USER.lower()):
        raise InvalidFilterException(detail=f"Unknown schema {attr_path.uri}.")
    name = attr_path.attr.lower()
    return f"{name}.{attr_path.sub_attr.lower()}" if attr_path.sub_attr else name


class _ToQ(FilterVisitor[Q]):
    def __init__(self, parent: str = ""):
        self.parent = parent  # inside a value path such as emails[...]

    def visit_comparison(self, node: Comparison) -> Q:
        key = f"{self.parent}.{_key(node.attr_path)}" if self.parent else _key(node.attr_path)
        if key not in _COMPARISONS:
            raise InvalidFilterException(detail=f"Filtering on {key} is not supported.")
        return _COMPARISONS[key](node.op, node.value)

    def visit_present(self, node: Present) -> Q:
        key = _key(node.attr_path)
        if key not in _PRESENT:
            raise InvalidFilterException(detail=f"`pr` on {key} is not supported.")
        return _PRESENT[key]

    def visit_not(self, node: Not) -> Q:
        return ~self.visit(node.expr)

    def visit_logical_expr(self, node: LogicalExpr) -> Q:
        terms = [self.visit(term) for term in node.terms]
        combined = terms[0]
        for term in terms[1:]:
            combined = combined & term if node.op == LogicalOperator.and_ else combined | term
        return combined

    def visit_value_path(self, node: ValuePath) -> Q:
        # emails[value eq "x"] is the same test as emails.value eq "x" (Outstaff keeps one address).
        if node.attr_path.attr.lower() != "emails":
            raise InvalidFilterException(detail=f"Filtering inside {node.attr_path.attr} is not supported.")
        return _ToQ(parent="emails").visit(node.val_filter)


def scim_filter_q(expression: str) -> Q:
    """The Q of a SCIM filter; an unparsable or unsupported one raises InvalidFilterException."""
    try:
        tree = ScimFilter(expression).ast
    except (ValueError, TypeError) as error:
        raise InvalidFilterException(detail=f"Invalid filter: {error}") from error
    return _ToQ().visit(tree)
