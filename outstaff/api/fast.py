"""A list page's rows presented without DRF's per-field machinery, with exactly DRF's output.

`Serializer.to_representation` spends most of its time per row and field in the generic path
(`get_attribute` walking the source with exception handling, `PKOnlyObject`, `enforce_timezone`),
about 70 µs a row for an 18-field resource. A page of 500 rows paid for that in full. Here the
serializer's readable fields are turned, once per request, into plain steps: a getter for the
attribute and a converter, where the converter is the identity for values DRF would return as they
are (a `str` from a CharField, an `int` from an IntegerField, a foreign key's id from a
PrimaryKeyRelatedField, ...) and the field's own `to_representation` otherwise. Anything the steps do
not understand (a serializer with its own `to_representation`, a field whose getter raises) goes
through DRF's path, so the output is DRF's by construction; `outstaff/tests/test_fast_list.py`
checks it resource by resource."""

import datetime as dt
import uuid
from collections.abc import Callable
from operator import attrgetter

from django.db import models
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import ISO_8601, api_settings

_SKIP = object()
# Field classes whose to_representation returns a value of this type unchanged (checked by exact
# class: a subclass may override to_representation).
_IDENTITY_FOR = {
    drf_fields.CharField: str,
    drf_fields.EmailField: str,
    drf_fields.SlugField: str,
    drf_fields.URLField: str,
    drf_fields.RegexField: str,
    drf_fields.IntegerField: int,
    drf_fields.BooleanField: bool,
}


def _drf_step(field) -> Callable:
    """Exactly what Serializer.to_representation does for one field."""

    def step(instance):
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            return _SKIP
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    return step


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a model field (a property, a reverse accessor): no fast path
        return None


def _step(field, model) -> Callable:
    drf = _drf_step(field)
    source = field.source_attrs
    if field.source == "*" or not source:
        return drf
    field_class = type(field)
    if isinstance(field, relations.PrimaryKeyRelatedField):
        model_field = _model_field(model, source[0]) if len(source) == 1 else None
        if (
            isinstance(model_field, models.ForeignKey)
            and field.pk_field is None
            and field_class.to_representation is relations.PrimaryKeyRelatedField.to_representation
            and field_class.get_attribute is relations.RelatedField.get_attribute
        ):
            # DRF reads the id from the row (its pk-only optimization) and prints it: the FK column.
            return attrgetter(model_field.attname)
        return drf
    if (
        isinstance(field, (relations.RelatedField, relations.ManyRelatedField, serializers.BaseSerializer))
        or field_class.get_attribute is not drf_fields.Field.get_attribute
        or (len(source) == 1 and _model_field(model, source[0]) is None)  # a property or method: DRF's call rules
    ):
        return drf
    getter = attrgetter(".".join(source))
    if field_class is drf_fields.DateTimeField and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601:
        return _datetime_step(field, getter, drf)
    identity_type = _IDENTITY_FOR.get(field_class)
    as_is = field_class is drf_fields.ReadOnlyField or (field_class is drf_fields.JSONField and not field.binary)
    as_text = field_class is drf_fields.UUIDField and field.uuid_format == "hex_verbose"
    convert = field.to_representation

    def step(instance):
        try:
            value = getter(instance)
        except Exception:  # noqa: BLE001 - e.g. a null relation on the way: DRF decides (None, skip, error)
            return drf(instance)
        if value is None:
            return None
        if type(value) is identity_type or as_is:
            return value
        if callable(value):
            return drf(instance)
        if as_text and type(value) is uuid.UUID:
            return str(value)
        return convert(value)

    return step


def _datetime_step(field, getter, drf) -> Callable:
    """DateTimeField.to_representation for ISO 8601 output, with the field's time zone looked up
    once per list instead of once per value (it is the request's current time zone)."""
    field_timezone = field.timezone if hasattr(field, "timezone") else field.default_timezone()

    def step(instance):
        try:
            value = getter(instance)
        except Exception:  # noqa: BLE001 - DRF decides
            return drf(instance)
        if not value:
            return None
        if type(value) is not dt.datetime or value.utcoffset() is None or field_timezone is None:
            return drf(instance)
        text = value.astimezone(field_timezone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return step


def fast_many_representation(serializer: serializers.ListSerializer) -> list:
    """`serializer.data` for a ListSerializer over model instances, computed with compiled steps;
    DRF's own path when the child serializer customises its representation."""
    child = serializer.child
    instances = serializer.instance
    if (
        instances is None
        or type(serializer) is not serializers.ListSerializer
        or type(child).to_representation is not serializers.Serializer.to_representation
        or not isinstance(child, serializers.ModelSerializer)
    ):
        return serializer.data
    model = child.Meta.model
    steps = [(field.field_name, _step(field, model)) for field in child._readable_fields]
    rows = []
    for instance in instances:
        row = {}
        for name, step in steps:
            value = step(instance)
            if value is not _SKIP:
                row[name] = value
        rows.append(row)
    return rows
