"""A lean list page's SQL built once per *shape* and run as a prepared statement.

Every API list request used to build its queryset (the selector's filters and joins, the values of
the lean plan, the cursor's ordering and position) and compile it: 1.3 ms of Python for the workers,
4.6 ms for the risk flags, whose five joins PostgreSQL then planned again, 1.3–2 ms, to serve 50 rows
that take 0.8 ms to read. The SQL of a list's unfiltered page depends only on

- who asks: the actor's organization, user and API key ids (the *slots*), and everything else of
  the actor and of those three but their texts and dates: its role and scopes, the organization's
  kind and flags, the user's staff flags (the *signature*, part of the key);
- the view: its class, action, URL arguments (a nested list's parent) and API version, and the
  request's time zone and language (in the key);
- the cursor: its direction, whether it has a position (both in the key) and the position itself
  (a slot); the offset and the page size go to `LIMIT %s OFFSET %s`, appended here;
- the code and the settings (a settings change clears the templates), and the day and hour (in the
  key: a selector may compare with today).

So a shape is built and compiled once per process and hour, and then run with the request's slot
values. It is *derived*, never assumed: the queryset is built and compiled for two sentinel actors
that share the real actor's signature and differ from it and from each other in every id, name and
date, with two different cursor positions, and with the database blocked (a selector that runs a
query while building, i.e. whose SQL depends on the data, is not templated). The two SQL texts must
be the same, and every parameter must either be equal in both (a constant) or be the sentinels' own
organization / user / API key id or cursor position at that place (a slot). Then the real request's
queryset is built once more and must give exactly the template filled with the real values. Any
difference — a selector reading the organization's country, the user's e-mail, a header, a minute
of the clock — leaves that shape untemplated: it is built per request as before. Only unfiltered
lists (no parameter but the cursor and the page size) of viewsets on the lean path are templated.

Each template is prepared once per database connection (`PREPARE`, sent with the first `EXECUTE` in
one round trip), so PostgreSQL plans it once per connection instead of once per request. The
setting `API_PREPARED_STATEMENTS = False` turns that off (e.g. behind a transaction-pooling proxy,
where a session's prepared statements are not the next transaction's); the templates still save
the Python.

Rows come back as tuples in the plan's column order, with Django's converters applied, except that
a UUID column the list prints as it is (an id, a foreign key's id) is read as its text, as it is
printed, and a JSON column is parsed with orjson (json's own parser where orjson would differ: a
run of 19 digits, which may be an integer beyond 64 bits, or an error)."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable

import orjson
import psycopg2
import psycopg2.errors
import psycopg2.extensions
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.signals import setting_changed
from django.db import connections, models
from django.db.models import JSONField
from django.db.models.expressions import Col
from django.utils import timezone, translation

from outstaff.lookups import DatabaseBlocked, block_queries
from outstaff.statements import PreparedStatement

log = logging.getLogger(__name__)

_UNTEMPLATED = object()
_TEMPLATES: dict = {}
MAX_TEMPLATES = 1024


def clear_templates(**kwargs) -> None:
    _TEMPLATES.clear()


setting_changed.connect(clear_templates, dispatch_uid="outstaff.api.prepared.clear_templates")


class _Untemplated(Exception):  # noqa: N818 - a reason, not an error: the shape is built per request
    """Why a shape cannot be templated (logged once; its requests build their queryset)."""


# --- rows --------------------------------------------------------------------------------------
_UUID_OID = 2950
UUID_AS_TEXT = psycopg2.extensions.new_type((_UUID_OID,), "LEAN_UUID_TEXT", lambda value, cursor: value)
# Every ASCII digit to "0", every other byte to a space: a run of 19 digits is then a substring (a
# C scan, eight times quicker than a regular expression on these texts).
_NINETEEN = b"0" * 19
_DIGIT_TO_ZERO = bytes(48 if 48 <= byte <= 57 else 32 for byte in range(256))


def _json_loads(value, expression, connection):
    """JSONField.from_db_value for a plain column with no custom decoder, with orjson where it gives
    exactly json.loads' value: no run of 19 digits (orjson turns an integer beyond 64 bits into a
    float) and no error (a lone surrogate, an infinity: json's parser then decides)."""
    if value is None or not isinstance(value, str):
        return value
    if _NINETEEN not in value.encode().translate(_DIGIT_TO_ZERO):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            pass  # json's parser decides: it accepts what orjson refuses (a lone surrogate, 1e400)
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


_set = object.__setattr__


def _uuid(text: str) -> uuid.UUID:
    """uuid.UUID(text) for PostgreSQL's canonical text of a uuid (36 lower-case characters, as
    `uuid_out` always writes it), without the parsing of every form uuid.UUID accepts."""
    value = object.__new__(uuid.UUID)
    _set(value, "int", int(text.replace("-", ""), 16))
    _set(value, "is_safe", uuid.SafeUUID.unknown)
    return value


def _is_uuid_column(expression, connection) -> bool:
    field = getattr(expression, "output_field", None)
    try:
        return field is not None and field.db_type(connection) == "uuid"
    except Exception:  # noqa: BLE001 - an expression without a database type: not a uuid column
        return False


# --- the shape's key ---------------------------------------------------------------------------
# The actor is a dataclass (accounts.actors.Actor; known here only by its shape): each of its fields
# holding a model instance (the organization, the user, the API key) is a slot, by its primary key;
# every other field is part of the signature.
_STAMPS = {
    "a": dt.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=dt.UTC),
    "b": dt.datetime(2002, 3, 4, 5, 6, 7, 8, tzinfo=dt.UTC),
}


