"""A list page read as tuples of exactly the columns its serializer prints, with DRF's output.

`fast.py` still builds a model instance per row (three to five with `select_related`) and builds the
serializer's fields on every request. Here a serializer class is compiled once into a *plan*: for
every readable field, the column it prints (a foreign key's id from the row's own column, a related
name through the join the lookup implies, e.g. `run__country`) and a converter that is the identity
where DRF would return the database's value as it is (a `str` from a CharField, an `int`, a `bool`, a
JSON value, a UUID the renderer writes as DRF's string) and the field's own `to_representation`
otherwise. The page is then fetched with `values_list(..., named=True)` (the cursor paginator reads
its position from the row's `created_at` as from an instance) and each row becomes a dict in the
serializer's field order.

A field that is not a column — a model property (`Worker.full_name`), a `SerializerMethodField` —
is computed by DRF's own field code on a *partial instance*: a model object holding only the columns
its `@reads(...)` declaration names (`outstaff.models.reads`), with the relations it walks cached as
partial instances too (or `None` for a null foreign key, as `select_related` would cache it). Reading
anything undeclared from a partial instance cannot reach the database (its state names no
connection): the list falls back to the instance path for that request, and the fallback is logged.

Anything the plan does not understand — a nested serializer, a many-to-many, a serializer that
customises `to_representation`, a property without `@reads`, a field class whose output might depend
on the request — makes `plan_for` return `None`, and the list takes the instance path (`fast.py`).
`outstaff/tests/test_lean_list.py` compares both with DRF's own output for every list endpoint."""

import datetime as dt
import decimal
import logging
from operator import attrgetter, itemgetter

from django.db import models
from django.db.models.base import ModelState
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.fields import SkipField, empty
from rest_framework.settings import ISO_8601, api_settings

log = logging.getLogger(__name__)

SKIP = object()
# Tests set this: a lean list that fails raises instead of falling back to the instance path.
STRICT = False
# A connection alias that does not exist: a partial instance asked for a column it was not given
# (a deferred load) or a relation it does not cache raises ConnectionDoesNotExist instead of querying.
NO_DATABASE = "lean-partial-instance"


class Unsupported(Exception):  # noqa: N818 - a reason, not an error: the list takes the instance path
    pass


# DRF field classes (exact) whose to_representation returns a database value of the model field's
# type unchanged, keyed by the model field classes (exact, or subclasses without a from_db_value).
_STR_MODEL_FIELDS = (models.CharField, models.TextField)
_INT_MODEL_FIELDS = (models.IntegerField,)  # Small/Big/Positive* are subclasses
_AS_IS = {
    drf_fields.CharField: _STR_MODEL_FIELDS,
    drf_fields.EmailField: _STR_MODEL_FIELDS,
    drf_fields.SlugField: _STR_MODEL_FIELDS,
    drf_fields.URLField: _STR_MODEL_FIELDS,
    drf_fields.IntegerField: _INT_MODEL_FIELDS,
    drf_fields.BooleanField: (models.BooleanField,),
    # DRF prints str(value) of a hex_verbose UUIDField; both renderers write a UUID as that string.
    drf_fields.UUIDField: (models.UUIDField,),
}
# Same, for a value of unknown origin (a property's): identity when the value has this exact type.
_IDENTITY_TYPE = {
    drf_fields.CharField: str,
    drf_fields.EmailField: str,
    drf_fields.SlugField: str,
    drf_fields.URLField: str,
    drf_fields.IntegerField: int,
    drf_fields.BooleanField: bool,
}
# Field classes whose to_representation depends only on the field's own arguments (never on the
# request or the serializer's context): safe to call on the field compiled once per class.
_CONTEXT_FREE = {
    drf_fields.CharField,
    drf_fields.EmailField,
    drf_fields.SlugField,
    drf_fields.URLField,
    drf_fields.RegexField,
    drf_fields.IntegerField,
    drf_fields.FloatField,
    drf_fields.DecimalField,
    drf_fields.BooleanField,
    drf_fields.DateField,
    drf_fields.DateTimeField,
    drf_fields.TimeField,
    drf_fields.DurationField,
    drf_fields.ChoiceField,
    drf_fields.UUIDField,
    drf_fields.JSONField,
    drf_fields.ReadOnlyField,
}


def _plain_model_field(model_field, classes) -> bool:
    return isinstance(model_field, classes) and not hasattr(model_field, "from_db_value")


