"""A queryset of one fixed shape, compiled once per process and run as a prepared statement.

A few queries run on every request with the same shape and another value: the session by its key,
the signed-in user's memberships. Building and compiling their querysets cost more Python than the
rest of the query (0.4 ms of the memberships' 1 ms), and PostgreSQL planned them every time.
``FixedQuery(Model, build, sample=..., prefix=...)`` compiles ``build`` once per process and database alias, prepares
its SQL once per database session (``outstaff/statements.py``) and runs it with each call's values:

- ``build(**values)`` returns the queryset. Its SQL may depend on nothing but ``values``; every
  value must reach the SQL as a parameter.
- The shape is *derived*, never assumed: ``build`` is called for two sets of ``sample()`` values
  (fresh random ones each time) and compiled with the database blocked. The two SQL texts must be
  equal, and each parameter must be either the same constant in both (equal to no sample) or the
  two samples of one name (a slot). Anything else (a build that queries, a value that does not
  reach the SQL as it is given) leaves the query unprepared: ``build(**values)`` is evaluated as
  usual, and the reason is logged once.
- A value of None is always evaluated as usual: Django compiles ``= None`` to ``IS NULL``, another
  shape.
- Rows become what the queryset's own iterator makes of them: instances (Django's converters, the
  ``select_related`` instances, annotations), or the tuples or values of ``values_list()``. A
  queryset with a prefetch, ``values()``, named tuples or related objects known from a manager is
  not prepared.
- ``FIXED_QUERIES_VERIFY`` (the test settings): every call also compiles its own queryset and fails
  when its SQL or parameters differ from the prepared statement's, so the whole test suite checks
  every fixed query's derivation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    QuerySet,
    ValuesListIterable,
    get_related_populators,
)

from .statements import PreparedStatement

log = logging.getLogger(__name__)


class DatabaseBlocked(Exception):  # noqa: N818 - a reason, not an error: the SQL is not reused
    """A statement sent while SQL was being derived for reuse (a fixed query here, an API list's
    template in outstaff/api/prepared.py): that SQL depends on the data."""


def block_queries(execute, sql, params, many, context):
    """An execute wrapper: no statement reaches the database while SQL is derived."""
    raise DatabaseBlocked(sql)


class FixedQueryMismatch(AssertionError):
    """A call's own queryset compiled to other SQL or parameters than its prepared statement's."""


class _Plan:
    """What one alias's calls reuse: the statement, where each value goes, how rows become instances."""

    def __init__(self, *, queryset: QuerySet, compiler, sql: str, slots: list, using: str, prefix: str):
        self.sql = sql
        self.slots = slots  # per parameter: (name, None) for a value, (None, constant) for a constant
        self.statement = PreparedStatement(sql, prefix=prefix)
        select, klass_info = compiler.select, compiler.klass_info
        self.rows = {ValuesListIterable: "tuples", FlatValuesListIterable: "values"}.get(queryset._iterable_class)
        if self.rows is None:
            self.model = klass_info["model"]
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            self.model_slice = slice(start, end)
            self.init_list = [column[0].target.attname for column in select[start:end]]
            self.populators = get_related_populators(klass_info, select, using)
            self.annotations = list(compiler.annotation_col_map.items())
        self.converters = list(compiler.get_converters([column[0] for column in select[: compiler.col_count]]).items())
        self.using = using

    def params(self, values: dict) -> list:
        return [values[name] if name is not None else constant for name, constant in self.slots]

    def _converted(self, rows: list, connection):
        converters = self.converters
        for row in rows:
            if converters:
                row = list(row)
                for position, (functions, expression) in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            yield row

    def instances(self, rows: list, connection) -> list:
        if self.rows == "tuples":
            return [tuple(row) for row in self._converted(rows, connection)]
        if self.rows == "values":
            return [row[0] for row in self._converted(rows, connection)]
        model, init_list, using = self.model, self.init_list, self.using
        objects = []
        for row in self._converted(rows, connection):
            obj = model.from_db(using, init_list, row[self.model_slice])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def _compiled(queryset: QuerySet, using: str):
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    return compiler, sql, list(params)


def _same(left, right) -> bool:
    return type(left) is type(right) and left == right


class FixedQuery:
    """``build(**values)``'s queryset, compiled once and prepared; see the module doc."""

    def __init__(self, model, build: Callable[..., QuerySet], *, sample: Callable[[], dict], prefix: str):
        self.model = model
        self.build = build
        self.sample = sample
        self.prefix = prefix
        self._plans: dict[str, _Plan | None] = {}

    def _derive(self, using: str) -> _Plan | None:
        first, second = self.sample(), self.sample()
        try:
            with connections[using].execute_wrapper(block_queries):
                queryset = self.build(**first).using(using)
                compiler, sql, params = _compiled(queryset, using)
                _, other_sql, other_params = _compiled(self.build(**second).using(using), using)
        except (DatabaseBlocked, EmptyResultSet) as reason:
            return self._refuse(f"its build queries or matches nothing ({reason!r})")
        plain = (ModelIterable, ValuesListIterable, FlatValuesListIterable)
        if queryset._iterable_class not in plain or queryset._prefetch_related_lookups:
            return self._refuse("it is not a plain queryset of instances or of values_list() rows")
        if queryset._known_related_objects:
            return self._refuse("it knows related objects from a manager")
        if sql != other_sql or len(params) != len(other_params):
            return self._refuse("its SQL depends on its values")
        samples = [*first.values(), *second.values()]
        slots = []
        for value, other in zip(params, other_params, strict=True):
            names = [name for name in first if _same(first[name], value) and _same(second[name], other)]
            if len(names) == 1:
                slots.append((names[0], None))
            elif _same(value, other) and not any(_same(value, sample) for sample in samples):
                slots.append((None, value))
            else:
                return self._refuse(f"a parameter is neither a constant nor one value: {value!r} / {other!r}")
        if {name for name, _ in slots if name is not None} != set(first):
            return self._refuse("a value does not reach the SQL as a parameter")
        return _Plan(queryset=queryset, compiler=compiler, sql=sql, slots=slots, using=using, prefix=self.prefix)

    def _refuse(self, reason: str) -> None:
        log.warning("fixed query %s is not prepared: %s", self.prefix, reason)
        return None

    def _plan(self, using: str) -> _Plan | None:
        try:
            return self._plans[using]
        except KeyError:
            plan = self._plans[using] = self._derive(using)
            return plan

    def __call__(self, *, using: str | None = None, **values) -> list:
        """What ``list(build(**values))`` gives, in its order."""
        using = using or router.db_for_read(self.model)
        plan = None if any(value is None for value in values.values()) else self._plan(using)
        if plan is None:
            return list(self.build(**values).using(using))
        params = plan.params(values)
        if getattr(settings, "FIXED_QUERIES_VERIFY", False):
            _, sql, own = _compiled(self.build(**values).using(using), using)
            if sql != plan.sql or own != params:
                raise FixedQueryMismatch(f"{self.prefix}: {sql!r} {own!r} against {plan.sql!r} {params!r}")
        connection = connections[using]
        with connection.cursor() as cursor:
            plan.statement.run(cursor, params)
            rows = cursor.fetchall()
        return plan.instances(rows, connection)