def _slot_names(actor) -> list[str]:
    return [field.name for field in dataclasses.fields(actor) if isinstance(getattr(actor, field.name), models.Model)]


def _hashable(value):
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _hashable(item)) for key, item in value.items()))
    if isinstance(value, set | frozenset):
        return frozenset(_hashable(item) for item in value)
    return value


def _randomised(field) -> bool:
    """Fields a sentinel gives values of its own: text without choices, dates. Every other field
    (flags, kinds, numbers, lists) is copied, and is part of the signature."""
    if field.primary_key or field.is_relation:
        return False
    if isinstance(field, models.CharField | models.TextField):
        return not field.choices
    return isinstance(field, models.DateField)  # DateTimeField is a DateField


def _instance_signature(instance, slots: dict) -> tuple:
    """The instance's copied fields; a foreign key to another of the actor's instances (an API
    key's organization) by that slot's name, not its id: the sentinels point it at their own."""
    return (
        type(instance),
        tuple(
            (field.attname, _slot_reference(field, getattr(instance, field.attname), slots))
            for field in instance._meta.concrete_fields
            if not field.primary_key and not _randomised(field)
        ),
    )


def _slot_reference(field, value, slots: dict):
    if field.is_relation and value in slots:
        return ("slot", slots[value])
    return _hashable(value)


def _signature(actor) -> tuple:
    """Everything of the actor the sentinels copy: a different value here is another shape."""
    slots = {getattr(actor, name).pk: name for name in _slot_names(actor)}
    parts = [type(actor)]
    for field in dataclasses.fields(actor):
        value = getattr(actor, field.name)
        if isinstance(value, models.Model):
            parts.append((field.name, _instance_signature(value, slots)))
        else:
            parts.append((field.name, _hashable(value)))
    return tuple(parts)


def _sentinel_instance(instance, tag: str, counterparts: dict):
    """A copy of `instance` with a fresh primary key, its own text and dates, and its foreign keys
    to the actor's other instances pointing at their sentinels (`counterparts`: real pk -> sentinel)."""
    model = type(instance)
    pk_field = model._meta.pk
    if not isinstance(pk_field, models.UUIDField):
        raise _Untemplated(f"{model.__name__} has no uuid primary key")
    clone = model()
    stamp = _STAMPS[tag]
    for field in model._meta.concrete_fields:
        if field.primary_key:
            setattr(clone, field.attname, uuid.uuid4())
        elif field.is_relation:
            target = counterparts.get(getattr(instance, field.attname))
            if target is not None:
                setattr(clone, field.name, target)
            else:
                setattr(clone, field.attname, getattr(instance, field.attname))
        elif not _randomised(field):
            setattr(clone, field.attname, getattr(instance, field.attname))
        elif isinstance(field, models.DateTimeField):
            setattr(clone, field.attname, stamp)
        elif isinstance(field, models.DateField):
            setattr(clone, field.attname, stamp.date())
        else:
            text = f"{tag}{uuid.uuid4().hex}"
            if isinstance(field, models.EmailField):
                text = f"{text[:40]}@sentinel.invalid"
            setattr(clone, field.attname, text[: field.max_length] if field.max_length else text)
    return clone