def _str_choices(field) -> bool:
    return all(type(key) is str for key in field.choices)


def _converter(field, model_field=None):
    """(kind, value) for a non-None value of `field`: ("as_is", None), ("convert", fn) or
    ("datetime", field) — the last bound to the request's time zone."""
    field_class = type(field)
    if field_class not in _CONTEXT_FREE:
        raise Unsupported(f"{field.field_name}: {field_class.__name__}")
    if model_field is not None:
        classes = _AS_IS.get(field_class)
        if (
            classes is not None
            and _plain_model_field(model_field, classes)
            and (field_class is not drf_fields.UUIDField or field.uuid_format == "hex_verbose")
        ):
            return ("as_is", None)
        if (
            field_class is drf_fields.ChoiceField
            and isinstance(model_field, _STR_MODEL_FIELDS)
            and not hasattr(model_field, "from_db_value")
            and _str_choices(field)
        ):
            # choice_strings_to_values.get(str(value), value): a str key maps to itself.
            return ("as_is", None)
    if field_class is drf_fields.ReadOnlyField or (field_class is drf_fields.JSONField and not field.binary):
        return ("as_is", None)
    if field_class is drf_fields.UUIDField and field.uuid_format == "hex_verbose":
        # DRF prints str(value); both renderers write a UUID as that same string.
        return ("convert", _uuid_or(field.to_representation))
    if field_class is drf_fields.DateTimeField and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601:
        return ("datetime", field)
    if field_class is drf_fields.DateField and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601:
        return ("convert", _date_or(field.to_representation))
    if field_class is drf_fields.DecimalField:
        return ("convert", _decimal_converter(field))
    identity = _IDENTITY_TYPE.get(field_class)
    convert = field.to_representation
    if field_class is drf_fields.ChoiceField and _str_choices(field):
        identity = str
    if identity is not None:
        return ("convert", lambda value: value if type(value) is identity else convert(value))
    return ("convert", convert)


def _decimal_converter(field):
    """DecimalField.to_representation as a string: a value that already has the field's decimal
    places and fits its digits is what quantizing returns, printed with `f` (a database numeric of
    the model's precision always is); anything else takes DRF's own steps."""
    convert = field.to_representation
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    if not coerce or field.localize or field.normalize_output or field.decimal_places is None:
        return convert
    exponent, max_digits = -field.decimal_places, field.max_digits

    def step(value):
        if type(value) is decimal.Decimal:
            sign, digits, value_exponent = value.as_tuple()
            if value_exponent == exponent and (max_digits is None or len(digits) <= max_digits):
                return format(value, "f")
        return convert(value)

    return step


def _uuid_or(convert):
    import uuid

    def step(value):
        return value if type(value) is uuid.UUID else convert(value)

    return step


def _date_or(convert):
    # A date is written as its isoformat() by both renderers: left to the renderer.
    def step(value):
        return value if type(value) is dt.date else convert(value)

    return step


