"""The organization-wide audit log: one ordered, paginated list over every audited table the
organization may see, and the rows of one page, in a number of queries that depends on the
number of audited tables, never on the number of rows."""

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Case, CharField, OuterRef, QuerySet, Subquery, UUIDField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Trim

from accounts.actors import Actor
from accounts.choices import Role
from accounts.models import ApiKey, User
from outstaff.audit import history_rows, predecessors

from .registry import BY_NAME, AuditedResource, resources_for

AUDIT_LOG_ROLES = {Role.CLIENT_ADMIN, Role.PROVIDER_ADMIN}
PAGE_SIZE = 50
# `sort` keys of the log (each column the union of audited tables selects); newest first breaks ties.
AUDIT_SORTS = {
    "when": ("pgh_created_at",),
    "who": ("who",),
    "resource": ("resource_label",),
    "channel": ("channel",),
}
NEWEST_FIRST = ("-pgh_created_at", "-pgh_id")


@dataclass(frozen=True)
class AuditFilters:
    resource: str = ""
    user_id: str = ""
    api_key_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_log_allowed(*, actor: Actor) -> bool:
    return actor.user is not None and actor.role in AUDIT_LOG_ROLES


def _versions(resource: AuditedResource, actor: Actor, filters: AuditFilters) -> QuerySet:
    queryset = resource.event_model.objects.filter(resource.scope(actor))
    if filters.user_id:
        queryset = queryset.filter(pgh_context__metadata__user=filters.user_id)
    if filters.api_key_id:
        queryset = queryset.filter(pgh_context__metadata__api_key=filters.api_key_id)
    if filters.since:
        queryset = queryset.filter(pgh_created_at__date__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(pgh_created_at__date__lte=filters.until)
    metadata, text = "pgh_context__metadata", CharField()
    user_name = User.objects.filter(pk=OuterRef("_user_id")).annotate(
        shown=Coalesce(
            NullIf(Trim(Concat("first_name", Value(" "), "last_name", output_field=text)), Value("")),
            "email",
            output_field=text,
        )
    )
    return (
        queryset.annotate(_user_id=Cast(KeyTextTransform("user", metadata), UUIDField()))
        .annotate(
            resource=Value(resource.name, output_field=text),
            resource_label=Value(str(resource.label), output_field=text),
            # Who as the page names them: an API key, a person, or the system task that acted.
            who=Coalesce(
                NullIf(
                    Concat(Value("API key "), KeyTextTransform("api_key_name", metadata), output_field=text),
                    Value("API key "),
                ),
                Subquery(user_name.values("shown")[:1], output_field=text),
                NullIf(KeyTextTransform("source", metadata), Value("")),
                NullIf(KeyTextTransform("task", metadata), Value("")),
                Value("system"),
                output_field=text,
            ),
            channel=Coalesce(
                KeyTextTransform("channel", metadata),
                Case(When(pgh_context__isnull=True, then=Value("system")), default=Value(""), output_field=text),
                output_field=text,
            ),
        )
        .values("pgh_created_at", "pgh_id", "resource", "resource_label", "who", "channel")
    )


def audit_log_entries(
    *, actor: Actor, filters: AuditFilters, sort: tuple[str, ...] = (), descending: bool = False
) -> QuerySet | list:
    """Every matching version of every audited table the organization may see, one entry each
    (when, pgh_id, resource, who, channel), sorted by `sort` (fields of AUDIT_SORTS), newest first
    otherwise and among equals."""
    if not audit_log_allowed(actor=actor):
        raise PermissionError("Only client and provider admins read the audit log.")
    resources = resources_for(actor)
    if filters.resource:
        resources = [r for r in resources if r.name == filters.resource]
    parts = [_versions(resource, actor, filters) for resource in resources]
    if not parts:
        return []
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    order = tuple(f"-{field}" if descending else field for field in sort)
    return combined.order_by(*order, *NEWEST_FIRST)


def audit_log_rows(*, actor: Actor, entries) -> list[dict]:
    """The rows of some entries (who, when, channel, request, before → after), in their order, in
    a number of queries that depends on the audited tables among them, not on how many there are."""
    entries = list(entries)
    wanted: dict[str, list[int]] = {}
    for entry in entries:
        wanted.setdefault(entry["resource"], []).append(entry["pgh_id"])
    events = {}
    for name, ids in wanted.items():
        model = BY_NAME[name].event_model
        for event in model.objects.filter(pgh_id__in=ids).select_related("pgh_context"):
            event.audit_resource = name
            events[(name, event.pgh_id)] = event
    ordered = [events[(entry["resource"], entry["pgh_id"])] for entry in entries]
    rows = history_rows(ordered, previous=predecessors(ordered))
    labels = {entry["resource"]: entry["resource_label"] for entry in entries}
    for row in rows:
        row["resource_label"] = labels.get(row["resource"], row["resource"])
    _apply_blind_rule(rows, actor=actor)
    _name_people(rows, events=ordered)
    return rows


def audit_log_stream(*, actor: Actor, entries, chunk: int = 2000) -> Iterator[dict]:
    """Every row of `entries` (the CSV), fetched `chunk` entries at a time."""
    start = 0
    while True:
        batch = list(entries[start : start + chunk])
        yield from audit_log_rows(actor=actor, entries=batch)
        if len(batch) < chunk:
            return
        start += chunk


def _apply_blind_rule(rows: list[dict], *, actor: Actor) -> None:
    """Leave out what the blind rule hides from this reader (one query per blind resource on the page)."""
    for name in {row["resource"] for row in rows}:
        resource = BY_NAME[name]
        if resource.blind is None:
            continue
        ids = {row["object_id"] for row in rows if row["resource"] == name}
        hidden = {str(pk) for pk in resource.blind(actor).filter(pk__in=ids).values_list("pk", flat=True)}
        for row in rows:
            if row["resource"] == name and row["object_id"] in hidden:
                for field in resource.blind_fields:
                    row["changes"].pop(field, None)


def _user_columns(event_model) -> set[str]:
    """The change keys of an event model's columns that reference a user (`decided_by`, `user`...)."""
    return {
        field.name
        for field in event_model._meta.concrete_fields
        if field.is_relation and field.related_model is User and not field.name.startswith("pgh_")
    }


def _name_people(rows: list[dict], *, events: list) -> None:
    """People read names, not user ids: every user reference in the page's changes (a team's managers,
    who decided, whose membership) is shown as the user's display name, in one query for the page.
    The API history keeps the ids."""
    columns = {row["resource"]: _user_columns(type(event)) for row, event in zip(rows, events, strict=True)}
    lists = {row["resource"]: set(BY_NAME[row["resource"]].user_list_fields) for row in rows}

    def ids_of(row):
        for field, change in row["changes"].items():
            if field in columns[row["resource"]] or field in lists[row["resource"]]:
                for value in (change["old"], change["new"]):
                    yield from (value if isinstance(value, list) else [value])

    wanted = {str(value) for row in rows for value in ids_of(row) if value}
    names = (
        {str(user.pk): user.get_full_name() or user.email for user in User.objects.filter(pk__in=wanted)}
        if wanted
        else {}
    )

    def shown(value):
        if isinstance(value, list):
            return ", ".join(names.get(str(item), str(item)) for item in value) or None
        return names.get(str(value), value) if value else value

    for row in rows:
        changes = {}
        for field, change in row["changes"].items():
            if field in columns[row["resource"]] or field in lists[row["resource"]]:
                change = {"old": shown(change["old"]), "new": shown(change["new"])}
                field = field.removesuffix("_ids") + "s" if field in lists[row["resource"]] else field
            changes[field] = change
        row["changes"] = changes


def audit_actor_choices(*, actor: Actor) -> dict:
    """Who can be picked in the filter: the organization's members and its API keys."""
    users = User.objects.filter(memberships__organization_id=actor.organization.id).order_by("email").distinct()
    keys = ApiKey.objects.filter(organization_id=actor.organization.id).order_by("name")
    return {"users": list(users), "api_keys": list(keys)}


def audit_resource_choices(*, actor: Actor) -> list[tuple[str, str]]:
    return [(r.name, r.label) for r in resources_for(actor)]