def _sentinel(actor, tag: str):
    """An actor with the real one's signature and fresh ids, texts and dates."""
    names = _slot_names(actor)
    counterparts, replaced = {}, {}
    # Instances others point at first (the organization before the API key that belongs to it).
    for name in sorted(names, key=lambda n: any(f.is_relation for f in getattr(actor, n)._meta.concrete_fields)):
        instance = getattr(actor, name)
        sentinel = _sentinel_instance(instance, tag, counterparts)
        counterparts[instance.pk] = sentinel
        replaced[name] = sentinel
    return dataclasses.replace(actor, **replaced)


def _slot_values(actor) -> dict[str, object]:
    return {name: getattr(actor, name).pk for name in _slot_names(actor)}


# --- building the queryset as a given actor ------------------------------------------------------
class _ActingAs:
    """The request seen as another actor while its queryset is built: `request.actor`, the user and
    the API key (authentication's `request.auth`) on both DRF's request and Django's; put back as
    they were (or removed, where they were not set) afterwards."""

    _NAMES = (("drf", "actor"), ("django", "actor"), ("drf", "_user"), ("django", "user"), ("drf", "_auth"))

    def __init__(self, request, actor):
        self.request, self.actor = request, actor

    def _targets(self):
        return {"drf": self.request, "django": self.request._request}

    def __enter__(self):
        targets = self._targets()
        self.saved = [(targets[where], name, targets[where].__dict__.get(name, _ABSENT)) for where, name in self._NAMES]
        request = self.request
        real = request.actor
        # The real actor's instances, and what stands in for each (by primary key).
        swap = {getattr(real, name).pk: getattr(self.actor, name) for name in _slot_names(real)}
        principal = self._stand_in(request._user, swap)
        auth = self._stand_in(request._auth, swap)
        values = {"actor": self.actor, "_user": principal, "user": principal, "_auth": auth}
        for target, name, _ in self.saved:
            setattr(target, name, values[name])
        return self

    @staticmethod
    def _stand_in(value, swap: dict):
        """The user or API key itself when it is one of the actor's instances; a principal object
        (an API key's) copied with its references to them swapped; anything else as it is."""
        if isinstance(value, models.Model):
            return swap.get(value.pk, value)
        if value is None or not hasattr(value, "__dict__"):
            return value
        stand_in = copy.copy(value)
        for attribute, item in vars(value).items():
            if isinstance(item, models.Model) and item.pk in swap:
                setattr(stand_in, attribute, swap[item.pk])
        return stand_in

    def __exit__(self, *exc):
        for target, name, value in self.saved:
            if value is _ABSENT:
                target.__dict__.pop(name, None)
            else:
                setattr(target, name, value)
        return False


_ABSENT = object()


@dataclasses.dataclass
class _Built:
    plan: object
    sql: str
    params: tuple
    compiler: object