def _datetime_converter(field):
    """DateTimeField.to_representation for ISO 8601 output, the field's time zone looked up once per
    request (it is the request's current time zone) instead of once per value."""
    field_timezone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    convert = field.to_representation
    if field_timezone is None:
        return convert

    utc = dt.UTC
    in_utc = field_timezone is utc or getattr(field_timezone, "key", None) in ("UTC", "Etc/UTC")

    def step(value):
        if type(value) is not dt.datetime:
            return convert(value)
        if in_utc and value.tzinfo is utc:
            # The database's UTC value printed in UTC: DRF's astimezone changes only the tzinfo, and
            # its text is what both renderers write for this datetime (orjson natively with
            # OPT_UTC_Z, DRF's encoder with isoformat), so it is left to the renderer.
            return value
        if value.utcoffset() is None:
            return convert(value)
        text = value.astimezone(field_timezone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return step


def _forward_relation(model, name: str):
    """The forward foreign key (or one-to-one) `name` of `model`, or None."""
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a field (a property, a method, a reverse accessor)
        return None
    if field.is_relation and field.concrete and (field.many_to_one or field.one_to_one):
        return field
    return None


def _concrete(model, name: str):
    """The concrete non-relation field (or a foreign key's `*_id` column) `name`, or None."""
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a field
        return None
    if not field.concrete or getattr(field, "many_to_many", False):
        return None
    if field.is_relation and name != field.attname:
        return None  # the relation itself (an object), not its column
    return field


class _Columns:
    """The query's columns, each once, in first-use order; a lookup's index in the row."""

    def __init__(self):
        self.lookups: list[str] = []

    def index(self, lookup: str) -> int:
        if lookup not in self.lookups:
            self.lookups.append(lookup)
        return self.lookups.index(lookup)


class _Node:
    """A partial instance to build from a row: the model, its (attribute, column index) pairs (its
    primary key always among them, so a deferred load fails on the missing connection instead of
    recursing), and its cached relations (name, index of the foreign key column, child node)."""

    def __init__(self, model, pk_index: int):
        self.model = model
        self.attributes: dict[str, int] = {model._meta.pk.attname: pk_index}
        self.relations: dict[str, tuple[int, _Node]] = {}

    def build(self):
        names = tuple(self.attributes)
        indices = tuple(self.attributes.values())
        children = [(name, fk_index, child.build()) for name, (fk_index, child) in self.relations.items()]
        model = self.model
        new = model.__new__

        def make(row):
            obj = new(model)
            values = obj.__dict__
            for name, index in zip(names, indices, strict=True):
                values[name] = row[index]
            state = ModelState()
            state.adding = False
            state.db = NO_DATABASE
            # As select_related caches them: the related partial instance, or None for a null key.
            state.fields_cache = {
                name: None if row[fk_index] is None else child(row) for name, fk_index, child in children
            }
            obj._state = state
            return obj

        return make


def _reads_of(function) -> tuple[str, ...] | None:
    return getattr(function, "lean_reads", None)


class Plan:
    """One serializer class compiled for one queryset shape (model, annotations, ordering)."""

    def __init__(self, serializer_class, model, annotations: frozenset[str], ordering: tuple[str, ...]):
        self.serializer_class = serializer_class
        columns = _Columns()
        self.root = _Node(model, columns.index(model._meta.pk.attname))
        self.annotations = annotations
        serializer = serializer_class(context={})
        names, primary = [], []
        self.converted: list[tuple[str, int, str, object]] = []  # (name, index, kind, fn or field)
        self.null_hops: list[tuple[str, tuple[int, ...], object]] = []  # (name, fk indices, None or SKIP)
        self.computed: list[tuple[str, str, object, str, object]] = []  # (name, how, field/method, kind, conv)
        for field in serializer._readable_fields:
            name = field.field_name
            names.append(name)
            primary.append(self._compile_field(field, model, columns))
        for attribute in ordering:
            columns.index(attribute.lstrip("-"))
        self.names = tuple(names)
        self.lookups = tuple(columns.lookups)
        self.pick = _picker(primary)
        self.build_instance = self.root.build() if self.computed else None

    # --- compile ---------------------------------------------------------------------------------
    def _compile_field(self, field, model, columns: _Columns) -> int:
        """The field's primary column index (the value placed first; converters and computed
        fields replace it)."""
        field_class = type(field)
        if isinstance(field, serializers.SerializerMethodField):
            if field_class.to_representation is not serializers.SerializerMethodField.to_representation:
                raise Unsupported(field.field_name)
            method = getattr(self.serializer_class, field.method_name, None)
            reads = _reads_of(method)
            if reads is None:
                raise Unsupported(f"{field.field_name}: {field.method_name} declares no @reads")
            self._declare(self.root, model, reads, columns, prefix="")
            self.computed.append((field.field_name, "method", field.method_name, "", None))
            return 0
        source = field.source_attrs
        if field.source == "*" or not source:
            raise Unsupported(field.field_name)
        if isinstance(field, relations.PrimaryKeyRelatedField):
            fk = _forward_relation(model, source[0]) if len(source) == 1 else None
            if (
                fk is None
                or field.pk_field is not None
                or field_class.to_representation is not relations.PrimaryKeyRelatedField.to_representation
                or field_class.get_attribute is not relations.RelatedField.get_attribute
                or fk.target_field is not fk.related_model._meta.pk
            ):
                raise Unsupported(field.field_name)
            # DRF's pk-only optimization prints the row's own foreign key column.
            return columns.index(fk.attname)
        if isinstance(field, (relations.RelatedField, relations.ManyRelatedField, serializers.BaseSerializer)):
            raise Unsupported(field.field_name)
        if field_class.get_attribute is not drf_fields.Field.get_attribute or field_class not in _CONTEXT_FREE:
            raise Unsupported(field.field_name)
        # Walk the source: forward foreign keys, then a column or a property with @reads.
        current, path, hops = model, [], []
        for attribute in source[:-1]:
            fk = _forward_relation(current, attribute)
            if fk is None:
                raise Unsupported(f"{field.field_name}: {attribute}")
            hops.append((fk, "__".join([*path, fk.attname])))
            path.append(attribute)
            current = fk.related_model
        last = source[-1]
        model_field = _concrete(current, last)
        if model_field is not None:
            index = columns.index("__".join([*path, last]))
            kind, convert = _converter(field, model_field)
            if kind != "as_is":
                self.converted.append((field.field_name, index, kind, convert))
            self._null_hops(field, hops, columns)
            return index
        prop = getattr(current, last, None)
        reads = _reads_of(prop.fget) if isinstance(prop, property) else None
        if reads is None:
            raise Unsupported(f"{field.field_name}: {current.__name__}.{last} is not a column or an @reads property")
        node = self.root
        for fk, lookup in hops:
            node = self._relation_node(node, fk, columns, lookup)
        self._declare(node, current, reads, columns, prefix="__".join(path))
        kind, convert = _converter(field)
        self.computed.append((field.field_name, "attribute", field, kind, convert))
        return 0

    def _null_hops(self, field, hops, columns: _Columns) -> None:
        nullable = tuple(columns.index(lookup) for fk, lookup in hops if fk.null)
        if nullable:
            # DRF: a null relation on the way is the field's default, None if it allows null, else
            # the field is left out (read-only fields are not required).
            if field.default is not empty or (field.required and not field.allow_null):
                raise Unsupported(field.field_name)
            self.null_hops.append((field.field_name, nullable, None if field.allow_null else SKIP))

    def _relation_node(self, node: _Node, fk, columns: _Columns, fk_lookup: str) -> _Node:
        """The partial instance cached as `node`'s relation `fk`; its primary key is the foreign key
        column (`fk` targets the primary key)."""
        entry = node.relations.get(fk.name)
        if entry is None:
            if fk.target_field is not fk.related_model._meta.pk:
                raise Unsupported(f"{fk.name} does not point at a primary key")
            fk_index = columns.index(fk_lookup)
            entry = (fk_index, _Node(fk.related_model, fk_index))
            node.relations[fk.name] = entry
        return entry[1]

    def _declare(self, node: _Node, model, reads, columns: _Columns, prefix: str) -> None:
        """Give the partial instance `node` of `model` the columns `reads` names (lookups relative
        to it: "first_name", "client_id", "status_changed_by__email", or a root annotation)."""
        for lookup in reads:
            parts = lookup.split("__")
            current, target, path = model, node, [prefix] if prefix else []
            for attribute in parts[:-1]:
                fk = _forward_relation(current, attribute)
                if fk is None:
                    raise Unsupported(f"@reads {lookup}: {attribute} is not a foreign key")
                target = self._relation_node(target, fk, columns, "__".join([*path, fk.attname]))
                path.append(attribute)
                current = fk.related_model
            last = parts[-1]
            if _concrete(current, last) is not None:
                field = current._meta.get_field(last)
                target.attributes[field.attname] = columns.index("__".join([*path, last]))
            elif target is self.root and not path and last in self.annotations:
                target.attributes[last] = columns.index(last)
            elif target is self.root and not path:
                continue  # an optional annotation this queryset does not have: absent, as on an instance
            else:
                raise Unsupported(f"@reads {lookup}: not a column of {current.__name__}")

    def uuid_text_indices(self) -> frozenset[int]:
        """The columns a uuid may be read into as its text: those only printed as they are (or
        checked for null), never given to a partial instance or a converter."""
        needed = {index for _, index, _, _ in self.converted}
        nodes = [self.root] if self.build_instance is not None else []
        while nodes:
            node = nodes.pop()
            needed.update(node.attributes.values())
            nodes.extend(child for _, child in node.relations.values())
        return frozenset(range(len(self.lookups))) - needed

    # --- per request ---------------------------------------------------------------------------
    def values(self, queryset):
        return queryset.values_list(*self.lookups, named=True)

    def presenter(self, context: dict):
        """A function turning the page's rows into DRF's dicts, bound to this request (its time
        zone for datetimes, its context for method fields)."""
        names, pick, null_hops, build = self.names, self.pick, self.null_hops, self.build_instance
        converted = [
            (name, index, _datetime_converter(convert) if kind == "datetime" else convert)
            for name, index, kind, convert in self.converted
        ]
        computed = []  # (name, step on the partial instance, converter: None = as is, METHOD = none)
        serializer = None
        for name, how, target, kind, convert in self.computed:
            if how == "method":
                if serializer is None:
                    serializer = self.serializer_class(context=context)
                computed.append((name, getattr(serializer, target), _METHOD))
            elif kind == "datetime":
                computed.append((name, _attribute_step(target), _datetime_converter(convert)))
            else:
                computed.append((name, _attribute_step(target), convert))

        native = True  # whether every value is one the renderer may write natively (see renderers.py)

        def present(rows) -> list[dict]:
            nonlocal native
            native = True
            out = []
            append = out.append
            for row in rows:
                data = dict(zip(names, pick(row), strict=True))
                for name, index, convert in converted:
                    value = row[index]
                    if value is not None:
                        data[name] = convert(value)
                for name, fk_indices, outcome in null_hops:
                    if any(row[index] is None for index in fk_indices):
                        if outcome is SKIP:
                            del data[name]
                        else:
                            data[name] = None
                if build is not None:
                    instance = build(row)
                    for name, step, convert in computed:
                        value = step(instance)
                        if convert is _METHOD:  # DRF prints a method field's value as it is
                            data[name] = value
                            if native and type(value) not in _PLAIN:
                                native = False
                        elif value is SKIP:
                            del data[name]
                        elif value is None or convert is None:
                            data[name] = value
                        else:
                            data[name] = convert(value)
                append(data)
            present.native = native
            return out

        return present


_METHOD = object()
# Values a method field may return that every renderer writes alike; anything else (a datetime with
# an odd offset, a nested structure) keeps the page on the renderer's DRF-compatible path.
_PLAIN = frozenset({str, int, bool, float, type(None)})


def _attribute_step(field):
    """DRF's get_attribute on a partial instance: a plain attribute walk (foreign keys, then a
    property), DRF's own rules (a callable, a null relation on the way, SkipField) otherwise."""
    get = field.get_attribute
    walk = attrgetter(".".join(field.source_attrs))

    def drf(instance):
        try:
            return get(instance)
        except SkipField:
            return SKIP

    def step(instance):
        try:
            value = walk(instance)
        except Exception:  # noqa: BLE001 - e.g. a null relation: DRF decides (None, skip, error)
            return drf(instance)
        return drf(instance) if callable(value) else value

    return step


def _picker(indices: list[int]):
    if len(indices) == 1:
        index = indices[0]
        return lambda row: (row[index],)
    return itemgetter(*indices)


_PLANS: dict = {}


def _static_fields(serializer_class) -> bool:
    """Whether the serializer's readable fields are the same for every list request: it builds them
    the ModelSerializer way, or says so (`list_fields_static = True`: e.g. fields that change only
    for a single instance)."""
    if getattr(serializer_class, "list_fields_static", False):
        return True
    own = ("__init__", "get_fields", "_readable_fields", "fields", "many_init")
    for klass in serializer_class.__mro__:
        if klass is serializers.ModelSerializer:
            return True
        if any(name in vars(klass) for name in own):
            return False
    return False


def plan_for(serializer_class, queryset, ordering: tuple[str, ...]) -> Plan | None:
    """The compiled plan for listing `queryset` with `serializer_class`, or None when the lean path
    does not understand it (the list then takes the instance path)."""
    model = queryset.model
    annotations = frozenset(queryset.query.annotations)
    key = (serializer_class, model, annotations, ordering)
    try:
        return _PLANS[key]
    except KeyError:
        pass
    plan = None
    if (
        issubclass(serializer_class, serializers.ModelSerializer)
        and serializer_class.to_representation is serializers.Serializer.to_representation
        and getattr(serializer_class.Meta, "list_serializer_class", serializers.ListSerializer)
        is serializers.ListSerializer
        and _static_fields(serializer_class)
        and not queryset.query.extra_select
        and queryset._fields is None
    ):
        try:
            plan = Plan(serializer_class, model, annotations, ordering)
        except Unsupported as reason:
            log.debug("lean list: %s takes the instance path (%s)", serializer_class.__name__, reason)
            plan = None
    _PLANS[key] = plan
    return plan