def _build(view, actor, *, ordering, position_filter, position, using) -> _Built:
    """The page's queryset as `actor`, compiled without its limits, with the database blocked."""
    with _ActingAs(view.request, actor), connections[using].execute_wrapper(block_queries):
        queryset = view.filter_queryset(view.get_queryset())
        plan = view._lean_plan(queryset)
        if plan is None:
            raise _Untemplated("no lean plan")
        values = plan.values(queryset).order_by(*ordering)
        if position_filter is not None:
            values = values.filter(**{position_filter: position})
        query = values.query
        if query.is_sliced or query.select_for_update or query.combinator or query.extra_select:
            raise _Untemplated("sliced, locking, combined or extra query")
        compiler = query.get_compiler(using=values.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet as error:  # e.g. .none(): nothing to template, Django reads nothing
            raise _Untemplated("an empty result by construction") from error
    return _Built(plan=plan, sql=sql, params=tuple(params), compiler=compiler)


# --- templates ---------------------------------------------------------------------------------
@dataclasses.dataclass
class Template:
    plan: object
    sql: str
    slots: tuple  # per parameter: (None, constant) or (slot name, None)
    position_prep: Callable | None
    converters: list  # (index, [converter, ...], expression)
    uuid_back: tuple[int, ...]  # uuid columns read as text that the plan needs as UUID objects
    position_index: int
    statement: PreparedStatement  # the SQL with `LIMIT %s OFFSET %s`

    def params(self, actor, position) -> list:
        values = _slot_values(actor)
        out = []
        for slot, constant in self.slots:
            if slot is None:
                out.append(constant)
            elif slot == "position":
                out.append(self.position_prep(position))
            else:
                out.append(values[slot])
        return out


def _position_prep(model, position_filter: str, connection):
    attribute = position_filter.rsplit("__", 1)[0]
    field = model._meta.get_field(attribute)

    def prep(value):
        return field.get_db_prep_value(field.get_prep_value(value), connection, prepared=True)

    return prep


def _derive(view, actor, *, ordering, position_filter, using) -> Template:
    connection = connections[using]
    first, second = _sentinel(actor, "a"), _sentinel(actor, "b")
    positions = ("2001-02-03 04:05:06.000007+00:00", "2002-03-04 05:06:07.000008+00:00")
    try:
        a = _build(view, first, ordering=ordering, position_filter=position_filter, position=positions[0], using=using)
        b = _build(view, second, ordering=ordering, position_filter=position_filter, position=positions[1], using=using)
    except DatabaseBlocked as error:
        raise _Untemplated("the queryset queries the database while it is built") from error
    if a.sql != b.sql or len(a.params) != len(b.params) or a.plan is not b.plan:
        raise _Untemplated("the SQL differs between two actors of one signature")
    model = a.compiler.query.model
    prep = _position_prep(model, position_filter, connection) if position_filter else None
    slot_a, slot_b = _slot_values(first), _slot_values(second)
    if prep is not None:
        slot_a["position"], slot_b["position"] = prep(positions[0]), prep(positions[1])
    slots = []
    for value_a, value_b in zip(a.params, b.params, strict=True):
        if type(value_a) is type(value_b) and value_a == value_b:
            slots.append((None, value_a))
            continue
        name = next(
            (
                name
                for name in slot_a
                if slot_a[name] is not None and value_a == slot_a[name] and value_b == slot_b[name]
            ),
            None,
        )
        if name is None:
            raise _Untemplated("a parameter depends on more than the actor's ids and the cursor")
        slots.append((name, None))
    plan, compiler = a.plan, a.compiler
    selected = compiler.select[: compiler.col_count]
    expressions = [expression for expression, _, _ in selected]
    if [alias for _, _, alias in selected] != list(plan.lookups) or compiler.has_composite_fields(expressions):
        raise _Untemplated("the columns are not the plan's")
    converters, text_ok = [], plan.uuid_text_indices()
    uuid_back = []
    for index, (field_converters, expression) in compiler.get_converters(expressions).items():
        field = getattr(expression, "output_field", None)
        if (
            isinstance(expression, Col)
            and isinstance(field, JSONField)
            and field.decoder is None
            and [getattr(c, "__func__", c) for c in field_converters] == [JSONField.from_db_value]
        ):
            field_converters = [_json_loads]
        converters.append((index, field_converters, expression))
    converted = {index for index, _, _ in converters}
    for index, expression in enumerate(expressions):
        if _is_uuid_column(expression, connection):
            if index in converted:
                raise _Untemplated("a uuid column with converters")
            if index not in text_ok:
                uuid_back.append(index)
    return Template(
        plan=plan,
        sql=a.sql,
        slots=tuple(slots),
        position_prep=prep,
        converters=converters,
        uuid_back=tuple(uuid_back),
        position_index=plan.lookups.index(ordering[0].lstrip("-")),
        statement=PreparedStatement(f"{a.sql} LIMIT %s OFFSET %s", prefix="lean"),
    )


# --- a request ---------------------------------------------------------------------------------
def _key(view, actor, *, ordering, position_filter) -> tuple:
    now = timezone.now().astimezone(dt.UTC)
    request = view.request
    return (
        type(view),
        getattr(view, "action", None),
        tuple(sorted((name, str(value)) for name, value in view.kwargs.items())),  # a nested list's parent
        getattr(request, "version", None),
        view.get_serializer_class(),
        _signature(actor),
        ordering,
        position_filter,
        timezone.get_current_timezone_name(),
        translation.get_language(),
        now.date(),
        now.hour,
    )


def template_for(view, actor, *, ordering, position_filter, position, using) -> Template | None:
    """The shape's template, derived (and checked against this request's own queryset) on its
    first request in this process and hour; None when the shape is not templated."""
    try:
        key = _key(view, actor, ordering=ordering, position_filter=position_filter)
        hash(key)
    except TypeError:
        return None  # an unhashable signature: built per request
    template = _TEMPLATES.get(key)
    if template is _UNTEMPLATED:
        return None
    if template is not None:
        if getattr(settings, "API_LIST_TEMPLATES_VERIFY", False):
            _verify(
                view,
                actor,
                template,
                ordering=ordering,
                position_filter=position_filter,
                position=position,
                using=using,
            )
        return template
    try:
        template = _derive(view, actor, ordering=ordering, position_filter=position_filter, using=using)
        # The real request's own queryset must be the template filled with its values (a bad
        # cursor position raises here, as it would have without templates).
        if not _matches(
            view, actor, template, ordering=ordering, position_filter=position_filter, position=position, using=using
        ):
            raise _Untemplated("the request's own SQL is not the template's")
    except _Untemplated as reason:
        log.info("API list %s is built per request: %s", type(view).__name__, reason)
        template = _UNTEMPLATED
    except DatabaseBlocked:
        log.info("API list %s is built per request: its queryset queries while built", type(view).__name__)
        template = _UNTEMPLATED
    if len(_TEMPLATES) >= MAX_TEMPLATES:
        _TEMPLATES.clear()  # an hour's keys at most: start the hour's shapes afresh
    _TEMPLATES[key] = template
    return None if template is _UNTEMPLATED else template


def _matches(view, actor, template: Template, *, ordering, position_filter, position, using) -> bool:
    real = _build(view, actor, ordering=ordering, position_filter=position_filter, position=position, using=using)
    return real.sql == template.sql and list(real.params) == template.params(actor, position)


class TemplateMismatch(AssertionError):
    """A templated request's own queryset is not its template (raised only when verifying)."""


def _verify(view, actor, template: Template, **shape) -> None:
    """`API_LIST_TEMPLATES_VERIFY` (the test settings): every request served by a template also
    builds its own queryset, which must give the template's SQL and parameters; so the whole test
    suite's API requests, across tenants, roles and nested lists, check the templates' keys."""
    try:
        same = _matches(view, actor, template, **shape)
    except (_Untemplated, DatabaseBlocked) as error:
        raise TemplateMismatch(f"{type(view).__name__}: the template's shape no longer builds: {error}") from error
    if not same:
        raise TemplateMismatch(f"{type(view).__name__}: this request's SQL is not its template's")


def fetch(template: Template, actor, *, position, offset: int, limit: int, using) -> list[tuple]:
    """The page's rows: the template run with this request's values, as a prepared statement."""
    params = [*template.params(actor, position), limit, offset]
    connection = connections[using]
    with connection.cursor() as cursor:
        psycopg2.extensions.register_type(UUID_AS_TEXT, cursor.cursor)
        template.statement.run(cursor, params)
        rows = cursor.fetchall()
    return _converted(template, rows, connection)


def _converted(template: Template, rows: list[tuple], connection) -> list[tuple]:
    converters, uuid_back = template.converters, template.uuid_back
    if not converters and not uuid_back:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for index, functions, expression in converters:
            value = row[index]
            for function in functions:
                value = function(value, expression, connection)
            row[index] = value
        for index in uuid_back:
            value = row[index]
            if value is not None:
                row[index] = _uuid(value)
        out.append(tuple(row))
    return out
